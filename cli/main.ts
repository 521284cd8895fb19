#!/usr/bin/env node
/**
 * `secret-rotation`: rotation changes made visible and safe in pull
 * requests (plan, check), proven before they merge (rehearse), and undone
 * when a rotation goes wrong (rollback). See the README, "The pipeline tool".
 */
import { emulatorCommand } from './commands/emulator';
import { CliError, EXIT } from './errors';
import { Command, CommandIo } from './io';

const COMMANDS: Record<string, Command> = {
  emulator: emulatorCommand,
};

export const HELP = () => `Usage: secret-rotation <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Run \`secret-rotation <command> --help\` for a command's options.
Exit codes: 0 ok, 1 the answer is no (a check or step failed), 2 bad command line,
3 unreadable input, 4 Secrets Manager refused or unreachable.`;

/** Runs one command line; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`secret-rotation: unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(COMMANDS).join(', ')} (see secret-rotation --help)`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`secret-rotation ${name}: ${error.message}`);
      return error.code;
    }
    // Not expected: say so plainly, with the message only (never a stack full of values).
    io.err(`secret-rotation ${name}: unexpected error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  void main(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interrupted,
  }).then((code) => process.exit(code));
}
