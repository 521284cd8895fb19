import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startMysql, MysqlServer } from './mysql';
import { PostgresServer, startPostgres } from './postgres';
import { expectNoSecretLeaked, RotationHarness, startRotationHarness, unique } from './rotation-harness';
import { DatabaseTarget, EngineKind, mysqlTarget, postgresTarget } from './targets';

export const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:rotation-under-test';

/** One PostgreSQL and one MariaDB server, the targets on them, and a master secret per target. */
export interface DatabaseFixtures {
  readonly harness: RotationHarness;
  readonly targets: Record<EngineKind, DatabaseTarget>;
  /** ARN of the master secret for each target. */
  readonly masters: Record<EngineKind, string>;
  /** Every secret the tests created, for the leak check. */
  readonly secretIds: string[];
  /** Runs SQL as the administrator of the server behind each kind of target. */
  readonly admin: Record<EngineKind, (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>>;
  stop(): Promise<void>;
}

/** Starts the servers and the harness once per test file. */
export async function startDatabaseFixtures(): Promise<DatabaseFixtures> {
  const started = await Promise.allSettled([startPostgres(), startMysql(), startRotationHarness()] as const);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // Stop what did start, or its processes keep the test run alive.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  const [pg, mysql, harness] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PostgresServer, MysqlServer, RotationHarness];
  const targets: Record<EngineKind, DatabaseTarget> = {
    postgres: await postgresTarget(pg, 'postgres'),
    redshift: await postgresTarget(pg, 'redshift'),
    mysql: await mysqlTarget(mysql),
  };
  const secretIds: string[] = [];
  const masters = {} as Record<EngineKind, string>;
  for (const [kind, target] of Object.entries(targets) as Array<[EngineKind, DatabaseTarget]>) {
    const value = { engine: kind, host: target.host, port: target.port, dbname: target.dbname, ...target.master };
    const out = await harness.sm.send(new CreateSecretCommand({ Name: unique(`test/master/${kind}/`), SecretString: JSON.stringify(value) }));
    masters[kind] = out.ARN!;
    secretIds.push(out.ARN!);
  }
  return {
    harness,
    targets,
    masters,
    secretIds,
    admin: { postgres: (sql, params) => pg.query(sql, params), redshift: (sql, params) => pg.query(sql, params), mysql: (sql, params) => mysql.query(sql, params) },
    async stop() {
      await Promise.all([harness.stop(), pg.stop(), mysql.stop()]);
    },
  };
}

/** The fixtures of a test file, and the passwords its tests made that the leak check must look for. */
export interface FileFixtures extends DatabaseFixtures {
  readonly passwords: string[];
}

/**
 * Starts the fixtures before a test file's tests (then runs `setup`), and
 * after them checks that no password the file saw (those pushed to
 * `passwords`, the masters', and every version of every listed secret)
 * appears in any log line or error, then stops everything. The returned
 * object is filled in by beforeAll: use it inside tests only.
 */
export function useDatabaseFixtures(setup?: (f: FileFixtures) => Promise<void>): FileFixtures {
  const holder = { passwords: [] as string[] } as unknown as FileFixtures;
  beforeAll(async () => {
    Object.assign(holder, await startDatabaseFixtures());
    holder.passwords.push(...Object.values(holder.targets).map((t) => t.master.password));
    await setup?.(holder);
  });
  afterAll(async () => {
    if (!holder.harness) return;
    try {
      expectNoSecretLeaked(holder.harness, [...holder.passwords, ...(await holder.harness.allPasswords(holder.secretIds))]);
    } finally {
      await holder.stop();
    }
  });
  return holder;
}
