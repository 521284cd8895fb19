import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { listUsers } from '../support/database-admin';
import { useDatabaseFixtures } from '../support/database-fixtures';
import { secretsIn } from '../support/leak-check';
import { DATABASE_HANDLERS, Step, Strategy, unique } from '../support/rotation-harness';
import { EngineKind } from '../support/targets';

/**
 * Every database handler, given secrets, master secrets and events it cannot
 * use, against the real servers. Each failure must be a named error whose
 * message says what is wrong and what to do, without a password in it; the
 * secret's stages and the database must be as they were before the step.
 */

const f = useDatabaseFixtures();

const ARN_PATTERN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';
const OTHER_ENGINE: Record<EngineKind, EngineKind> = { postgres: 'mysql', mysql: 'postgres', redshift: 'postgres' };
// Login failures may name the port, and the failed TLS attempt that came before the refusal.
const PORT = '(:\\d+)?';
const TLS_NOTE = '( \\(.*\\))?';
const ENGINE_NAME: Record<EngineKind, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', redshift: 'Redshift' };

type SecretValue = Record<string, unknown>;

/** Stores a secret value (an object is serialized; a string is stored as it is). */
async function putSecret(value: SecretValue | string): Promise<string> {
  const SecretString = typeof value === 'string' ? value : JSON.stringify(value);
  const out = await f.harness.sm.send(new CreateSecretCommand({ Name: unique('test/bad-input/'), SecretString }));
  f.secretIds.push(out.ARN!);
  return out.ARN!;
}

/** A copy of the target's master secret, changed by `overrides`. */
async function masterSecret(kind: EngineKind, overrides: SecretValue = {}): Promise<string> {
  const t = f.targets[kind];
  const value = { engine: kind, host: t.host, port: t.port, dbname: t.dbname, ...t.master, ...overrides };
  if (typeof value.password === 'string') f.passwords.push(value.password);
  return putSecret(value);
}

interface Options {
  /** Turns the well-formed value into the one stored. @default stored as it is */
  readonly value?: (good: SecretValue) => SecretValue | string;
  /** @default a new unique name */
  readonly username?: string;
  /** Create the user in the database; false where the server could not hold the name. @default true */
  readonly createUser?: boolean;
}

/**
 * A database user with its password, and a secret for it (naming the fixture
 * master secret for the alternating-users strategy), with a rotation begun.
 */
async function rotationOf(kind: EngineKind, strategy: Strategy, options: Options = {}) {
  const target = f.targets[kind];
  const username = options.username ?? unique('bad_');
  const password = `Initial-${unique('pw')}-"quoted' \\ password`;
  f.passwords.push(password);
  if (options.createUser !== false) await target.createUser(username, password);
  const good: SecretValue = {
    engine: kind,
    host: target.host,
    port: target.port,
    dbname: target.dbname,
    username,
    password,
    ...(strategy === 'multi-user' ? { masterarn: f.masters[kind] } : {}),
  };
  const arn = await putSecret(options.value ? options.value(good) : good);
  const token = await f.harness.emulator.beginRotation(arn);
  return { target, username, password, arn, token, userExists: options.createUser !== false };
}

type Rotation = Awaited<ReturnType<typeof rotationOf>>;

/**
 * Runs `step`, expects it to fail with `name` and a message matching
 * `message` that holds no password, and checks that it changed nothing:
 * the secret's versions and stages, the database's users, and the user's
 * password, which still logs in.
 */
async function expectFailsWithoutChange(handlerName: string, r: Rotation, step: string, name: string, message: RegExp): Promise<void> {
  const stagesBefore = await f.harness.stages(r.arn);
  const usersBefore = await listUsers(r.target);
  const pending = await f.harness.valueAt(r.arn, 'AWSPENDING').catch(() => undefined);
  const error = await f.harness.invoke(f.harness.handler(handlerName), step as Step, r.arn, r.token).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect({ name: error!.name, message: error!.message }).toEqual({ name, message: expect.stringMatching(message) });
  const passwords = [...f.passwords, r.password, ...(typeof pending?.password === 'string' ? [pending.password] : [])];
  expect(secretsIn(`${error!.message}\n${error!.stack}`, passwords)).toEqual([]);
  expect(await f.harness.stages(r.arn)).toEqual(stagesBefore);
  expect(await listUsers(r.target)).toEqual(usersBefore);
  if (r.userExists) expect(await r.target.canLogIn(r.username, r.password)).toBe(true);
}

/** Values that createSecret must refuse before it writes anything. */
const MALFORMED: ReadonlyArray<{ what: string; value: (good: SecretValue) => SecretValue | string; message: RegExp }> = [
  {
    what: 'the secret value is not JSON',
    value: (good) => JSON.stringify(good).slice(0, -1),
    message: /^the AWSCURRENT secret value is not valid JSON; store a JSON object with host, username, password$/,
  },
  {
    what: 'the secret value is a JSON array',
    value: (good) => JSON.stringify([good.username, good.password]),
    message: /^the AWSCURRENT secret value is not a JSON object; store a JSON object with host, username, password$/,
  },
  {
    what: 'the secret value lacks the password',
    value: (good) => ({ ...good, password: undefined }),
    message: /^the AWSCURRENT secret value lacks password \(each must be a non-empty string\); add it to the secret$/,
  },
  {
    what: 'the username is a number and the host is empty',
    value: (good) => ({ ...good, username: 42, host: '' }),
    message: /^the AWSCURRENT secret value lacks host, username \(each must be a non-empty string\); add them to the secret$/,
  },
  {
    what: 'the port is not a number',
    value: (good) => ({ ...good, port: `${good.port}x` }),
    message: /^the AWSCURRENT secret value has port "\d+x"; it must be a whole number from 1 to 65535$/,
  },
  {
    what: 'the dbname is not a string',
    value: (good) => ({ ...good, dbname: [good.dbname] }),
    message: /^the AWSCURRENT secret value has a dbname that is not a string$/,
  },
];

describe.each(DATABASE_HANDLERS)('$name', ({ name, kind, strategy }) => {
  it.each(MALFORMED)('fails when $what, writing nothing', async ({ value, message }) => {
    const r = await rotationOf(kind, strategy, { value });
    await expectFailsWithoutChange(name, r, 'createSecret', 'InvalidSecretError', message);
    expect(await f.harness.valueAt(r.arn, 'AWSPENDING')).toBeUndefined();
  });

  it('fails when the secret names an engine this handler does not rotate, writing nothing', async () => {
    const other = OTHER_ENGINE[kind];
    const r = await rotationOf(kind, strategy, { value: (good) => ({ ...good, engine: other }) });
    await expectFailsWithoutChange(
      name,
      r,
      'createSecret',
      'InvalidSecretError',
      new RegExp(`^the AWSCURRENT secret value has engine "${other}", but this function rotates ${ENGINE_NAME[kind]} \\(engine "${kind}".*\\); use the handler for that engine$`),
    );
  });

  it('fails when the event names an unknown step', async () => {
    const r = await rotationOf(kind, strategy);
    await expectFailsWithoutChange(name, r, 'rollbackSecret', 'InvalidEventError', /^unknown rotation step "rollbackSecret"; expected one of createSecret, setSecret, testSecret, finishSecret$/);
  });

  it('fails when the token is not a version of the secret', async () => {
    const r = await rotationOf(kind, strategy);
    const stray = { ...r, token: '00000000-0000-4000-8000-000000000000' };
    await expectFailsWithoutChange(
      name,
      stray,
      'createSecret',
      'UnknownVersionError',
      new RegExp(`^version 00000000-0000-4000-8000-000000000000 is not a version of secret ${ARN_PATTERN}.*; the event names a token that RotateSecret did not create for this secret$`),
    );
  });

  it('fails when the token names a version that is not staged AWSPENDING', async () => {
    const r = await rotationOf(kind, strategy);
    const other = await f.harness.sm.send(new PutSecretValueCommand({ SecretId: r.arn, SecretString: '{}', VersionStages: ['CUSTOM'] }));
    await expectFailsWithoutChange(
      name,
      { ...r, token: other.VersionId! },
      'setSecret',
      'VersionNotPendingError',
      new RegExp(`^version ${other.VersionId} of secret ${ARN_PATTERN}.* is not staged AWSPENDING \\(it has CUSTOM\\); start a new rotation$`),
    );
  });

  if (strategy === 'single-user') {
    it('fails in setSecret when no stored password logs in, leaving the password alone', async () => {
      const wrong = `Wrong-${unique('pw')}-password`;
      f.passwords.push(wrong);
      const r = await rotationOf(kind, strategy, { value: (good) => ({ ...good, password: wrong }) });
      // createSecret legitimately stores the pending value; setSecret must change nothing more.
      await f.harness.invoke(f.harness.handler(name), 'createSecret', r.arn, r.token);
      await expectFailsWithoutChange(
        name,
        r,
        'setSecret',
        'LoginFailedError',
        new RegExp(`^could not log in to ${ENGINE_NAME[kind]} at 127\\.0\\.0\\.1${PORT} as "${r.username}"${TLS_NOTE} with the pending, current(, previous)? or .*password; set the database password to the AWSCURRENT value and retry the rotation$`),
      );
    });
  }

  if (strategy === 'multi-user') {

    it('fails when the secret lacks masterarn, writing nothing', async () => {
      const r = await rotationOf(kind, strategy, { value: (good) => ({ ...good, masterarn: undefined }) });
      await expectFailsWithoutChange(
        name,
        r,
        'createSecret',
        'InvalidSecretError',
        /^the AWSCURRENT secret value lacks masterarn; the alternating-users strategy needs the ARN of a master secret that can create and alter users$/,
      );
    });

    it('fails when masterarn is not a string, writing nothing', async () => {
      const r = await rotationOf(kind, strategy, { value: (good) => ({ ...good, masterarn: 123 }) });
      await expectFailsWithoutChange(name, r, 'createSecret', 'InvalidSecretError', /^the AWSCURRENT secret value has a masterarn that is not a string$/);
    });

    it("fails in createSecret, writing nothing, when the alternate user's name would be longer than the server allows", async () => {
      // PostgreSQL and Redshift count bytes: 'é' is two. MySQL counts characters.
      const limit = { postgres: 63, redshift: 127, mysql: 32 }[kind];
      const unit = kind === 'mysql' ? 'characters' : 'bytes';
      const filler = kind === 'mysql' ? '你' : 'é';
      const prefix = unique('long_');
      const username = prefix + filler.repeat(Math.ceil((limit - 5 - prefix.length) / (kind === 'mysql' ? 1 : 2)));
      const length = kind === 'mysql' ? [...`${username}_clone`].length : Buffer.byteLength(`${username}_clone`);
      expect(length).toBeGreaterThan(limit);
      // The Redshift stand-in (PostgreSQL, 63 bytes) cannot hold a name that long.
      const r = await rotationOf(kind, strategy, { username, createUser: kind !== 'redshift' });
      await expectFailsWithoutChange(
        name,
        r,
        'createSecret',
        'InvalidSecretError',
        new RegExp(
          `^the alternate user of "${username}" would be "${username}_clone", ${length} ${unit}, longer than the ${limit} ${unit} that ${ENGINE_NAME[kind]} allows; use a user name of at most ${limit - 6} ${unit}$`,
        ),
      );
      expect(await f.harness.valueAt(r.arn, 'AWSPENDING')).toBeUndefined();
    });

    const MASTER_PROBLEMS: ReadonlyArray<{ what: string; masterarn: () => Promise<string>; error: string; message: (arn: string) => string }> = [
      {
        what: 'masterarn names a secret for another host',
        masterarn: () => masterSecret(kind, { host: 'db.elsewhere.example' }),
        error: 'InvalidSecretError',
        message: (arn) => `^the master secret ${arn} is for host "db\\.elsewhere\\.example", but the rotated secret is for "127\\.0\\.0\\.1"; masterarn must name a credential of the same server$`,
      },
      {
        what: 'the master secret cannot log in',
        masterarn: () => masterSecret(kind, { password: `Wrong-master-${unique('pw')}-'\\"` }),
        error: 'LoginFailedError',
        message: (arn) => `^the master secret ${arn} cannot log in to ${ENGINE_NAME[kind]} at 127\\.0\\.0\\.1${PORT} as "${f.targets[kind].master.username}"${TLS_NOTE}; fix the master secret$`,
      },
      {
        what: 'masterarn names a secret for another engine',
        masterarn: () => masterSecret(OTHER_ENGINE[kind], { engine: OTHER_ENGINE[kind] }),
        error: 'InvalidSecretError',
        message: (arn) => `^the master secret ${arn} secret value has engine "${OTHER_ENGINE[kind]}", but this function rotates ${ENGINE_NAME[kind]} `,
      },
      {
        what: 'masterarn names a secret that does not exist',
        masterarn: async () => `${ARN_PATTERN}${unique('test/missing/')}-AbCdEf`,
        error: 'SecretValueMissingError',
        message: (arn) => `^the master secret ${arn} does not exist or has no AWSCURRENT value; make masterarn name the secret that holds the master credential$`,
      },
      {
        what: 'masterarn names a secret that has no value',
        masterarn: async () => {
          const out = await f.harness.sm.send(new CreateSecretCommand({ Name: unique('test/empty-master/') }));
          return out.ARN!;
        },
        error: 'SecretValueMissingError',
        message: (arn) => `^the master secret ${arn} does not exist or has no AWSCURRENT value; make masterarn name the secret that holds the master credential$`,
      },
    ];

    // The Redshift target shares the PostgreSQL server and its master user: it
    // takes the upper-case name, which Redshift would fold into the master's.
    const masterUser = () => {
      const name = f.targets[kind].master.username;
      return kind === 'redshift' ? name.toUpperCase() : name;
    };
    const MASTER_USERS: ReadonlyArray<{ what: string; username: () => string; createUser: boolean }> = [
      { what: "the alternate user would be the master secret's user", username: () => `${masterUser()}_clone`, createUser: true },
      { what: "the rotated user is the master secret's user", username: masterUser, createUser: false },
    ];

    it.each(MASTER_USERS)("fails in setSecret when $what, changing no password", async ({ username, createUser }) => {
      const r = await rotationOf(kind, strategy, { username: username(), createUser });
      await f.harness.invoke(f.harness.handler(name), 'createSecret', r.arn, r.token);
      const pending = (await f.harness.valueAt(r.arn, 'AWSPENDING'))!;
      const masterArn = f.masters[kind].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      await expectFailsWithoutChange(
        name,
        r,
        'setSecret',
        'InvalidSecretError',
        new RegExp(
          `^the rotated users "${r.username}" and "${pending.username as string}" include "${masterUser()}", the user of the master secret ${masterArn}; ` +
            'alternating would change the master password. Rotate the master secret with the single-user strategy, and give this secret a user of its own$',
        ),
      );
      const { master } = f.targets[kind];
      expect(await f.targets[kind].canLogIn(master.username, master.password)).toBe(true);
    });

    it.each(MASTER_PROBLEMS)('fails in setSecret when $what, creating no user', async ({ masterarn, error, message }) => {
      const arn = await masterarn();
      const r = await rotationOf(kind, strategy, { value: (good) => ({ ...good, masterarn: arn }) });
      // createSecret does not read the master secret: it stores the pending value, as it should.
      await f.harness.invoke(f.harness.handler(name), 'createSecret', r.arn, r.token);
      await expectFailsWithoutChange(name, r, 'setSecret', error, new RegExp(message(arn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))));
      expect(await r.target.userExists(`${r.username}_clone`)).toBe(false);
    });
  }
});
