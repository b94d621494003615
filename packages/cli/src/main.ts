#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { RegistryError } from '@giotto/protocol';
import { CliError } from './cli-error.js';
import { networkCommand } from './commands/network.js';
import { nodeCommand } from './commands/node.js';
import { operatorCommand } from './commands/operator.js';
import { requestCommand } from './commands/request.js';
import { thingCommand } from './commands/thing.js';
import { createContext, type CliContext } from './context.js';

/** The whole command tree; every command fails through exitOverride so main() sets the exit code. */
function buildProgram(ctx: CliContext): Command {
  const program: Command = new Command('giotto-registry')
    .description('Operator CLI of the GIoTTo Registry')
    .option('--json', 'print one JSON document (for scripts)')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [thingCommand(ctx), requestCommand(ctx), operatorCommand(ctx), networkCommand(ctx), nodeCommand(ctx)]) {
    program.addCommand(command.exitOverride());
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

async function main(argv: string[]): Promise<number> {
  let json = false;
  const ctx = createContext(() => json);
  const program = buildProgram(ctx);
  program.hook('preAction', (command) => {
    json = command.optsWithGlobals<{ json?: boolean }>().json === true;
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // help, or a usage error already printed
    const message = err instanceof CliError || err instanceof RegistryError ? err.message : `${(err as Error).message ?? err}`;
    if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`giotto-registry: ${message}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  } finally {
    await ctx.close();
  }
}

main(process.argv).then((code) => process.exit(code));
