import {
  CreateSecretCommand,
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, RotationInvoker, startEmulator } from '../../emulator';
import { rejection, sdkClient, uniqueName } from './sdk';

type RotationEvent = Parameters<RotationInvoker>[0];

let emulator: Emulator;
let sm: SecretsManagerClient;
let functionCount = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  sm = sdkClient(emulator.endpoint);
});

afterAll(async () => {
  sm?.destroy();
  await emulator?.stop();
});

async function newSecret(label: string) {
  const out = await sm.send(new CreateSecretCommand({ Name: uniqueName(label), SecretString: 'old value' }));
  return { arn: out.ARN!, first: out.VersionId! };
}

/**
 * Registers a rotation function that does what a real one does through the
 * SDK (createSecret puts AWSPENDING, finishSecret moves AWSCURRENT), records
 * every event, and throws at `failAt`. Resolves to its ARN and the events.
 */
function rotationFunction(failAt?: string) {
  functionCount += 1;
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:rotation-${functionCount}`;
  const events: RotationEvent[] = [];
  emulator.registerRotationFunction(arn, async (event) => {
    events.push(event);
    const { Step, SecretId, ClientRequestToken } = event;
    if (Step === failAt) throw new Error(`${Step} could not reach the database`);
    if (Step === 'createSecret') {
      await sm.send(new PutSecretValueCommand({ SecretId, ClientRequestToken, SecretString: `new value ${ClientRequestToken}`, VersionStages: ['AWSPENDING'] }));
    } else if (Step === 'finishSecret') {
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};
      const current = Object.keys(stages).find((id) => stages[id].includes('AWSCURRENT'));
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: ClientRequestToken, RemoveFromVersionId: current }));
    }
  });
  return { arn, events };
}

describe('RotateSecret', () => {
  it('runs the rotation function through createSecret, setSecret, testSecret and finishSecret with one token', async () => {
    const { arn, first } = await newSecret('rotate');
    const fn = rotationFunction();
    const out = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 30 } }));

    expect(out.ARN).toBe(arn);
    expect(fn.events).toEqual(
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => ({ Step, SecretId: arn, ClientRequestToken: out.VersionId })),
    );
    expect(emulator.rotations.at(-1)).toEqual({
      secretArn: arn,
      token: out.VersionId,
      succeeded: true,
      steps: [{ step: 'createSecret' }, { step: 'setSecret' }, { step: 'testSecret' }, { step: 'finishSecret' }],
    });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: fn.arn,
      RotationRules: { AutomaticallyAfterDays: 30 },
      VersionIdsToStages: { [first]: ['AWSPREVIOUS'], [out.VersionId!]: expect.arrayContaining(['AWSCURRENT', 'AWSPENDING']) },
    });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe(`new value ${out.VersionId}`);
  });

  it('rotates again with the function stored on the secret when the call names none', async () => {
    const { arn } = await newSecret('rotate-again');
    const fn = rotationFunction();
    await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn.arn }));
    const second = await sm.send(new RotateSecretCommand({ SecretId: arn }));
    expect(fn.events).toHaveLength(8);
    expect(fn.events.at(-1)).toEqual({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: second.VersionId });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).VersionId).toBe(second.VersionId);
  });

  it('with RotateImmediately false, stores the settings and only checks them with testSecret on a temporary AWSPENDING version', async () => {
    const { arn, first } = await newSecret('not-now');
    const fn = rotationFunction();
    let stagesDuringTest: Record<string, string[]> = {};
    const arnOfCheck = `${fn.arn}-check`;
    emulator.registerRotationFunction(arnOfCheck, async (event) => {
      fn.events.push(event);
      stagesDuringTest = (await sm.send(new DescribeSecretCommand({ SecretId: event.SecretId }))).VersionIdsToStages ?? {};
    });
    const out = await sm.send(
      new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: arnOfCheck, RotationRules: { ScheduleExpression: 'rate(10 days)' }, RotateImmediately: false }),
    );
    expect(out.VersionId).toBeUndefined();
    expect(fn.events.map((e) => e.Step)).toEqual(['testSecret']);
    const temporary = fn.events[0].ClientRequestToken;
    expect(stagesDuringTest).toEqual({ [first]: ['AWSCURRENT'], [temporary]: ['AWSPENDING'] });
    expect(emulator.rotations.at(-1)).toMatchObject({ secretArn: arn, succeeded: true, steps: [{ step: 'testSecret' }] });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: arnOfCheck, RotationRules: { ScheduleExpression: 'rate(10 days)' } });
    // The temporary version is gone, and a rotation can start.
    expect(described.VersionIdsToStages).toEqual({ [first]: ['AWSCURRENT'] });
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
    expect(versions.Versions!.map((v) => v.VersionId)).toEqual([first]);
  });

  it('records a failing step in rotations while the call itself succeeds', async () => {
    const { arn, first } = await newSecret('failing');
    const fn = rotationFunction('setSecret');
    const out = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn.arn }));

    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret']);
    expect(emulator.rotations.at(-1)).toEqual({
      secretArn: arn,
      token: out.VersionId,
      succeeded: false,
      steps: [{ step: 'createSecret' }, { step: 'setSecret', error: { name: 'Error', message: 'setSecret could not reach the database' } }],
    });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.VersionIdsToStages).toEqual({ [first]: ['AWSCURRENT'], [out.VersionId!]: ['AWSPENDING'] });
  });

  it('leaves an empty AWSPENDING version when createSecret fails', async () => {
    const { arn } = await newSecret('empty-pending');
    const fn = rotationFunction('createSecret');
    await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn.arn }));
    const error = await rejection(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPENDING' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fails when a previous rotation is not complete', async () => {
    const { arn } = await newSecret('incomplete');
    const fn = rotationFunction('testSecret');
    const failed = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: fn.arn }));
    const error = await rejection(sm.send(new RotateSecretCommand({ SecretId: arn, RotationRules: { AutomaticallyAfterDays: 5 } })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe('A previous rotation isn’t complete. That rotation will be reattempted.');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.VersionIdsToStages![failed.VersionId!]).toEqual(['AWSPENDING']);
    // The refused call changed no setting.
    expect(described.RotationRules).toBeUndefined();
  });

  it('fails when Secrets Manager cannot invoke the Lambda function', async () => {
    const { arn, first } = await newSecret('unknown-lambda');
    const unknown = 'arn:aws:lambda:us-east-1:123456789012:function:not-registered';
    const error = await rejection(sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: unknown })));
    expect(error).toBeInstanceOf(SecretsManagerServiceException);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(/^Secrets Manager cannot invoke the specified Lambda function\. .*secretsmanager\.amazonaws\.com/);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.RotationEnabled).toBe(false);
    expect(described.VersionIdsToStages).toEqual({ [first]: ['AWSCURRENT'] });
  });

  it('fails when the secret has no rotation function', async () => {
    const { arn } = await newSecret('no-lambda');
    const error = await rejection(sm.send(new RotateSecretCommand({ SecretId: arn })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toMatch(/No Lambda rotation function ARN/);
  });

  it('fails when RotationRules has both AutomaticallyAfterDays and ScheduleExpression', async () => {
    const { arn } = await newSecret('both-rules');
    const rules = { AutomaticallyAfterDays: 7, ScheduleExpression: 'rate(7 days)' };
    const error = await rejection(sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rotationFunction().arn, RotationRules: rules })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).RotationEnabled).toBe(false);
  });
});
