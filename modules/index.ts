export * from './rotated-secret';
export * from './rotation-function';
export * from './rotation-schedule';
export { InvalidPropError } from './private/validation';
