import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startMysql, MysqlServer } from './mysql';
import { PostgresServer, startPostgres } from './postgres';
import { RotationHarness, startRotationHarness, unique } from './rotation-harness';
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
