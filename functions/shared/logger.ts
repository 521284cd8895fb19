/** A log line's level, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Fields of a JSON log line; values under sensitive keys (password, secret, token, ...) are replaced. */
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
// A secret's id, ARN or name identifies it and is what an operator searches for: not sensitive.
const SENSITIVE_KEY = /pass(word|phrase)?|secret(?!.?(id|arn|name)$)|credential|private.?key|api.?key|token(?<!request.?token)$|connection.?string|authorization/i;
/** Shorter strings are not masked: masking "a" everywhere would garble every line. */
const MIN_REDACTED_LENGTH = 4;
/** What a masked value or a value under a sensitive key is printed as. */
export const REDACTED = '[REDACTED]';
/**
 * MySQL's syntax errors quote the statement from where parsing failed
 * (`… near 'x' IDENTIFIED BY …' at line 1`), cut at 80 characters: a piece
 * of a password that masking the whole one cannot catch.
 */
const SQL_NEAR = /near '[\s\S]{0,400}?' at line (\d+)/g;

/**
 * The forms a value takes inside SQL text that a driver quotes back in an
 * error: with quotes doubled (standard SQL), with quotes and backslashes
 * doubled (pg's escapeLiteral, `E'…'`, for a value with a backslash), and
 * with quotes and backslashes escaped by a backslash (mysql2's escape).
 */
function sqlEscaped(value: string): string[] {
  const forms = [value.replace(/'/g, "''"), value.replace(/\\/g, '\\\\').replace(/'/g, "''"), value.replace(/[\\'"]/g, (c) => `\\${c}`)];
  return [...new Set(forms)].filter((form) => form !== value);
}

/** How a `Logger` writes. */
export interface LoggerOptions {
  /** Lowest level written. @default LOG_LEVEL from the environment, else 'info' */
  readonly level?: LogLevel;
  /** Where lines go. @default console.log */
  readonly sink?: (line: string) => void;
  /** Fields added to every line. @default - none */
  readonly context?: LogFields;
}

/**
 * A JSON-lines logger that cannot print a secret: values under sensitive keys
 * are replaced with `REDACTED`, and every string registered with `redact()`
 * (passwords read or generated during the rotation) is masked wherever it
 * appears, error messages raised by drivers included.
 */
export class Logger {
  private readonly secrets = new Set<string>();
  /** `secrets`, longest first: masking a shorter secret inside a longer one first would leave the rest of the longer one readable. */
  private longestFirst: string[] = [];
  private readonly level: LogLevel;
  private readonly threshold: number;
  private readonly sink: (line: string) => void;
  private readonly context: LogFields;

  constructor(options: LoggerOptions = {}) {
    const fromEnv = process.env.LOG_LEVEL?.toLowerCase() as LogLevel | undefined;
    this.level = options.level ?? (fromEnv && fromEnv in LEVELS ? fromEnv : 'info');
    this.threshold = LEVELS[this.level];
    this.sink = options.sink ?? ((line) => console.log(line));
    this.context = options.context ?? {};
  }

  /**
   * A logger for one invocation: the same level, sink and context; it masks
   * what this logger masks now, and what is registered on it, which this
   * logger never holds. A warm Lambda instance rotates one secret after
   * another: a single logger would keep every password it was ever given,
   * and scan each line for all of them.
   */
  scoped(): this {
    // The same class (a subclass's own methods stay in force) and settings,
    // with a masking list of its own.
    const child = Object.assign(Object.create(Object.getPrototypeOf(this)) as this, this);
    Object.assign(child, { secrets: new Set(this.secrets), longestFirst: [...this.longestFirst] });
    return child;
  }

  /** Registers values that must never be printed, e.g. a password just read. */
  redact(...values: Array<string | undefined>): void {
    for (const value of values) {
      if (typeof value === 'string' && value.length >= MIN_REDACTED_LENGTH) for (const form of [value, ...sqlEscaped(value)]) this.secrets.add(form);
    }
    this.longestFirst = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  /** Masks every registered secret in `text` (as it is, or escaped as SQL escapes it), then the SQL that MySQL quotes in a syntax error. */
  scrub(text: string): string {
    // Secrets first: a password holding "' at line 1" would otherwise end the excerpt inside itself.
    return this.maskSecrets(text).replace(SQL_NEAR, 'near [SQL withheld] at line $1');
  }

  private maskSecrets(text: string): string {
    let out = text;
    for (const secret of this.longestFirst) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** Writes a debug line (only with `LOG_LEVEL=debug`), masked. */
  debug(message: string, fields?: LogFields): void { this.write('debug', message, fields); }
  /** Writes an info line, masked. */
  info(message: string, fields?: LogFields): void { this.write('info', message, fields); }
  /** Writes a warning line, masked. */
  warn(message: string, fields?: LogFields): void { this.write('warn', message, fields); }
  /** Writes an error line, masked. */
  error(message: string, fields?: LogFields): void { this.write('error', message, fields); }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVELS[level] < this.threshold) return;
    const line = { level, message, ...this.context, ...fields };
    // Strings were scrubbed one by one; the written line is masked again for secrets that JSON escaping revealed.
    this.sink(this.maskSecrets(JSON.stringify(this.clean(line, 0))));
  }

  private clean(value: unknown, depth: number): unknown {
    if (depth > 6) return '[Truncated]';
    // Strings are masked before JSON.stringify: once it escapes a quote or a
    // backslash, a secret holding one no longer matches in the line.
    if (typeof value === 'string') return this.scrub(value);
    if (value instanceof Error) return this.clean(describeError(value), depth);
    if (Array.isArray(value)) return value.map((item) => this.clean(item, depth + 1));
    if (value && typeof value === 'object') {
      const out: LogFields = {};
      for (const [key, item] of Object.entries(value)) {
        out[this.scrub(key)] = SENSITIVE_KEY.test(key) && item !== undefined ? REDACTED : this.clean(item, depth + 1);
      }
      return out;
    }
    return value;
  }
}

/** The parts of an error that are safe to log: its class, code and message. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}
