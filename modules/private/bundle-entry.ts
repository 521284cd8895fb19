import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BuildFailure, Message } from 'esbuild';
import { InvalidPropError } from './validation';

/**
 * Bundles a user's rotation handler (TypeScript or JavaScript, exporting
 * `handler`) into one CommonJS file, as the built-in handlers are built:
 * same target, minified, no comments or paths, so the same source gives the
 * same bytes on any machine. Returns the folder holding `index.js`.
 */
export function bundleEntry(entry: string): string {
  const path = resolve(entry);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not exist (resolved from ${process.cwd()}); give the path of a .ts or .js file that exports handler`);
  }
  const esbuild = loadEsbuild(entry);
  let code: Uint8Array;
  try {
    const result = esbuild.buildSync({
      absWorkingDir: dirname(path),
      entryPoints: [path],
      bundle: true,
      write: false,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      keepNames: true,
      legalComments: 'none',
      sourcemap: false,
      external: ['pg-native', 'cloudflare:sockets'],
      logLevel: 'silent',
    });
    code = result.outputFiles[0].contents;
  } catch (error) {
    const first = (error as BuildFailure).errors?.[0];
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not build: ${first ? describe(first) : String(error)}; fix the file and synthesize again`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-secret-rotation-entry-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.js'), code);
  return dir;
}

/**
 * esbuild is an optional peer dependency: loaded here, from the user's
 * project, so that synths using only the built-in handlers (shipped built)
 * neither need it installed nor pay for loading it.
 */
function loadEsbuild(entry: string): typeof import('esbuild') {
  let path: string;
  try {
    path = require.resolve('esbuild');
  } catch {
    throw new InvalidPropError(
      `entry ${JSON.stringify(entry)} needs esbuild to bundle it, and esbuild is not installed; run \`npm install --save-dev esbuild\` (0.25 or later) in your cdktf project. The built-in handlers need no esbuild`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as typeof import('esbuild');
}

/** An esbuild error with its place, relative to the entry's folder. */
function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}
