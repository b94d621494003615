/** A failure the CLI reports as one line and a non-zero exit code (2: usage, 1: anything else). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
