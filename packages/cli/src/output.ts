/** Prints a command's result: one JSON document with --json, else the human form. */
export interface Output {
  json: boolean;
  print(value: unknown, human?: string): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  return {
    json,
    print(value, human) {
      if (json || human === undefined) write(`${JSON.stringify(value, null, json ? 0 : 2)}\n`);
      else write(`${human}\n`);
    },
  };
}
