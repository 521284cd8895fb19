/**
 * A local Secrets Manager that the real `@aws-sdk/client-secrets-manager`
 * client talks to unchanged: for testing your own rotation handler.
 *
 * @module cdktf-secret-rotation/emulator
 */
export { startEmulator } from './emulator';
export type { Emulator, EmulatorOptions, RotationInvoker, RotationRecord } from './emulator';
export type { FaultRule, Faults } from './faults';
