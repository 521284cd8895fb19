import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseSecret, TlsAttempt } from './database-secret';
import { DatabaseEngine } from './database-rotation';
import { LoginFailedError } from './errors';
import { secureContextFor } from './tls-cache';

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 10_000;
/**
 * SQLSTATE of a wrong password (invalid_password). 28000, which pg_hba.conf
 * gives when it refuses a connection (say, plain TCP to a server that
 * requires TLS), is not one: trying other passwords would not help.
 */
const AUTH_FAILURE_CODES = new Set(['28P01']);

/** Opens a `pg` connection: shared by PostgreSQL and Redshift, which speak the same protocol. */
export async function connectPg(secret: DatabaseSecret, attempt: TlsAttempt, defaults: { port: number; dbname: string }): Promise<Client> {
  const client = new Client({
    host: secret.host,
    port: secret.port ?? defaults.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname || defaults.dbname,
    ssl: attempt.tls
      ? {
          rejectUnauthorized: attempt.verify !== false,
          // SNI takes host names only; Node still checks an IP address against the certificate.
          ...(isIP(secret.host) ? {} : { servername: secret.host }),
          // Built once per CA bundle, not on every connection (pg passes it on to tls.connect).
          secureContext: secureContextFor(attempt.ca),
        }
      : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'secret-rotation',
  });
  // A dropped connection must surface as a rejected query, not crash the Lambda.
  client.on('error', () => undefined);
  // How the server asked for the password: the form of the verifier it holds
  // for this user (an MD5 one cannot answer SCRAM), as pg_hba.conf allows it.
  // `connection` and its events are pg's own (8.x); were they ever to go,
  // nothing is recorded and passwordClause sends SCRAM, as it always did.
  const protocol = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  protocol.once('authenticationMD5Password', () => authentications.set(client, 'md5'));
  protocol.once('authenticationSASL', () => authentications.set(client, 'scram'));
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

const authentications = new WeakMap<Client, 'md5' | 'scram'>();

export const isPgAuthenticationFailure = (error: unknown) => AUTH_FAILURE_CODES.has((error as { code?: string })?.code ?? '');

/** `pg`'s error when the server answers the TLS request with "no" (ssl = off). */
export const isPgTlsUnavailable = (error: unknown) => error instanceof Error && error.message === 'The server does not support SSL connections';

/** Checks that the session's user is the secret's. */
export async function checkPgUser(client: Client, secret: DatabaseSecret): Promise<void> {
  const result = await client.query<{ user: string }>('SELECT current_user AS user');
  if (result.rows[0]?.user !== secret.username) {
    throw new LoginFailedError(`logged in as ${JSON.stringify(result.rows[0]?.user)} instead of ${JSON.stringify(secret.username)}`);
  }
}

/**
 * `PASSWORD '…'` for `username`, as a verifier computed here: SCRAM-SHA-256,
 * which logs in wherever pg_hba.conf says `scram-sha-256` or `md5`; or MD5
 * when the session's password_encryption is md5 (the default before
 * PostgreSQL 14) and this very login answered an MD5 challenge, which the
 * server only sends where pg_hba.conf says `md5` and the stored password is
 * MD5 already. There, clients may be ones that cannot do SCRAM (an older
 * PgBouncer, driver or libpq), which a SCRAM password would lock out; and
 * anywhere else an MD5 one could be refused.
 */
async function passwordClause(client: Client, username: string, password: string): Promise<string> {
  let encryption = 'scram-sha-256';
  if (authentications.get(client) === 'md5') {
    const result = await client.query<{ password_encryption: string }>('SHOW password_encryption');
    if (['md5', 'on'].includes(result.rows[0]?.password_encryption ?? '')) encryption = 'md5';
  }
  return `PASSWORD ${escapeLiteral(passwordForServer(password, username, encryption))}`;
}

/**
 * PostgreSQL (and Aurora PostgreSQL), over the `pg` driver. Passwords are
 * sent to the server as verifiers (SCRAM-SHA-256, or MD5 where the server
 * and this user are still on MD5: see passwordClause), so the plain password
 * never appears in the server's statement log or in pg_stat_statements.
 */
export const postgresEngine: DatabaseEngine<Client> = {
  name: 'PostgreSQL',
  engines: ['postgres', 'postgresql', 'aurora-postgresql'],
  // NAMEDATALEN - 1
  maxUsernameLength: 63,
  connect: (secret, attempt) => connectPg(secret, attempt, { port: 5432, dbname: 'postgres' }),
  isAuthenticationFailure: isPgAuthenticationFailure,
  isTlsUnavailable: isPgTlsUnavailable,
  async setPassword(client, username, password) {
    await client.query(`ALTER ROLE ${escapeIdentifier(username)} WITH ${await passwordClause(client, username, password)}`);
  },
  async setAlternateUser(client, { username, password, template }) {
    // One transaction: the user, its membership of the template role (which
    // gives it the template's privileges now and whatever is granted later,
    // as AWS's template does) and its password appear together or not at all.
    await client.query('BEGIN');
    try {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
      if (!exists.rowCount) await client.query(`CREATE ROLE ${escapeIdentifier(username)} WITH LOGIN`);
      // A user made by hand, or by an older version, may lack the membership.
      // Switching back to the original user, the template is the clone, a
      // member of the original already: granting would make a cycle.
      const membership = await client.query<{ member: boolean; reverse: boolean }>(
        "SELECT pg_has_role($1, $2, 'MEMBER') AS member, pg_has_role($2, $1, 'MEMBER') AS reverse",
        [username, template],
      );
      if (!membership.rows[0].member && !membership.rows[0].reverse) {
        await client.query(`GRANT ${escapeIdentifier(template)} TO ${escapeIdentifier(username)}`);
      }
      await client.query(`ALTER ROLE ${escapeIdentifier(username)} WITH LOGIN ${await passwordClause(client, username, password)}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  },
  check: checkPgUser,
  async close(client) {
    await client.end();
  },
};

/**
 * What to send as `username`'s new password, given the server's
 * `password_encryption`, as libpq's PQencryptPasswordConn makes it:
 * - `scram-sha-256` (the default): the SCRAM-SHA-256 verifier (RFC 5802,
 *   4096 iterations, a new salt each time). PostgreSQL SASLprep-normalizes
 *   only non-ASCII passwords, so those are sent as they are and hashed by the
 *   server;
 * - `md5` (or `on`, its name before PostgreSQL 10): `md5` and the MD5 of the
 *   password followed by the user name;
 * - anything else: the password as it is, for the server to store as it is
 *   configured to.
 */
export function passwordForServer(password: string, username: string, encryption = 'scram-sha-256'): string {
  if (encryption === 'md5' || encryption === 'on') return `md5${createHash('md5').update(`${password}${username}`, 'utf8').digest('hex')}`;
  if (encryption !== 'scram-sha-256' || !/^[\x01-\x7f]*$/.test(password)) return password;
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
