/**
 * Alternates between two PostgreSQL users, <username> and <username>_clone.
 * Secret: host, username, password, masterarn; optional port, dbname, ssl. The
 * master user needs CREATEROLE and ADMIN OPTION on the original role.
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { postgresEngine } from '../shared/postgres-engine';

export const handler = databaseRotationHandler('postgres-multi-user', postgresEngine, 'multi-user');
