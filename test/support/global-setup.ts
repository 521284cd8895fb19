import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds the handler bundles once per run, so handler tests exercise the current source as Lambda would load it. */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-functions.mjs')], { stdio: 'inherit' });
}
