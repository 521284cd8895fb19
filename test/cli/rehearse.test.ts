import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { CommandIo } from '../../cli/io';
import { main } from '../../cli/main';
import { BUILT_IN_HANDLERS } from '../../modules/rotation-function';
import { apiKeySecret, FakeKeyApi } from '../support/fake-key-api';
import { secretsIn } from '../support/leak-check';
import { canLogIn, PostgresServer, startPostgres } from '../support/postgres';

/**
 * `secret-rotation rehearse`, run in-process against one throwaway
 * PostgreSQL server, a fake key-issuing API and a handler of the user's own.
 * Every run checks that no password or key it saw is printed.
 */
let pg: PostgresServer;
let api: FakeKeyApi;
let dir: string;
let counter = 0;
/** Every credential the tests made or saw: none may appear in what rehearse prints. */
const credentials: string[] = [];

beforeAll(async () => {
  [pg, api] = await Promise.all([startPostgres(), new FakeKeyApi().start()]);
  dir = mkdtempSync(join(tmpdir(), 'cli-rehearse-'));
  credentials.push(pg.admin.password, api.adminKey);
});

afterAll(async () => {
  await Promise.all([pg?.stop(), api?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `secret-rotation rehearse <args>` and checks that nothing it printed holds a credential. */
const rehearse = (...args: string[]) => rehearseWith({}, ...args);

/** The same, with an `interrupted` promise (Ctrl-C) and a look at each progress line as it comes. */
async function rehearseWith(io: Pick<CommandIo, 'interrupted'> & { onProgress?: (line: string) => void }, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['rehearse', ...args], {
    ...(io.interrupted ? { interrupted: io.interrupted } : {}),
    out: (text) => out.push(text),
    err: (text) => (err.push(text), io.onProgress?.(text)),
  });
  const run = { code, out: out.join('\n'), err: err.join('\n') };
  expect(secretsIn(`${run.out}\n${run.err}`, credentials)).toEqual([]);
  return run;
}

/** A JSON file in the test folder. */
function file(name: string, value: unknown): string {
  const path = join(dir, `${++counter}-${name}`);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const outputPath = (name: string) => join(dir, `${++counter}-${name}`);

/** A new PostgreSQL user and the secret value that holds its credential. */
async function postgresUser(password = `initial-${counter}-Pa55word`) {
  const username = `rehearsal_user_${++counter}`;
  await pg.query(`CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(password)}`);
  credentials.push(password);
  return { engine: 'postgres', host: pg.host, port: pg.port, username, password, dbname: pg.admin.database };
}

describe('rehearse postgres-single-user', () => {
  it('changes the password on the server, keeps the new secret in --output (mode 0600) and prints no password', async () => {
    const secret = await postgresUser();
    const output = outputPath('new-secret.json');
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', file('secret.json', secret), '--output', output, '--verbose');

    expect(run.code).toBe(0);
    expect(statSync(output).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(readFileSync(output, 'utf8'));
    credentials.push(kept.password);
    expect(kept).toEqual({ ...secret, password: expect.any(String) });
    expect(kept.password).not.toBe(secret.password);
    expect(await canLogIn(pg, secret.username, kept.password)).toBe(true);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(false);

    expect(run.err).toContain('WARNING: rehearse really rotates the target');
    expect(run.err).toContain(`postgres-single-user will change the password of user "${secret.username}" on ${pg.host}:${pg.port}`);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) expect(run.err).toMatch(new RegExp(`${step} ok \\(\\d+ ms\\)`));
    // --verbose prints the handler's own (redacted) log lines.
    expect(run.err).toContain('handler: {"level":"info"');
    expect(run.out).toContain('succeeded');
    expect(run.out).toContain('Secret keys: password changed; dbname, engine, host, port, username unchanged');
    expect(run.out).toContain(`is in ${output} (mode 0600) and nowhere else`);
  });

  it('fails at setSecret when the secret file has a wrong password: exit 1, the step, why, and the target unchanged', async () => {
    const secret = await postgresUser();
    const wrong = { ...secret, password: 'not-the-Password-0' };
    credentials.push(wrong.password);
    const output = outputPath('failed.json');
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', file('wrong.json', wrong), '--output', output, '--format', 'json');

    expect(run.code).toBe(1);
    const report = JSON.parse(run.out);
    expect(report.ok).toBe(false);
    expect(report.steps.map((s: { result: string }) => s.result)).toEqual(['ok', 'failed', 'not run', 'not run']);
    expect(report.steps[1].error).toEqual({ name: 'LoginFailedError', message: expect.stringContaining('could not log in to') });
    expect(report.target).toMatch(/^maybe changed: setSecret failed/);
    expect(run.err).toMatch(/setSecret failed after \d+ ms/);
    // The value made before setSecret was kept, in case setSecret had changed the target.
    const pending = JSON.parse(readFileSync(output, 'utf8'));
    credentials.push(pending.password);
    expect(report.output).toBe(output);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(true);
    expect(await canLogIn(pg, secret.username, pending.password)).toBe(false);
  });

  it('stops before setSecret when interrupted after createSecret: exit 1, password unchanged, no --output kept', async () => {
    const secret = await postgresUser();
    const output = outputPath('interrupted.json');
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const onProgress = (line: string) => line.includes('createSecret ok') && interrupt();
    const run = await rehearseWith({ interrupted, onProgress }, '--handler', 'postgres-single-user', '--secret', file('secret.json', secret), '--output', output);

    expect(run.code).toBe(1);
    expect(run.err).toContain('setSecret not started: stopped by the user');
    expect(run.out).toMatch(/setSecret +not run/);
    expect(run.out).toContain('Target: unchanged: the rehearsal stopped before setSecret');
    expect(run.out).toContain(`New credential: none to keep: setSecret never ran, so the target never saw the new value; ${output} was not kept`);
    expect(existsSync(output)).toBe(false);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(true);
  });

  it('fails when neither --output nor --discard is given, explaining why, before touching anything', async () => {
    const secret = await postgresUser();
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', file('secret.json', secret));
    expect(run.code).toBe(2);
    expect(run.err).toContain('postgres-single-user changes the password of the user in your secret file on the real target');
    expect(run.err).toContain('Pass --output <new file> to keep it (mode 0600), or --discard');
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(true);
  });

  it('fails when --output names a file that exists, leaving it as it was', async () => {
    const existing = file('earlier.json', '{"password":"kept-from-before"}');
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', file('secret.json', await postgresUser()), '--output', existing);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`--output ${existing} exists; it may hold the only copy of a credential`);
    expect(readFileSync(existing, 'utf8')).toBe('{"password":"kept-from-before"}');
  });
});

describe('rehearse postgres-multi-user', () => {
  const masterarn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:staging/master-AbCdEf';
  const masterFile = () => file('master.json', { engine: 'postgres', host: pg.host, port: pg.port, username: pg.admin.username, password: pg.admin.password, dbname: pg.admin.database });
  const roleExists = async (name: string) => (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;

  it('runs with the master secret, rewriting masterarn to the emulator, and says first which user it changes', async () => {
    const secret = { ...(await postgresUser()), masterarn };
    const output = outputPath('multi.json');
    const run = await rehearse('--handler', 'postgres-multi-user', '--secret', file('secret.json', secret), '--master-secret', masterFile(), '--output', output);

    expect(run.code).toBe(0);
    expect(run.err).toContain(`masterarn rewritten from "${secret.masterarn}" to the emulator's copy of --master-secret`);
    const announced = run.err.indexOf(`postgres-multi-user will set the password of user "${secret.username}_clone" (creating it if it does not exist) on ${pg.host}:${pg.port}`);
    expect(announced).toBeGreaterThan(-1);
    expect(announced).toBeLessThan(run.err.indexOf('createSecret …'));
    expect(run.out).toContain('Secret keys: password, username changed');
    expect(run.out).toContain('the user in your secret file is unchanged and still works');
    const kept = JSON.parse(readFileSync(output, 'utf8'));
    credentials.push(kept.password);
    expect(kept).toEqual({ ...secret, username: `${secret.username}_clone`, password: expect.any(String) });
    expect(await canLogIn(pg, kept.username, kept.password)).toBe(true);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(true);
  });

  it('fails when neither --output nor --discard is given, naming the alternate user, before touching anything', async () => {
    const secret = { ...(await postgresUser()), masterarn };
    const run = await rehearse('--handler', 'postgres-multi-user', '--secret', file('secret.json', secret), '--master-secret', masterFile());
    expect(run.code).toBe(2);
    expect(run.err).toContain(`postgres-multi-user sets the password of user "${secret.username}_clone" on the real target`);
    expect(run.err).toContain("the user the real secret's AWSPREVIOUS holds once it has been rotated");
    expect(run.err).toContain('Pass --output <new file> to keep it (mode 0600), or --discard');
    expect(await roleExists(`${secret.username}_clone`)).toBe(false);
  });

  it('warns, with a secret file taken after an odd number of rotations, that it changes the user without _clone', async () => {
    const secret = { ...(await postgresUser()), masterarn };
    const afterOne = outputPath('after-one-rotation.json');
    expect((await rehearse('--handler', 'postgres-multi-user', '--secret', file('secret.json', secret), '--master-secret', masterFile(), '--output', afterOne)).code).toBe(0);
    credentials.push(JSON.parse(readFileSync(afterOne, 'utf8')).password);

    // The real secret's AWSCURRENT is now the _clone user; AWSPREVIOUS holds the user without the suffix.
    const refused = await rehearse('--handler', 'postgres-multi-user', '--secret', afterOne, '--master-secret', masterFile());
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`postgres-multi-user sets the password of user "${secret.username}" on the real target (the alternate of "${secret.username}_clone"`);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(true);

    const run = await rehearse('--handler', 'postgres-multi-user', '--secret', afterOne, '--master-secret', masterFile(), '--discard');
    expect(run.code).toBe(0);
    expect(run.err).toContain(`postgres-multi-user will set the password of user "${secret.username}" (creating it if it does not exist)`);
    expect(run.err).toContain(`clients still using AWSPREVIOUS stop logging in`);
    expect(await canLogIn(pg, secret.username, secret.password)).toBe(false);
  });

  it('fails without --master-secret, saying to pass it', async () => {
    const run = await rehearse('--handler', 'postgres-multi-user', '--secret', file('secret.json', await postgresUser()), '--discard');
    expect(run.code).toBe(2);
    expect(run.err).toContain('pass --master-secret <file> holding its value');
  });

  it('says in its help which user the multi-user handlers change, and that they need --output or --discard too', async () => {
    const help = (await rehearse('--help')).out;
    expect(help).not.toContain('so they need neither');
    expect(help).toContain('<username>_clone, or <name>\n    when the file\'s username is <name>_clone');
    expect(help).toContain('clients still using AWSPREVIOUS stop logging in');
    expect(help).toContain('So rehearse refuses to run, whatever the handler, without one of');
  });
});

describe('rehearse http-api-key', () => {
  it('has the API issue a new key with --admin-secret; --output keeps the adminSecretArn of the file', async () => {
    const key = api.issueDirectly();
    credentials.push(key.key);
    const adminSecretArn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:vendor/admin-AbCdEf';
    const secret = apiKeySecret(api, key, adminSecretArn);
    const output = outputPath('new-key.json');
    const run = await rehearse(
      '--handler', 'http-api-key',
      '--secret', file('key.json', secret),
      '--admin-secret', file('admin.json', { apiKey: api.adminKey }),
      '--env', 'HTTP_TIMEOUT_MS=2000',
      '--output', output,
    );

    expect(run.code).toBe(0);
    const kept = JSON.parse(readFileSync(output, 'utf8'));
    credentials.push(kept.apiKey);
    expect(kept).toEqual({ ...secret, apiKey: expect.any(String), keyId: expect.any(String) });
    expect(api.isValid(kept.apiKey)).toBe(true);
    expect(api.isValid(key.key)).toBe(false);
    expect(run.err).toContain(`adminSecretArn rewritten from "${adminSecretArn}"`);
    expect(run.err).toContain(`http-api-key will have the API at ${api.origin} issue a new key`);
    expect(run.out).toContain('Secret keys: apiKey, keyId changed');
  });

  it('fails without --admin-secret, and without --output or --discard', async () => {
    const secret = file('key.json', apiKeySecret(api, api.issueDirectly(), 'arn:aws:secretsmanager:us-east-1:1:secret:a'));
    const noAdmin = await rehearse('--handler', 'http-api-key', '--secret', secret, '--discard');
    expect(noAdmin.code).toBe(2);
    expect(noAdmin.err).toContain('pass --admin-secret <file> holding it');
    const notKept = await rehearse('--handler', 'http-api-key', '--secret', secret, '--admin-secret', file('admin', api.adminKey));
    expect(notKept.code).toBe(2);
    expect(notKept.err).toContain('http-api-key has the real API issue a new key');
  });
});

describe('rehearse a handler of your own', () => {
  const entry = join(__dirname, '..', 'fixtures', 'token-rotation', 'index.ts');

  it('bundles the entry and runs it with --discard, saying the new value is gone', async () => {
    const token = 'initial-token-of-the-fixture';
    credentials.push(token);
    const run = await rehearse('--handler', entry, '--secret', file('token.json', { token, owner: 'team-a' }), '--discard', '--env', 'PASSWORD_LENGTH=24');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Secret keys: token changed; owner unchanged');
    expect(run.out).toContain('existed only in the emulator, which stopped with the command (--discard)');
  });

  it('fails without --output or --discard: rehearse cannot tell what it changes', async () => {
    const run = await rehearse('--handler', entry, '--secret', file('token.json', { token: 'another-initial-token' }));
    expect(run.code).toBe(2);
    expect(run.err).toContain('may change the real target, and rehearse cannot tell how');
  });

  it('stops before the next step when interrupted (Ctrl-C), and says what state the target is in', async () => {
    const run = await rehearseWith({ interrupted: Promise.resolve() }, '--handler', entry, '--secret', file('token.json', { token: 'a-fourth-initial-token' }), '--discard');
    expect(run.code).toBe(1);
    expect(run.err).toContain('stopping: the step that is running finishes first');
    expect(run.out).toContain('stopped by the user (Ctrl-C) before createSecret');
    expect(run.out).toMatch(/createSecret +not run/);
    expect(run.out).toContain('Target: unchanged, if your handler changes its target only in setSecret or later');
  });

  it('stops before setSecret when createSecret stored no value for --output, and says there is none to keep', async () => {
    const idle = file('idle-handler.js', 'exports.handler = async () => {};\n');
    const output = outputPath('idle.json');
    const run = await rehearse('--handler', idle, '--secret', file('token.json', { token: 'a-fifth-initial-token' }), '--output', output);
    expect(run.code).toBe(1);
    expect(run.err).toContain('setSecret not started: the new value (AWSPENDING) was not saved: the handler stored none');
    expect(run.out).toContain(`New credential: none to keep: the handler stored no new value; ${output} was not kept`);
    expect(existsSync(output)).toBe(false);
  });

  it('reports a handler that fails while loading as a failed rehearsal (exit 1) that changed nothing', async () => {
    const run = await rehearse('--handler', entry, '--secret', file('token.json', { token: 'a-third-initial-token' }), '--discard', '--env', 'PASSWORD_LENGTH=3');
    expect(run.code).toBe(1);
    expect(run.out).toContain('the handler failed while loading: ConfigurationError: PASSWORD_LENGTH must be a whole number from 8 to 4096');
    expect(run.out).toMatch(/createSecret +not run/);
  });
});

describe('rehearse a handler of your own that stores plain text', () => {
  const entry = join(__dirname, '..', 'fixtures', 'plain-token-rotation', 'index.ts');
  const initial = 'plain-initial-token';
  credentials.push(initial);

  /** The fixture's arguments: its new token, the file standing for its target, and more. */
  const args = (token: string, target: string, ...more: string[]) => [
    '--handler', entry, '--secret', file('token.json', { token: initial }),
    '--env', `NEW_TOKEN=${token}`, '--env', `TARGET_FILE=${target}`, ...more,
  ];

  it('masks the new value in progress lines, the summary and --verbose, and keeps it in --output exactly as stored', async () => {
    const token = `tok_NEWVALUE_${++counter}_x7Qp`;
    const target = outputPath('target.txt');
    const output = outputPath('new-token.txt');
    const run = await rehearse(...args(token, target, '--env', 'FAIL_AT=testSecret', '--output', output, '--verbose', '--format', 'json'));

    expect(secretsIn(`${run.out}\n${run.err}`, [token])).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/testSecret failed after \d+ ms: Error: the target refused \[REDACTED\]/);
    expect(run.err).toContain("handler: setting the target's token to [REDACTED]");
    const report = JSON.parse(run.out);
    expect(report.steps[2].error).toEqual({ name: 'Error', message: 'the target refused [REDACTED]' });
    // Written before setSecret ran, byte for byte what the handler stored: put-secret-value --secret-string file:// reads it as it is.
    expect(readFileSync(output, 'utf8')).toBe(token);
    expect(statSync(output).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, 'utf8')).toBe(token);
    expect(report.output).toBe(output);
    expect(report.newCredential).toContain(`is in ${output} (mode 0600) and nowhere else`);
  });

  it('keeps the final value in --output when the rotation succeeds, and says where it is', async () => {
    const token = `tok_NEWVALUE_${++counter}_k2Lm`;
    const output = outputPath('new-token.txt');
    const run = await rehearse(...args(token, outputPath('target.txt'), '--output', output));
    expect(secretsIn(`${run.out}\n${run.err}`, [token])).toEqual([]);
    expect(run.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(token);
    expect(run.out).toContain(`New credential: the new secret value is in ${output} (mode 0600)`);
  });

  it('stops before setSecret when the new value cannot be saved to --output, leaving the target untouched', async () => {
    const token = `tok_NEWVALUE_${++counter}_r9Vd`;
    const target = outputPath('target.txt');
    const output = outputPath('new-token.txt');
    // Something takes the path between the start and createSecret: the write fails.
    const onProgress = (line: string) => line.endsWith('createSecret …') && (rmSync(output), mkdirSync(output));
    const run = await rehearseWith({ onProgress }, ...args(token, target, '--output', output));

    expect(secretsIn(`${run.out}\n${run.err}`, [token])).toEqual([]);
    expect(run.code).toBe(1);
    expect(existsSync(target)).toBe(false);
    const why = `the new value (AWSPENDING) was not saved: --output ${output} could not be written (EISDIR)`;
    expect(run.err).toContain(`setSecret not started: ${why}`);
    expect(run.out).toMatch(/createSecret +ok/);
    expect(run.out).toMatch(/setSecret +not run/);
    expect(run.out).toContain(`${why}, so rehearse stopped before setSecret, which never ran`);
    expect(run.out).toContain('Target: unchanged, if your handler changes its target only in setSecret or later');
    expect(run.out).toContain(
      `New credential: the new value (AWSPENDING), which the target holds only if your handler changed it in createSecret, was not saved: --output ${output} could not be written (EISDIR); it existed only in the emulator`,
    );
    // What took the path is left alone.
    expect(statSync(output).isDirectory()).toBe(true);
  });
});

describe('rehearse input errors', () => {
  it('exits 3 when the secret file is missing', async () => {
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', join(dir, 'absent.json'), '--discard');
    expect(run.code).toBe(3);
    expect(run.err).toContain(`--secret ${join(dir, 'absent.json')} does not exist`);
  });

  it('exits 3 when the secret file is not JSON, saying where without quoting it', async () => {
    credentials.push('hunter2-hunter2');
    const run = await rehearse('--handler', 'postgres-single-user', '--secret', file('broken.json', '{\n "password": "hunter2-hunter2",\n}'), '--discard');
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/is not valid JSON \(line 3, column \d+\)/);
  });

  it('exits 3 for a handler that is neither a built-in name nor a file, listing the names', async () => {
    const run = await rehearse('--handler', 'postgres-single', '--secret', file('secret.json', {}), '--discard');
    expect(run.code).toBe(3);
    expect(run.err).toContain('--handler "postgres-single" is neither a built-in handler nor an existing file; give one of postgres-single-user, postgres-multi-user');
    expect(run.err).toContain('http-api-key');
  });

  it('names every built-in handler in its help, and warns there that it changes the target', async () => {
    const help = await rehearse('--help');
    expect(help.code).toBe(0);
    for (const name of BUILT_IN_HANDLERS) expect(help.out).toContain(name);
    expect(help.out).toContain('WARNING: rehearse really rotates the target');
  });

  it('exits 2 on a bad command line', async () => {
    expect((await rehearse('--secret', 'x.json')).err).toContain('--handler is required');
    expect((await rehearse('--handler', 'http-api-key', '--secret', 'x', '--env', 'NOT A PAIR')).code).toBe(2);
    expect((await rehearse('--handler', 'http-api-key', '--secret', 'x', '--env', 'SECRETS_MANAGER_ENDPOINT=https://x')).err).toContain('always the local emulator');
    expect((await rehearse('--handler', 'http-api-key', '--secret', 'x', '--output', 'o', '--discard')).code).toBe(2);
    expect((await rehearse('--handler', 'http-api-key', '--secret', 'x', '--format', 'yaml')).code).toBe(2);
    expect(existsSync('o')).toBe(false);
  });
});
