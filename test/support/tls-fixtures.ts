import { randomBytes } from 'node:crypto';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { MysqlServer, startMysql } from './mysql';
import { PostgresServer, startPostgres } from './postgres';
import { RotationHarness, startRotationHarness, unique } from './rotation-harness';
import { DatabaseTarget, EngineKind, mysqlTarget, postgresTarget } from './targets';
import { makeSelfSignedCertificate, SelfSignedCertificate } from './tls';

type Credential = { readonly username: string; readonly password: string };

/**
 * PostgreSQL and MariaDB serving TLS with one self-signed certificate, the
 * targets on them (Redshift played by the PostgreSQL server), and on each
 * server a master user that may log in over TLS only.
 */
export interface TlsFixtures {
  readonly certificate: SelfSignedCertificate;
  readonly harness: RotationHarness;
  readonly targets: Record<EngineKind, DatabaseTarget>;
  /** A master (superuser, or every privilege with GRANT OPTION) that the server refuses over plain TCP. */
  readonly tlsMasters: Record<EngineKind, Credential>;
  /** Every secret the tests created, for the leak check. */
  readonly secretIds: string[];
  /** Every password the tests set up outside Secrets Manager's rotations (initial and master ones), for the leak check. */
  readonly passwords: string[];
  stop(): Promise<void>;
}

/** Starts everything once per test file. */
export async function startTlsFixtures(): Promise<TlsFixtures> {
  const certificate = makeSelfSignedCertificate();
  const started = await Promise.allSettled([startPostgres({ tls: certificate }), startMysql({ tls: certificate }), startRotationHarness()] as const);
  const stopAll = async () => {
    // Stop what did start, or its processes keep the test run alive.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    certificate.remove();
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const [pg, mysql, harness] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PostgresServer, MysqlServer, RotationHarness];
  try {
    const targets: Record<EngineKind, DatabaseTarget> = {
      postgres: await postgresTarget(pg, 'postgres'),
      redshift: await postgresTarget(pg, 'redshift'),
      mysql: await mysqlTarget(mysql),
    };
    const pgMaster = await tlsOnlyPostgresMaster(pg);
    const mysqlMaster = await tlsOnlyMysqlMaster(mysql);
    return {
      certificate,
      harness,
      targets,
      tlsMasters: { postgres: pgMaster, redshift: pgMaster, mysql: mysqlMaster },
      secretIds: [],
      passwords: [pg.admin.password, mysql.admin.password, pgMaster.password, mysqlMaster.password],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function tlsOnlyPostgresMaster(pg: PostgresServer): Promise<Credential> {
  const master = { username: unique('tls_master_'), password: randomBytes(18).toString('base64url') };
  await pg.query(`CREATE ROLE ${escapeIdentifier(master.username)} WITH SUPERUSER LOGIN PASSWORD ${escapeLiteral(master.password)}`);
  await pg.requireTls(master.username);
  return master;
}

async function tlsOnlyMysqlMaster(mysql: MysqlServer): Promise<Credential> {
  const master = { username: unique('tls_master_'), password: randomBytes(18).toString('base64url') };
  await mysql.query('CREATE USER ?@? IDENTIFIED BY ?', [master.username, '%', master.password]);
  await mysql.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.username, '%']);
  await mysql.requireTls(master.username);
  return master;
}
