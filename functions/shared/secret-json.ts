import { InvalidSecretError } from './errors';

/**
 * Parses a secret string that must hold a JSON object. The errors name what
 * is wrong, never the value: JSON.parse's own message quotes the input,
 * which may hold a password. `expected` ends the message with what to store,
 * e.g. "a JSON object with host, username, password".
 */
export function parseSecretObject(secretString: string, label: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new InvalidSecretError(`the ${label} secret value is not valid JSON; store ${expected}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidSecretError(`the ${label} secret value is not a JSON object; store ${expected}`);
  }
  return value as Record<string, unknown>;
}
