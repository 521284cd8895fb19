import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseEngine } from './database-rotation';
import { checkPgUser, connectPg, isPgAuthenticationFailure } from './postgres-engine';

/**
 * Amazon Redshift: the PostgreSQL wire protocol (so the same driver and
 * connection code), its own SQL: users rather than roles, `ALTER USER …
 * PASSWORD`, and groups for privileges. The password is sent in plain text,
 * as AWS's own template does: Redshift takes no SCRAM verifier, and an MD5
 * hash depends on how Redshift folds the user name's case.
 */
export const redshiftEngine: DatabaseEngine<Client> = {
  name: 'Redshift',
  engines: ['redshift'],
  maxUsernameLength: 127,
  connect: (secret, attempt) => connectPg(secret, attempt, { port: 5439, dbname: 'dev' }),
  isAuthenticationFailure: isPgAuthenticationFailure,
  async setPassword(client, username, password) {
    await client.query(`ALTER USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(password)}`);
  },
  async setAlternateUser(client, { username, password, template }) {
    const exists = await client.query('SELECT 1 FROM pg_user WHERE usename = $1', [username]);
    if (exists.rowCount) {
      await client.query(`ALTER USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(password)}`);
      return;
    }
    await client.query(`CREATE USER ${escapeIdentifier(username)} PASSWORD ${escapeLiteral(password)}`);
    // The new user joins every group of the current one, which is how Redshift grants privileges to users.
    const groups = await client.query<{ groname: string }>(
      'SELECT groname FROM pg_group WHERE (SELECT usesysid FROM pg_user WHERE usename = $1) = ANY(grolist) ORDER BY groname',
      [template],
    );
    for (const { groname } of groups.rows) {
      await client.query(`ALTER GROUP ${escapeIdentifier(groname)} ADD USER ${escapeIdentifier(username)}`);
    }
  },
  check: checkPgUser,
  async close(client) {
    await client.end();
  },
};
