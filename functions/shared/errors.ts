/**
 * Errors raised by the rotation protocol. Every message names what was wrong
 * and what to do about it, and never carries a secret value: they end up in
 * CloudWatch Logs and in Secrets Manager's rotation failure events.
 */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The Lambda event is not a Secrets Manager rotation event. */
export class InvalidEventError extends RotationError {}

/** The handler's environment variables are invalid. */
export class ConfigurationError extends RotationError {}

/** DescribeSecret says rotation is off for this secret. */
export class RotationNotEnabledError extends RotationError {}

/** The ClientRequestToken is not a version of the secret. */
export class UnknownVersionError extends RotationError {}

/** The version is staged neither AWSCURRENT nor AWSPENDING. */
export class VersionNotPendingError extends RotationError {}

/** A version that the step needs has no value (or no such stage exists). */
export class SecretValueMissingError extends RotationError {}

/** A stored secret value is malformed. The message names keys, never values. */
export class InvalidSecretError extends RotationError {}

/** None of the credentials tried could log in to the target. */
export class LoginFailedError extends RotationError {}

/** The target could not be reached at all (network, TLS, timeout). */
export class TargetUnreachableError extends RotationError {}
