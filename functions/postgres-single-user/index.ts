/**
 * Rotates a PostgreSQL user's password in place (single-user strategy).
 * Required secret keys: host, username, password; optional: port (5432),
 * dbname (postgres), ssl. The user must be allowed to change its own password.
 */
import { singleUserRotation } from '../shared/database-rotation';
import { Logger } from '../shared/logger';
import { postgresEngine } from '../shared/postgres-engine';
import { createRotationHandler } from '../shared/protocol';
import { secretsManagerClientFromEnvironment, SecretsManagerStore } from '../shared/secret-store';
import { settingsFromEnvironment } from '../shared/settings';

export const handler = createRotationHandler(singleUserRotation(postgresEngine), {
  store: new SecretsManagerStore(secretsManagerClientFromEnvironment()),
  settings: settingsFromEnvironment(),
  logger: new Logger({ context: { handler: 'postgres-single-user' } }),
});
