/**
 * Alternates between two MySQL/MariaDB users, <username> and <username>_clone.
 * Secret: host, username, password, masterarn; optional port, dbname, ssl. The
 * master user needs CREATE USER, SELECT on mysql.user, and GRANT OPTION with
 * every privilege of the original user.
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { mysqlEngine } from '../shared/mysql-engine';

export const handler = databaseRotationHandler('mysql-multi-user', mysqlEngine, 'multi-user');
