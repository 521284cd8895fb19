import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { main } from '../../cli/main';
import { CommandIo } from '../../cli/io';

/** `secret-rotation rollback` against the emulator, with rotations made by a fake rotation function. */
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:fake-rotation';
let emulator: Emulator;
let sm: SecretsManagerClient;
let counter = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  // A rotation function that only moves values and labels, as finishSecret does.
  emulator.registerRotationFunction(LAMBDA_ARN, async ({ Step, SecretId, ClientRequestToken }) => {
    if (Step === 'createSecret') {
      await sm.send(new PutSecretValueCommand({ SecretId, ClientRequestToken, SecretString: `{"password":"rotated-${ClientRequestToken}"}`, VersionStages: ['AWSPENDING'] }));
    }
    if (Step === 'finishSecret') {
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};
      const current = Object.keys(stages).find((id) => stages[id]!.includes('AWSCURRENT'));
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: ClientRequestToken, RemoveFromVersionId: current }));
    }
  });
});

afterAll(async () => {
  sm?.destroy();
  await emulator?.stop();
});

/** A secret, rotated `rotations` times; resolves to its name and the version ids, oldest first. */
async function secret(rotations: number): Promise<{ name: string; versions: string[] }> {
  const name = `test/rollback-${++counter}`;
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"initial-Secret-Value"}' }));
  const versions = [created.VersionId!];
  for (let i = 0; i < rotations; i++) {
    versions.push((await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, RotateImmediately: true }))).VersionId!);
  }
  return { name, versions };
}

async function stages(name: string): Promise<Record<string, string[]>> {
  const out = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  return Object.fromEntries(Object.entries(out.VersionIdsToStages ?? {}).map(([id, labels]) => [id, [...(labels ?? [])].sort()]));
}

/** Runs `secret-rotation rollback --endpoint <emulator> <args>`; `confirm` answers the question, if given. */
async function rollback(args: string[], confirm?: CommandIo['confirm']) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io: CommandIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    ...(confirm ? { confirm: (question: string) => (questions.push(question), confirm(question)) } : {}),
  };
  const code = await main(['rollback', '--endpoint', emulator.endpoint, ...args], io);
  const run = { code, out: out.join('\n'), err: err.join('\n'), questions };
  // Never a value: rollback reads version ids and dates only.
  expect(`${run.out}${run.err}`).not.toMatch(/initial-Secret-Value|rotated-/);
  return run;
}

describe('rollback', () => {
  it('moves AWSCURRENT back to AWSPREVIOUS with --yes, showing what moves', async () => {
    const { name, versions } = await secret(1);
    const [previous, current] = versions;
    const run = await rollback(['--secret-id', name, '--yes']);

    expect(run.code).toBe(0);
    expect(await stages(name)).toEqual({ [previous]: ['AWSCURRENT'], [current]: ['AWSPREVIOUS'] });
    expect(run.out).toMatch(new RegExp(`AWSCURRENT moves from version ${current} \\(created \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`));
    expect(run.out).toContain(`to version ${previous} (created`);
    expect(run.out).toContain('WARNING: Rolling back is safe only when the target still accepts the previous');
    expect(run.out).toContain("previous version's password may no longer work on the database");
    expect(run.out).toContain(`Rolled back: AWSCURRENT of ${name} is on version ${previous}; version ${current} is AWSPREVIOUS.`);
    expect(run.questions).toEqual([]);
  });

  it('removes the AWSPENDING a finished rotation left on the current version, so that the next rotation can start', async () => {
    const { name, versions } = await secret(1);
    expect((await stages(name))[versions[1]]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    const run = await rollback(['--secret-id', name, '--yes']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`AWSPENDING, which the last rotation left on version ${versions[1]}, is removed`);
    expect(await stages(name)).toEqual({ [versions[0]]: ['AWSCURRENT'], [versions[1]]: ['AWSPREVIOUS'] });
    await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, RotateImmediately: true }));
    expect(Object.values(await stages(name))).toContainEqual(['AWSCURRENT', 'AWSPENDING']);
  });

  it('asks through confirm, and a yes rolls back', async () => {
    const { name, versions } = await secret(2);
    const run = await rollback(['--secret-id', name], async () => true);
    expect(run.code).toBe(0);
    expect(run.questions).toEqual([`Move AWSCURRENT of ${name} to version ${versions[1]}?`]);
    expect(await stages(name)).toEqual({ [versions[1]]: ['AWSCURRENT'], [versions[2]]: ['AWSPREVIOUS'] });
  });

  it('changes nothing and exits 1 when the answer is no', async () => {
    const { name } = await secret(1);
    const before = await stages(name);
    const run = await rollback(['--secret-id', name], async () => false);
    expect(run.code).toBe(1);
    expect(run.err).toContain('not confirmed. Nothing changed.');
    expect(await stages(name)).toEqual(before);
  });

  it('exits 1 without asking when there is no terminal and no --yes, saying to pass --yes', async () => {
    const { name } = await secret(1);
    const before = await stages(name);
    const run = await rollback(['--secret-id', name]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('there is no terminal to ask for confirmation; pass --yes');
    expect(await stages(name)).toEqual(before);
  });

  it('exits 1 when there is no AWSPREVIOUS', async () => {
    const { name } = await secret(0);
    const run = await rollback(['--secret-id', name, '--yes']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${name} has no version labelled AWSPREVIOUS, so there is nothing to roll back to`);
  });

  it('refuses while a rotation is in progress', async () => {
    const { name } = await secret(1);
    const pending = await emulator.beginRotation(name, { lambdaArn: LAMBDA_ARN });
    const before = await stages(name);
    const run = await rollback(['--secret-id', name, '--yes']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`a rotation of ${name} is in progress (AWSPENDING is on version ${pending})`);
    expect(run.err).toContain(`--version-stage AWSPENDING --remove-from-version-id ${pending}`);
    expect(await stages(name)).toEqual(before);
  });

  it('re-checks after the answer and rolls nothing back when a rotation started while it asked', async () => {
    const { name } = await secret(1);
    let pending = '';
    const run = await rollback(['--secret-id', name], async () => {
      pending = await emulator.beginRotation(name, { lambdaArn: LAMBDA_ARN });
      return true;
    });
    const during = await stages(name);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`the labels of ${name} changed while rollback asked: AWSPENDING was on version`);
    expect(run.err).toContain(`and is now on version ${pending}`);
    expect(run.err).toContain('Nothing changed; run rollback again to see where the labels are now.');
    expect(run.out).not.toContain('Rolled back');
    expect(during[pending]).toEqual(['AWSPENDING']);
  });

  it('exits 4 with the service error for an unknown secret', async () => {
    const run = await rollback(['--secret-id', 'test/no-such-secret', '--yes']);
    expect(run.code).toBe(4);
    expect(run.err).toBe("secret-rotation rollback: Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  });

  it('exits 4 when Secrets Manager cannot be reached', async () => {
    const out: string[] = [];
    const code = await main(['rollback', '--endpoint', 'http://127.0.0.1:1', '--secret-id', 'x', '--yes'], { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(code).toBe(4);
    expect(out.join('\n')).toMatch(/^secret-rotation rollback: Secrets Manager: \w+: .*ECONNREFUSED/);
  });

  it('exits 2 on a bad command line', async () => {
    expect((await rollback([])).err).toContain('--secret-id is required');
    expect((await rollback(['--secret-id', 'x', '--force'])).code).toBe(2);
    const badEndpoint = await main(['rollback', '--secret-id', 'x', '--endpoint', 'not a url'], { out: () => undefined, err: () => undefined });
    expect(badEndpoint).toBe(2);
  });
});
