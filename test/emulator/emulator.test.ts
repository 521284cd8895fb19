import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetRandomPasswordCommandInput,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { rejection, sdkClient, uniqueName } from './sdk';

const DAY_MS = 86_400_000;
const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

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

async function secretWithValue(label: string, value = 'initial value') {
  const out = await sm.send(new CreateSecretCommand({ Name: uniqueName(label), SecretString: value }));
  return { arn: out.ARN!, name: out.Name!, versionId: out.VersionId! };
}

describe('CreateSecret and DescribeSecret', () => {
  it('creates a secret with a value as its AWSCURRENT version', async () => {
    const name = uniqueName('with-value');
    const created = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'hello', Description: 'a test secret', Tags: [{ Key: 'team', Value: 'platform' }] }),
    );
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`));
    expect(created.Name).toBe(name);
    expect(created.VersionId).toBeDefined();

    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: name,
      Description: 'a test secret',
      Tags: [{ Key: 'team', Value: 'platform' }],
      RotationEnabled: false,
      VersionIdsToStages: { [created.VersionId!]: ['AWSCURRENT'] },
    });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(described.DeletedDate).toBeUndefined();
  });

  it('creates a secret without a value and without a version', async () => {
    const name = uniqueName('no-value');
    const created = await sm.send(new CreateSecretCommand({ Name: name }));
    expect(created.VersionId).toBeUndefined();
    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described.VersionIdsToStages ?? {}).toEqual({});
  });

  it('uses the ClientRequestToken as the first version id', async () => {
    const token = '11111111-2222-4333-8444-555555555555';
    const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('token'), SecretString: 'x', ClientRequestToken: token }));
    expect(created.VersionId).toBe(token);
  });

  it('keeps a binary value byte for byte', async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('binary'), SecretBinary: bytes }));
    const read = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(read.SecretString).toBeUndefined();
    expect(Array.from(read.SecretBinary!)).toEqual(Array.from(bytes));
  });

  it('fails when the name is already taken', async () => {
    const { name } = await secretWithValue('taken');
    const error = await rejection(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'again' })));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(error.message).toBe(`The operation failed because the secret ${name} already exists.`);
  });

  it('fails when the name has a character AWS does not allow', async () => {
    const error = await rejection(sm.send(new CreateSecretCommand({ Name: 'has a space', SecretString: 'x' })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/^Invalid name\. Must be a valid name containing alphanumeric characters/);
  });

  it('fails when both SecretString and SecretBinary are given', async () => {
    const call = sm.send(new CreateSecretCommand({ Name: uniqueName('both'), SecretString: 'x', SecretBinary: new Uint8Array([1]) }));
    const error = await rejection(call);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/both SecretString and SecretBinary/);
  });

  it('fails when the secret does not exist, as a 400 ResourceNotFoundException', async () => {
    const error = await rejection(sm.send(new DescribeSecretCommand({ SecretId: uniqueName('missing') })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('GetSecretValue', () => {
  it('reads a version by staging label, by version id, or by both', async () => {
    const { arn, name, versionId: first } = await secretWithValue('get', 'one');
    const second = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'two' }));

    const byDefault = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(byDefault).toMatchObject({ ARN: arn, Name: name, VersionId: second.VersionId, SecretString: 'two', VersionStages: ['AWSCURRENT'] });
    expect(byDefault.CreatedDate).toBeInstanceOf(Date);
    expect(await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))).toMatchObject({ VersionId: first, SecretString: 'one' });
    expect(await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: first }))).toMatchObject({ SecretString: 'one', VersionStages: ['AWSPREVIOUS'] });
    expect(await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: first, VersionStage: 'AWSPREVIOUS' }))).toMatchObject({ SecretString: 'one' });
  });

  it('fails when the version id and the staging label name different versions', async () => {
    const { arn, versionId } = await secretWithValue('mismatch');
    const error = await rejection(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId, VersionStage: 'AWSPENDING' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fails when the secret has no value', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('empty') }));
    const error = await rejection(sm.send(new GetSecretValueCommand({ SecretId: created.ARN })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  it('fails when no version has the staging label, or the version id is unknown', async () => {
    const { arn } = await secretWithValue('no-label');
    const byStage = await rejection(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPENDING' })));
    expect(byStage).toBeInstanceOf(ResourceNotFoundException);
    expect(byStage.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
    const unknown = '00000000-0000-4000-8000-000000000000';
    const byId = await rejection(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: unknown })));
    expect(byId).toBeInstanceOf(ResourceNotFoundException);
    expect(byId.message).toBe(`Secrets Manager can't find the specified secret value for VersionId: ${unknown}`);
  });
});

describe('PutSecretValue', () => {
  it('fails when neither SecretString nor SecretBinary is given', async () => {
    const { arn } = await secretWithValue('put-nothing');
    const error = await rejection(sm.send(new PutSecretValueCommand({ SecretId: arn })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/SecretString or SecretBinary/);
  });
});

describe('DeleteSecret', () => {
  it('schedules deletion after a 30-day recovery window by default, and DescribeSecret still answers', async () => {
    const { arn, name, versionId } = await secretWithValue('delete-default');
    const before = Date.now();
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: arn }));
    expect(deleted).toMatchObject({ ARN: arn, Name: name });
    expect(deleted.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);
    expect(deleted.DeletionDate!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS + 1000);

    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
    expect(described.VersionIdsToStages).toEqual({ [versionId]: ['AWSCURRENT'] });
  });

  it('schedules deletion after RecoveryWindowInDays', async () => {
    const { arn } = await secretWithValue('delete-window');
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    expect(Math.round((deleted.DeletionDate!.getTime() - Date.now()) / DAY_MS)).toBe(7);
  });

  it('fails when the secret is marked for deletion: reading, writing, staging, rotating or reusing its name', async () => {
    const { arn, name, versionId } = await secretWithValue('marked');
    await sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    const calls = [
      () => sm.send(new GetSecretValueCommand({ SecretId: arn })),
      () => sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'new' })),
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'CUSTOM', MoveToVersionId: versionId })),
      () => sm.send(new RotateSecretCommand({ SecretId: arn })),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(InvalidRequestException);
      expect(error.message).toBe('You can’t perform this operation on the secret because it was marked for deletion.');
    }
    const recreate = await rejection(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })));
    expect(recreate).toBeInstanceOf(InvalidRequestException);
    expect(recreate.message).toMatch(/already scheduled for deletion/);
  });

  it('deletes at once with ForceDeleteWithoutRecovery, freeing the name', async () => {
    const { arn, name } = await secretWithValue('force');
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    expect(Math.abs(deleted.DeletionDate!.getTime() - Date.now())).toBeLessThan(5000);
    expect(await rejection(sm.send(new DescribeSecretCommand({ SecretId: arn })))).toBeInstanceOf(ResourceNotFoundException);
    const again = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'reborn' }));
    expect(again.ARN).not.toBe(arn);
  });

  it('succeeds when forcing deletion of a secret that is already scheduled for deletion or gone', async () => {
    const { arn, name } = await secretWithValue('force-twice');
    await sm.send(new DeleteSecretCommand({ SecretId: arn }));
    await sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    expect(await rejection(sm.send(new DescribeSecretCommand({ SecretId: arn })))).toBeInstanceOf(ResourceNotFoundException);
    const retried = await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect(retried.Name).toBe(name);
  });

  it('fails when RecoveryWindowInDays is outside 7 to 30', async () => {
    const { arn } = await secretWithValue('window-range');
    for (const days of [6, 31]) {
      const error = await rejection(sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: days })));
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toMatch(/between 7 and 30 days/);
    }
  });

  it('fails when ForceDeleteWithoutRecovery comes with RecoveryWindowInDays', async () => {
    const { arn } = await secretWithValue('force-and-window');
    const error = await rejection(sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays/);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).DeletedDate).toBeUndefined();
  });
});

describe('GetRandomPassword', () => {
  /** Enough samples that a missing character type would show, not just be unlucky. */
  async function passwords(input: GetRandomPasswordCommandInput, count = 25): Promise<string[]> {
    const out = await Promise.all(Array.from({ length: count }, () => sm.send(new GetRandomPasswordCommand(input))));
    return out.map((o) => o.RandomPassword!);
  }

  it('returns 32 characters holding every character type by default', async () => {
    for (const password of await passwords({})) {
      expect(password).toHaveLength(32);
      for (const type of [LOWER, UPPER, DIGIT, PUNCTUATION]) expect(password).toMatch(type);
      expect(password).not.toContain(' ');
    }
  });

  it('honours PasswordLength and ExcludeCharacters', async () => {
    const excluded = `abcdef"'\\/@ `;
    for (const password of await passwords({ PasswordLength: 64, ExcludeCharacters: excluded })) {
      expect(password).toHaveLength(64);
      for (const ch of excluded) expect(password).not.toContain(ch);
    }
  });

  it('leaves out each excluded type and still includes every other one', async () => {
    for (const password of await passwords({ PasswordLength: 8, ExcludePunctuation: true, ExcludeUppercase: true })) {
      expect(password).toMatch(/^[a-z0-9]{8}$/);
      expect(password).toMatch(LOWER);
      expect(password).toMatch(DIGIT);
    }
    for (const password of await passwords({ ExcludeNumbers: true, ExcludeLowercase: true })) {
      expect(password).not.toMatch(/[a-z0-9]/);
      expect(password).toMatch(UPPER);
      expect(password).toMatch(PUNCTUATION);
    }
  });

  it('includes a space when IncludeSpace is set', async () => {
    for (const password of await passwords({ PasswordLength: 5, IncludeSpace: true })) expect(password).toContain(' ');
  });

  it('fails when PasswordLength is outside 1 to 4096', async () => {
    for (const length of [0, 4097]) {
      const error = await rejection(sm.send(new GetRandomPasswordCommand({ PasswordLength: length })));
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toMatch(/PasswordLength/);
    }
  });

  it('fails when every character is excluded', async () => {
    const call = sm.send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }));
    expect(await rejection(call)).toBeInstanceOf(InvalidParameterException);
  });
});
