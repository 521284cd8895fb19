import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { DatabaseTarget } from './targets';

/** Runs SQL on a target's server as its master user, in the target's database; `$1` (PostgreSQL) or `?` (MySQL) placeholders. */
export async function adminQuery(target: DatabaseTarget, sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const { host, port, dbname: database, master } = target;
  if (target.kind === 'mysql') {
    const connection = await createConnection({ host, port, database, user: master.username, password: master.password });
    try {
      return (await connection.query(sql, params))[0] as Array<Record<string, unknown>>;
    } finally {
      await connection.end();
    }
  }
  const client = new Client({ host, port, database, user: master.username, password: master.password });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Every account on the target's server, sorted: role names on PostgreSQL,
 * `user@host` on MySQL. Comparing two snapshots shows exactly which users a
 * rotation created, and that it created no others.
 */
export async function listUsers(target: DatabaseTarget): Promise<string[]> {
  const rows =
    target.kind === 'mysql'
      ? await adminQuery(target, "SELECT CONCAT(User, '@', Host) AS name FROM mysql.user")
      : await adminQuery(target, 'SELECT rolname AS name FROM pg_roles');
  return rows.map((row) => String(row.name)).sort();
}

/** The `user@host` (MySQL) or role name (PostgreSQL) that listUsers() shows for a user created by `target.createUser`. */
export const accountName = (target: DatabaseTarget, username: string) => (target.kind === 'mysql' ? `${username}@%` : username);

/**
 * What a user may do beyond logging in, in a form that compares between
 * users: on MySQL its SHOW GRANTS lines without the grantee (and without the
 * password hash); on PostgreSQL its role attributes, the roles it is a member
 * of, and its direct table privileges.
 */
export async function privilegesOf(target: DatabaseTarget, username: string): Promise<string[]> {
  if (target.kind === 'mysql') {
    const rows = await adminQuery(target, "SHOW GRANTS FOR ?@'%'", [username]);
    return rows
      .map((row) => String(Object.values(row)[0]))
      .map((line) => line.slice(0, line.indexOf(' TO ', Math.max(0, line.indexOf(' ON ')))))
      .sort();
  }
  const [role] = await adminQuery(
    target,
    `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of,
       ARRAY(SELECT (privilege_type || ' ON ' || table_schema || '.' || table_name)::text FROM information_schema.role_table_grants
             WHERE grantee = r.rolname ORDER BY 1)::text[] AS grants
     FROM pg_roles r WHERE rolname = $1`,
    [username],
  );
  if (!role) throw new Error(`no role ${JSON.stringify(username)}`);
  const attributes = ['rolsuper', 'rolcreaterole', 'rolcreatedb', 'rolreplication', 'rolbypassrls'].filter((a) => role[a] === true);
  return [...attributes, ...(role.member_of as string[]).map((g) => `member of ${g}`), ...(role.grants as string[])].sort();
}
