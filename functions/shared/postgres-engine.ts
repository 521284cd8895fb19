import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseSecret } from './database-secret';
import { DatabaseEngine } from './database-rotation';
import { LoginFailedError } from './errors';

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 10_000;
/** SQLSTATE codes for a refused login: invalid_password, invalid_authorization_specification. */
const AUTH_FAILURE_CODES = new Set(['28P01', '28000']);

/**
 * PostgreSQL, over the `pg` driver. Passwords are sent to the server as
 * SCRAM-SHA-256 verifiers, so the plain password never appears in the
 * server's statement log or in pg_stat_statements.
 */
export const postgresEngine: DatabaseEngine<Client> = {
  name: 'PostgreSQL',
  async connect(secret: DatabaseSecret, attempt) {
    const client = new Client({
      host: secret.host,
      port: secret.port ?? 5432,
      user: secret.username,
      password: secret.password,
      database: secret.dbname || 'postgres',
      ssl: attempt.tls ? { rejectUnauthorized: true, servername: secret.host } : false,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: 'secret-rotation',
    });
    // A dropped connection must surface as a rejected query, not crash the Lambda.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  },
  isAuthenticationFailure(error) {
    return AUTH_FAILURE_CODES.has((error as { code?: string })?.code ?? '');
  },
  async setPassword(client, username, password) {
    await client.query(`ALTER ROLE ${escapeIdentifier(username)} WITH PASSWORD ${escapeLiteral(passwordForServer(password))}`);
  },
  async check(client, secret) {
    const result = await client.query<{ user: string }>('SELECT current_user AS user');
    if (result.rows[0]?.user !== secret.username) {
      throw new LoginFailedError(`logged in as ${JSON.stringify(result.rows[0]?.user)} instead of ${JSON.stringify(secret.username)}`);
    }
  },
  async close(client) {
    await client.end();
  },
};

/**
 * The SCRAM-SHA-256 verifier PostgreSQL would store for `password` (RFC 5802,
 * 4096 iterations, as libpq's PQencryptPasswordConn makes it). PostgreSQL
 * SASLprep-normalizes only non-ASCII passwords, so those are sent as they are
 * and hashed by the server.
 */
export function passwordForServer(password: string): string {
  if (!/^[\x01-\x7f]*$/.test(password)) return password;
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
