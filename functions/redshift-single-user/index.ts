/**
 * Rotates an Amazon Redshift user's password in place.
 * Secret: host, username, password; optional port (5439), dbname (dev), ssl.
 */
import { databaseRotationHandler } from '../shared/database-handler';
import { redshiftEngine } from '../shared/redshift-engine';

export const handler = databaseRotationHandler('redshift-single-user', redshiftEngine, 'single-user');
