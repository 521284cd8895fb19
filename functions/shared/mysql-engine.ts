import { randomBytes } from 'node:crypto';
import { Connection, createConnection, escape as quote, SslOptions } from 'mysql2/promise';
import { DatabaseEngine } from './database-rotation';
import { InvalidSecretError, LoginFailedError } from './errors';
import { perCaBundle } from './tls-cache';
import type { UsernameLengthUnit } from './multi-user-rotation';

const CONNECT_TIMEOUT_MS = 5_000;
/** ER_ACCESS_DENIED_ERROR, and ER_ACCOUNT_HAS_BEEN_LOCKED. */
const AUTH_FAILURE_ERRNOS = new Set([1045, 3118]);

/**
 * mysql2's `ssl` options, one object per CA bundle for the process: mysql2
 * builds its secure context (parsing every certificate of the bundle) and
 * keeps resumable TLS sessions per options object, so a new object per
 * connection would rebuild the context on every attempt. mysql2 checks the
 * certificate's host name only with verifyIdentity.
 */
const verifiedSsl = perCaBundle((ca): SslOptions => ({ rejectUnauthorized: true, verifyIdentity: true, ...(ca ? { ca } : {}) }));
const unverifiedSsl = perCaBundle((ca): SslOptions => ({ rejectUnauthorized: false, verifyIdentity: false, ...(ca ? { ca } : {}) }));

/** `'user'@'host'`, quoted by the driver. */
const account = (username: string, host: string) => `${quote(username)}@${quote(host)}`;

/**
 * How to set a password from a plain one: MariaDB and MySQL before 5.7.6
 * take `PASSWORD('…')`; later MySQL takes the plain string (and has no
 * PASSWORD() function).
 */
async function passwordExpression(connection: Connection, password: string): Promise<string> {
  const [rows] = await connection.query('SELECT VERSION() AS version');
  const version = String((rows as Array<{ version: string }>)[0]?.version ?? '');
  const [major, minor, patch] = version.split(/[.-]/).map(Number);
  const legacy = /mariadb/i.test(version) || major < 5 || (major === 5 && (minor < 7 || (minor === 7 && patch < 6)));
  return legacy ? `PASSWORD(${quote(password)})` : quote(password);
}

/** The hosts `username` is defined for: 'app'@'%', 'app'@'10.0.%', ... */
async function hostsOf(connection: Connection, username: string): Promise<string[]> {
  const [rows] = await connection.query('SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host', [username]);
  return (rows as Array<{ host: string }>).map((row) => row.host);
}

/**
 * Rewrites one line of SHOW GRANTS for `from` into the same grant for `to`.
 * Returns undefined for a line that does not name `from` as its grantee.
 * A stored password hash (`IDENTIFIED BY PASSWORD '…'`) is dropped: the new
 * user gets its own password. MariaDB lists a user's default role as
 * `SET DEFAULT ROLE r FOR user`, after the grant of the role: without it, the
 * new user would log in with none of the role's privileges.
 */
export function grantFor(line: string, from: { username: string; host: string }, to: string): string | undefined {
  const backtick = (id: string) => `\`${id.replace(/`/g, '``')}\``;
  const grantees = [`${backtick(from.username)}@${backtick(from.host)}`, account(from.username, from.host)];
  for (const grantee of grantees) {
    if (line.startsWith('SET DEFAULT ROLE ') && line.endsWith(` FOR ${grantee}`)) return `${line.slice(0, -grantee.length)}${to}`;
    const at = line.lastIndexOf(` TO ${grantee}`);
    if (at < 0) continue;
    const rest = line.slice(at + 4 + grantee.length).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '');
    return `${line.slice(0, at)} TO ${to}${rest}`;
  }
  return undefined;
}

/**
 * SET PASSWORD changes one account: the one this session logged in as. When
 * the same user has other accounts (`'app'@'10.0.%'` besides `'app'@'%'`)
 * with the same password, their clients would keep the old one and be
 * locked out once the rotation finishes: refuse, before changing anything.
 * Only a user that may read mysql.user can tell; for others nothing is
 * checked (the README says so).
 */
async function refuseSharedPasswordAccounts(connection: Connection, username: string): Promise<void> {
  let rows: Array<{ host: string; same: number | string | null; mine: number | string }>;
  try {
    [rows] = (await connection.query(
      `SELECT u.Host AS host, u.authentication_string = me.authentication_string AS same,
              CONCAT(u.User, '@', u.Host) = CURRENT_USER() AS mine
         FROM mysql.user u
         JOIN mysql.user me ON CONCAT(me.User, '@', me.Host) = CURRENT_USER()
        WHERE u.User = ?
        ORDER BY u.Host`,
      [username],
    )) as unknown as [typeof rows];
  } catch {
    return; // mysql.user is not readable by this user: nothing to tell
  }
  const others = rows.filter((row) => Number(row.mine) !== 1 && Number(row.same) === 1).map((row) => row.host);
  if (others.length > 0) {
    throw new InvalidSecretError(
      `user ${JSON.stringify(username)} has other accounts with the same password (hosts ${others.map((h) => JSON.stringify(h)).join(', ')}), and the single-user strategy changes only the account it logs in as; the others would keep the old password. Rotate this user with alternating users (mysql-multi-user), which sets every account, or give the other accounts passwords of their own`,
    );
  }
}

/** MySQL, MariaDB and Aurora MySQL, over the `mysql2` driver. */
export const mysqlEngine: DatabaseEngine<Connection> & UsernameLengthUnit = {
  name: 'MySQL',
  engines: ['mysql', 'mariadb', 'aurora-mysql', 'aurora'],
  // MySQL 5.7.8+ and Aurora MySQL; MariaDB allows 80 (raise with USERNAME_CHARACTER_LIMIT).
  maxUsernameLength: 32,
  usernameLengthUnit: 'characters',
  async connect(secret, attempt) {
    const connection = await createConnection({
      host: secret.host,
      port: secret.port ?? 3306,
      user: secret.username,
      password: secret.password,
      database: secret.dbname || undefined,
      ssl: attempt.tls ? (attempt.verify === false ? unverifiedSsl(attempt.ca) : verifiedSsl(attempt.ca)) : undefined,
      connectTimeout: CONNECT_TIMEOUT_MS,
      multipleStatements: false,
    });
    // A dropped connection must surface as a rejected query, not crash the Lambda.
    connection.on('error', () => undefined);
    try {
      // The driver escapes quotes with backslashes; make sure the session reads them that way.
      await connection.query("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  },
  isAuthenticationFailure(error) {
    return AUTH_FAILURE_ERRNOS.has((error as { errno?: number })?.errno ?? 0);
  },
  isTlsUnavailable(error) {
    // mysql2's error when the server's handshake offers no TLS.
    return (error as { code?: string })?.code === 'HANDSHAKE_NO_SSL_SUPPORT';
  },
  async setPassword(connection, username, password) {
    await refuseSharedPasswordAccounts(connection, username);
    // SET PASSWORD without FOR changes the session user's own password, which
    // every user may do; on MariaDB ALTER USER would need CREATE USER.
    await connection.query(`SET PASSWORD = ${await passwordExpression(connection, password)}`);
  },
  async setAlternateUser(connection, { username, password, template }) {
    const hosts = await hostsOf(connection, template);
    if (hosts.length === 0) throw new LoginFailedError(`user ${JSON.stringify(template)} does not exist, so its privileges cannot be copied`);
    const expression = await passwordExpression(connection, password);
    for (const host of hosts) {
      const target = account(username, host);
      if (!(await hostsOf(connection, username)).includes(host)) {
        // A throwaway password until the grants are in: the pending password
        // must not log in before the user has its privileges.
        await connection.query(`CREATE USER ${target} IDENTIFIED BY ${quote(randomBytes(24).toString('base64url'))}`);
      }
      // Copied every time, so grants added to the current user since the
      // last rotation follow it to the other one.
      const [rows] = await connection.query(`SHOW GRANTS FOR ${account(template, host)}`);
      for (const row of rows as Array<Record<string, string>>) {
        const grant = grantFor(Object.values(row)[0], { username: template, host }, target);
        if (grant) await connection.query(grant);
      }
      await connection.query(`SET PASSWORD FOR ${target} = ${expression}`);
    }
  },
  async check(connection, secret) {
    const [rows] = await connection.query('SELECT CURRENT_USER() AS user');
    const current = String((rows as Array<{ user: string }>)[0]?.user ?? '');
    if (current.slice(0, current.lastIndexOf('@')) !== secret.username) {
      throw new LoginFailedError(`logged in as ${JSON.stringify(current)} instead of ${JSON.stringify(secret.username)}`);
    }
  },
  async close(connection) {
    await connection.end();
  },
};
