#!/usr/bin/env node
/**
 * `secret-rotation`: rotation changes made visible and safe in pull
 * requests (plan, check), proven before they merge (rehearse), and undone
 * when a rotation goes wrong (rollback). See the README, "The pipeline tool".
 */
import { createInterface } from 'node:readline';
import { CliError, EXIT } from './errors';
import { Command, CommandIo } from './io';

/**
 * Each command is loaded when it runs: plan and check need neither the AWS
 * SDK (an optional peer dependency) nor esbuild, which rollback and
 * rehearse load.
 */
const COMMANDS: Record<string, { readonly summary: string; readonly load: () => Promise<Command> }> = {
  check: { summary: 'hold the synthesized secrets to policy rules (text, JSON or SARIF for code scanning)', load: async () => (await import('./commands/check')).checkCommand },
  emulator: { summary: 'serve a local Secrets Manager (the emulator) until stopped', load: async () => (await import('./commands/emulator')).emulatorCommand },
  plan: { summary: 'list every secret and how it rotates; with --base, what a pull request changes', load: async () => (await import('./commands/plan')).planCommand },
  rehearse: { summary: 'run a handler\'s four rotation steps locally against a real (staging) target', load: async () => (await import('./commands/rehearse')).rehearseCommand },
  rollback: { summary: 'put AWSCURRENT back on the version labelled AWSPREVIOUS, after asking', load: async () => (await import('./commands/rollback')).rollbackCommand },
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
    return await (await command.load()).run(rest, io);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /'(@aws-sdk\/client-secrets-manager|esbuild)'/.exec((error as Error).message)?.[1];
    if (missing) {
      io.err(`secret-rotation ${name}: this command needs ${missing}, which is not installed (the AWS SDK is an optional peer dependency); npm install ${missing}`);
      return EXIT.input;
    }
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
    // Only a terminal can answer; without one, commands that ask say to pass --yes.
    confirm: process.stdin.isTTY ? askOnTerminal : undefined,
    interrupted,
  }).then((code) => process.exit(code));
}

/** Asks on the terminal; anything but y/yes (or Ctrl-C, Ctrl-D) is no. */
function askOnTerminal(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (yes: boolean) => {
      resolve(yes); // before close(), whose 'close' event would answer no
      rl.close();
    };
    rl.on('SIGINT', () => answer(false));
    rl.on('close', () => resolve(false));
    rl.question(`${question} [y/N] `, (text) => answer(/^y(es)?$/i.test(text.trim())));
  });
}
