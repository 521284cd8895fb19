import { LAMBDA_ARN } from '../support/database-fixtures';
import { loadHandlerWithEnv } from '../support/handler-loader';
import { DATABASE_HANDLERS, expectNoSecretLeaked, Handler, Step, STEPS, unique } from '../support/rotation-harness';
import { DatabaseTarget } from '../support/targets';
import { startTlsFixtures, TlsFixtures } from '../support/tls-fixtures';

/**
 * TLS as the database handlers negotiate it: the secret's `ssl` key read as
 * AWS's own rotation templates read it, and the stricter DB_TLS_MODE and
 * DB_TLS_CA_FILE. Both servers present one self-signed certificate (for
 * 127.0.0.1 and localhost), which is also the CA bundle DB_TLS_CA_FILE names.
 * A "TLS-only" user is one the server refuses over plain TCP (pg_hba.conf's
 * hostnossl … reject, MariaDB's REQUIRE SSL): a rotation of such a user that
 * completes proves that every connection it made used TLS.
 */

/** One handler per engine; Redshift's takes the alternating-users strategy, so the master secret's connection is covered too. */
const HANDLERS = DATABASE_HANDLERS.filter((h) => ['postgres-single-user', 'mysql-single-user', 'redshift-multi-user'].includes(h.name));
type Spec = (typeof HANDLERS)[number];

let f: TlsFixtures;

beforeAll(async () => {
  f = await startTlsFixtures();
});

afterAll(async () => {
  await f?.stop();
});

interface TlsEnv {
  readonly mode?: string;
  /** Set DB_TLS_CA_FILE to the servers' certificate. */
  readonly ca?: boolean;
}

const loaded = new Map<string, Handler>();

/**
 * The handler bundle loaded with this TLS configuration (once per
 * configuration). LOG_LEVEL=debug puts each failed connection attempt, with
 * the driver's message, in the log, so the leak check at the end covers it.
 */
function handler(name: string, { mode, ca = false }: TlsEnv = {}): Handler {
  const env = { LOG_LEVEL: 'debug', ...(mode ? { DB_TLS_MODE: mode } : {}), ...(ca ? { DB_TLS_CA_FILE: f.certificate.certFile } : {}) };
  const key = `${name} ${JSON.stringify(env)}`;
  if (!loaded.has(key)) loaded.set(key, loadHandlerWithEnv(name, env));
  return loaded.get(key)!;
}

/** The error a handler throws while it loads with `env`. */
function loadError(name: string, env: Record<string, string>): Error {
  try {
    loadHandlerWithEnv(name, env);
  } catch (error) {
    f.harness.errors.push(error as Error);
    return error as Error;
  }
  throw new Error(`${name} loaded with ${JSON.stringify(env)}; it should have refused to`);
}

interface Scenario {
  readonly spec: Spec;
  readonly target: DatabaseTarget;
  readonly username: string;
  readonly password: string;
  readonly arn: string;
  readonly tlsOnly: boolean;
}

interface ScenarioOptions {
  /** The secret's `ssl` key. @default absent */
  readonly ssl?: unknown;
  /** Make the user (and, for the alternating-users strategy, the master) TLS-only. */
  readonly tlsOnly?: boolean;
  /** The secret's `host` key. @default the server's address */
  readonly host?: string;
}

/**
 * A user on the handler's server and a secret for it. For the
 * alternating-users strategy, a master secret too, with the same `ssl` and
 * `host` keys, for a master that is TLS-only when the user is.
 */
async function scenario(spec: Spec, { ssl, tlsOnly = false, host }: ScenarioOptions = {}): Promise<Scenario> {
  const target = f.targets[spec.kind];
  const username = unique('tls_app_');
  const password = `Initial-${unique('pw')}-Password`;
  f.passwords.push(password);
  await target.createUser(username, password);
  if (tlsOnly) await target.requireTls(username);
  const keys = { ...(host ? { host } : {}), ...(ssl !== undefined ? { ssl } : {}) };
  let masterarn: string | undefined;
  if (spec.strategy === 'multi-user') {
    const master = tlsOnly ? f.tlsMasters[spec.kind] : target.master;
    masterarn = (await f.harness.createDatabaseSecret(target, { username: master.username, password: master.password, ...keys })).arn;
    f.secretIds.push(masterarn);
  }
  const { arn } = await f.harness.createDatabaseSecret(target, { username, password, ...keys, ...(masterarn ? { masterarn } : {}) });
  f.secretIds.push(arn);
  return { spec, target, username, password, arn, tlsOnly };
}

/** How the test logs in as a scenario's users: over TLS (unverified) when they are TLS-only. */
const loginOptions = (s: Scenario) => (s.tlsOnly ? { tls: 'encrypt' as const } : {});

/** Runs the four steps, and checks that the new AWSCURRENT logs in and the rotation left TLS-only users TLS-only. */
async function rotate(h: Handler, s: Scenario): Promise<void> {
  const token = await f.harness.emulator.beginRotation(s.arn, { lambdaArn: LAMBDA_ARN });
  for (const step of STEPS) await f.harness.invoke(h, step, s.arn, token);
  const current = (await f.harness.valueAt(s.arn, 'AWSCURRENT'))!;
  const [username, password] = [current.username as string, current.password as string];
  expect(password).not.toBe(s.password);
  expect(await s.target.canLogIn(username, password, loginOptions(s))).toBe(true);
  if (s.tlsOnly) expect(await s.target.canLogIn(username, password)).toBe(false);
}

/**
 * Runs the steps until one fails, and checks that the failure changed
 * nothing: the stages are as createSecret left them, AWSCURRENT is the
 * initial credential and still logs in, and no alternate user was made.
 */
async function rotateExpectingFailure(h: Handler, s: Scenario): Promise<{ error: Error; step: Step }> {
  const token = await f.harness.emulator.beginRotation(s.arn, { lambdaArn: LAMBDA_ARN });
  await f.harness.invoke(h, 'createSecret', s.arn, token);
  const before = await f.harness.stages(s.arn);
  for (const step of STEPS.slice(1)) {
    const error = await f.harness.invoke(h, step, s.arn, token).then(() => undefined, (e: Error) => e);
    if (!error) continue;
    expect(await f.harness.stages(s.arn)).toEqual(before);
    expect(await f.harness.valueAt(s.arn, 'AWSCURRENT')).toMatchObject({ username: s.username, password: s.password });
    expect(await s.target.canLogIn(s.username, s.password, loginOptions(s))).toBe(true);
    if (s.spec.strategy === 'multi-user') expect(await s.target.userExists(`${s.username}_clone`)).toBe(false);
    return { error, step };
  }
  throw new Error('the rotation completed; it should have failed');
}

/** A failed handshake: the TargetUnreachableError naming where, and that the certificate was the trouble. */
function expectCertificateRefused(error: Error, host: string, port: number): void {
  expect(error.name).toBe('TargetUnreachableError');
  expect(error.message).toContain(`${host}:${port}`);
  expect(error.message).toMatch(/certificate/i);
}

describe.each(HANDLERS)('$name, servers with a self-signed certificate', (spec) => {
  const { name, kind } = spec;

  /**
   * The server refused a TLS-only user over plain TCP. PostgreSQL says why
   * (SQLSTATE 28000, "no encryption"), which is no wrong password; MariaDB
   * answers as it does for a wrong password (errno 1045).
   */
  function expectPlainTcpRefused(error: Error, s: Scenario): void {
    if (kind === 'mysql') {
      expect(error.name).toBe('LoginFailedError');
      expect(error.message).toContain(`${s.target.host}:${s.target.port}`);
      return;
    }
    expect(error.name).toBe('TargetUnreachableError');
    expect(error.message).toContain(`${s.target.host}:${s.target.port}`);
    expect(error.message).toMatch(/no encryption/);
  }

  describe('ssl absent, DB_TLS_MODE unset: as AWS’s templates do', () => {
    it('falls back to plain TCP when verified TLS fails on the certificate, and completes', async () => {
      const s = await scenario(spec);
      // Verified TLS cannot succeed here (Node's CAs do not include the certificate), so only plain TCP can have worked.
      await expect(s.target.canLogIn(s.username, s.password, { tls: 'verify' })).rejects.toThrow(/self-signed certificate/);
      const before = f.harness.logLines.length;
      await rotate(handler(name), s);
      // Said at warn level, with why TLS failed, so that someone sees it.
      const warnings = f.harness.logLines.slice(before).map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
      expect(warnings[0]).toMatchObject({ message: expect.stringMatching(/^TLS failed, so the credential went over plain TCP; set DB_TLS_CA_FILE/), host: s.target.host, tlsFailure: expect.stringMatching(/certificate/) });
    });

    it('fails at setSecret for a TLS-only user, changing nothing', async () => {
      const s = await scenario(spec, { tlsOnly: true });
      const { error, step } = await rotateExpectingFailure(handler(name), s);
      expect(step).toBe('setSecret');
      expectPlainTcpRefused(error, s);
    });

    // MariaDB refuses a REQUIRE SSL user over plain TCP with errno 1045, as for
    // a wrong password: the message must still point at TLS.
    it('names host, port and the TLS failure for a TLS-only user, not a wrong password', async () => {
      const s = await scenario(spec, { tlsOnly: true });
      const { error } = await rotateExpectingFailure(handler(name), s);
      expect(error.message).toContain(`${s.target.host}:${s.target.port}`);
      expect(error.message).toMatch(/TLS|SSL|certificate/);
      expect(error.message).not.toMatch(/set the database password/);
    });
  });

  describe('DB_TLS_MODE=require', () => {
    it('connects over TLS without verifying the certificate, and completes for a TLS-only user', async () => {
      await rotate(handler(name, { mode: 'require' }), await scenario(spec, { tlsOnly: true }));
    });

    it('wins over the secret’s ssl: false', async () => {
      await rotate(handler(name, { mode: 'require' }), await scenario(spec, { tlsOnly: true, ssl: false }));
    });

    it('does not lower the secret’s ssl: true: the certificate is verified', async () => {
      const s = await scenario(spec, { ssl: true, tlsOnly: true });
      const { error, step } = await rotateExpectingFailure(handler(name, { mode: 'require' }), s);
      expect(step).toBe('setSecret');
      expectCertificateRefused(error, s.target.host, s.target.port);
      await rotate(handler(name, { mode: 'require', ca: true }), await scenario(spec, { ssl: true, tlsOnly: true }));
    });
  });

  describe('DB_TLS_MODE=verify-full', () => {
    it('completes over verified TLS with DB_TLS_CA_FILE naming the certificate', async () => {
      await rotate(handler(name, { mode: 'verify-full', ca: true }), await scenario(spec, { tlsOnly: true }));
    });

    it('fails without DB_TLS_CA_FILE, naming host and port, and never falls back to plain TCP', async () => {
      const s = await scenario(spec);
      const { error, step } = await rotateExpectingFailure(handler(name, { mode: 'verify-full' }), s);
      expect(step).toBe('setSecret');
      expectCertificateRefused(error, s.target.host, s.target.port);
    });

    // mysql2 checks the host name only with verifyIdentity, which the engine sets.
    it('fails when the host name is not one the certificate names', async () => {
      // 127.1 is another spelling of 127.0.0.1: the same server, under a name the certificate does not carry.
      const s = await scenario(spec, { host: '127.1' });
      const { error, step } = await rotateExpectingFailure(handler(name, { mode: 'verify-full', ca: true }), s);
      expect(step).toBe('setSecret');
      expectCertificateRefused(error, '127.1', s.target.port);
    });
  });

  describe.each([true, 'true'])('secret ssl: %j', (ssl) => {
    it('completes over verified TLS with DB_TLS_CA_FILE naming the certificate', async () => {
      await rotate(handler(name, { ca: true }), await scenario(spec, { ssl, tlsOnly: true }));
    });

    it('fails without DB_TLS_CA_FILE, naming host and port, and never falls back to plain TCP', async () => {
      const s = await scenario(spec, { ssl });
      const { error, step } = await rotateExpectingFailure(handler(name), s);
      expect(step).toBe('setSecret');
      expectCertificateRefused(error, s.target.host, s.target.port);
    });
  });

  it.each([false, 'false'])('never uses TLS with secret ssl: %j, even where verified TLS would work: a TLS-only user is refused', async (ssl) => {
    const s = await scenario(spec, { ssl, tlsOnly: true });
    const { error, step } = await rotateExpectingFailure(handler(name, { ca: true }), s);
    expect(step).toBe('setSecret');
    expectPlainTcpRefused(error, s);
  });

  describe('configuration', () => {
    it('fails at load when DB_TLS_MODE is not a mode', () => {
      const error = loadError(name, { DB_TLS_MODE: 'verify_full' });
      expect(error.name).toBe('ConfigurationError');
      expect(error.message).toMatch(/DB_TLS_MODE .*"verify_full"/);
    });

    it('fails at load when DB_TLS_CA_FILE names a file that does not exist', () => {
      const missing = `${f.certificate.certFile}.missing`;
      const error = loadError(name, { DB_TLS_CA_FILE: missing });
      expect(error.name).toBe('ConfigurationError');
      expect(error.message).toContain('DB_TLS_CA_FILE');
      expect(error.message).toContain(JSON.stringify(missing));
    });
  });
});

it('leaks no password (initial, pending or master) into any log line or error', async () => {
  expect(f.harness.logLines.length).toBeGreaterThan(0);
  expect(f.harness.errors.length).toBeGreaterThan(0);
  expectNoSecretLeaked(f.harness, [...f.passwords, ...(await f.harness.allPasswords(f.secretIds))]);
});
