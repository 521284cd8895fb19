import { DatabaseSecret } from '../../../functions/shared/database-secret';
import { login, singleUserRotation } from '../../../functions/shared/database-rotation';
import { Logger } from '../../../functions/shared/logger';
import { createRotationHandler, RotationContext } from '../../../functions/shared/protocol';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../functions/shared/secret-store';
import { FakeSecretStore } from '../../support/fake-secret-store';
import { FakeDatabaseEngine } from './fake-database-engine';

const HOST = 'db.example.internal';
const OLDER = 'older-password-0001';
const OLD = `old "password" \\ 0002`;
const NEW = 'new-password-0003-abcdefghijklmnop';
const BASE = { engine: 'fakedb', host: HOST, port: 6543, username: 'app user', dbname: 'app', dbClusterIdentifier: 'cluster-1' };

type Secret = Partial<DatabaseSecret> & Record<string, unknown>;

let engine: FakeDatabaseEngine;

/**
 * A secret whose AWSCURRENT holds OLD (and AWSPREVIOUS OLDER), a rotation
 * begun, and a database that accepts `dbPassword`. GetRandomPassword gives NEW.
 */
function setup(options: { dbPassword?: string; secret?: Secret; previous?: Secret | null } = {}) {
  const secret = { ...BASE, password: OLD, ...options.secret };
  const store = new FakeSecretStore({ name: 'test/db' });
  if (options.previous !== null) store.addCurrent(JSON.stringify({ ...BASE, password: OLDER, ...options.previous }));
  const currentVersion = store.addCurrent(JSON.stringify(secret));
  const token = store.beginRotation();
  store.queuePasswords(NEW);
  engine = new FakeDatabaseEngine(String(secret.username), options.dbPassword ?? OLD);
  const lines: string[] = [];
  const logger = new Logger({ level: 'debug', sink: (line) => lines.push(line) });
  const handler = createRotationHandler(singleUserRotation(engine), {
    store,
    settings: { passwordLength: 32, excludeCharacters: '' },
    logger,
  });
  const run = (step: string) => handler({ Step: step, SecretId: store.arn, ClientRequestToken: token });
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { store, token, currentVersion, lines, logged, run };
}

/** Puts a pending value directly, as an operator's PutSecretValue would. */
async function putPending(store: FakeSecretStore, token: string, value: Secret) {
  await store.putPending(store.arn, token, JSON.stringify({ ...BASE, ...value }));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function expectNoPasswordIn(text: string | undefined) {
  for (const password of [OLDER, OLD, NEW]) expect(text ?? '').not.toContain(password);
  expect(text ?? '').not.toContain(JSON.stringify(OLD).slice(1, -1));
}

afterEach(() => {
  // Whatever happened, no connection is left open.
  if (engine) expect(engine.openConnections).toEqual([]);
});

describe('singleUserRotation', () => {
  it('rotates the password through the four steps, keeping the other keys', async () => {
    const { store, token, currentVersion, run, lines } = setup();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await run(step);
    expect(engine.password).toBe(NEW);
    expect(JSON.parse(store.valueAt(AWSCURRENT)!)).toEqual({ ...BASE, password: NEW });
    expect(store.stages()).toEqual({ [currentVersion]: [AWSPREVIOUS], [token]: [AWSCURRENT, AWSPENDING] });
    expect(engine.passwordChanges).toEqual([{ username: 'app user', password: NEW, loggedInWith: OLD }]);
    expect(engine.checks).toEqual([{ username: 'app user' }]);
    expectNoPasswordIn(lines.join('\n'));
  });

  it('creates the pending value from AWSCURRENT with a new password only', async () => {
    const { store, token, run } = setup();
    await run('createSecret');
    expect(JSON.parse(store.valueOf(token)!)).toEqual({ ...BASE, password: NEW });
    expect(engine.attempts).toEqual([]);
  });

  describe('setSecret', () => {
    it('does not set the password when the pending one already logs in', async () => {
      const { run, logged } = setup();
      await run('createSecret');
      engine.password = NEW; // a setSecret that succeeded before its response was lost
      await run('setSecret');
      expect(engine.passwordChanges).toEqual([]);
      expect(engine.connections).toHaveLength(1);
      expect(engine.attempts.map((a) => [a.password, a.outcome])).toEqual([
        [OLD, 'refused'],
        [NEW, 'connected'],
      ]);
      expect(logged().map((l) => l.message)).toContain('pending password already logs in; nothing to set');
    });

    it('sets the pending password after logging in with AWSCURRENT, the only login it makes', async () => {
      const { run, logged } = setup();
      await run('createSecret');
      await run('setSecret');
      expect(engine.passwordChanges).toEqual([{ username: 'app user', password: NEW, loggedInWith: OLD }]);
      expect(engine.attempts.map((a) => [a.password, a.outcome])).toEqual([[OLD, 'connected']]);
      expect(logged().find((l) => l.message === 'set the pending password')).toMatchObject({ loggedInWith: 'AWSCURRENT' });
    });

    it('falls back to AWSPREVIOUS when the database still has that password', async () => {
      const { run, logged } = setup({ dbPassword: OLDER });
      await run('createSecret');
      await run('setSecret');
      expect(engine.password).toBe(NEW);
      expect(engine.passwordChanges).toEqual([{ username: 'app user', password: NEW, loggedInWith: OLDER }]);
      expect(engine.attempts.map((a) => [a.password, a.outcome])).toEqual([
        [OLD, 'refused'],
        [NEW, 'refused'],
        [OLDER, 'connected'],
      ]);
      expect(logged().find((l) => l.message === 'set the pending password')).toMatchObject({ loggedInWith: 'AWSPREVIOUS' });
    });

    it('tries AWSPREVIOUS only when it names the same user', async () => {
      const { run } = setup({ dbPassword: OLDER, previous: { username: 'someone else' } });
      await run('createSecret');
      const error = await failure(run('setSecret'));
      expect(error.name).toBe('LoginFailedError');
      expect(engine.attempts.map((a) => a.password)).toEqual([OLD, NEW]);
    });

    it('fails when the pending version names another user, before connecting', async () => {
      const { store, token, run } = setup();
      await putPending(store, token, { username: 'intruder', password: NEW });
      const error = await failure(run('setSecret'));
      expect(error.name).toBe('InvalidSecretError');
      expect(error.message).toBe(
        'the pending version names user "intruder" but AWSCURRENT names "app user"; the single-user strategy rotates one user',
      );
      expect(engine.attempts).toEqual([]);
    });

    it('fails when no stored password logs in, changing nothing', async () => {
      const { run, lines } = setup({ dbPassword: 'set-by-hand-elsewhere' });
      await run('createSecret');
      const error = await failure(run('setSecret'));
      expect(error.name).toBe('LoginFailedError');
      expect(error.message).toBe(
        `could not log in to FakeDB at ${HOST}:6543 as "app user" with the pending, current, previous or a recent unlabelled password; set the database password to the AWSCURRENT value and retry the rotation`,
      );
      expect(engine.password).toBe('set-by-hand-elsewhere');
      expect(engine.passwordChanges).toEqual([]);
      expect(engine.attempts.map((a) => a.password)).toEqual([OLD, NEW, OLDER]);
      expectNoPasswordIn(lines.join('\n'));
    });

    it('fails when no password logs in on a first rotation, without AWSPREVIOUS', async () => {
      const { run } = setup({ dbPassword: 'set-by-hand-elsewhere', previous: null });
      await run('createSecret');
      expect((await failure(run('setSecret'))).name).toBe('LoginFailedError');
      expect(engine.attempts.map((a) => a.password)).toEqual([OLD, NEW]);
    });

    it('closes the connection when setting the password fails, and masks the password in the error', async () => {
      const { run, lines } = setup();
      await run('createSecret');
      engine.setPasswordFailure = new Error(`syntax error near '${NEW}'`);
      const error = await failure(run('setSecret'));
      expect(error.message).toBe("syntax error near '[REDACTED]'");
      expectNoPasswordIn(error.stack);
      expectNoPasswordIn(lines.join('\n'));
    });

    it('succeeds when closing a connection fails', async () => {
      const { run } = setup();
      await run('createSecret');
      engine.closeFailure = new Error('socket already ended');
      await run('setSecret');
      await run('testSecret');
      expect(engine.password).toBe(NEW);
    });
  });

  describe('testSecret', () => {
    it('fails when the pending password does not log in', async () => {
      const { run } = setup();
      await run('createSecret');
      const error = await failure(run('testSecret'));
      expect(error.name).toBe('LoginFailedError');
      expect(error.message).toBe(`the pending password does not log in to FakeDB at ${HOST}:6543 as "app user"; setSecret has not taken effect`);
      expect(engine.checks).toEqual([]);
    });

    it('runs the engine’s check as the pending user and closes the connection when the check fails', async () => {
      const { run } = setup();
      await run('createSecret');
      await run('setSecret');
      engine.loggedInAs = 'postgres';
      const error = await failure(run('testSecret'));
      expect(error.message).toBe('logged in as postgres instead of app user');
      expect(engine.checks).toEqual([{ username: 'app user' }]);
    });
  });

  describe('an unreachable database', () => {
    it('fails with the host and port and the driver’s reason, but no password', async () => {
      const { run, lines } = setup();
      await run('createSecret');
      engine.unreachable = Object.assign(new Error(`connect ECONNREFUSED 10.0.0.7:6543 (dsn fakedb://app:${OLD}@${HOST})`), { code: 'ECONNREFUSED' });
      const error = await failure(run('setSecret'));
      expect(error.name).toBe('TargetUnreachableError');
      expect(error.message).toBe(
        `could not connect to FakeDB at ${HOST}:6543 (verified TLS: connect ECONNREFUSED 10.0.0.7:6543 (dsn fakedb://app:[REDACTED]@${HOST}); plain TCP: connect ECONNREFUSED 10.0.0.7:6543 (dsn fakedb://app:[REDACTED]@${HOST})); check the host, port, network path and TLS settings`,
      );
      expectNoPasswordIn(error.message);
      expectNoPasswordIn(error.stack);
      expectNoPasswordIn(lines.join('\n'));
    });

    it('says "default port" when the secret has none', async () => {
      const { run } = setup({ secret: { port: undefined } });
      await run('createSecret');
      engine.unreachable = new Error('getaddrinfo ENOTFOUND');
      expect((await failure(run('testSecret'))).message).toContain(`at ${HOST}:default port (verified TLS: getaddrinfo ENOTFOUND`);
    });

    it('gives up at the first unreachable login instead of trying older passwords', async () => {
      const { run } = setup();
      await run('createSecret');
      engine.unreachable = new Error('ETIMEDOUT');
      await failure(run('setSecret'));
      expect(engine.attempts.map((a) => [a.password, a.tls])).toEqual([
        [OLD, true],
        [OLD, false],
      ]);
    });
  });

  describe('TLS', () => {
    const noTls = () => new Error('The server does not support SSL connections');

    it.each([
      ['absent', {}],
      ['unrecognised ("require")', { ssl: 'require' }],
    ])('falls back to plain when TLS fails and ssl is %s', async (_what, secret) => {
      const { run, logged } = setup({ secret });
      engine.tlsFailure = noTls();
      for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await run(step);
      expect(engine.password).toBe(NEW);
      expect(engine.connections.every((c) => !c.tls)).toBe(true);
      expect(logged().filter((l) => l.message === 'connection attempt failed')[0]).toMatchObject({
        level: 'debug',
        tls: true,
        error: { name: 'Error', message: 'The server does not support SSL connections' },
      });
    });

    it.each([true, 'true', 'TRUE'])('does not fall back to plain when ssl is %j', async (ssl) => {
      const { run } = setup({ secret: { ssl } });
      await run('createSecret');
      engine.tlsFailure = noTls();
      const error = await failure(run('setSecret'));
      expect(error.name).toBe('TargetUnreachableError');
      expect(error.message).toContain('The server does not support SSL connections');
      expect(engine.attempts.map((a) => a.tls)).toEqual([true]);
      expect(engine.password).toBe(OLD);
    });

    it.each([false, 'false'])('never tries TLS when ssl is %j', async (ssl) => {
      const { run } = setup({ secret: { ssl } });
      engine.tlsFailure = noTls();
      for (const step of ['createSecret', 'setSecret', 'testSecret']) await run(step);
      expect(engine.attempts.every((a) => !a.tls)).toBe(true);
    });

    it('uses TLS, without a plain attempt, when the server supports it', async () => {
      const { run } = setup();
      for (const step of ['createSecret', 'setSecret', 'testSecret']) await run(step);
      expect(engine.connections.map((c) => c.tls)).toEqual([true, true]);
      expect(engine.attempts.filter((a) => a.outcome === 'connected').every((a) => a.tls)).toBe(true);
    });
  });
});

describe('login', () => {
  const context = (logger = new Logger({ sink: () => undefined })): RotationContext => ({
    secretArn: 'arn',
    token: 't',
    logger,
    randomPassword: async () => 'unused',
    readSecret: async () => undefined,
    unlabelledValues: async () => [],
  });
  const secret: DatabaseSecret = { host: HOST, username: 'app user', password: OLD };

  it('resolves the connection when the credential works', async () => {
    engine = new FakeDatabaseEngine('app user', OLD);
    const connection = await login(engine, secret, context());
    expect(connection).toMatchObject({ username: 'app user', tls: true, closed: false });
    await engine.close(connection!);
  });

  it('resolves undefined when the server refuses the credential', async () => {
    engine = new FakeDatabaseEngine('app user', 'other-password');
    expect(await login(engine, secret, context())).toBeUndefined();
  });

  it('masks registered secrets in the reason when the server cannot be reached', async () => {
    engine = new FakeDatabaseEngine('app user', OLD);
    engine.unreachable = new Error(`bad dsn with ${OLD}`);
    const logger = new Logger({ sink: () => undefined });
    logger.redact(OLD);
    const error = await failure(login(engine, secret, context(logger)));
    expect(error.message).toBe(`could not connect to FakeDB at ${HOST}:default port (verified TLS: bad dsn with [REDACTED]; plain TCP: bad dsn with [REDACTED]); check the host, port, network path and TLS settings`);
  });

  it('describes a thrown value that is not an Error', async () => {
    engine = new FakeDatabaseEngine('app user', OLD);
    jest.spyOn(engine, 'connect').mockRejectedValue('socket hang up');
    const error = await failure(login(engine, { ...secret, ssl: false }, context()));
    expect(error.message).toContain('(plain TCP: socket hang up)');
  });
});
