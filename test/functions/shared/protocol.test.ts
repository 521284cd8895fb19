import { InvalidSecretError } from '../../../functions/shared/errors';
import { Logger } from '../../../functions/shared/logger';
import { createRotationHandler } from '../../../functions/shared/protocol';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../functions/shared/secret-store';
import { FakeSecretStore } from '../../support/fake-secret-store';
import { STEPS, CURRENT_KEY, PREVIOUS_KEY, SETTINGS, keySecret, definition, setup, failure, pendingKey, KeySecret } from './protocol-fixture';

describe('the guard that starts every step', () => {
  it.each(STEPS)('fails at %s when rotation is not enabled, before reading any value', async (step) => {
    const { store, run, def } = setup();
    store.rotationEnabled = false;
    const error = await failure(run(step));
    expect(error.name).toBe('RotationNotEnabledError');
    expect(error.message).toBe(`secret ${store.arn} does not have rotation enabled; enable rotation on it before invoking its rotation function`);
    expect(store.calls.map((c) => c.method)).toEqual(['describe']);
    expect(def.parse).not.toHaveBeenCalled();
  });

  it.each(STEPS)('fails at %s when the token is not a version of the secret', async (step) => {
    const { store, run } = setup();
    const error = await failure(run(step, 'not-a-version'));
    expect(error.name).toBe('UnknownVersionError');
    expect(error.message).toBe(
      `version not-a-version is not a version of secret ${store.arn}; the event names a token that RotateSecret did not create for this secret`,
    );
    expect(store.writes).toEqual([]);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('fails when the token is %s, which only Object.prototype has', async (token) => {
    const { store, run } = setup();
    const error = await failure(run('createSecret', token));
    expect(error.name).toBe('UnknownVersionError');
    expect(error.message).toContain(`version ${token} is not a version of secret`);
    expect(store.writes).toEqual([]);
  });

  it('moves nothing at finishSecret when the token is already AWSCURRENT, but runs the finish hook, which may be owed', async () => {
    const { store, currentVersion, run, def } = setup();
    const before = store.stages();
    await run('finishSecret', currentVersion);
    expect(store.writes).toEqual([]);
    expect(store.stages()).toEqual(before);
    expect(def.finish).toHaveBeenCalledTimes(1);
  });

  it.each(STEPS.filter((step) => step !== 'finishSecret'))('does nothing at %s when the token is already AWSCURRENT', async (step) => {
    const { store, currentVersion, run, def, logged } = setup();
    const before = store.stages();
    await run(step, currentVersion);
    expect(store.calls.map((c) => c.method)).toEqual(['describe']);
    expect(store.stages()).toEqual(before);
    for (const hook of [def.parse, def.create, def.set, def.test, def.finish]) expect(hook).not.toHaveBeenCalled();
    expect(logged().map((l) => l.message)).toEqual(['version is already AWSCURRENT; nothing to do', 'rotation step finished']);
  });

  it.each(STEPS)('fails at %s when the token is neither AWSCURRENT nor AWSPENDING', async (step) => {
    const { store, previousVersion, run } = setup();
    const error = await failure(run(step, previousVersion));
    expect(error.name).toBe('VersionNotPendingError');
    expect(error.message).toBe(
      `version ${previousVersion} of secret ${store.arn} is not staged AWSPENDING (it has AWSPREVIOUS); start a new rotation`,
    );
    expect(store.writes).toEqual([]);
  });

  it('fails when the token is listed without any stage, saying so', async () => {
    const { store, token, run } = setup();
    jest.spyOn(store, 'describe').mockResolvedValue({ arn: store.arn, rotationEnabled: true, versions: { [token]: [] } });
    const error = await failure(run('setSecret'));
    expect(error.name).toBe('VersionNotPendingError');
    expect(error.message).toContain('(it has no stage)');
  });

  it('fails on a malformed event before calling Secrets Manager', async () => {
    const { store, run } = setup();
    const error = await failure(run('rotateSecret'));
    expect(error.name).toBe('InvalidEventError');
    expect(error.message).toMatch(/^unknown rotation step "rotateSecret"/);
    expect(store.calls).toEqual([]);
  });

  it('logs a rejected event, with the reason', async () => {
    const { run, logged } = setup();
    await failure(run('rotateSecret'));
    expect(logged()).toEqual([
      expect.objectContaining({ level: 'error', message: 'rejected an event that is not a rotation event', error: expect.objectContaining({ name: 'InvalidEventError' }) }),
    ]);
  });
});

describe('createSecret', () => {
  it('stores a value derived from AWSCURRENT as AWSPENDING on the token', async () => {
    const { store, token, previousVersion, currentVersion, run, def } = setup();
    await run('createSecret');
    const pending = JSON.parse(store.valueOf(token)!) as KeySecret;
    expect(pending).toEqual({ user: 'svc', region: 'eu-west-1', apiKey: expect.any(String) });
    expect(pending.apiKey).not.toBe(CURRENT_KEY);
    expect(def.create).toHaveBeenCalledTimes(1);
    expect(def.create.mock.calls[0][0]).toEqual({ user: 'svc', apiKey: CURRENT_KEY, region: 'eu-west-1' });
    expect(store.stages()).toEqual({ [previousVersion]: [AWSPREVIOUS], [currentVersion]: [AWSCURRENT], [token]: [AWSPENDING] });
    expect(store.writes).toEqual([{ method: 'putPending', args: [store.arn, token, store.valueOf(token)] }]);
  });

  it('asks GetRandomPassword for the configured length and exclusions', async () => {
    const { store, token, run } = setup();
    await run('createSecret');
    expect(store.passwordRequests).toEqual([{ length: 40, excludeCharacters: 'abcXYZ' }]);
    const key = pendingKey(store, token);
    expect(key).toHaveLength(40);
    expect(key).not.toMatch(/[abcXYZ]/);
  });

  it('keeps the pending value when createSecret is retried', async () => {
    const { store, token, run, def } = setup();
    await run('createSecret');
    const first = store.valueOf(token);
    await run('createSecret');
    await run('createSecret');
    expect(store.valueOf(token)).toBe(first);
    expect(store.writes).toHaveLength(1);
    expect(store.passwordRequests).toHaveLength(1);
    expect(def.create).toHaveBeenCalledTimes(1);
  });

  it('keeps a pending value that was put on the token before the function ran', async () => {
    const { store, token, run, def, logged } = setup();
    await store.putPending(store.arn, token, keySecret('chosen-by-an-operator'));
    store.calls.length = 0;
    await run('createSecret');
    expect(def.create).not.toHaveBeenCalled();
    expect(store.writes).toEqual([]);
    expect(pendingKey(store, token)).toBe('chosen-by-an-operator');
    expect(logged().map((l) => l.message)).toContain('pending value already exists; keeping it');
  });

  it('reads the pending value by token and stage, not by stage alone', async () => {
    const { store, token, run } = setup();
    await run('createSecret');
    expect(store.calls).toContainEqual({ method: 'getValue', args: [store.arn, AWSPENDING, token] });
  });

  it('uses the definition’s serialize when it has one', async () => {
    const { store, token, run } = setup({ serialize: (value) => JSON.stringify({ ...value, format: 'custom' }) });
    await run('createSecret');
    expect(JSON.parse(store.valueOf(token)!)).toMatchObject({ format: 'custom', user: 'svc' });
  });

  it('fails when GetRandomPassword fails, writing nothing', async () => {
    const { store, run } = setup();
    store.failOn('randomPassword', new Error('Rate exceeded'));
    const error = await failure(run('createSecret'));
    expect(error.message).toBe('Rate exceeded');
    expect(store.writes).toEqual([]);
  });
});

describe('setSecret and testSecret', () => {
  it.each([
    ['setSecret', 'set'],
    ['testSecret', 'test'],
  ] as const)('%s gets the pending, current and previous values and the context', async (step, hook) => {
    const { store, token, run, def } = setup();
    await run('createSecret');
    await run(step);
    expect(def[hook]).toHaveBeenCalledTimes(1);
    const [versions, context] = def[hook].mock.calls[0];
    expect(versions).toEqual({
      pending: { user: 'svc', region: 'eu-west-1', apiKey: pendingKey(store, token) },
      current: { user: 'svc', region: 'eu-west-1', apiKey: CURRENT_KEY },
      previous: { user: 'svc', apiKey: PREVIOUS_KEY },
    });
    expect(context).toMatchObject({ secretArn: store.arn, token });
    expect(store.writes).toHaveLength(1); // createSecret's only
  });

  it('leaves previous undefined on a secret’s first rotation', async () => {
    const store = new FakeSecretStore();
    store.addCurrent(keySecret(CURRENT_KEY));
    const token = store.beginRotation();
    const def = definition();
    const handler = createRotationHandler<KeySecret>(def, { store, settings: SETTINGS, logger: new Logger({ sink: () => undefined }) });
    await handler({ Step: 'createSecret', SecretId: store.arn, ClientRequestToken: token });
    await handler({ Step: 'setSecret', SecretId: store.arn, ClientRequestToken: token });
    expect(def.set.mock.calls[0][0].previous).toBeUndefined();
  });

  it('passes a new password from the context, already redacted, to every hook', async () => {
    let generated = '';
    const { run, lines } = setup({
      async set(_versions, context) {
        generated = await context.randomPassword();
        context.logger.info(`made ${generated}`);
      },
    });
    await run('createSecret');
    await run('setSecret');
    expect(generated).toHaveLength(40);
    expect(lines.join('\n')).not.toContain(generated);
  });

  it('skips setSecret when the definition has nothing to set', async () => {
    const { store, run } = setup({ set: undefined });
    await run('createSecret');
    await run('setSecret');
    expect(store.writes).toHaveLength(1);
  });

  it('tests AWSCURRENT when the pending version has no value, as in Secrets Manager\'s check of a schedule set without rotating', async () => {
    const { store, run, def } = setup();
    await run('testSecret');
    expect(def.test).toHaveBeenCalledTimes(1);
    expect(def.test.mock.calls[0][0].pending).toEqual(def.test.mock.calls[0][0].current);
    expect(def.test.mock.calls[0][0].current.apiKey).toBe(CURRENT_KEY);
    expect(store.writes).toEqual([]);
  });

  it.each(['setSecret'])('fails at %s when createSecret has not put a pending value', async (step) => {
    const { store, token, run, def } = setup();
    const error = await failure(run(step));
    expect(error.name).toBe('SecretValueMissingError');
    expect(error.message).toBe(`secret ${store.arn} has no AWSPENDING value for version ${token}; createSecret must run first`);
    expect(def.set).not.toHaveBeenCalled();
    expect(def.test).not.toHaveBeenCalled();
  });

  it('fails when a stored value does not parse, naming the version', async () => {
    const { store, token, run } = setup();
    await store.putPending(store.arn, token, JSON.stringify({ user: 'svc' }));
    const error = await failure(run('setSecret'));
    expect(error.name).toBe('InvalidSecretError');
    expect(error.message).toBe(`the AWSPENDING version ${token} secret value lacks apiKey`);
  });

  it('ignores an AWSPREVIOUS value that does not parse, with a warning, instead of blocking every rotation', async () => {
    const store = new FakeSecretStore({ name: 'test/api-key' });
    store.addCurrent('not json at all: the secret held plain text once');
    store.addCurrent(keySecret(CURRENT_KEY));
    const { set } = definition();
    const lines: string[] = [];
    const handler = createRotationHandler<KeySecret>(
      { ...definition(), set, parse: (raw, label) => (raw.startsWith('{') ? JSON.parse(raw) : (() => { throw new InvalidSecretError(`the ${label} secret value is not valid JSON`); })()) },
      { store, settings: SETTINGS, logger: new Logger({ sink: (line) => lines.push(line) }) },
    );
    const token = store.beginRotation();
    for (const step of STEPS) await handler({ Step: step, SecretId: store.name, ClientRequestToken: token });
    expect(set.mock.calls[0][0].previous).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).message)).toContain('ignoring the AWSPREVIOUS value, which does not parse');
    expect(store.stages()[token]).toEqual([AWSCURRENT, AWSPENDING]);
  });
});

describe('reading values', () => {
  it('asks for the values a step reads together, after the guard', async () => {
    const { store, run } = setup();
    await run('createSecret');
    const read = store.getValue.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const getValue = jest.spyOn(store, 'getValue').mockImplementation(async (...args) => {
      await gate;
      return read(...args);
    });
    const step = run('setSecret');
    await new Promise((resolve) => setImmediate(resolve));
    // AWSPENDING, AWSCURRENT and AWSPREVIOUS, all asked for before any answered.
    expect(getValue.mock.calls.map((call) => call[1])).toEqual([AWSPENDING, AWSCURRENT, AWSPREVIOUS]);
    release();
    await step;
  });

  it('fails with the error of the first value in order, whichever read fails first', async () => {
    const { store, run, def } = setup();
    await run('createSecret');
    jest.spyOn(store, 'getValue').mockImplementation(async (_secretId, stage) => {
      if (stage === AWSPENDING) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('pending read failed');
      }
      throw new Error(`${stage} read failed`);
    });
    const error = await failure(run('setSecret'));
    expect(error.message).toBe('pending read failed');
    expect(def.set).not.toHaveBeenCalled();
  });

  it('keeps no value in the handler’s logger once a step ends: each invocation masks what it read', async () => {
    const store = new FakeSecretStore();
    store.addCurrent(keySecret(CURRENT_KEY));
    const token = store.beginRotation();
    const logger = new Logger({ sink: () => undefined });
    const handler = createRotationHandler<KeySecret>(definition(), { store, settings: SETTINGS, logger });
    for (const step of STEPS) await handler({ Step: step, SecretId: store.arn, ClientRequestToken: token });
    expect(logger.scrub(`${CURRENT_KEY} ${pendingKey(store, token)}`)).toBe(`${CURRENT_KEY} ${pendingKey(store, token)}`);
  });

  it('uses a logger that cannot be scoped (a stand-in of your own) as it is', async () => {
    const store = new FakeSecretStore();
    store.addCurrent(keySecret(CURRENT_KEY));
    const token = store.beginRotation();
    const real = new Logger({ sink: () => undefined });
    const standIn = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn(), redact: real.redact.bind(real), scrub: real.scrub.bind(real) };
    const handler = createRotationHandler<KeySecret>(definition(), { store, settings: SETTINGS, logger: standIn as unknown as Logger });
    for (const step of STEPS) await handler({ Step: step, SecretId: store.arn, ClientRequestToken: token });
    expect(standIn.info).toHaveBeenCalledWith('rotation step finished', expect.objectContaining({ step: 'finishSecret' }));
    expect(real.scrub(CURRENT_KEY)).not.toContain(CURRENT_KEY);
  });
});

describe('a step without an AWSCURRENT value', () => {
  it.each(['createSecret', 'setSecret', 'testSecret'])('fails at %s, writing nothing', async (step) => {
    const store = new FakeSecretStore();
    const token = store.addVersion(keySecret('pending-key-0123'), [AWSPENDING]);
    const def = definition();
    const handler = createRotationHandler<KeySecret>(def, { store, settings: SETTINGS, logger: new Logger({ sink: () => undefined }) });
    const error = await failure(handler({ Step: step, SecretId: store.arn, ClientRequestToken: token }));
    expect(error.name).toBe('SecretValueMissingError');
    expect(error.message).toBe(`secret ${store.arn} has no AWSCURRENT value; put a value in the secret first`);
    expect(store.writes).toEqual([]);
    expect(def.create).not.toHaveBeenCalled();
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT to the token, naming the old current, which becomes AWSPREVIOUS', async () => {
    const { store, token, previousVersion, currentVersion, run } = setup();
    await run('createSecret');
    await run('finishSecret');
    expect(store.writes[1]).toEqual({ method: 'promote', args: [store.arn, token, currentVersion] });
    expect(store.stages()).toEqual({ [currentVersion]: [AWSPREVIOUS], [token]: [AWSCURRENT, AWSPENDING] });
    expect(store.stages()[previousVersion]).toBeUndefined();
    expect(store.valueAt(AWSCURRENT)).toBe(store.valueOf(token));
  });

  it('calls finish after the move, with the new current and the new previous', async () => {
    const { store, token, run, def } = setup();
    let promotedFirst = false;
    def.finish.mockImplementation(async () => {
      promotedFirst = store.calls.some((c) => c.method === 'promote');
    });
    await run('createSecret');
    await run('finishSecret');
    expect(promotedFirst).toBe(true);
    expect(def.finish).toHaveBeenCalledTimes(1);
    expect(def.finish.mock.calls[0][0]).toEqual({
      current: { user: 'svc', region: 'eu-west-1', apiKey: pendingKey(store, token) },
      previous: { user: 'svc', region: 'eu-west-1', apiKey: CURRENT_KEY },
    });
  });

  it('moves AWSCURRENT without a finish hook', async () => {
    const { store, token, run } = setup({ finish: undefined });
    await run('createSecret');
    await run('finishSecret');
    expect(store.stages()[token]).toEqual([AWSCURRENT, AWSPENDING]);
  });

  it('does not call finish when the move fails', async () => {
    const { store, run, def, currentVersion } = setup();
    await run('createSecret');
    store.failOn('promote', new Error('Service unavailable'));
    await failure(run('finishSecret'));
    expect(def.finish).not.toHaveBeenCalled();
    expect(store.stages()[currentVersion]).toEqual([AWSCURRENT]);
  });

  it('fails when the pending version has no value, leaving AWSCURRENT where it was', async () => {
    const { store, run, def, currentVersion, token } = setup();
    const error = await failure(run('finishSecret'));
    expect(error.name).toBe('SecretValueMissingError');
    expect(error.message).toMatch(`has no AWSPENDING value for version ${token}; createSecret must run first`);
    expect(store.writes).toEqual([]);
    expect(store.stages()[currentVersion]).toEqual([AWSCURRENT]);
    expect(def.finish).not.toHaveBeenCalled();
  });

  it('moves nothing when finishSecret is retried after the move, but runs the finish hook again', async () => {
    const { store, run, def } = setup();
    await run('createSecret');
    await run('finishSecret');
    await run('finishSecret');
    expect(store.writes.map((w) => w.method)).toEqual(['putPending', 'promote']);
    expect(def.finish).toHaveBeenCalledTimes(2);
    expect(def.finish.mock.calls[1][0]).toEqual(def.finish.mock.calls[0][0]);
  });

  it('completes a finish hook that failed after the move when Secrets Manager retries the rotation', async () => {
    const { store, run, def } = setup();
    def.finish.mockRejectedValueOnce(new Error('revocation endpoint timed out'));
    await run('createSecret');
    await failure(run('finishSecret'));
    // The retry from the start: the first three steps see AWSCURRENT and do nothing.
    for (const step of STEPS) await run(step);
    expect(def.finish).toHaveBeenCalledTimes(2);
    expect(store.writes.map((w) => w.method)).toEqual(['putPending', 'promote']);
  });

  it('does nothing at finishSecret after the move when there is no finish hook', async () => {
    const { store, run } = setup({ finish: undefined });
    await run('createSecret');
    await run('finishSecret');
    await run('finishSecret');
    expect(store.writes.map((w) => w.method)).toEqual(['putPending', 'promote']);
  });

  it('keeps each rotation’s predecessor as AWSPREVIOUS over successive rotations', async () => {
    const { store, run, currentVersion, token } = setup();
    for (const step of STEPS) await run(step);
    const second = store.beginRotation();
    for (const step of STEPS) await run(step, second);
    expect(store.stages()).toEqual({ [token]: [AWSPREVIOUS], [second]: [AWSCURRENT, AWSPENDING] });
    expect(store.stages()[currentVersion]).toBeUndefined();
    expect(pendingKey(store, second)).not.toBe(pendingKey(store, token));
  });
});
