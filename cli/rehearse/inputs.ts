import { readFileSync } from 'node:fs';
import { inputError, usageError } from '../errors';

/** A secret file: its text, and that text parsed. */
export interface SecretFile {
  /** The file's content, one final newline dropped. */
  readonly text: string;
  readonly value: Record<string, unknown>;
}

/**
 * Reads a file holding a secret's value as a JSON object. The messages name
 * the option, the file and where the JSON breaks, never its content: a JSON
 * parser's own message may quote the text around the error.
 */
export function readSecretObject(option: string, path: string): SecretFile {
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
  return { text, value: value as Record<string, unknown> };
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
/**
 * Strings shorter than this are masked everywhere only when they are a whole
 * secret value (below); within a JSON secret they are not masked at all:
 * masking "on" or "eu" everywhere would garble every line.
 */
const MIN_MASKED_LENGTH = 4;
export const MASK = '[REDACTED]';

/** Letters, digits and `_`: a short whole value is masked only where none of these touches it. */
const WORD = '[\\p{L}\\p{N}_]';

/**
 * Masks, in any text, every string that a secret of the rehearsal holds
 * (except under the naming keys above; of a `url`, only its query and user
 * information): the input secrets' values and the new ones. A second line
 * of defence: the handlers' own logger already redacts.
 */
export class Masker {
  /** Masked wherever they appear. */
  private readonly values = new Set<string>();
  /** Whole values shorter than MIN_MASKED_LENGTH: masked only where they stand alone. */
  private readonly shortValues = new Set<string>();
  private longestFirst: string[] = [];
  private standingAlone: RegExp | undefined;

  /** Adds every string in `value` (a parsed secret, or a bare credential). */
  add(value: unknown): void {
    this.collect(value, 0);
    this.refresh();
  }

  /**
   * Adds a whole secret value as text (an input file's content, a version's
   * SecretString), whatever it holds: JSON, plain text, one character. A
   * value shorter than 4 characters is masked only where it stands alone
   * (no letter, digit or `_` next to it), so that a one-letter secret hides
   * itself without turning every word holding that letter into [REDACTED].
   * Each line of a multi-line value is added too (at 4 characters or more),
   * as a log line may hold one of them.
   */
  addWhole(text: string): void {
    this.addString(text, true);
    if (/[\r\n]/.test(text)) for (const line of text.split(/\r?\n|\r/)) this.addString(line, false);
    this.refresh();
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.longestFirst) out = out.split(value).join(MASK);
    return this.standingAlone ? out.replace(this.standingAlone, MASK) : out;
  }

  private collect(value: unknown, depth: number, key?: string): void {
    if (typeof value === 'string') {
      // A URL's host and path help read a message; only its query and user information can carry a credential.
      const url = key === 'url' && URL.canParse(value) ? new URL(value) : undefined;
      for (const part of url ? [url.search.slice(1), url.username, url.password] : [value]) this.addString(part, false);
      return;
    }
    if (depth > 8 || !value || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (NAMING_KEYS.has(key)) continue;
      this.collect(item, depth + 1, key);
    }
  }

  /** A string, and the same as it appears inside a JSON log line (quotes and backslashes escaped). */
  private addString(value: string, whole: boolean): void {
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      if (form.length >= MIN_MASKED_LENGTH) this.values.add(form);
      else if (whole && form.length > 0) this.shortValues.add(form);
    }
  }

  private refresh(): void {
    this.longestFirst = [...this.values].sort((a, b) => b.length - a.length);
    const alternatives = [...this.shortValues].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    this.standingAlone = alternatives.length ? new RegExp(`(?<!${WORD})(?:${alternatives.join('|')})(?!${WORD})`, 'gu') : undefined;
  }
}
