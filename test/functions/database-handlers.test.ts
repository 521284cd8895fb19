import { createHash } from 'node:crypto';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeId } from 'mysql2/promise';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseFixtures, LAMBDA_ARN, useDatabaseFixtures } from '../support/database-fixtures';
import { MD5_CLIENTS_ROLE } from '../support/postgres';
import { DATABASE_HANDLERS, expectNobodyLockedOut, STEPS, unique } from '../support/rotation-harness';

const f = useDatabaseFixtures();

/** A new user name with its first password, which the file's leak check then looks for. */
function credential(prefix: string): { username: string; password: string } {
  const password = `Initial-${unique('pw')}-Password`;
  f.passwords.push(password);
  return { username: unique(prefix), password };
}

/** A user on the handler's server, with a secret for it (naming the master secret for the alternating-users strategy). */
async function userWithSecret(kind: keyof DatabaseFixtures['targets'], strategy: string) {
  const target = f.targets[kind];
  const { username, password } = credential('app_');
  await target.createUser(username, password);
  const masterarn = strategy === 'multi-user' ? f.masters[kind] : undefined;
  const { arn, versionId } = await f.harness.createDatabaseSecret(target, { username, password, ...(masterarn ? { masterarn } : {}) });
  f.secretIds.push(arn);
  return { target, username, password, arn, versionId };
}

describe.each(DATABASE_HANDLERS)('$name', ({ name, kind, strategy }) => {
  it('rotates three times in a row; nobody is locked out after any step, and the credential keeps its privileges', async () => {
    const { target, username, password, arn } = await userWithSecret(kind, strategy);
    const handler = f.harness.handler(name);
    let previous = { username, password };
    for (let round = 1; round <= 3; round += 1) {
      const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
      for (const step of STEPS) {
        await f.harness.invoke(handler, step, arn, token);
        await expectNobodyLockedOut(f.harness, target, arn, strategy, `after ${step} of round ${round}`);
      }
      const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
      const expectedUser = strategy === 'single-user' || round % 2 === 0 ? username : `${username}_clone`;
      expect(current.username).toBe(expectedUser);
      expect(current.password).not.toBe(previous.password);
      expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
      // The alternating-users strategy leaves the previous user working; one user's old password stops.
      expect(await target.canLogIn(previous.username, previous.password)).toBe(strategy === 'multi-user');
      expect((await f.harness.valueAt(arn, 'AWSPREVIOUS'))!.password).toBe(previous.password);
      previous = { username: current.username as string, password: current.password as string };
    }
  });

  it('rotates through RotateSecret, as Secrets Manager invokes it', async () => {
    const { target, arn } = await userWithSecret(kind, strategy);
    f.harness.emulator.registerRotationFunction(`${LAMBDA_ARN}:${name}`, f.harness.handler(name));
    await f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: `${LAMBDA_ARN}:${name}` }));
    expect(f.harness.emulator.rotations.at(-1)).toMatchObject({ secretArn: arn, succeeded: true });
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });

  it('passes the check Secrets Manager runs when a schedule is set without rotating, changing nothing', async () => {
    const { target, username, password, arn, versionId } = await userWithSecret(kind, strategy);
    f.harness.emulator.registerRotationFunction(`${LAMBDA_ARN}:${name}`, f.harness.handler(name));
    await f.harness.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: `${LAMBDA_ARN}:${name}`, RotateImmediately: false }));
    expect(f.harness.emulator.rotations.at(-1)).toMatchObject({ secretArn: arn, succeeded: true, steps: [{ step: 'testSecret' }] });
    expect(await f.harness.stages(arn)).toEqual({ [versionId]: ['AWSCURRENT'] });
    expect(await target.canLogIn(username, password)).toBe(true);
  });
});

describe('mysql-multi-user with a user defined for several hosts', () => {
  it("creates the clone for every host of the original user ('app'@'%', 'app'@'127.0.0.1'), each with that host's grants", async () => {
    const target = f.targets.mysql;
    const { username, password } = credential('hosts_');
    await target.createUser(username, password);
    // The more specific account is the one a connection from 127.0.0.1 gets.
    await f.admin.mysql('CREATE USER ?@? IDENTIFIED BY ?', [username, '127.0.0.1', password]);
    await f.admin.mysql(`GRANT SELECT ON ${target.dbname}.* TO ?@?`, [username, '127.0.0.1']);
    const { arn } = await f.harness.createDatabaseSecret(target, { username, password, masterarn: f.masters.mysql });
    f.secretIds.push(arn);
    const handler = f.harness.handler('mysql-multi-user');
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, token);

    const hosts = await f.admin.mysql('SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host', [`${username}_clone`]);
    expect(hosts.map((row) => row.host)).toEqual(['%', '127.0.0.1']);
    const grants = async (user: string, host: string) =>
      (await f.admin.mysql('SHOW GRANTS FOR ?@?', [user, host])).map((row) => String(Object.values(row)[0]).replace(/ TO .*/, '')).sort();
    for (const host of ['%', '127.0.0.1']) expect(await grants(`${username}_clone`, host)).toEqual(await grants(username, host));
    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(current.username).toBe(`${username}_clone`);
    expect(await target.canLogIn(current.username as string, current.password as string)).toBe(true);
  });
});

describe('PostgreSQL whose password_encryption is md5', () => {
  // pg_hba.conf lets members of MD5_CLIENTS_ROLE log in with md5 on the servers the tests start; PG_URL's is not theirs to set.
  const run = process.env.PG_URL ? it.skip.each : it.each;
  const pg = (sql: string, params?: unknown[]) => f.admin.postgres(sql, params);
  const md5Verifier = (password: string, username: string) => `md5${createHash('md5').update(`${password}${username}`).digest('hex')}`;

  /**
   * Makes `username`'s sessions store new passwords as MD5, as on a server (or
   * an RDS parameter group) left at md5; with `md5Clients`, also lets it log
   * in with md5 and stores its password as MD5, as such a server would have.
   */
  async function onMd5(username: string, password: string, md5Clients: boolean): Promise<void> {
    await pg(`ALTER ROLE ${escapeIdentifier(username)} SET password_encryption = 'md5'`);
    if (!md5Clients) return;
    await pg(`GRANT ${escapeIdentifier(MD5_CLIENTS_ROLE)} TO ${escapeIdentifier(username)}`);
    await pg(`ALTER ROLE ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(md5Verifier(password, username))}`);
  }

  const CASES = [
    { name: 'postgres-single-user', md5Clients: true, stored: 'md5' },
    { name: 'postgres-multi-user', md5Clients: true, stored: 'md5' },
    // pg_hba.conf asks for SCRAM, which an MD5 password cannot answer: a lockout if it were sent.
    { name: 'postgres-single-user', md5Clients: false, stored: 'SCRAM-SHA-256' },
    { name: 'postgres-multi-user', md5Clients: false, stored: 'SCRAM-SHA-256' },
  ] as const;

  run(CASES)('$name, pg_hba.conf md5 for the user: $md5Clients, stores the new password as $stored, and it logs in', async ({ name, md5Clients, stored }) => {
    const target = f.targets.postgres;
    const { username, password } = credential('md5_app_');
    await target.createUser(username, password);
    await onMd5(username, password, md5Clients);
    let masterarn: string | undefined;
    if (name === 'postgres-multi-user') {
      // What counts is the session that sets the password: the master's.
      const master = { username: unique('md5_master_'), password: `Master-${unique('pw')}-Password` };
      f.passwords.push(master.password);
      await pg(`CREATE ROLE ${escapeIdentifier(master.username)} WITH LOGIN SUPERUSER PASSWORD ${escapeLiteral(master.password)}`);
      await onMd5(master.username, master.password, md5Clients);
      masterarn = (await f.harness.createDatabaseSecret(target, master)).arn;
      f.secretIds.push(masterarn);
    }
    const { arn } = await f.harness.createDatabaseSecret(target, { username, password, ...(masterarn ? { masterarn } : {}) });
    f.secretIds.push(arn);
    const handler = f.harness.handler(name);
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, token);

    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    const [row] = await pg('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [current.username]);
    const verifier = String(row?.rolpassword ?? '');
    expect({ user: current.username, stored: verifier.startsWith('md5') ? 'md5' : verifier.split('$')[0] }).toEqual({ user: current.username, stored });
    // MD5 compared with the server's own; SCRAM proven by logging in.
    if (stored === 'md5') expect(verifier).toBe(md5Verifier(current.password as string, current.username as string));
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });
});

describe('mysql-multi-user with privileges through a default role', () => {
  it("gives the clone the original user's role and default role, so it reads what the original reads", async () => {
    const target = f.targets.mysql;
    const { username, password } = credential('roles_');
    const role = escapeId(unique('reader_role_'));
    await f.admin.mysql(`CREATE ROLE ${role}`);
    await f.admin.mysql(`GRANT SELECT ON ${escapeId(target.dbname)}.* TO ${role}`);
    await f.admin.mysql("CREATE USER ?@'%' IDENTIFIED BY ?", [username, password]);
    await f.admin.mysql(`GRANT ${role} TO ?@'%'`, [username]);
    await f.admin.mysql(`SET DEFAULT ROLE ${role} FOR ?@'%'`, [username]);
    // The original reads the table through its default role, and only so.
    expect(await target.canRead(username, password)).toBe(true);
    const { arn } = await f.harness.createDatabaseSecret(target, { username, password, masterarn: f.masters.mysql });
    f.secretIds.push(arn);
    const handler = f.harness.handler('mysql-multi-user');
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    for (const step of STEPS) await f.harness.invoke(handler, step, arn, token);

    const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(current.username).toBe(`${username}_clone`);
    expect(await target.canRead(current.username as string, current.password as string)).toBe(true);
  });
});

describe('mysql-single-user with a user that has accounts for several hosts', () => {
  /** 'user'@'%' (which this machine logs in through) and 'user'@'10.0.%', which may read mysql.user. */
  async function twoAccounts(otherPassword: (password: string) => string) {
    const target = f.targets.mysql;
    const { username, password } = credential('accounts_');
    await target.createUser(username, password);
    await f.admin.mysql("CREATE USER ?@'10.0.%' IDENTIFIED BY ?", [username, otherPassword(password)]);
    await f.admin.mysql("GRANT SELECT ON mysql.user TO ?@'%'", [username]);
    const { arn } = await f.harness.createDatabaseSecret(target, { username, password });
    f.secretIds.push(arn);
    const token = await f.harness.emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN });
    return { target, username, password, arn, token, handler: f.harness.handler('mysql-single-user') };
  }
  const hashes = async (username: string) =>
    (await f.admin.mysql('SELECT Host AS host, authentication_string AS hash FROM mysql.user WHERE User = ? ORDER BY Host', [username])).map((row) => `${row.host} ${row.hash}`);

  it('refuses in setSecret, changing no account, when another account has the same password', async () => {
    const s = await twoAccounts((password) => password);
    await f.harness.invoke(s.handler, 'createSecret', s.arn, s.token);
    const before = { stages: await f.harness.stages(s.arn), hashes: await hashes(s.username) };
    const error = await f.harness.invoke(s.handler, 'setSecret', s.arn, s.token).then(() => undefined, (e: Error) => e);
    expect({ name: error?.name, message: error?.message }).toEqual({
      name: 'InvalidSecretError',
      message: `user "${s.username}" has other accounts with the same password (hosts "10.0.%"), and the single-user strategy changes only the account it logs in as; the others would keep the old password. Rotate this user with alternating users (mysql-multi-user), which sets every account, or give the other accounts passwords of their own`,
    });
    expect({ stages: await f.harness.stages(s.arn), hashes: await hashes(s.username) }).toEqual(before);
    expect(await s.target.canLogIn(s.username, s.password)).toBe(true);
  });

  it('rotates the account it logs in as when the other accounts have passwords of their own', async () => {
    const s = await twoAccounts((password) => `${password}-other`);
    for (const step of STEPS) await f.harness.invoke(s.handler, step, s.arn, s.token);
    const current = (await f.harness.valueAt(s.arn, 'AWSCURRENT'))!;
    expect(current.password).not.toBe(s.password);
    expect(await s.target.canRead(s.username, current.password as string)).toBe(true);
  });
});
