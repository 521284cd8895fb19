import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { findBinary } from './binaries';
import { freePort } from './ports';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** A superuser, for setting up and inspecting the test database. */
  readonly admin: { readonly username: string; readonly password: string; readonly database: string };
  /** Runs SQL as the superuser. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server: PG_URL when it is set (an existing server
 * whose user may create roles), otherwise a new cluster made with initdb in a
 * temp folder and started on a free loopback port with SCRAM authentication.
 * initdb and postgres refuse to run as root, so as root they run as the
 * `postgres` user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (process.env.PG_URL) {
    const url = new URL(process.env.PG_URL);
    return server(url.hostname, Number(url.port || 5432), decodeURIComponent(url.username), decodeURIComponent(url.password), url.pathname.slice(1) || 'postgres', async () => undefined);
  }
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync(findBinary('runuser', 'install util-linux, or run the tests as a user other than root'), ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });

  const dir = mkdtempSync(join(tmpdir(), 'rotation-pg-'));
  const password = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'pwfile'), password, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pwfile'), uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return server('127.0.0.1', port, 'postgres', password, 'postgres', async () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function server(host: string, port: number, username: string, password: string, database: string, stop: () => Promise<void>): PostgresServer {
  return {
    host,
    port,
    admin: { username, password, database },
    async query(sql, params) {
      const client = new Client({ host, port, user: username, password, database });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    stop,
  };
}

/** Where initdb and pg_ctl are: PG_BIN_DIR, or the newest /usr/lib/postgresql/<version>/bin. */
function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql; install postgresql, or set PG_BIN_DIR or PG_URL');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Tries to log in; resolves true when the server accepts the credentials. */
export async function canLogIn(pg: PostgresServer, username: string, password: string, database = 'postgres'): Promise<boolean> {
  const client = new Client({ host: pg.host, port: pg.port, user: username, password, database });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (['28P01', '28000'].includes((error as { code?: string }).code ?? '')) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
