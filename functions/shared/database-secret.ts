import { InvalidSecretError } from './errors';

/**
 * AWS's documented JSON structure for database credentials, so a secret can
 * move between AWS's hosted rotation and ours without being rewritten.
 * Keys other than these are kept as they are through a rotation.
 */
export interface DatabaseSecret {
  readonly engine?: string;
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  /** true or "true": TLS required; false or "false": no TLS; absent: try TLS, fall back to plain. */
  readonly ssl?: boolean | string;
  /** ARN of the master secret, for the alternating-users strategy. */
  readonly masterarn?: string;
  readonly [key: string]: unknown;
}

const REQUIRED = ['host', 'username', 'password'] as const;

/** Parses a database secret, naming missing or mistyped keys but never printing a value. */
export function parseDatabaseSecret(secretString: string, label: string): DatabaseSecret {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    // JSON.parse's own message quotes the input, which may hold the password.
    throw new InvalidSecretError(`the ${label} secret value is not valid JSON; store a JSON object with ${REQUIRED.join(', ')}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidSecretError(`the ${label} secret value is not a JSON object; store a JSON object with ${REQUIRED.join(', ')}`);
  }
  const record = value as Record<string, unknown>;
  const missing = REQUIRED.filter((key) => typeof record[key] !== 'string' || (key !== 'password' && record[key] === ''));
  if (missing.length > 0) {
    throw new InvalidSecretError(`the ${label} secret value lacks ${missing.join(', ')} (each must be a non-empty string); add ${missing.length > 1 ? 'them' : 'it'} to the secret`);
  }
  let port: number | undefined;
  if (record.port !== undefined && record.port !== null && record.port !== '') {
    port = Number(record.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidSecretError(`the ${label} secret value has port ${JSON.stringify(record.port)}; it must be a whole number from 1 to 65535`);
    }
  }
  for (const key of ['dbname', 'engine', 'masterarn'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') {
      throw new InvalidSecretError(`the ${label} secret value has a ${key} that is not a string`);
    }
  }
  return { ...record, ...(port !== undefined ? { port } : {}) } as DatabaseSecret;
}

/** How to use TLS for one connection attempt. */
export interface TlsAttempt {
  readonly tls: boolean;
}

/**
 * The order of connection attempts the secret's `ssl` key asks for, as AWS's
 * own rotation templates read it: true or "true" requires TLS, false or
 * "false" never uses it, absent tries TLS and falls back to plain.
 */
export function tlsAttempts(secret: DatabaseSecret): TlsAttempt[] {
  const ssl = secret.ssl;
  if (ssl === undefined) return [{ tls: true }, { tls: false }];
  if (ssl === true || (typeof ssl === 'string' && ssl.toLowerCase() === 'true')) return [{ tls: true }];
  return [{ tls: false }];
}
