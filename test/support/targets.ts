import { escapeIdentifier, escapeLiteral } from 'pg';
import { escape as mysqlQuote } from 'mysql2/promise';
import { canLogIn as pgCanLogIn, PostgresServer } from './postgres';
import { MysqlServer } from './mysql';
import { LoginOptions } from './tls';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';

/** The secret's `engine` key, which also says which handlers rotate it. */
export type EngineKind = 'postgres' | 'mysql' | 'redshift';

/**
 * A database server seen the way the rotation tests need it: a master
 * credential, users with a privilege on a fixture table, and checks of
 * who can log in and read.
 */
export interface DatabaseTarget {
  readonly kind: EngineKind;
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly master: { readonly username: string; readonly password: string };
  /** Creates a user that can log in and read the fixture table. */
  createUser(username: string, password: string): Promise<void>;
  /** Sets a user's password as an administrator would (to set up a crash state). */
  setPassword(username: string, password: string): Promise<void>;
  userExists(username: string): Promise<boolean>;
  /** True when the server accepts the credentials; rejects when it cannot tell (e.g. a failed TLS handshake). @default plain TCP */
  canLogIn(username: string, password: string, options?: LoginOptions): Promise<boolean>;
  /** Makes the user able to log in over TLS only; the server must have been started with TLS. */
  requireTls(username: string): Promise<void>;
  /** True when the user can log in and read the fixture table. */
  canRead(username: string, password: string): Promise<boolean>;
}

const FIXTURE = 'rotation_fixture';

/**
 * PostgreSQL, or Redshift played by PostgreSQL: Redshift's SQL for users and
 * groups (CREATE USER, ALTER GROUP … ADD USER, pg_user, pg_group) is accepted
 * by PostgreSQL too. A Redshift user reads the fixture through a group, as
 * Redshift grants privileges; a PostgreSQL user has the grant itself.
 */
export async function postgresTarget(pg: PostgresServer, kind: 'postgres' | 'redshift'): Promise<DatabaseTarget> {
  const group = `${FIXTURE}_readers`;
  await pg.query(`CREATE TABLE IF NOT EXISTS ${FIXTURE} (id int)`);
  if (kind === 'redshift' && !(await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group])).length) {
    await pg.query(`CREATE GROUP ${group}`);
    await pg.query(`GRANT SELECT ON ${FIXTURE} TO GROUP ${group}`);
  }
  return {
    kind,
    host: pg.host,
    port: pg.port,
    dbname: pg.admin.database,
    master: pg.admin,
    async createUser(username, password) {
      await pg.query(`CREATE USER ${escapeIdentifier(username)} WITH PASSWORD ${escapeLiteral(password)}`);
      if (kind === 'redshift') await pg.query(`ALTER GROUP ${group} ADD USER ${escapeIdentifier(username)}`);
      else await pg.query(`GRANT SELECT ON ${FIXTURE} TO ${escapeIdentifier(username)}`);
    },
    async setPassword(username, password) {
      await pg.query(`ALTER USER ${escapeIdentifier(username)} WITH PASSWORD ${escapeLiteral(password)}`);
    },
    async userExists(username) {
      return (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).length > 0;
    },
    canLogIn: (username, password, options) => pgCanLogIn(pg, username, password, pg.admin.database, options),
    requireTls: (username) => pg.requireTls(username),
    async canRead(username, password) {
      const client = new Client({ host: pg.host, port: pg.port, user: username, password, database: pg.admin.database });
      try {
        await client.connect();
        await client.query(`SELECT count(*) FROM ${FIXTURE}`);
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** MariaDB (or MySQL): users are 'name'@'%' and read the fixture through a direct grant. */
export async function mysqlTarget(m: MysqlServer): Promise<DatabaseTarget> {
  const database = 'rotation_fixtures';
  await m.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await m.query(`CREATE TABLE IF NOT EXISTS ${database}.${FIXTURE} (id int)`);
  const account = (username: string) => `${mysqlQuote(username)}@'%'`;
  return {
    kind: 'mysql',
    host: m.host,
    port: m.port,
    dbname: database,
    master: m.admin,
    async createUser(username, password) {
      await m.query(`CREATE USER ${account(username)} IDENTIFIED BY ${mysqlQuote(password)}`);
      await m.query(`GRANT SELECT ON ${database}.${FIXTURE} TO ${account(username)}`);
    },
    async setPassword(username, password) {
      await m.query(`SET PASSWORD FOR ${account(username)} = PASSWORD(${mysqlQuote(password)})`);
    },
    async userExists(username) {
      return (await m.query('SELECT 1 FROM mysql.user WHERE User = ?', [username])).length > 0;
    },
    canLogIn: (username, password, options) => m.canLogIn(username, password, options),
    requireTls: (username) => m.requireTls(username, '%'),
    async canRead(username, password) {
      try {
        const connection = await createConnection({ host: m.host, port: m.port, user: username, password, database });
        try {
          await connection.query(`SELECT count(*) FROM ${FIXTURE}`);
          return true;
        } finally {
          await connection.end();
        }
      } catch {
        return false;
      }
    },
  };
}
