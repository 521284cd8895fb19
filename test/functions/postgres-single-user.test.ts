import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { canLogIn, PostgresServer, startPostgres } from '../support/postgres';

const BUNDLE = join(__dirname, '..', '..', 'dist', 'functions', 'postgres-single-user', 'index.js');
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:postgres-single-user';
// Quotes, backslashes and spaces prove that SQL is built with escaping, not pasting.
const INITIAL_PASSWORD = `it's a "pass" \\ word; --`;

type Handler = (event: unknown) => Promise<void>;

let pg: PostgresServer;
let emulator: Emulator;
let sm: SecretsManagerClient;
let handler: Handler;
let logLines: string[];
let counter = 0;

beforeAll(async () => {
  [pg, emulator] = await Promise.all([startPostgres(), startEmulator()]);
  Object.assign(process.env, {
    SECRETS_MANAGER_ENDPOINT: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test-access-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
  });
  // The built bundle, loaded as Lambda loads it; its client is made at load time from the environment above.
  handler = require(BUNDLE).handler;
  emulator.registerRotationFunction(LAMBDA_ARN, handler);
  sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});

afterAll(async () => {
  sm?.destroy();
  await Promise.all([emulator?.stop(), pg?.stop()]);
});

beforeEach(() => {
  logLines = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => void logLines.push(String(line)));
});

afterEach(() => jest.restoreAllMocks());

/** A new database user (with a name that needs quoting) and a secret holding its credential. */
async function userWithSecret(overrides: Record<string, unknown> = {}, secretString?: string) {
  counter += 1;
  const username = `app "user" ${counter}`;
  await pg.query(`CREATE ROLE "${username.replace(/"/g, '""')}" LOGIN PASSWORD '${INITIAL_PASSWORD.replace(/'/g, "''")}'`);
  const value = { engine: 'postgres', host: pg.host, port: pg.port, username, password: INITIAL_PASSWORD, dbname: 'postgres', ...overrides };
  const created = await sm.send(new CreateSecretCommand({ Name: `test/postgres/${counter}`, SecretString: secretString ?? JSON.stringify(value) }));
  return { username, secretId: created.ARN!, initialVersion: created.VersionId! };
}

const event = (Step: string, SecretId: string, ClientRequestToken: string) => ({ Step, SecretId, ClientRequestToken });

async function stages(secretId: string) {
  const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
  return Object.fromEntries((out.Versions ?? []).map((v) => [v.VersionId, [...(v.VersionStages ?? [])].sort()]));
}

async function value(secretId: string, stage: string) {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return JSON.parse(out.SecretString!) as Record<string, unknown>;
}

function expectNoSecretIn(lines: string[], ...secrets: string[]) {
  const text = lines.join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('postgres-single-user', () => {
  it('rotates a real PostgreSQL password through the four steps', async () => {
    const { username, secretId, initialVersion } = await userWithSecret();
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });

    await handler(event('createSecret', secretId, token));
    const pending = await value(secretId, 'AWSPENDING');
    const newPassword = pending.password as string;
    expect(newPassword).toHaveLength(32);
    expect(newPassword).toMatch(/^[A-Za-z0-9._~-]+$/);
    expect({ ...pending, password: undefined }).toEqual({ ...(await value(secretId, 'AWSCURRENT')), password: undefined });
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(true);

    await handler(event('setSecret', secretId, token));
    expect(await canLogIn(pg, username, newPassword)).toBe(true);
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(false);
    expect((await value(secretId, 'AWSCURRENT')).password).toBe(INITIAL_PASSWORD);

    await handler(event('testSecret', secretId, token));
    await handler(event('finishSecret', secretId, token));

    expect(await stages(secretId)).toEqual({ [initialVersion]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT', 'AWSPENDING'] });
    expect((await value(secretId, 'AWSCURRENT')).password).toBe(newPassword);
    expect(await canLogIn(pg, username, newPassword)).toBe(true);
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(false);
    expect(logLines.length).toBeGreaterThan(0);
    expectNoSecretIn(logLines, newPassword, INITIAL_PASSWORD);
  });

  it('stores a SCRAM verifier, so the plain password never reaches the server', async () => {
    const { username, secretId } = await userWithSecret();
    await sm.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: LAMBDA_ARN }));
    const rows = await pg.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [username]);
    expect(String(rows[0].rolpassword)).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('repeats each step harmlessly when Secrets Manager retries it', async () => {
    const { username, secretId } = await userWithSecret();
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await handler(event('createSecret', secretId, token));
    const first = (await value(secretId, 'AWSPENDING')).password;
    await handler(event('createSecret', secretId, token));
    expect((await value(secretId, 'AWSPENDING')).password).toBe(first);
    for (const step of ['setSecret', 'setSecret', 'testSecret', 'testSecret', 'finishSecret', 'finishSecret', 'createSecret']) {
      await handler(event(step, secretId, token));
    }
    expect((await value(secretId, 'AWSCURRENT')).password).toBe(first);
    expect(await canLogIn(pg, username, first as string)).toBe(true);
  });

  it('rotates again and again through RotateSecret, keeping the previous credential as AWSPREVIOUS', async () => {
    const { username, secretId } = await userWithSecret();
    const passwords: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const out = await sm.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 } }));
      expect(emulator.rotations.at(-1)).toMatchObject({ token: out.VersionId, succeeded: true });
      passwords.push((await value(secretId, 'AWSCURRENT')).password as string);
    }
    expect(new Set(passwords).size).toBe(3);
    expect((await value(secretId, 'AWSPREVIOUS')).password).toBe(passwords[1]);
    expect(await canLogIn(pg, username, passwords[2])).toBe(true);
    expect(await canLogIn(pg, username, passwords[1])).toBe(false);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    expect(described.RotationEnabled).toBe(true);
    expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(2);
  });

  it('finishes the rotation when the database already has the pending password (crash after setSecret)', async () => {
    const { username, secretId } = await userWithSecret();
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await handler(event('createSecret', secretId, token));
    await handler(event('setSecret', secretId, token));
    // Secrets Manager retries the whole rotation from createSecret.
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await handler(event(step, secretId, token));
    expect(await canLogIn(pg, username, (await value(secretId, 'AWSCURRENT')).password as string)).toBe(true);
  });

  it('recovers after a rotation was abandoned between setSecret and finishSecret', async () => {
    // setSecret changed the password, testSecret failed, and an operator
    // cancelled the rotation by removing AWSPENDING, as AWS's guide says:
    // the working password is now only in a version without a label.
    const { username, secretId } = await userWithSecret();
    const abandoned = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await handler(event('createSecret', secretId, abandoned));
    await handler(event('setSecret', secretId, abandoned));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: abandoned }));
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(false);

    await sm.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: LAMBDA_ARN }));
    expect(emulator.rotations.at(-1)).toMatchObject({ succeeded: true });
    expect(await canLogIn(pg, username, (await value(secretId, 'AWSCURRENT')).password as string)).toBe(true);
  });
});

describe('postgres-single-user with bad input', () => {
  /** Runs `invoke`, expects it to fail with `name` and a message matching `message`, and checks nothing changed. */
  async function expectRejectedWithoutChange(
    secretId: string,
    username: string,
    invoke: () => Promise<unknown>,
    name: string,
    message: RegExp,
  ) {
    const before = await stages(secretId);
    const error = await invoke().then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe(name);
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain(INITIAL_PASSWORD);
    expect(await stages(secretId)).toEqual(before);
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(true);
    expectNoSecretIn(logLines, INITIAL_PASSWORD);
  }

  it('fails on an unknown step', async () => {
    const { username, secretId } = await userWithSecret();
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await expectRejectedWithoutChange(secretId, username, () => handler(event('rollbackSecret', secretId, token)), 'InvalidEventError', /unknown rotation step "rollbackSecret"; expected one of createSecret, setSecret, testSecret, finishSecret/);
  });

  it('fails on an event without a token', async () => {
    const { username, secretId } = await userWithSecret();
    await expectRejectedWithoutChange(secretId, username, () => handler({ Step: 'createSecret', SecretId: secretId }), 'InvalidEventError', /no ClientRequestToken/);
  });

  it('fails when the token is not a version of the secret', async () => {
    const { username, secretId } = await userWithSecret();
    await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await expectRejectedWithoutChange(secretId, username, () => handler(event('createSecret', secretId, '00000000-0000-4000-8000-000000000000')), 'UnknownVersionError', /version 00000000-0000-4000-8000-000000000000 is not a version of secret arn:aws:secretsmanager:/);
  });

  it('fails when rotation is not enabled', async () => {
    const { username, secretId, initialVersion } = await userWithSecret();
    await expectRejectedWithoutChange(secretId, username, () => handler(event('createSecret', secretId, initialVersion)), 'RotationNotEnabledError', /does not have rotation enabled/);
  });

  it('fails when the secret value is not JSON, without quoting it', async () => {
    const { username, secretId } = await userWithSecret({}, `{"username": "x", "password": "${INITIAL_PASSWORD}"`);
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await expectRejectedWithoutChange(secretId, username, () => handler(event('createSecret', secretId, token)), 'InvalidSecretError', /the AWSCURRENT secret value is not valid JSON/);
  });

  it('fails when the secret lacks host or username', async () => {
    const { username, secretId } = await userWithSecret({}, JSON.stringify({ password: INITIAL_PASSWORD, port: 5432 }));
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await expectRejectedWithoutChange(secretId, username, () => handler(event('createSecret', secretId, token)), 'InvalidSecretError', /lacks host, username/);
  });

  it('fails at setSecret when no stored password logs in, leaving the database alone', async () => {
    const { username, secretId } = await userWithSecret({ password: 'not-the-database-password' });
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await handler(event('createSecret', secretId, token));
    await expectRejectedWithoutChange(secretId, username, () => handler(event('setSecret', secretId, token)), 'LoginFailedError', /could not log in to PostgreSQL .* with the pending, current, previous or a recent unlabelled password/);
  });

  it('fails clearly when the database cannot be reached', async () => {
    const { username, secretId } = await userWithSecret({ port: 1 });
    const token = await emulator.beginRotation(secretId, { lambdaArn: LAMBDA_ARN });
    await handler(event('createSecret', secretId, token));
    await expectRejectedWithoutChange(secretId, username, () => handler(event('setSecret', secretId, token)), 'TargetUnreachableError', /could not connect to PostgreSQL at 127\.0\.0\.1:1 \(verified TLS: .*ECONNREFUSED.*; plain TCP: .*ECONNREFUSED.*\)/);
  });

  it('records a failed rotation without touching AWSCURRENT when a step fails under RotateSecret', async () => {
    const { username, secretId, initialVersion } = await userWithSecret({ password: 'not-the-database-password' });
    await sm.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: LAMBDA_ARN }));
    expect(emulator.rotations.at(-1)).toMatchObject({ succeeded: false, steps: [{ step: 'createSecret' }, { step: 'setSecret', error: { name: 'LoginFailedError' } }] });
    expect((await stages(secretId))[initialVersion]).toEqual(['AWSCURRENT']);
    expect(await canLogIn(pg, username, INITIAL_PASSWORD)).toBe(true);
  });
});
