import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  PutSecretValueCommandInput,
  ResourceExistsException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { rejection, sdkClient, uniqueName } from './sdk';

let emulator: Emulator;
let sm: SecretsManagerClient;

beforeAll(async () => {
  emulator = await startEmulator();
  sm = sdkClient(emulator.endpoint);
});

afterAll(async () => {
  sm?.destroy();
  await emulator?.stop();
});

async function newSecret(label: string) {
  const out = await sm.send(new CreateSecretCommand({ Name: uniqueName(label), SecretString: 'v1' }));
  return { arn: out.ARN!, first: out.VersionId! };
}

async function put(arn: string, input: Omit<PutSecretValueCommandInput, 'SecretId'> = {}): Promise<string> {
  const out = await sm.send(new PutSecretValueCommand({ SecretString: `value ${Math.random()}`, ...input, SecretId: arn }));
  return out.VersionId!;
}

/** DescribeSecret's VersionIdsToStages, labels sorted: only versions that have a label. */
async function described(arn: string): Promise<Record<string, string[]>> {
  const out = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
  return Object.fromEntries(Object.entries(out.VersionIdsToStages ?? {}).map(([id, stages]) => [id, [...stages].sort()]));
}

/** ListSecretVersionIds as id -> sorted labels, deprecated versions included when asked. */
async function listed(arn: string, includeDeprecated: boolean): Promise<Record<string, string[]>> {
  const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: includeDeprecated }));
  return Object.fromEntries((out.Versions ?? []).map((v) => [v.VersionId!, [...(v.VersionStages ?? [])].sort()]));
}

const move = (arn: string, stage: string, to?: string, from?: string) =>
  sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: stage, MoveToVersionId: to, RemoveFromVersionId: from }));

describe('version stages', () => {
  it('moves AWSCURRENT to a new value and gives the old version AWSPREVIOUS', async () => {
    const { arn, first } = await newSecret('put-current');
    const second = await put(arn, { SecretString: 'v2' });
    expect(await described(arn)).toEqual({ [first]: ['AWSPREVIOUS'], [second]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('v2');
  });

  it('takes AWSPREVIOUS from whoever had it, and drops a version left with no label from DescribeSecret only', async () => {
    const { arn, first } = await newSecret('deprecate');
    const second = await put(arn);
    const third = await put(arn);
    expect(await described(arn)).toEqual({ [second]: ['AWSPREVIOUS'], [third]: ['AWSCURRENT'] });
    expect(await listed(arn, false)).toEqual({ [second]: ['AWSPREVIOUS'], [third]: ['AWSCURRENT'] });
    expect(await listed(arn, true)).toEqual({ [first]: [], [second]: ['AWSPREVIOUS'], [third]: ['AWSCURRENT'] });
    // A deprecated version can still be read by id until Secrets Manager deletes it.
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: first }))).SecretString).toBe('v1');
  });

  it('puts a new value under AWSPENDING without touching AWSCURRENT', async () => {
    const { arn, first } = await newSecret('put-pending');
    const pending = await put(arn, { VersionStages: ['AWSPENDING'] });
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).VersionId).toBe(first);
  });

  it('keeps a label on one version only, moving it when another version takes it', async () => {
    const { arn, first } = await newSecret('one-holder');
    const a = await put(arn, { VersionStages: ['AWSPENDING', 'CUSTOM'] });
    const b = await put(arn, { VersionStages: ['AWSPENDING'] });
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [a]: ['CUSTOM'], [b]: ['AWSPENDING'] });
    await move(arn, 'CUSTOM', b, a);
    expect(await listed(arn, true)).toEqual({ [first]: ['AWSCURRENT'], [a]: [], [b]: ['AWSPENDING', 'CUSTOM'] });
  });

  it('leaves AWSPENDING on the pending version when AWSCURRENT moves onto it', async () => {
    const { arn, first } = await newSecret('finish');
    const pending = await put(arn, { VersionStages: ['AWSPENDING'] });
    await move(arn, 'AWSCURRENT', pending, first);
    expect(await described(arn)).toEqual({ [first]: ['AWSPREVIOUS'], [pending]: ['AWSCURRENT', 'AWSPENDING'] });
  });

  it('rolls back by moving AWSCURRENT onto the AWSPREVIOUS version', async () => {
    const { arn, first } = await newSecret('rollback');
    const second = await put(arn);
    await move(arn, 'AWSCURRENT', first, second);
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [second]: ['AWSPREVIOUS'] });
  });

  it('removes a label with RemoveFromVersionId alone', async () => {
    const { arn, first } = await newSecret('remove');
    const pending = await put(arn, { VersionStages: ['AWSPENDING'] });
    await move(arn, 'AWSPENDING', undefined, pending);
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'] });
    expect(await listed(arn, true)).toEqual({ [first]: ['AWSCURRENT'], [pending]: [] });
  });

  it('fails when moving a label that another version holds without RemoveFromVersionId', async () => {
    const { arn, first } = await newSecret('no-remove-from');
    const pending = await put(arn, { VersionStages: ['AWSPENDING'] });
    const error = await rejection(move(arn, 'AWSCURRENT', pending));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(new RegExp(`AWSCURRENT is currently attached to version ${first}.*RemoveFromVersionId`));
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('fails when RemoveFromVersionId names a version that does not hold the label', async () => {
    const { arn, first } = await newSecret('wrong-remove-from');
    const pending = await put(arn, { VersionStages: ['AWSPENDING'] });
    const error = await rejection(move(arn, 'AWSCURRENT', pending, pending));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(`not attached to version ${pending}`);
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('fails when AWSCURRENT is removed instead of moved', async () => {
    const { arn, first } = await newSecret('remove-current');
    const error = await rejection(move(arn, 'AWSCURRENT', undefined, first));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'] });
  });
});

describe('PutSecretValue idempotency', () => {
  it('ignores a repeat with the same token and the same value', async () => {
    const { arn, first } = await newSecret('repeat');
    const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    await put(arn, { ClientRequestToken: token, SecretString: 'same', VersionStages: ['AWSPENDING'] });
    const again = await sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: 'same', VersionStages: ['AWSPENDING'] }));
    expect(again).toMatchObject({ ARN: arn, VersionId: token, VersionStages: ['AWSPENDING'] });
    expect(await listed(arn, true)).toEqual({ [first]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  it('fails when the same token comes with another value', async () => {
    const { arn, first } = await newSecret('conflict');
    const token = 'ffffffff-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    await put(arn, { ClientRequestToken: token, SecretString: 'original', VersionStages: ['AWSPENDING'] });
    const error = await rejection(put(arn, { ClientRequestToken: token, SecretString: 'different', VersionStages: ['AWSPENDING'] }));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(error.message).toBe('You can’t modify an existing version, you can only create a new version.');
    const kept = await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token }));
    expect(kept.SecretString).toBe('original');
    expect(await described(arn)).toEqual({ [first]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });
});

describe('ListSecretVersionIds', () => {
  it('pages through the versions with MaxResults and NextToken', async () => {
    const { arn, first } = await newSecret('pages');
    const ids = [first];
    for (let i = 0; i < 4; i += 1) ids.push(await put(arn));

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true, MaxResults: 2, NextToken: nextToken }));
      pageSizes.push(page.Versions!.length);
      seen.push(...page.Versions!.map((v) => v.VersionId!));
      nextToken = page.NextToken;
    } while (nextToken);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen.sort()).toEqual([...ids].sort());

    const labelledOnly = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, MaxResults: 2 }));
    expect(labelledOnly.Versions!.map((v) => v.VersionId).sort()).toEqual([ids[3], ids[4]].sort());
    expect(labelledOnly.NextToken).toBeUndefined();
  });

  it('fails when NextToken is not one it gave out', async () => {
    const { arn } = await newSecret('bad-token');
    const error = await rejection(sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, NextToken: 'not-a-token' })));
    expect(error).toBeInstanceOf(InvalidNextTokenException);
  });

  it.each([0, 101])('fails when MaxResults is %s', async (maxResults) => {
    const { arn } = await newSecret(`bad-max-${maxResults}`);
    const error = await rejection(sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, MaxResults: maxResults })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('MaxResults must be between 1 and 100.');
  });
});
