import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseEngine } from './database-rotation';
import { checkPgUser, connectPg, isPgAuthenticationFailure, isPgTlsUnavailable } from './postgres-engine';

/**
 * Amazon Redshift: the PostgreSQL wire protocol (so the same driver and
 * connection code), its own SQL: users rather than roles, `ALTER USER …
 * PASSWORD`, and groups for privileges. The password is sent in plain text,
 * as AWS's own template does: Redshift takes no SCRAM verifier, and an MD5
 * hash depends on how Redshift folds the user name's case.
 */
/** Meets Redshift's rules (upper, lower, digit; 8 to 64 characters); never stored or logged. */
const throwawayPassword = () => `Tmp${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}9a`;

export const redshiftEngine: DatabaseEngine<Client> = {
  name: 'Redshift',
  engines: ['redshift'],
  maxUsernameLength: 127,
  connect: (secret, attempt) => connectPg(secret, attempt, { port: 5439, dbname: 'dev' }),
  isAuthenticationFailure: isPgAuthenticationFailure,
  isTlsUnavailable: isPgTlsUnavailable,
  async setPassword(client, username, password) {
    await client.query(`ALTER USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(password)}`);
  },
  async setAlternateUser(client, { username, password, template }) {
    const exists = await client.query('SELECT 1 FROM pg_user WHERE usename = $1', [username]);
    if (!exists.rowCount) {
      // A throwaway password until the groups are in: the pending password
      // must not log in before the user has its privileges.
      await client.query(`CREATE USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(throwawayPassword())}`);
    }
    // Every group of the current user that this one is not in yet (all of
    // them when new; any a crash left out, or added since, otherwise).
    const groups = await client.query<{ groname: string }>(
      `SELECT groname FROM pg_group
        WHERE (SELECT usesysid FROM pg_user WHERE usename = $1) = ANY(grolist)
          AND NOT (SELECT usesysid FROM pg_user WHERE usename = $2) = ANY(grolist)
        ORDER BY groname`,
      [template, username],
    );
    for (const { groname } of groups.rows) {
      await client.query(`ALTER GROUP ${escapeIdentifier(groname)} ADD USER ${escapeIdentifier(username)}`);
    }
    await client.query(`ALTER USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(password)}`);
  },
  check: checkPgUser,
  async close(client) {
    await client.end();
  },
};
