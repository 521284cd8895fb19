import { DatabaseEngine, DatabaseRotationOptions, singleUserRotation } from './database-rotation';
import { ConfigurationError } from './errors';
import { multiUserRotation } from './multi-user-rotation';
import { RotationHandler } from './protocol';
import { rotationHandler } from './rotation-handler';
import { tlsSettingsFromEnvironment } from './settings';

export type DatabaseStrategy = 'single-user' | 'multi-user';

/**
 * A database rotation handler wired from the environment, as every built-in
 * database handler's index.ts uses it: the Secrets Manager client, the
 * password and TLS settings, the logger, and the strategy for this engine.
 */
export function databaseRotationHandler<C>(
  name: string,
  engine: DatabaseEngine<C>,
  strategy: DatabaseStrategy,
  env: NodeJS.ProcessEnv = process.env,
): RotationHandler {
  const options: DatabaseRotationOptions = { tls: tlsSettingsFromEnvironment(env) };
  const definition =
    strategy === 'single-user' ? singleUserRotation(engine, options) : multiUserRotation(engine, { ...options, usernameLimit: usernameLimit(env) });
  return rotationHandler(definition, { name, env });
}

/** USERNAME_CHARACTER_LIMIT, as AWS's multi-user templates read it. */
function usernameLimit(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.USERNAME_CHARACTER_LIMIT?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 8 || Number(raw) > 128) {
    throw new ConfigurationError(`USERNAME_CHARACTER_LIMIT must be a whole number from 8 to 128, got ${JSON.stringify(raw)}; fix the function's environment`);
  }
  return Number(raw);
}
