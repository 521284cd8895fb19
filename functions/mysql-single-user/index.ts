/**
 * Rotates a MySQL, MariaDB or Aurora MySQL user's password in place.
 * Secret: host, username, password; optional port (3306), dbname, ssl. The user
 * needs no privilege: SET PASSWORD changes its own password.
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { mysqlEngine } from '../shared/mysql-engine';

export const handler = databaseRotationHandler('mysql-single-user', mysqlEngine, 'single-user');
