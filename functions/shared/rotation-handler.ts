import { Logger } from './logger';
import { createRotationHandler, RotationDefinition, RotationHandler } from './protocol';
import { SecretStore, secretsManagerClientFromEnvironment, SecretsManagerStore } from './secret-store';
import { settingsFromEnvironment } from './settings';

/** How `rotationHandler` wires a definition: only `name` is required; the rest come from the environment. */
export interface RotationHandlerOptions {
  /** The handler's name, in every log line (`"handler": name`). */
  readonly name: string;
  /** Where SECRETS_MANAGER_ENDPOINT, PASSWORD_LENGTH and EXCLUDE_CHARACTERS are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Secrets Manager. @default - the AWS SDK client, at SECRETS_MANAGER_ENDPOINT when it is set */
  readonly store?: SecretStore;
  /** The logger the handler's per-invocation loggers derive from. @default - a redacting JSON-lines logger writing to stdout (CloudWatch Logs on Lambda) */
  readonly logger?: Logger;
}

/**
 * A Lambda handler for Secrets Manager's rotation event, wired from the
 * environment: what every handler's index.ts calls once, at module scope.
 * The definition supplies only what is specific to its target; the protocol
 * around it (guard, stages, idempotency, retries, redaction) is the one
 * every built-in handler uses.
 */
export function rotationHandler<T>(definition: RotationDefinition<T>, options: RotationHandlerOptions): RotationHandler {
  const env = options.env ?? process.env;
  return createRotationHandler(definition, {
    store: options.store ?? new SecretsManagerStore(secretsManagerClientFromEnvironment(env)),
    settings: settingsFromEnvironment(env),
    logger: options.logger ?? new Logger({ context: { handler: options.name } }),
  });
}
