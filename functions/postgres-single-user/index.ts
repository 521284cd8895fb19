/**
 * Rotates a PostgreSQL user's password in place (single-user strategy).
 * Secret: host, username, password; optional port (5432), dbname (postgres), ssl.
 * The user needs no privilege: every PostgreSQL role may change its own password.
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { postgresEngine } from '../shared/postgres-engine';

export const handler = databaseRotationHandler('postgres-single-user', postgresEngine, 'single-user');
