/**
 * The constructs: a secret and its KMS key (`RotatedSecret`), the Lambda
 * function that rotates it (`RotationFunction`) or AWS's hosted rotation
 * (`HostedRotation`), a database service's own master password
 * (`ManagedMasterPassword`), the schedule (`RotationSchedule`) and the alarms
 * that page someone when rotation fails (`RotationAlarms`).
 *
 * @module cdktf-secret-rotation
 */
export * from './hosted-rotation';
export * from './managed-master-password';
export * from './rotated-secret';
export * from './rotation-alarms';
export * from './rotation-function';
export * from './rotation-schedule';
export { InvalidPropError } from './private/validation';
