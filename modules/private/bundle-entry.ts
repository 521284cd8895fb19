import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Message } from 'esbuild';
import { InvalidPropError } from './validation';

/** How long a synth waits for the bundling thread to start, then for one entry's bundle. */
const START_TIMEOUT_MS = 30_000;
const BUILD_TIMEOUT_MS = 300_000;

/**
 * The esbuild build that bundleEntry runs, in a worker thread: esbuild's
 * synchronous API takes no plugins, and a construct is built synchronously,
 * so the synth's thread posts `{ id, esbuild, entry }` and waits (Atomics.wait
 * on `signal[0]`) for the answer with that id on `port`: `{ code }` (the
 * bundle's bytes), `{ errors: [{ text, location }] }` (esbuild's, about the
 * entry) or `{ failure }` (anything else). `signal[1]` says the thread has
 * started, `signal[2]` that it has ended. One thread at a time, started on
 * first use, never keeping the process alive, and ending itself after
 * IDLE_MS without a request (with esbuild's service in it stopped), so that
 * module registries that load this file again (Jest's, one per test file)
 * leave nothing running.
 *
 * The options are those of the built-in handlers (scripts/build-functions.mjs;
 * test/modules/rotation-function-entry.test.ts bundles http-api-key both ways
 * and compares the bytes), the AWS SDK's resolution among them: a package of
 * `@aws-sdk/*` or `@smithy/*` that has an ES module build ("module", a file)
 * and no "exports" map is taken from that build, as esbuild would resolve
 * every package with `mainFields: ['module', 'main']`, so that it keeps only
 * what the handler reaches (through the CommonJS client, every protocol's
 * serializers and a browser user-agent parser are bundled: about 150 KB).
 * Only those packages: another package's "module" build may be meant for
 * browsers. An import from a file of the user's is resolved by esbuild first
 * (tsconfig `paths` apply there); one from inside node_modules, where they
 * do not, by the nearest node_modules folder up, symbolic links resolved, as
 * esbuild looks. Where that finds nothing usable, esbuild resolves the import
 * itself. import(), which those builds use for Node's modules, is written as
 * require().
 */
const BUILD = `
const { existsSync, readFileSync, realpathSync, statSync } = require('node:fs');
const { dirname, join, sep } = require('node:path');
const { workerData } = require('node:worker_threads');
const { signal, port } = workerData;
const IDLE_MS = 10000;

/** The request being answered; undefined when there is none. */
let current;
function reply(message) {
  if (current === undefined) return;
  port.postMessage({ id: current, ...message });
  current = undefined;
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
// The waiting thread cannot hear this thread fail: a failure is an answer too.
const fail = (error) => reply({ failure: 'esbuild failed: ' + String(error && error.message ? error.message : error) });
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
process.on('exit', () => {
  Atomics.store(signal, 2, 1);
  if (current !== undefined) reply({ failure: 'the bundling thread ended without an answer' });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

/** A package folder's ES module entry ({ path, sideEffects }), or undefined: one look per folder. */
const esEntries = new Map();
function esEntry(dir) {
  if (!esEntries.has(dir)) {
    let entry;
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8').replace(/^\\uFEFF/, ''));
      const file = typeof manifest.module === 'string' ? join(dir, manifest.module) : undefined;
      if (manifest.exports === undefined && file !== undefined && statSync(file, { throwIfNoEntry: false })?.isFile()) {
        entry = { path: file, sideEffects: manifest.sideEffects === false ? false : undefined };
      }
    } catch {
      entry = undefined;
    }
    esEntries.set(dir, entry);
  }
  return esEntries.get(dir);
}
/** The folder of a package for an import from a folder inside node_modules: the nearest node_modules up, as esbuild looks. */
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return existsSync(join(candidate, 'package.json')) ? realpathSync(candidate) : undefined;
    if (dirname(dir) === dir) return undefined;
  }
}
const again = Symbol('resolving');
const sdkEsModules = {
  name: 'sdk-es-modules',
  setup(build) {
    build.onResolve({ filter: /^@(aws-sdk|smithy)\\/[^/]+$/ }, async (args) => {
      if (args.pluginData === again || !args.resolveDir) return undefined;
      try {
        let dir;
        if (args.resolveDir.split(sep).includes('node_modules')) {
          dir = packageDir(args.path, args.resolveDir);
        } else {
          const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: again });
          const inside = sep + join('node_modules', args.path) + sep;
          const at = found.errors.length === 0 ? found.path.lastIndexOf(inside) : -1;
          if (at >= 0) dir = found.path.slice(0, at + inside.length - 1);
        }
        return (dir && esEntry(dir)) || undefined;
      } catch {
        return undefined;
      }
    });
  },
};

const apis = new Map();
function stopAll() {
  for (const api of apis.values()) api.stop();
  apis.clear();
}
let idle;
port.on('message', ({ id, esbuild, entry }) => {
  clearTimeout(idle);
  current = id;
  new Promise((done) => {
    if (!apis.has(esbuild)) apis.set(esbuild, require(esbuild));
    done(apis.get(esbuild));
  })
    .then((api) =>
      api.build({
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
      }),
    )
    .then(
      (result) => reply({ code: result.outputFiles[0].contents }),
      (error) => {
        if (Array.isArray(error && error.errors) && error.errors.length > 0) {
          reply({ errors: error.errors.map((e) => ({ text: e.text, location: e.location })) });
        } else {
          // esbuild itself failed (its service stopped, say): a new one for the next request.
          stopAll();
          fail(error);
        }
      },
    )
    .finally(() => {
      // Idle: esbuild's service stopped, and, a moment later (its process
      // reaped), the thread ended; a request meanwhile cancels either.
      idle = setTimeout(() => {
        stopAll();
        idle = setTimeout(() => process.exit(0), 200);
      }, IDLE_MS);
    });
});
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);
`;

/** The bundling thread while it lives. */
let bundler: { worker: Worker; port: MessagePort; signal: Int32Array } | undefined;
let requests = 0;

type Answer = { code: Uint8Array } | { errors: Message[] } | { failure: string };

/**
 * Bundles `entry` (an absolute path) with the esbuild module at `esbuild`, in
 * the bundling thread; once more in a new thread if the thread ended (idle)
 * just as the request came.
 */
function bundleInThread(esbuild: string, entry: string): Answer {
  const first = requestInThread(esbuild, entry);
  return first === ENDED ? requestInThread(esbuild, entry) : first;
}

const ENDED: Answer = { failure: 'the bundling thread ended without an answer' };

function requestInThread(esbuild: string, entry: string): Answer {
  if (bundler !== undefined && Atomics.load(bundler.signal, 2) === 1) bundler = undefined;
  if (bundler === undefined) {
    const signal = new Int32Array(new SharedArrayBuffer(12));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(BUILD, { eval: true, workerData: { signal, port: port2 }, transferList: [port2] });
    // A dead thread reports through the signal, or not at all; its 'error'
    // event must not crash the synth after that.
    worker.on('error', () => undefined);
    worker.unref();
    port1.unref();
    if (Atomics.wait(signal, 1, 0, START_TIMEOUT_MS) === 'timed-out') {
      void worker.terminate();
      return { failure: `the bundling thread did not start in ${START_TIMEOUT_MS / 1000} s (a preload in NODE_OPTIONS that fails in worker threads?)` };
    }
    bundler = { worker, port: port1, signal };
  }
  const { worker, port, signal } = bundler;
  const id = (requests += 1);
  Atomics.store(signal, 0, 0);
  port.postMessage({ id, esbuild, entry });
  const waited = Atomics.wait(signal, 0, 0, BUILD_TIMEOUT_MS);
  // Answers to earlier requests (one that timed out) are passed over.
  let answer: (Answer & { id: number }) | undefined;
  for (let message = receiveMessageOnPort(port); message !== undefined; message = receiveMessageOnPort(port)) {
    const candidate = message.message as Answer & { id: number };
    if (candidate.id === id) {
      answer = candidate;
      break;
    }
  }
  if (answer === undefined) {
    // Not to be used again: a new thread for the next entry.
    bundler = undefined;
    void worker.terminate();
    return waited === 'timed-out' ? { failure: `the bundling thread gave no answer in ${BUILD_TIMEOUT_MS / 1000} s` } : ENDED;
  }
  return answer;
}

/** The entries' bundle folders, removed when the process exits (one listener for them all). */
const bundleDirs: string[] = [];

/**
 * Bundles a user's rotation handler (TypeScript or JavaScript, exporting
 * `handler`) into one CommonJS file, as the built-in handlers are built:
 * same target, minified, no comments or paths, the AWS SDK from its ES
 * module builds, so the same source gives the same bytes on any machine.
 * Returns the folder holding `index.js`. `esbuild`: the module to bundle
 * with (the tests give a broken one); by default the project's esbuild.
 */
export function bundleEntry(entry: string, esbuild?: string): string {
  const path = resolve(entry);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not exist (resolved from ${process.cwd()}); give the path of a .ts or .js file that exports handler`);
  }
  const answer = bundleInThread(esbuild ?? findEsbuild(entry), path);
  if ('failure' in answer) throw new InvalidPropError(`entry ${JSON.stringify(entry)} could not be bundled: ${answer.failure}`);
  if ('errors' in answer) {
    const [first] = answer.errors;
    throw new InvalidPropError(`entry ${JSON.stringify(entry)} does not build: ${first ? describe(first) : 'esbuild gave no output'}; fix the file and synthesize again`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-secret-rotation-entry-'));
  if (bundleDirs.length === 0) process.once('exit', () => bundleDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  bundleDirs.push(dir);
  writeFileSync(join(dir, 'index.js'), answer.code);
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
