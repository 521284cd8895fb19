import { EXIT } from '../../cli/errors';
import { HELP, main } from '../../cli/main';

/** The dispatcher: help, unknown commands, and each command's --help. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const COMMANDS = ['emulator', 'rehearse', 'rollback'];

describe('secret-rotation', () => {
  it('lists the commands and the exit codes with --help, and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const help = await run(flag);
      expect(help.code).toBe(EXIT.ok);
      expect(help.out).toBe(HELP());
    }
    const { out } = await run('--help');
    for (const command of COMMANDS) expect(out).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(out).toContain('Exit codes: 0 ok, 1 the answer is no (a check or step failed), 2 bad command line,');
    expect(out).toContain('3 unreadable input, 4 Secrets Manager refused or unreachable.');
  });

  it('prints the help and exits 2 without a command', async () => {
    const none = await run();
    expect(none.code).toBe(EXIT.usage);
    expect(none.out).toBe(HELP());
  });

  it('exits 2 for an unknown command, naming the commands', async () => {
    const unknown = await run('rotate', '--secret-id', 'x');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toMatch(/^secret-rotation: unknown command "rotate"; the commands are .*emulator.*rehearse, rollback/);
  });

  it.each(COMMANDS)('shows the help of %s with --help, and exits 0', async (command) => {
    const help = await run(command, '--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toMatch(new RegExp(`^Usage: secret-rotation ${command} `));
    expect(help.out).toContain('\nOptions:\n');
    expect(help.err).toBe('');
  });

  it.each(['rehearse', 'rollback'])('documents the exit codes of %s in its help', async (command) => {
    expect((await run(command, '--help')).out).toMatch(/\nExit codes: 0 .*;\s1 .*;\s2 .*;\s(3 .*;\s)?4 /s);
  });

  it('exits 2 for an unknown option, pointing at the command\'s --help', async () => {
    const bad = await run('rollback', '--secret', 'x');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toContain("secret-rotation rollback: Unknown option '--secret'");
    expect(bad.err).toContain('see `secret-rotation rollback --help`');
  });
});
