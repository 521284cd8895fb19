import { chmodSync, closeSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { inputError, usageError } from '../errors';

/**
 * The --output file: created (empty, mode 0600) before the rehearsal
 * starts, so a path that cannot be written fails before the target is
 * touched; written as soon as there is a new value; removed again if there
 * never was one.
 */
export class OutputFile {
  private content: string | undefined;

  private constructor(readonly path: string) {}

  /**
   * Refuses an existing file: it may hold the only copy of a credential from
   * an earlier rehearsal, and this run might overwrite it with a value the
   * target never gets.
   */
  static create(path: string): OutputFile {
    try {
      closeSync(openSync(path, 'wx', 0o600));
      chmodSync(path, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw usageError(`--output ${path} exists; it may hold the only copy of a credential from an earlier rehearsal, so rehearse never overwrites it: give a new file, or move that one away first`);
      }
      throw inputError(`--output ${path} cannot be created (${code ?? 'error'}); give a file in a folder you can write to`);
    }
    return new OutputFile(path);
  }

  get hasValue(): boolean {
    return this.content !== undefined;
  }

  /** What was last written, as written. */
  get text(): string | undefined {
    return this.content;
  }

  /**
   * Writes a secret's value, exactly as given, in place of what the file
   * held; an OutputFileError says why it could not.
   */
  write(text: string): void {
    try {
      writeFileSync(this.path, text, { mode: 0o600 });
    } catch (error) {
      throw new OutputFileError(`--output ${this.path} could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    this.content = text;
  }

  /** Removes the file if nothing was ever written to it. */
  removeIfEmpty(): void {
    if (this.content === undefined) this.unlink();
  }

  /** Removes the file and what it holds: a value that can be of no use. */
  remove(): void {
    this.unlink();
    this.content = undefined;
  }

  /** Unlinks the path if it is still a file; whatever else took it (a folder, say) is left alone. */
  private unlink(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone, or not a file this run made.
    }
  }
}

/** The --output file could not be written. */
export class OutputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFileError';
  }
}
