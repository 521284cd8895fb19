/**
 * The authoring API for your own rotation handler, published as
 * `cdktf-secret-rotation/rotation`. Supply what is specific to your target
 * in a {@link RotationDefinition} (parse, create and test, and optionally
 * set, finish and abandon); {@link rotationHandler} wraps it in the protocol
 * every built-in handler uses. See the README, "Writing your own rotation handler".
 *
 * @module cdktf-secret-rotation/rotation
 */
export { rotationHandler } from './shared/rotation-handler';
export type { RotationHandlerOptions } from './shared/rotation-handler';
export { createRotationHandler, safeError } from './shared/protocol';
export type { RotationContext, RotationDefinition, RotationDependencies, RotationHandler, RotationVersions } from './shared/protocol';
export { parseSecretObject } from './shared/secret-json';
export { Logger, REDACTED } from './shared/logger';
export type { LogFields, LoggerOptions, LogLevel } from './shared/logger';
export type { RotationSettings } from './shared/settings';
export {
  ConfigurationError,
  InvalidEventError,
  InvalidSecretError,
  LoginFailedError,
  RotationError,
  RotationNotEnabledError,
  SecretValueMissingError,
  TargetUnreachableError,
  UnknownVersionError,
  VersionNotPendingError,
} from './shared/errors';
export { AWSCURRENT, AWSPENDING, AWSPREVIOUS, SecretsManagerStore, secretsManagerClientFromEnvironment } from './shared/secret-store';
export type { PasswordOptions, SecretMetadata, SecretStore } from './shared/secret-store';
export { checkUrl, describeUrl, httpPolicyFromEnvironment, sendRequest } from './shared/http-request';
export type { HttpPolicy, HttpRequest, HttpResponse } from './shared/http-request';
