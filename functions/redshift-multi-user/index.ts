/**
 * Alternates between two Amazon Redshift users, <username> and <username>_clone.
 * Secret: host, username, password, masterarn; optional port, dbname, ssl. The
 * master user must be a superuser (CREATE USER, ALTER GROUP).
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { redshiftEngine } from '../shared/redshift-engine';

export const handler = databaseRotationHandler('redshift-multi-user', redshiftEngine, 'multi-user');
