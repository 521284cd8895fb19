import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { apiKeySecret, Endpoint, FailureMode, FakeKeyApi } from '../support/fake-key-api';
import { Handler, RotationHarness, startRotationHarness, Step, STEPS, unique } from '../support/rotation-harness';

/**
 * The http-api-key handler, as Lambda loads its bundle, against the emulator
 * (Secrets Manager) and a fake third-party API on a loopback port.
 */
let harness: RotationHarness;
let api: FakeKeyApi;
let adminSecretArn: string;
/** Generous, so that a loaded machine cannot turn a test of something else into a timeout. */
const TIMEOUT_MS = '10000';
/** Short, so that an API that never answers fails the step quickly: for those tests only. */
const SHORT_TIMEOUT_MS = '400';
let handler: Handler;
let shortTimeoutHandler: Handler;

beforeAll(async () => {
  harness = await startRotationHarness();
  api = await new FakeKeyApi().start();
  const admin = await harness.sm.send(new CreateSecretCommand({ Name: 'vendor/admin', SecretString: JSON.stringify({ apiKey: api.adminKey }) }));
  adminSecretArn = admin.ARN!;
  handler = harness.handlerWithEnv('http-api-key', { HTTP_TIMEOUT_MS: TIMEOUT_MS });
  shortTimeoutHandler = harness.handlerWithEnv('http-api-key', { HTTP_TIMEOUT_MS: SHORT_TIMEOUT_MS });
});

afterAll(async () => {
  // Every key the API ever issued, and the admin key: none may be in a log line or an error.
  expectNoKeyLeaked();
  await api?.stop();
  await harness?.stop();
});

function expectNoKeyLeaked(): void {
  const text = [...harness.logLines, ...harness.errors.map((e) => `${e.message}\n${e.stack}`)].join('\n');
  const leaked = [api.adminKey, ...api.keys.map((k) => k.key)].filter((key) => text.includes(key));
  expect(leaked).toEqual([]);
}

/** A secret holding a fresh key of the fake API, with rotation begun. */
async function rotatingSecret(overrides: Record<string, unknown> = {}) {
  const key = api.issueDirectly();
  const value = apiKeySecret(api, key, adminSecretArn, overrides);
  const { ARN } = await harness.sm.send(new CreateSecretCommand({ Name: unique('vendor/key-'), SecretString: JSON.stringify(value) }));
  const token = await harness.emulator.beginRotation(ARN!);
  return { arn: ARN!, token, key };
}

async function rotate(h: Handler, arn: string, token: string, steps: readonly Step[] = STEPS): Promise<void> {
  for (const step of steps) await harness.invoke(h, step, arn, token);
}

async function currentKey(arn: string): Promise<string> {
  return (await harness.valueAt(arn, 'AWSCURRENT'))!.apiKey as string;
}

/** Nobody is locked out: whatever AWSCURRENT holds works on the API. */
async function expectCurrentWorks(arn: string, moment: string): Promise<void> {
  const key = await currentKey(arn);
  if (!api.isValid(key)) throw new Error(`AWSCURRENT does not work ${moment}`);
}

/** The secret's issue call for an API that honours Idempotency-Key ({origin} is filled in). */
const IDEMPOTENT = { issue: { url: '{origin}/v1/keys', keyPath: 'data.secret', keyIdPath: 'data.id', idempotencyHeader: 'Idempotency-Key' } };

describe('http-api-key', () => {
  it('rotates: the issued key becomes AWSCURRENT, works, and the old key is revoked at once with a grace period of 0', async () => {
    const { arn, token, key } = await rotatingSecret({ owner: 'payments-team' });
    const issuedBefore = api.count('issue');
    await rotate(handler, arn, token);

    const current = (await harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(current.apiKey).not.toBe(key.key);
    expect(api.isValid(current.apiKey as string)).toBe(true);
    expect(api.isValid(key.key)).toBe(false);
    expect(api.count('issue')).toBe(issuedBefore + 1);
    // The id of the new key is kept for its revocation; every other key of the secret is kept as it was.
    const issued = api.keys.find((k) => k.key === current.apiKey)!;
    expect(current).toEqual({ ...apiKeySecret(api, key, adminSecretArn, { owner: 'payments-team' }), apiKey: issued.key, keyId: issued.id });
    // No idempotency header unless the secret says the API honours one.
    expect(issued.idempotencyKey).toBeUndefined();
    expect((await harness.valueAt(arn, 'AWSPREVIOUS'))!.apiKey).toBe(key.key);
  });

  it('keeps the previous key until the next rotation by default, then revokes it', async () => {
    const { arn, token, key } = await rotatingSecret({ gracePeriodSeconds: undefined });
    await rotate(handler, arn, token);
    const second = await currentKey(arn);
    expect(api.isValid(key.key)).toBe(true);

    const next = await harness.emulator.beginRotation(arn);
    await rotate(handler, arn, next);
    expect(api.isValid(key.key)).toBe(false);
    expect(api.isValid(second)).toBe(true);
    expect((await harness.valueAt(arn, 'AWSPREVIOUS'))!.apiKey).toBe(second);
    expect(api.isValid(await currentKey(arn))).toBe(true);
  });

  it('revokes the previous key only after the grace period: it still works after AWSCURRENT moved', async () => {
    const { arn, token, key } = await rotatingSecret({ gracePeriodSeconds: 2 });
    await rotate(handler, arn, token, ['createSecret', 'setSecret', 'testSecret']);
    const started = Date.now();
    const finishing = harness.invoke(handler, 'finishSecret', arn, token);
    // Wait until the stage moved, then look at the old key while the step waits out the grace period.
    while ((await harness.valueAt(arn, 'AWSPREVIOUS'))?.apiKey !== key.key) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.isValid(key.key)).toBe(true);
    await finishing;
    expect(api.isValid(key.key)).toBe(false);
    const revokedAt = api.requests.find((r) => r.endpoint === 'revoke' && r.path === `/v1/keys/${key.id}`)!.at;
    expect(revokedAt - started).toBeGreaterThanOrEqual(2000);
  });

  it('does not revoke an old key whose id is the id of the key in use (an API that keeps ids when it rolls keys)', async () => {
    // The fake API numbers its keys: the next one it issues will be key_<n + 2>.
    const { arn, token, key } = await rotatingSecret({ keyId: `key_${api.keys.length + 2}` });
    await rotate(handler, arn, token);
    const current = (await harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(current.keyId).toBe((await harness.valueAt(arn, 'AWSPREVIOUS'))!.keyId);
    expect(api.isValid(current.apiKey as string)).toBe(true);
    expect(api.isValid(key.key)).toBe(true);
    expect(harness.logLines.some((line) => line.includes('not revoking an old key whose id is the id of a key in use'))).toBe(true);
  });

  describe('a retry after a crash issues no orphan key that stays valid', () => {
    const crashes: ReadonlyArray<{ label: string; step: Step; endpoint?: Endpoint; mode?: FailureMode; putFails?: boolean; overrides?: Record<string, unknown> }> = [
      { label: 'the API issued a key but the answer never came, to an API that honours idempotency keys', step: 'createSecret', endpoint: 'issue', mode: 'act-then-hang', overrides: IDEMPOTENT },
      { label: 'the key was issued but storing it failed, to an API that honours idempotency keys', step: 'createSecret', putFails: true, overrides: IDEMPOTENT },
      { label: 'the key was issued but storing it failed (no idempotency header: the key is revoked)', step: 'createSecret', putFails: true },
      { label: 'the Lambda died right after createSecret', step: 'createSecret' },
      { label: 'the Lambda died right after setSecret', step: 'setSecret' },
      { label: 'the test endpoint never answered', step: 'testSecret', endpoint: 'test', mode: 'hang' },
      { label: 'the Lambda died right after testSecret', step: 'testSecret' },
      { label: 'the revocation failed after AWSCURRENT moved', step: 'finishSecret', endpoint: 'revoke', mode: 'error' },
      { label: 'the API revoked the key but the answer never came', step: 'finishSecret', endpoint: 'revoke', mode: 'act-then-hang' },
      { label: 'the Lambda died right after finishSecret', step: 'finishSecret' },
    ];

    it.each(crashes)('when $label', async (crash) => {
      const overrides = JSON.parse(JSON.stringify(crash.overrides ?? {}).replaceAll('{origin}', api.origin));
      const { arn, token, key } = await rotatingSecret(overrides);
      const before = new Set(api.keys.map((k) => k.key));
      const failing = crash.endpoint !== undefined || crash.putFails;
      if (crash.endpoint) api.failNext(crash.endpoint, crash.mode!);
      // More failures than the SDK's retries.
      if (crash.putFails) harness.emulator.faults.inject({ operation: 'PutSecretValue', times: 5 });

      const hangs = crash.mode === 'hang' || crash.mode === 'act-then-hang';
      for (const step of STEPS) {
        const run = harness.invoke(hangs && step === crash.step ? shortTimeoutHandler : handler, step, arn, token);
        if (failing && step === crash.step) await expect(run).rejects.toThrow();
        else await run;
        await expectCurrentWorks(arn, `after ${step}`);
        if (step === crash.step) break;
      }
      harness.emulator.faults.clear();

      // Secrets Manager retries the rotation from the start, with the same token.
      for (const step of STEPS) {
        await harness.invoke(handler, step, arn, token);
        await expectCurrentWorks(arn, `after the retried ${step}`);
      }
      const current = await currentKey(arn);
      expect(current).not.toBe(key.key);
      // Of the keys this rotation touched, only AWSCURRENT's still works.
      expect(api.validKeys().filter((k) => k === current || !before.has(k) || k === key.key)).toEqual([current]);
    });
  });

  describe('an API that fails leaves AWSCURRENT untouched and working', () => {
    it.each<[Endpoint, FailureMode, Step, RegExp]>([
      ['issue', 'error', 'createSecret', /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/keys answered 500; no key was issued$/],
      ['issue', 'hang', 'createSecret', /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/keys did not answer within 400 ms \(HTTP_TIMEOUT_MS\)$/],
      ['issue', 'garbage', 'createSecret', /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/keys answered 200 with a body that is not JSON \(check issue.url\); the API may have issued a key that no secret holds: check its key list and revoke it by hand$/],
      ['issue', 'redirect-away', 'createSecret', /redirected to http:\/\/localhost:\d+; redirects to another origin are not followed/],
      ['test', 'error', 'testSecret', /^GET http:\/\/127\.0\.0\.1:\d+\/v1\/me answered 500 to the new key$/],
      ['test', 'hang', 'testSecret', /did not answer within 400 ms/],
    ])('%s answering %s fails %s with a clear error', async (endpoint, mode, failingStep, message) => {
      const { arn, token, key } = await rotatingSecret();
      const value = await harness.valueAt(arn, 'AWSCURRENT');
      const issued = api.count('issue');
      api.failNext(endpoint, mode);
      for (const step of STEPS) {
        const run = harness.invoke(mode === 'hang' ? shortTimeoutHandler : handler, step, arn, token);
        if (step !== failingStep) {
          await run;
          continue;
        }
        await expect(run).rejects.toThrow(message);
        break;
      }
      expect(await harness.valueAt(arn, 'AWSCURRENT')).toEqual(value);
      expect(api.isValid(key.key)).toBe(true);
      // A redirect to another origin is not followed: the API saw one request, not two.
      if (mode === 'redirect-away') expect(api.count('issue')).toBe(issued + 1);
    });
  });

  describe('refuses a secret that points where it must not, before any request', () => {
    it.each<[string, Record<string, string>, (origin: string) => Record<string, unknown>, RegExp]>([
      ['a host that ALLOWED_HOSTS does not list', { ALLOWED_HOSTS: 'api.vendor.example,*.vendor.example' }, () => ({}), /issue\.url points at 127\.0\.0\.1, which ALLOWED_HOSTS \(api\.vendor\.example, \*\.vendor\.example\) does not list/],
      ['plain http to a host that is not this machine', {}, () => ({ test: { url: 'http://api.vendor.example/v1/me' } }), /test\.url uses http:\/\/ on api\.vendor\.example; only https:\/\/ is allowed/],
      ['credentials in a URL', {}, (origin) => ({ revoke: { url: origin.replace('//', '//user:pw@') + '/v1/keys/{keyId}' } }), /revoke\.url carries credentials in the URL/],
    ])('%s', async (_label, env, overrides, message) => {
      const h = harness.handlerWithEnv('http-api-key', { HTTP_TIMEOUT_MS: TIMEOUT_MS, ...env });
      const { arn, token, key } = await rotatingSecret(overrides(api.origin));
      const requests = api.requests.length;
      await expect(harness.invoke(h, 'createSecret', arn, token)).rejects.toThrow(message);
      expect(harness.errors.at(-1)!.name).toBe('InvalidSecretError');
      expect(api.requests.length).toBe(requests);
      expect(await currentKey(arn)).toBe(key.key);
      expect(await harness.valueAt(arn, 'AWSPENDING')).toBeUndefined();
    });

    it('a secret whose adminSecretArn is not one of ADMIN_SECRET_ARNS (say, another secret the function rotates)', async () => {
      const other = await rotatingSecret();
      const h = harness.handlerWithEnv('http-api-key', { HTTP_TIMEOUT_MS: TIMEOUT_MS, ADMIN_SECRET_ARNS: adminSecretArn });
      const { arn, token, key } = await rotatingSecret({ adminSecretArn: other.arn });
      const requests = api.requests.length;
      await expect(harness.invoke(h, 'createSecret', arn, token)).rejects.toThrow(
        `the AWSCURRENT secret value's adminSecretArn names ${other.arn}, which is not an admin secret of this function (ADMIN_SECRET_ARNS); pass that secret as rotation.adminSecret, or fix the ARN`,
      );
      expect(api.requests.length).toBe(requests);
      expect(await currentKey(arn)).toBe(key.key);
      // The admin secret that is listed works.
      const listed = await rotatingSecret();
      await rotate(h, listed.arn, listed.token);
      await expectCurrentWorks(listed.arn, 'after the rotation');
    });

    it('accepts a host that ALLOWED_HOSTS lists', async () => {
      const h = harness.handlerWithEnv('http-api-key', { HTTP_TIMEOUT_MS: TIMEOUT_MS, ALLOWED_HOSTS: 'api.vendor.example, 127.0.0.1' });
      const { arn, token } = await rotatingSecret();
      await rotate(h, arn, token);
      await expectCurrentWorks(arn, 'after the rotation');
    });
  });

  it('fails at load when ALLOWED_HOSTS holds something other than host names', () => {
    expect(() => harness.handlerWithEnv('http-api-key', { ALLOWED_HOSTS: 'https://api.vendor.example/' })).toThrow(
      'ALLOWED_HOSTS holds "https://api.vendor.example/", which is not a host name (or *.domain); list host names only, without scheme, port or path',
    );
  });
});
