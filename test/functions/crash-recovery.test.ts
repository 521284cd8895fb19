import { randomBytes } from 'node:crypto';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { escape as mysqlQuote } from 'mysql2/promise';
import { LAMBDA_ARN, useDatabaseFixtures } from '../support/database-fixtures';
import { DATABASE_HANDLERS, expectNobodyLockedOut, Step, STEPS, Strategy, unique } from '../support/rotation-harness';
import { EngineKind } from '../support/targets';

const f = useDatabaseFixtures();

/** Where the Lambda dies. `halfway`: inside setSecret, after the database changed but before the step returned. */
const CRASH_POINTS: ReadonlyArray<{ readonly label: string; readonly after: Step; readonly halfway?: boolean }> = [
  { label: 'right after createSecret', after: 'createSecret' },
  { label: 'halfway through setSecret', after: 'setSecret', halfway: true },
  { label: 'right after setSecret', after: 'setSecret' },
  { label: 'right after testSecret', after: 'testSecret' },
  { label: 'right after finishSecret', after: 'finishSecret' },
];

/**
 * What the database looks like when setSecret dies halfway: with one user,
 * its password is already the pending one; with alternating users, the
 * other user exists (with a password nobody knows) but has no privilege yet.
 */
async function crashHalfwayThroughSetSecret(kind: EngineKind, strategy: Strategy, pending: Record<string, unknown>): Promise<void> {
  const username = pending.username as string;
  if (strategy === 'single-user') return f.targets[kind].setPassword(username, pending.password as string);
  const unknown = `Aa1-${randomBytes(12).toString('hex')}`;
  if (kind === 'mysql') await f.admin.mysql(`CREATE USER ${mysqlQuote(username)}@'%' IDENTIFIED BY ${mysqlQuote(unknown)}`);
  else await f.admin[kind](`CREATE USER ${escapeIdentifier(username)} WITH PASSWORD ${escapeLiteral(unknown)}`);
}

describe.each(DATABASE_HANDLERS)('$name', ({ name, kind, strategy }) => {
  it.each(CRASH_POINTS)('completes when the Lambda dies $label and Secrets Manager retries, locking nobody out at any moment', async (crash) => {
    const target = f.targets[kind];
    const username = unique('crash_');
    const password = `Initial-${unique('pw')}-Password`;
    f.passwords.push(password);
    await target.createUser(username, password);
    const { arn } = await f.harness.createDatabaseSecret(target, { username, password, ...(strategy === 'multi-user' ? { masterarn: f.masters[kind] } : {}) });
    f.secretIds.push(arn);
    const handler = f.harness.handler(name);
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });

    for (const step of STEPS) {
      if (crash.halfway && step === crash.after) {
        await crashHalfwayThroughSetSecret(kind, strategy, (await f.harness.valueAt(arn, 'AWSPENDING'))!);
        await expectNobodyLockedOut(f.harness, target, arn, strategy, 'halfway through setSecret');
        break;
      }
      await f.harness.invoke(handler, step, arn, token);
      await expectNobodyLockedOut(f.harness, target, arn, strategy, `after ${step}`);
      if (step === crash.after) break;
    }

    // Secrets Manager retries the rotation from the start, with the same token.
    for (const step of STEPS) {
      await f.harness.invoke(handler, step, arn, token);
      await expectNobodyLockedOut(f.harness, target, arn, strategy, `after the retried ${step}`);
    }
    expect((await f.harness.stages(arn))[token]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);

    // The next rotation starts from a healthy state.
    const next = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, next);
    const after = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(after.username as string, after.password as string)).toBe(true);
  });
});

describe('mysql-multi-user, with the original user defined for two hosts', () => {
  it('sets the pending password of every host account when the Lambda died between two of them', async () => {
    const username = unique('hosts_');
    const password = `Initial-${unique('pw')}-Password`;
    f.passwords.push(password);
    await f.targets.mysql.createUser(username, password);
    const other = `${mysqlQuote(username)}@'10.0.%'`;
    await f.admin.mysql(`CREATE USER ${other} IDENTIFIED BY ${mysqlQuote(password)}`);
    await f.admin.mysql(`GRANT SELECT ON rotation_fixtures.* TO ${other}`);
    const { arn } = await f.harness.createDatabaseSecret(f.targets.mysql, { username, password, masterarn: f.masters.mysql });
    f.secretIds.push(arn);
    const handler = f.harness.handler('mysql-multi-user');
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    await f.harness.invoke(handler, 'createSecret', arn, token);
    const pending = (await f.harness.valueAt(arn, 'AWSPENDING'))!;
    const clone = pending.username as string;

    // setSecret died after the first account ('%', which this machine logs in
    // through) got the pending password, before the second ('10.0.%') did.
    const unknown = `Aa1-${randomBytes(12).toString('hex')}`;
    for (const [host, secret] of [['%', pending.password as string], ['10.0.%', unknown]]) {
      await f.admin.mysql(`CREATE USER ${mysqlQuote(clone)}@${mysqlQuote(host)} IDENTIFIED BY ${mysqlQuote(secret)}`);
      await f.admin.mysql(`GRANT SELECT ON rotation_fixtures.* TO ${mysqlQuote(clone)}@${mysqlQuote(host)}`);
    }

    // The retry: the pending password already logs in here, which must not be taken for done.
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, token);
    const accounts = await f.admin.mysql('SELECT Host AS host, authentication_string = PASSWORD(?) AS pending FROM mysql.user WHERE User = ? ORDER BY Host', [
      pending.password,
      clone,
    ]);
    expect(accounts.map((a) => ({ host: a.host, pending: Number(a.pending) }))).toEqual([
      { host: '%', pending: 1 },
      { host: '10.0.%', pending: 1 },
    ]);
  });
});
