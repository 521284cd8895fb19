// Installs the AWS CDK side of the benchmark (bench/aws-cdk, its own lock
// file) when its node_modules is missing, so `npm run bench` works from a
// fresh clone while the root `npm ci` never fetches aws-cdk-lib.
// Run as a script, or import ensureAwsCdk().
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs `npm ci` in bench/aws-cdk unless aws-cdk-lib is already installed there. */
export function ensureAwsCdk() {
  if (existsSync(join(here, 'node_modules', 'aws-cdk-lib', 'package.json'))) return;
  console.error('bench/aws-cdk: installing aws-cdk-lib (npm ci)');
  // npm's own output goes to stderr: the benchmark's stdout is its results.
  execFileSync('npm', ['ci', '--prefix', here, '--no-audit', '--no-fund'], { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureAwsCdk();
