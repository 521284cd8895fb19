/**
 * Exit codes of `secret-rotation`, documented in the README. Pipelines
 * branch on them, so they are part of the contract.
 */
export const EXIT = {
  /** Everything worked; `check` found nothing at or above --fail-on. */
  ok: 0,
  /** The command ran and the answer is no: a check failed, a rehearsed step failed, a rollback was declined or is impossible. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a missing or bad value. */
  usage: 2,
  /** An input could not be read: a missing or malformed cdktf.out, secret file or rules file. */
  input: 3,
  /** Secrets Manager (or the emulator) refused or could not be reached. */
  service: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line, without a stack, and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const inputError = (message: string) => new CliError(message, EXIT.input);
