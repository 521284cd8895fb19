import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A program from the PATH or from /usr/sbin and /usr/bin, where Debian puts
 * runuser and mariadbd (CI's PATH may lack /usr/sbin). Fails saying what to install.
 */
export function findBinary(name: string, hint: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} not found; ${hint}`);
}
