import { parseArgs, ParseArgsConfig } from 'node:util';
import { usageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's options with Node's own parser, strictly: an unknown
 * option or a missing value is a usage error naming it, with the pointer to
 * --help.
 */
export function parseOptions(command: string, argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw usageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}; see \`secret-rotation ${command} --help\``);
  }
}

/** A value that must be one of `allowed`. */
export function oneOf<T extends string>(command: string, option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`--${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}; see \`secret-rotation ${command} --help\``);
  }
  return value as T;
}

/** A whole number from `min` to `max`. */
export function integer(command: string, option: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw usageError(`--${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}; see \`secret-rotation ${command} --help\``);
  }
  return Number(value);
}
