import { Console } from 'node:console';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { runInThisContext } from 'node:vm';

/** A rotation handler as Lambda calls it. */
export type LoadedHandler = (event: { Step: string; SecretId: string; ClientRequestToken: string }) => Promise<unknown>;

/** The handler's module failed while it loaded (its environment is wrong, or its code throws at load). */
export class HandlerLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerLoadError';
  }
}

/**
 * Evaluates a handler bundle (one CommonJS file) afresh, as Lambda starts
 * it: with `env` as its whole environment and with every console line it
 * writes handed to `log` instead of the terminal.
 *
 * The bundle gets its own `process` (the real one, except for `env`) and
 * `console` as module-scope names, so neither this process's environment
 * nor its output is touched, and nothing needs restoring afterwards.
 * Handlers read their environment at load time, but the AWS SDK in them
 * also reads it later (credentials, at the first call), which a
 * set-then-restore of process.env would miss. Evaluating with the vm module
 * rather than `require` also gives a fresh module each time, under Jest
 * too, whose require cache cannot be cleared.
 */
export function loadHandler(file: string, env: Record<string, string>, log: (line: string) => void): LoadedHandler {
  const console = new Console({ stdout: lineSink(log), stderr: lineSink(log) });
  const ownProcess = new Proxy(process, { get: (target, key) => (key === 'env' ? env : Reflect.get(target, key)) });
  const module = { exports: {} as Record<string, unknown> };
  try {
    const code = readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname, console, process) {${code}\n})`, { filename: file });
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), console, ownProcess);
  } catch (error) {
    const { name, message } = errorParts(error);
    throw new HandlerLoadError(`the handler failed while loading: ${name}: ${message}`);
  }
  const handler = module.exports.handler;
  if (typeof handler !== 'function') {
    throw new HandlerLoadError(`${file} does not export a function named handler; export the handler as \`export const handler = …\``);
  }
  return handler as LoadedHandler;
}

/**
 * An error's name and message, whatever realm it comes from (the bundle runs
 * in Node's main context, where `instanceof Error` of another realm fails).
 */
export function errorParts(error: unknown): { name: string; message: string } {
  const e = error as { name?: unknown; message?: unknown } | null;
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(error) };
}

/** A stream that hands each complete line written to it to `log`. */
function lineSink(log: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) log(line);
      callback();
    },
    final(callback) {
      if (partial) log(partial);
      callback();
    },
  });
}
