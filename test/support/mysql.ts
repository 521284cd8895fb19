import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection, Connection, ConnectionOptions } from 'mysql2/promise';
import { findBinary } from './binaries';
import { freePort } from './ports';
import { LoginOptions, ServerCertificate, writeServerCertificate } from './tls';

const binary = (name: string) => findBinary(name, 'install mariadb-server (apt-get install -y mariadb-server), or set MYSQL_URL');

export interface MysqlServer {
  readonly host: string;
  readonly port: number;
  /** A user with every privilege and GRANT OPTION, reachable over TCP from 127.0.0.1. */
  readonly admin: { readonly username: string; readonly password: string };
  /** Runs SQL as the admin user; `?` placeholders are filled by mysql2. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /**
   * Resolves true when the server accepts these credentials, false when it
   * refuses them; rejects on anything else, such as a failed TLS handshake.
   */
  canLogIn(username: string, password: string, options?: LoginOptions): Promise<boolean>;
  /** Makes 'username'@'host' able to log in over TLS only (REQUIRE SSL). Rejects unless the server was started with `tls`. */
  requireTls(username: string, host?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface MysqlOptions {
  /**
   * Serve TLS with this certificate. Such a server is always a new
   * throwaway one: MYSQL_URL is not used, as its certificate is not the
   * test's to choose.
   * @default no TLS
   */
  readonly tls?: ServerCertificate;
}

/** The `ssl` option of `mysql2` for a test client. */
export function mysqlTls(options: LoginOptions = {}): { rejectUnauthorized: boolean; verifyIdentity: boolean; ca?: string } | undefined {
  if (!options.tls) return undefined;
  const verify = options.tls === 'verify';
  // mysql2 checks the host name only when asked to, with verifyIdentity.
  return { rejectUnauthorized: verify, verifyIdentity: verify, ...(options.ca ? { ca: options.ca } : {}) };
}

const ACCESS_DENIED = 1045;

/**
 * A throwaway MariaDB server: MYSQL_URL when it is set (an existing server
 * whose user may create users and grant), otherwise a new data directory made
 * with mariadb-install-db in a temp folder and mariadbd started on a free
 * loopback port (as root, with --user=root).
 */
export async function startMysql(options: MysqlOptions = {}): Promise<MysqlServer> {
  const { tls } = options;
  if (process.env.MYSQL_URL && !tls) {
    const url = new URL(process.env.MYSQL_URL);
    return server(url.hostname, Number(url.port || 3306), decodeURIComponent(url.username), decodeURIComponent(url.password), async () => undefined);
  }
  const dir = mkdtempSync(join(tmpdir(), 'rotation-mysql-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  execFileSync(binary('mariadb-install-db'), ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  const port = await freePort();
  const certificate = tls ? writeServerCertificate(dir, tls) : undefined;
  const child = spawn(
    binary('mariadbd'),
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--innodb-flush-log-at-trx-commit=0',
      ...(certificate ? [`--ssl-cert=${certificate.certFile}`, `--ssl-key=${certificate.keyFile}`] : []),
    ],
    { stdio: 'ignore' },
  );
  const stop = () => stopProcess(child, dir);
  try {
    const root = await waitForSocket(socket, child);
    const password = randomBytes(18).toString('base64url');
    await root.query('CREATE USER ?@? IDENTIFIED BY ?', ['admin', '%', password]);
    await root.query("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION");
    await root.end();
    return server('127.0.0.1', port, 'admin', password, stop, !!tls);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForSocket(socketPath: string, child: ChildProcess): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}; see its error.log`);
    try {
      return await createConnection({ socketPath, user: 'root' });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGKILL');
  });
}

function server(host: string, port: number, username: string, password: string, stop: () => Promise<void>, tls = false): MysqlServer {
  const connect = (options: ConnectionOptions) => createConnection({ host, port, connectTimeout: 5000, ...options });
  const self: MysqlServer = {
    host,
    port,
    admin: { username, password },
    async query(sql, params) {
      const connection = await connect({ user: username, password });
      try {
        const [rows] = await connection.query(sql, params);
        return rows as Array<Record<string, unknown>>;
      } finally {
        await connection.end();
      }
    },
    async canLogIn(user, pw, options = {}) {
      try {
        const connection = await connect({ user, password: pw, ssl: mysqlTls(options) });
        await connection.end();
        return true;
      } catch (error) {
        if ((error as { errno?: number }).errno === ACCESS_DENIED) return false;
        throw error;
      }
    },
    async requireTls(user, userHost = '%') {
      if (!tls) throw new Error('requireTls needs a server started with startMysql({ tls })');
      await self.query('ALTER USER ?@? REQUIRE SSL', [user, userHost]);
    },
    stop,
  };
  return self;
}
