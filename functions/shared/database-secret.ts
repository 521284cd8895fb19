import { InvalidSecretError } from './errors';
import { parseSecretObject } from './secret-json';

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
  const record = parseSecretObject(secretString, label, `a JSON object with ${REQUIRED.join(', ')}`);
  const missing = REQUIRED.filter((key) => typeof record[key] !== 'string' || (key !== 'password' && record[key] === ''));
  if (missing.length > 0) {
    throw new InvalidSecretError(`the ${label} secret value lacks ${missing.join(', ')} (each must be a non-empty string); add ${missing.length > 1 ? 'them' : 'it'} to the secret`);
  }
  let port: number | undefined;
  if (record.port !== undefined && record.port !== null && record.port !== '') {
    // Only numbers and digit strings: Number() would read true as 1 and "0x1538" as 5432.
    const numeric = typeof record.port === 'number' || (typeof record.port === 'string' && /^\s*\d+\s*$/.test(record.port));
    port = numeric ? Number(record.port) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidSecretError(`the ${label} secret value has port ${JSON.stringify(record.port)}; it must be a whole number from 1 to 65535`);
    }
  }
  for (const key of ['dbname', 'engine', 'masterarn'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') {
      throw new InvalidSecretError(`the ${label} secret value has a ${key} that is not a string`);
    }
  }
  // An empty or null port means the engine's default: drop it, so `port` is a number or absent as the type says.
  const secret: Record<string, unknown> = { ...record };
  if (port === undefined) delete secret.port;
  else secret.port = port;
  return secret as DatabaseSecret;
}

/** How to use TLS for one connection attempt. */
export interface TlsAttempt {
  readonly tls: boolean;
  /** Verify the server's certificate chain and host name. @default true when tls */
  readonly verify?: boolean;
  /** PEM CA bundle to verify against. @default Node's bundled CAs */
  readonly ca?: string;
}

/**
 * The function-wide TLS policy, from the environment:
 * - DB_TLS_MODE unset or `prefer`: as the secret's `ssl` key says (below);
 * - `require`: always TLS, certificate not verified (libpq's sslmode=require),
 *   unless the secret's `ssl` key asks for verified TLS;
 * - `verify-full`: always TLS, certificate chain and host name verified.
 * DB_TLS_CA_FILE names a PEM bundle used wherever certificates are verified
 * (on Lambda, e.g. the RDS bundle shipped with the function, or
 * /var/runtime/ca-cert.pem).
 */
export interface TlsSettings {
  readonly mode: 'prefer' | 'require' | 'verify-full';
  readonly ca?: string;
}

export const TLS_MODES = ['prefer', 'require', 'verify-full'] as const;

/**
 * The order of connection attempts. With DB_TLS_MODE `prefer`, the secret's
 * `ssl` key decides, as AWS's own rotation templates read it: true or "true"
 * requires verified TLS, false or "false" never uses it; absent, or any other
 * value, tries verified TLS and falls back to plain. The stricter of the mode
 * and the secret wins: `require` never lowers `ssl: true` to an unverified
 * connection.
 */
export function tlsAttempts(secret: DatabaseSecret, settings: TlsSettings = { mode: 'prefer' }): TlsAttempt[] {
  const verified: TlsAttempt = { tls: true, verify: true, ...(settings.ca ? { ca: settings.ca } : {}) };
  if (settings.mode === 'verify-full') return [verified];
  const ssl = typeof secret.ssl === 'string' ? secret.ssl.toLowerCase() : secret.ssl;
  if (ssl === true || ssl === 'true') return [verified];
  if (settings.mode === 'require') return [{ tls: true, verify: false }];
  if (ssl === false || ssl === 'false') return [{ tls: false }];
  // AWS's get_ssl_config treats an unrecognised value ("require", null, 1) like
  // an absent key; reading it as "no TLS" would silently drop encryption.
  return [verified, { tls: false }];
}
