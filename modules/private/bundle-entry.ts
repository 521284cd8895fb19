import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Message } from 'esbuild';
import { InvalidPropError } from './validation';

/** How long a synth waits for esbuild to bundle an entry. */
const BUILD_TIMEOUT_MS = 300_000;

/**
 * The esbuild build that bundleEntry runs, in a worker thread: esbuild's
 * synchronous API takes no plugins, and a construct is built synchronously,
 * so the synth's thread waits (Atomics.wait on `signal`) for the worker's
 * answer on `port`: `{ code }` (the bundle's bytes) or `{ errors: [{ text,
 * location }] }`. A worker costs about 70 ms less than a child process.
 *
 * The options are those of the built-in handlers (scripts/build-functions.mjs),
 * the AWS SDK's resolution among them: a package of `@aws-sdk/*` or
 * `@smithy/*` that has an ES module build ("module") and no "exports" map is
 * taken from that build, as esbuild would resolve every package with
 * `mainFields: ['module', 'main']`, so that it keeps only what the handler
 * reaches (through the CommonJS client, every protocol's serializers and a
 * browser user-agent parser are bundled: about 150 KB). Only those packages:
 * another package's "module" build may be meant for browsers. import() of
 * Node's modules, which those builds use, is written as require().
 */
const BUILD = `
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { workerData } = require('node:worker_threads');
const { esbuild, entry, port, signal } = workerData;
function reply(message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
// The waiting thread cannot hear this thread fail: anything thrown is an answer too.
process.on('uncaughtException', (error) => reply({ errors: [{ text: String(error) }] }));
process.on('unhandledRejection', (error) => reply({ errors: [{ text: String(error) }] }));
/** Whether a package folder is taken from its ES module build, and which file: one look per folder. */
const esEntries = new Map();
function esEntry(dir) {
  if (!esEntries.has(dir)) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    esEntries.set(dir, manifest.exports === undefined && typeof manifest.module === 'string' ? join(dir, manifest.module) : undefined);
  }
  return esEntries.get(dir);
}
const sdkEsModules = {
  name: 'sdk-es-modules',
  setup(build) {
    build.onResolve({ filter: /^@(aws-sdk|smithy)\\/[^/]+$/ }, (args) => {
      // Found as Node (and esbuild) find a package: node_modules folders up
      // from the importer. A package whose "exports" leave out its
      // package.json has "exports", so esbuild resolves it as it is.
      let manifest;
      try {
        manifest = require.resolve(args.path + '/package.json', { paths: [args.resolveDir] });
      } catch {
        return undefined;
      }
      const path = esEntry(dirname(manifest));
      return path === undefined ? undefined : { path };
    });
  },
};
new Promise((done) => done(require(esbuild)))
  .then((api) => api.build({
    absWorkingDir: dirname(entry),
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    supported: { 'dynamic-import': false },
    minify: true,
    keepNames: true,
    legalComments: 'none',
    sourcemap: false,
    external: ['pg-native', 'cloudflare:sockets'],
    plugins: [sdkEsModules],
    logLevel: 'silent',
  }))
  .then(
    (result) => reply({ code: result.outputFiles[0].contents }),
    (error) => reply({ errors: (error.errors ?? [{ text: String(error) }]).map((e) => ({ text: e.text, location: e.location })) }),
  );
`;

/**
 * Bundles a user's rotation handler (TypeScript or JavaScript, exporting
 * `handler`) into one CommonJS file, as the built-in handlers are built:
 * same target, minified, no comments or paths, the AWS SDK from its ES
 * module builds, so the same source gives the same bytes on any machine.
 * Returns the folder holding `index.js`.
 */
export function bundleEntry(entry: string): string {
  const path = resolve(entry);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not exist (resolved from ${process.cwd()}); give the path of a .ts or .js file that exports handler`);
  }
  const esbuild = findEsbuild(entry);
  // A worker thread runs the build while this thread waits for its answer.
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(BUILD, { eval: true, workerData: { esbuild, entry: path, port: port2, signal }, transferList: [port2] });
  const waited = Atomics.wait(signal, 0, 0, BUILD_TIMEOUT_MS);
  const output = receiveMessageOnPort(port1)?.message as { code?: Uint8Array; errors?: Message[] } | undefined;
  void worker.terminate();
  port1.close();
  if (output === undefined) {
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} could not be bundled: esbuild gave no answer${waited === 'timed-out' ? ` in ${BUILD_TIMEOUT_MS / 1000} s` : ''}`);
  }
  if (output.code === undefined) {
    const first = output.errors?.[0];
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not build: ${first ? describe(first) : 'esbuild gave no output'}; fix the file and synthesize again`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-secret-rotation-entry-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.js'), output.code);
  return dir;
}

/**
 * esbuild is an optional peer dependency: found here, in the user's project,
 * so that synths using only the built-in handlers (shipped built) neither
 * need it installed nor pay for loading it. Returns the path to require.
 */
function findEsbuild(entry: string): string {
  try {
    return require.resolve('esbuild');
  } catch {
    throw new InvalidPropError(
      `entry ${JSON.stringify(entry)} needs esbuild to bundle it, and esbuild is not installed; run \`npm install --save-dev esbuild\` (0.25 or later) in your cdktf project. The built-in handlers need no esbuild`,
    );
  }
}

/** An esbuild error with its place, relative to the entry's folder. */
function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}
