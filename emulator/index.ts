export { startEmulator } from './emulator';
export type { Emulator, EmulatorOptions, RotationInvoker, RotationRecord } from './emulator';
export type { FaultRule } from './faults';
