import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { findBinary } from './binaries';
import { freePort } from './ports';
import { LoginOptions, ServerCertificate, writeServerCertificate } from './tls';

/** The group role whose members pg_hba.conf refuses over plain TCP, on a server started with `tls`. */
export const TLS_REQUIRED_ROLE = 'tls_required';
/**
 * The group role whose members log in with the `md5` method (which takes an
 * MD5 or a SCRAM password), on a server this module starts; everyone else
 * with `scram-sha-256`, which takes a SCRAM password only.
 */
export const MD5_CLIENTS_ROLE = 'md5_clients';

export interface PostgresOptions {
  /**
   * Serve TLS with this certificate, and refuse plain TCP connections from
   * members of TLS_REQUIRED_ROLE (see `requireTls`). Such a server is always
   * a new throwaway one: PG_URL is not used, as its certificate and
   * pg_hba.conf are not the test's to choose.
   * @default no TLS
   */
  readonly tls?: ServerCertificate;
}

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** A superuser, for setting up and inspecting the test database. */
  readonly admin: { readonly username: string; readonly password: string; readonly database: string };
  /** Runs SQL as the superuser. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Makes `username` able to log in over TLS only. Rejects unless the server was started with `tls`. */
  requireTls(username: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server: PG_URL when it is set (an existing server
 * whose user may create roles), otherwise a new cluster made with initdb in a
 * temp folder and started on a free loopback port with SCRAM authentication.
 * initdb and postgres refuse to run as root, so as root they run as the
 * `postgres` user.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const { tls } = options;
  if (process.env.PG_URL && !tls) {
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
  const owner = asRoot ? postgresIds() : undefined;
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(join(dir, 'pwfile'), owner.uid, owner.gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  prependHba(data, `host all +${MD5_CLIENTS_ROLE} all md5`);
  // After the md5 line, so that its refusal comes first.
  if (tls) enableTls(dir, data, tls, owner);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const stop = async () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const started = server('127.0.0.1', port, 'postgres', password, 'postgres', stop, !!tls);
  try {
    await started.query(`CREATE ROLE ${escapeIdentifier(MD5_CLIENTS_ROLE)} NOLOGIN`);
    if (tls) await started.query(`CREATE ROLE ${escapeIdentifier(TLS_REQUIRED_ROLE)} NOLOGIN`);
  } catch (error) {
    await stop();
    throw error;
  }
  return started;
}

/**
 * Turns TLS on with `certificate`, and puts a line first in pg_hba.conf
 * (before initdb's `host` lines, which would otherwise match first) that
 * refuses plain TCP to members of TLS_REQUIRED_ROLE. The role itself is
 * created once the server runs; until then the line matches nobody.
 */
function enableTls(dir: string, data: string, certificate: ServerCertificate, owner?: { uid: number; gid: number }): void {
  const { certFile, keyFile } = writeServerCertificate(dir, certificate, owner);
  appendFileSync(join(data, 'postgresql.conf'), `\nssl = on\nssl_cert_file = '${certFile}'\nssl_key_file = '${keyFile}'\n`);
  prependHba(data, `hostnossl all +${TLS_REQUIRED_ROLE} all reject`);
}

/** Puts `line` first in pg_hba.conf, before initdb's lines, which would otherwise match first. The role it names is created once the server runs. */
function prependHba(data: string, line: string): void {
  const hba = join(data, 'pg_hba.conf');
  // Overwriting an existing file keeps its owner, so this works as root too.
  writeFileSync(hba, `${line}\n${readFileSync(hba, 'utf8')}`);
}

function server(host: string, port: number, username: string, password: string, database: string, stop: () => Promise<void>, tls = false): PostgresServer {
  const self: PostgresServer = {
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
    async requireTls(name) {
      if (!tls) throw new Error('requireTls needs a server started with startPostgres({ tls })');
      await self.query(`GRANT ${escapeIdentifier(TLS_REQUIRED_ROLE)} TO ${escapeIdentifier(name)}`);
    },
    stop,
  };
  return self;
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

/** The `ssl` option of `pg` for a test client. */
export function pgTls(options: LoginOptions = {}): { rejectUnauthorized: boolean; ca?: string } | undefined {
  if (!options.tls) return undefined;
  // With rejectUnauthorized, pg has tls.connect check the host name too.
  return { rejectUnauthorized: options.tls === 'verify', ...(options.ca ? { ca: options.ca } : {}) };
}

/**
 * Tries to log in; resolves true when the server accepts the credentials,
 * false when it refuses them (or pg_hba.conf refuses the connection), and
 * rejects on anything else, such as a failed TLS handshake.
 */
export async function canLogIn(pg: PostgresServer, username: string, password: string, database = 'postgres', options: LoginOptions = {}): Promise<boolean> {
  const client = new Client({ host: pg.host, port: pg.port, user: username, password, database, ssl: pgTls(options) });
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
