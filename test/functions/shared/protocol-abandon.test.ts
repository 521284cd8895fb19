import { RotationContext } from '../../../functions/shared/protocol';
import { FakeSecretsManagerError } from '../../support/fake-secret-store';
import { failure, KeySecret, keySecret, pendingKey, setup } from './protocol-fixture';

/** The abandon hook: createSecret made a value that it could not store. */
describe('createSecret when the pending value cannot be stored', () => {
  const storeError = () => new FakeSecretsManagerError('InternalServiceError', 'Secrets Manager is unavailable');

  it('calls abandon with the created value, then throws the store’s error', async () => {
    let storedBeforeAbandon = false;
    const abandon = jest.fn(async (_created: KeySecret, _context: RotationContext) => {
      storedBeforeAbandon = store.calls.some((c) => c.method === 'putPending');
    });
    const { store, token, run, def, logged } = setup({ abandon });
    store.failOn('putPending', storeError());
    const error = await failure(run('createSecret'));
    expect(error.name).toBe('InternalServiceError');
    expect(error.message).toBe('Secrets Manager is unavailable');
    expect(abandon).toHaveBeenCalledTimes(1);
    const created = await def.create.mock.results[0].value;
    expect(abandon.mock.calls[0][0]).toBe(created);
    expect(abandon.mock.calls[0][1]).toMatchObject({ secretArn: store.arn, token });
    expect(storedBeforeAbandon).toBe(true);
    expect(store.valueOf(token)).toBeUndefined();
    expect(logged()).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'could not store the pending value; undid its creation', secretId: store.arn, versionId: token }),
    );
  });

  it('calls abandon when a concurrent run stored another value for the token first', async () => {
    const abandon = jest.fn(async (_created: KeySecret, _context: RotationContext) => undefined);
    const { store, token, run } = setup({
      abandon,
      async create(current, context) {
        // The other run, which got the same event, wins the race to PutSecretValue.
        await store.putPending(store.arn, context.token, keySecret('stored-by-the-other-run'));
        return { ...current, apiKey: 'made-by-this-run-0123' };
      },
    });
    const error = await failure(run('createSecret'));
    expect(error.name).toBe('ResourceExistsException');
    expect(abandon).toHaveBeenCalledTimes(1);
    expect(abandon.mock.calls[0][0]).toMatchObject({ apiKey: 'made-by-this-run-0123' });
    expect(pendingKey(store, token)).toBe('stored-by-the-other-run');
  });

  it('does not call abandon when the value is stored', async () => {
    const abandon = jest.fn(async (_created: KeySecret, _context: RotationContext) => undefined);
    const { store, token, run } = setup({ abandon });
    await run('createSecret');
    await run('createSecret');
    expect(abandon).not.toHaveBeenCalled();
    expect(store.valueOf(token)).toBeDefined();
  });

  it('does not call abandon when create itself fails, as nothing was made', async () => {
    const abandon = jest.fn(async (_created: KeySecret, _context: RotationContext) => undefined);
    const { store, run } = setup({ abandon });
    store.failOn('randomPassword', new Error('Rate exceeded'));
    const error = await failure(run('createSecret'));
    expect(error.message).toBe('Rate exceeded');
    expect(abandon).not.toHaveBeenCalled();
    expect(store.writes).toEqual([]);
  });

  it('logs an abandon that fails, without the secret, and still throws the store’s error', async () => {
    let createdKey = '';
    const abandon = jest.fn(async (created: KeySecret) => {
      createdKey = created.apiKey;
      throw new Error(`revoking ${created.apiKey} failed: 503`);
    });
    const { store, token, run, lines, logged } = setup({ abandon });
    store.failOn('putPending', storeError());
    const error = await failure(run('createSecret'));
    expect(error.name).toBe('InternalServiceError');
    expect(error.message).toBe('Secrets Manager is unavailable');
    expect(createdKey).toHaveLength(40);
    expect(logged()).toContainEqual({
      level: 'error',
      message: 'could not store the pending value, nor undo its creation',
      secretId: store.arn,
      versionId: token,
      error: { name: 'Error', message: 'revoking [REDACTED] failed: 503' },
    });
    expect(logged().map((l) => l.message)).not.toContain('could not store the pending value; undid its creation');
    expect(logged().at(-1)).toMatchObject({ level: 'error', message: 'rotation step failed', error: { name: 'InternalServiceError', message: 'Secrets Manager is unavailable' } });
    expect(lines.join('\n')).not.toContain(createdKey);
    expect(`${error.message}\n${error.stack}`).not.toContain(createdKey);
  });

  it('throws the store’s error when the definition has no abandon', async () => {
    const { store, run, logged } = setup();
    store.failOn('putPending', storeError());
    const error = await failure(run('createSecret'));
    expect(error.name).toBe('InternalServiceError');
    expect(error.message).toBe('Secrets Manager is unavailable');
    expect(logged().map((l) => l.message)).toEqual(['rotation step failed']);
  });

  it('does not call abandon when the write landed and only its answer was lost', async () => {
    const abandon = jest.fn(async (_created: KeySecret, _context: RotationContext) => undefined);
    const { store, token, run, logged } = setup({ abandon });
    const put = store.putPending.bind(store);
    store.putPending = async (...args) => {
      await put(...args);
      throw storeError();
    };
    await run('createSecret');
    expect(abandon).not.toHaveBeenCalled();
    expect(store.valueOf(token)).toBeDefined();
    expect(logged().map((l) => l.message)).toContain('created pending value (the store failed to answer, but holds it)');
  });
});
