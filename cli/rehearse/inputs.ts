import { readFileSync } from 'node:fs';
import { inputError, usageError } from '../errors';

/**
 * Reads a file holding a secret's value as a JSON object. The messages name
 * the option, the file and where the JSON breaks, never its content: a JSON
 * parser's own message may quote the text around the error.
 */
export function readSecretObject(option: string, path: string): Record<string, unknown> {
  const text = readSecretText(option, path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw inputError(`--${option} ${path} is not valid JSON${position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`}; it must hold the secret's value, a JSON object`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError(`--${option} ${path} holds JSON that is not an object; it must hold the secret's value, a JSON object (as \`aws secretsmanager get-secret-value --query SecretString --output text\` prints it)`);
  }
  return value as Record<string, unknown>;
}

/** Reads a file holding a secret's value as text (JSON or a bare credential); one final newline is dropped. */
export function readSecretText(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw inputError(`--${option} ${path} ${why}; give the path of a file holding the secret's value`);
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** What the rehearsal must never hand to the handler's environment from the command line. */
const RESERVED_ENV = ['SECRETS_MANAGER_ENDPOINT'];

/** Parses repeated `--env KEY=VALUE` options. */
export function parseEnv(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of values) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(item);
    if (!match) throw usageError(`--env takes KEY=VALUE, got ${JSON.stringify(item.split('=')[0])}…; see \`secret-rotation rehearse --help\``);
    if (RESERVED_ENV.includes(match[1])) {
      throw usageError(`--env cannot set ${match[1]}: in a rehearsal the handler's Secrets Manager is always the local emulator`);
    }
    env[match[1]] = match[2];
  }
  return env;
}

/**
 * Keys of a secret that name things rather than hold credentials (AWS's
 * database secret structure, http-api-key's settings): their values stay
 * readable in log lines and messages.
 */
const NAMING_KEYS = new Set([
  ...['engine', 'host', 'port', 'dbname', 'username', 'masterarn', 'ssl'],
  ...['adminSecretArn', 'keyId', 'method', 'keyPath', 'keyIdPath', 'idempotencyHeader', 'authHeader', 'authScheme', 'auth', 'gracePeriodSeconds'],
]);
/** Shorter strings are not masked: masking "a" everywhere would garble every line. */
const MIN_MASKED_LENGTH = 4;
export const MASK = '[REDACTED]';

/**
 * Masks, in any text, every string that a secret of the rehearsal holds
 * (except under the naming keys above; of a `url`, only its query and user
 * information): the input secrets' values and the new ones. A second line
 * of defence: the handlers' own logger already redacts.
 */
export class Masker {
  private readonly values = new Set<string>();
  private longestFirst: string[] = [];

  /** Adds every string in `value` (a parsed secret, or a bare credential). */
  add(value: unknown): void {
    this.collect(value, 0);
    this.longestFirst = [...this.values].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.longestFirst) out = out.split(value).join(MASK);
    return out;
  }

  private collect(value: unknown, depth: number, key?: string): void {
    if (typeof value === 'string') {
      // A URL's host and path help read a message; only its query and user information can carry a credential.
      const url = key === 'url' && URL.canParse(value) ? new URL(value) : undefined;
      for (const part of url ? [url.search.slice(1), url.username, url.password] : [value]) {
        if (part.length < MIN_MASKED_LENGTH) continue;
        this.values.add(part);
        // As it appears inside a JSON log line, quotes and backslashes escaped.
        this.values.add(JSON.stringify(part).slice(1, -1));
      }
      return;
    }
    if (depth > 8 || !value || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (NAMING_KEYS.has(key)) continue;
      this.collect(item, depth + 1, key);
    }
  }
}
