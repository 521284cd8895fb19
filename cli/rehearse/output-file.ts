import { chmodSync, closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { inputError, usageError } from '../errors';

/**
 * The --output file: created (empty, mode 0600) before the rehearsal
 * starts, so a path that cannot be written fails before the target is
 * touched; written as soon as there is a new value; removed again if there
 * never was one.
 */
export class OutputFile {
  private written = false;

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
    return this.written;
  }

  /** Writes the secret's value, as JSON, in place of what the file held. */
  write(value: Record<string, unknown>): void {
    writeFileSync(this.path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    this.written = true;
  }

  /** Removes the file if nothing was ever written to it. */
  removeIfEmpty(): void {
    if (!this.written) rmSync(this.path, { force: true });
  }

  /** Removes the file and what it holds: a value that can be of no use. */
  remove(): void {
    rmSync(this.path, { force: true });
    this.written = false;
  }
}
