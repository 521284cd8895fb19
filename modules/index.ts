export * from './hosted-rotation';
export * from './managed-master-password';
export * from './rotated-secret';
export * from './rotation-alarms';
export * from './rotation-function';
export * from './rotation-schedule';
export { InvalidPropError } from './private/validation';
