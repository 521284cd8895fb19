import { STEPS, CURRENT_KEY, PREVIOUS_KEY, setup, failure, pendingKey } from './protocol-fixture';

describe('errors and logs', () => {
  it('logs a failed step once and rethrows it with every secret it read or made masked', async () => {
    const { store, token, run, logged } = setup({
      async test({ pending, current, previous }) {
        throw new Error(`driver: key ${pending.apiKey} refused; ${current.apiKey} and ${previous?.apiKey} too`);
      },
    });
    await run('createSecret');
    const newKey = pendingKey(store, token);
    const error = await failure(run('testSecret'));
    expect(error.message).toBe('driver: key [REDACTED] refused; [REDACTED] and [REDACTED] too');
    const errors = logged().filter((l) => l.level === 'error');
    expect(errors).toEqual([
      {
        level: 'error',
        message: 'rotation step failed',
        step: 'testSecret',
        secretId: store.name,
        versionId: token,
        durationMs: expect.any(Number),
        error: { name: 'Error', message: 'driver: key [REDACTED] refused; [REDACTED] and [REDACTED] too' },
      },
    ]);
    for (const secret of [newKey, CURRENT_KEY, PREVIOUS_KEY]) expect(error.stack).not.toContain(secret);
  });

  it('masks secrets in the stack of a rethrown error, even when something rendered the stack before', async () => {
    const { run } = setup({
      async set({ current }) {
        const error = new Error(`cannot use ${current.apiKey}`);
        void error.stack; // e.g. a driver that logged it
        throw error;
      },
    });
    await run('createSecret');
    const error = await failure(run('setSecret'));
    expect(error.message).toBe('cannot use [REDACTED]');
    expect(error.stack).not.toContain(CURRENT_KEY);
    expect(error.stack).toContain('cannot use [REDACTED]');
  });

  it('masks a password holding quotes and backslashes in the log, where JSON escapes them', async () => {
    const tricky = `new "key" with \\ in it`;
    const { store, run, lines } = setup({
      async test({ pending }) {
        throw new Error(`refused ${pending.apiKey}`);
      },
    });
    store.queuePasswords(tricky);
    await run('createSecret');
    const error = await failure(run('testSecret'));
    expect(error.message).toBe('refused [REDACTED]');
    expect(lines.join('\n')).not.toContain(JSON.stringify(tricky).slice(1, -1));
    expect(lines.join('\n')).not.toContain('with \\\\ in it');
  });

  it('rethrows its own errors as they are, keeping their class', async () => {
    const { run } = setup();
    const error = await failure(run('setSecret'));
    expect(error.name).toBe('SecretValueMissingError');
    expect(error.constructor.name).toBe('SecretValueMissingError');
  });

  it('replaces a foreign error with one holding only its name, code and masked message and stack', async () => {
    // Lambda logs every enumerable property of a thrown error, and a driver's may hold anything.
    class DriverError extends Error {
      code = '57P01';
      detail = `connection string postgres://svc:${CURRENT_KEY}@db`;
    }
    const thrown = new DriverError(`terminating connection of ${CURRENT_KEY}`);
    thrown.name = 'DriverError';
    const { run } = setup({ test: async () => Promise.reject(thrown) });
    await run('createSecret');
    const error = await failure(run('testSecret'));
    expect(error).not.toBe(thrown);
    expect({ name: error.name, message: error.message, code: (error as { code?: string }).code }).toEqual({
      name: 'DriverError',
      message: 'terminating connection of [REDACTED]',
      code: '57P01',
    });
    expect(Object.keys(error).sort()).toEqual(['code', 'name']);
    expect(error.stack).toContain('DriverError: terminating connection of [REDACTED]');
    expect(JSON.stringify({ ...error, stack: error.stack })).not.toContain(CURRENT_KEY);
  });

  it('replaces a thrown value that is not an Error with an Error saying what was thrown', async () => {
    const { run } = setup({ test: async () => Promise.reject(`secret ${CURRENT_KEY}`) });
    await run('createSecret');
    const error = await failure(run('testSecret'));
    expect(error.message).toBe('a value of type string was thrown');
  });

  it('logs each finished step with the step, secret, version and duration', async () => {
    const { store, token, run, logged } = setup();
    await run('createSecret');
    expect(logged().at(-1)).toEqual({
      level: 'info',
      message: 'rotation step finished',
      step: 'createSecret',
      secretId: store.name,
      versionId: token,
      durationMs: expect.any(Number),
    });
  });

  it('never writes a secret to the log through a whole rotation, even when a definition logs values', async () => {
    const { store, token, run, lines } = setup({
      async set(versions, context) {
        context.logger.debug(`versions ${JSON.stringify(versions)}`, { versions, raw: JSON.stringify(versions.pending) });
      },
      async test({ pending }, context) {
        context.logger.warn('testing', { detail: `key=${pending.apiKey}`, error: new Error(`bad ${pending.apiKey}`) });
      },
      async finish({ current, previous }, context) {
        context.logger.info('finishing', { current, previous });
      },
    });
    for (const step of STEPS) await run(step);
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(8);
    for (const secret of [pendingKey(store, token), CURRENT_KEY, PREVIOUS_KEY]) expect(text).not.toContain(secret);
  });
});
