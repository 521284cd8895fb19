import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { LAMBDA_ARN, useDatabaseFixtures } from '../support/database-fixtures';
import { DATABASE_HANDLERS, expectNobodyLockedOut, STEPS, unique } from '../support/rotation-harness';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { EngineKind } from '../support/targets';

const proxies: TcpProxy[] = [];
afterAll(() => Promise.all(proxies.map((p) => p.stop())));
const f = useDatabaseFixtures();

afterEach(() => f.harness?.emulator.faults.clear());

/**
 * A user and its secret. With `proxy`, the secret (and its master secret)
 * reach the server through a TCP proxy that the test can take down.
 */
async function userWithSecret(kind: EngineKind, strategy: string, options: { proxy?: boolean } = {}) {
  const target = f.targets[kind];
  const username = unique('fault_');
  const password = `Initial-${unique('pw')}-Password`;
  f.passwords.push(password);
  await target.createUser(username, password);
  let proxy: TcpProxy | undefined;
  let address = {};
  let masterarn = f.masters[kind];
  if (options.proxy) {
    proxy = await startTcpProxy(target.host, target.port);
    proxies.push(proxy);
    address = { host: proxy.host, port: proxy.port };
    const master = { engine: kind, dbname: target.dbname, ...target.master, ...address };
    masterarn = (await f.harness.sm.send(new CreateSecretCommand({ Name: unique('test/master/proxied/'), SecretString: JSON.stringify(master) }))).ARN!;
    f.secretIds.push(masterarn);
  }
  const { arn } = await f.harness.createDatabaseSecret(target, { username, password, ...address, ...(strategy === 'multi-user' ? { masterarn } : {}) });
  f.secretIds.push(arn);
  return { target, username, password, arn, proxy };
}

describe.each(DATABASE_HANDLERS)('$name', ({ name, kind, strategy }) => {
  it.each(['setSecret', 'testSecret'] as const)('fails clearly when the database is down during %s, and completes once it is back', async (downAt) => {
    const { target, username, password, arn, proxy } = await userWithSecret(kind, strategy, { proxy: true });
    const handler = f.harness.handler(name);
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) {
      if (step === downAt) {
        await proxy!.down();
        const error = await f.harness.invoke(handler, step, arn, token).then(() => undefined, (e: Error) => e);
        expect(error?.name).toBe('TargetUnreachableError');
        expect(error?.message).toMatch(new RegExp(`^could not connect to \\w+ at 127\\.0\\.0\\.1:${proxy!.port} \\(.*ECONNREFUSED`));
        await proxy!.up();
        break;
      }
      await f.harness.invoke(handler, step, arn, token);
    }
    await expectNobodyLockedOut(f.harness, target, arn, strategy, `with the database back after failing ${downAt}`);
    if (downAt === 'setSecret') expect(await target.canLogIn(username, password)).toBe(true);
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, token);
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });

  it('lets one of two rotations started together finish and refuses the other, locking nobody out', async () => {
    const { target, arn } = await userWithSecret(kind, strategy);
    const lambdaArn = `${LAMBDA_ARN}:concurrent:${name}`;
    f.harness.emulator.registerRotationFunction(lambdaArn, f.harness.handler(name));
    const outcomes = await Promise.allSettled([
      f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: lambdaArn })),
      f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: lambdaArn })),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as Error;
    expect(refused.name).toBe('InvalidRequestException');
    expect(f.harness.emulator.rotations.at(-1)).toMatchObject({ secretArn: arn, succeeded: true });
    await expectNobodyLockedOut(f.harness, target, arn, strategy, 'after two rotations started together');
  });

  it('refuses a rotation started while a previous one is unfinished, and the retried one completes', async () => {
    const { target, arn } = await userWithSecret(kind, strategy);
    const handler = f.harness.handler(name);
    const first = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    await f.harness.invoke(handler, 'createSecret', arn, first);
    await f.harness.invoke(handler, 'setSecret', arn, first);
    const lambdaArn = `${LAMBDA_ARN}:unfinished:${name}`;
    f.harness.emulator.registerRotationFunction(lambdaArn, handler);
    const refused = await f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: lambdaArn })).then(() => undefined, (e: Error) => e);
    expect(refused?.name).toBe('InvalidRequestException');
    await expectNobodyLockedOut(f.harness, target, arn, strategy, 'after the refused rotation');
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, first);
    await expectNobodyLockedOut(f.harness, target, arn, strategy, 'after the first rotation finished');
  });

  it('comes to no harm when the same step runs twice at once (overlapping retries)', async () => {
    const { target, arn } = await userWithSecret(kind, strategy);
    const handler = f.harness.handler(name);
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) {
      const results = await Promise.allSettled([f.harness.invoke(handler, step, arn, token), f.harness.invoke(handler, step, arn, token)]);
      // Two createSecret calls race to store a value: one may be refused (ResourceExistsException); the stored one wins.
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      await expectNobodyLockedOut(f.harness, target, arn, strategy, `after ${step} ran twice at once`);
    }
    expect((await f.harness.stages(arn))[token]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });
});

// Retries of Secrets Manager calls live in the shared protocol and the SDK, the same for every engine:
// one handler per strategy is enough, and the SDK's backoff makes each case take seconds.
describe.each(DATABASE_HANDLERS.filter((h) => h.name === 'postgres-single-user' || h.name === 'mysql-multi-user'))('$name', ({ name, kind, strategy }) => {
  it('completes a rotation through throttling and 5xx answers from Secrets Manager, which the SDK retries', async () => {
    const { target, arn } = await userWithSecret(kind, strategy);
    const faults = f.harness.emulator.faults;
    faults.throttle(2, 'DescribeSecret');
    faults.inject({ operation: 'GetSecretValue', after: 1, times: 2, error: 'InternalServiceError' });
    faults.throttle(1, 'GetRandomPassword');
    faults.inject({ operation: 'PutSecretValue', times: 2, error: 'InternalServiceError' });
    faults.throttle(2, 'UpdateSecretVersionStage');
    const lambdaArn = `${LAMBDA_ARN}:faults:${name}`;
    f.harness.emulator.registerRotationFunction(lambdaArn, f.harness.handler(name));
    await f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: lambdaArn }));
    expect(f.harness.emulator.rotations.at(-1)).toMatchObject({ secretArn: arn, succeeded: true });
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });
});
