import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Zippable } from 'fflate';
import { onDemand } from './on-demand';
import { InvalidPropError } from './validation';

/**
 * Every zip entry gets this timestamp (the earliest a zip can hold), whatever
 * the files' mtimes. Zip stores local date fields and fflate reads them in the
 * local time zone, so the date is built from local fields: the bytes are then
 * the same in every time zone.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** A handler's deployment package: a zip whose bytes depend only on the files in it. */
export interface HandlerPackage {
  /** Where the zip is on disk, for TerraformAsset. */
  readonly zipPath: string;
  /** base64 SHA-256 of the zip: Lambda's `source_code_hash`. */
  readonly sourceCodeHash: string;
}

/** The root of this package (where its package.json is), found from this file wherever npm put it. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'cdktf-secret-rotation') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cdktf-secret-rotation package above ${__dirname}`);
    dir = parent;
  }
}

/** The folder holding a built-in handler's bundle, failing clearly when it was not built. */
export function builtInHandlerDir(name: string): string {
  const dir = join(packageRoot(), 'dist', 'functions', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new InvalidPropError(`the ${name} handler is not built: ${join(dir, 'index.js')} is missing; run \`npm run build\` first`);
  }
  return dir;
}

/**
 * Zips every file under `dir` with fixed timestamps and permissions, in
 * sorted order, so the same files give the same zip on any machine, any day
 * (cdktf's own ARCHIVE assets record each file's mtime). The zip is written
 * once per process, as `<name>.zip` in a private folder named by its hash.
 */
export function packageHandler(name: string, dir: string): HandlerPackage {
  return zipFiles(name, readHandlerFiles(dir));
}

/**
 * A built-in handler's package: the zip that `npm run build` wrote for these
 * very files (dist/handler-zips/<key>/<name>.zip, where the key is a hash of
 * the files' names and contents, so a zip of other files is never used), or,
 * when there is none, the files zipped now. The same bytes either way (the
 * tests compare them); reading the zip spares each synth deflating the bundle,
 * a tenth of a large synth and the bulk of a small one.
 */
export function builtInHandlerPackage(name: string): HandlerPackage {
  const files = readHandlerFiles(builtInHandlerDir(name));
  const zipPath = prebuiltZipPath(name, files);
  let zip: Buffer;
  try {
    zip = readFileSync(zipPath);
  } catch (error) {
    // Not built with the library (jest's global setup), or a build is replacing it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return zipFiles(name, files);
    throw error;
  }
  return { zipPath, sourceCodeHash: createHash('sha256').update(zip).digest('base64') };
}

/** Writes the zip that builtInHandlerPackage reads, for a built handler (scripts/build-functions.mjs calls it). @internal */
export function writePrebuiltZip(name: string): string {
  const files = readHandlerFiles(builtInHandlerDir(name));
  const zipPath = prebuiltZipPath(name, files);
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(`${zipPath}.tmp`, zipBytes(files));
  renameSync(`${zipPath}.tmp`, zipPath);
  return zipPath;
}

/** Bump when the zip's bytes change for the same files (options, layout), so older prebuilt zips are not used. */
const ZIP_FORMAT = 1;

/** Where the prebuilt zip of these files is, or would be. */
export function prebuiltZipPath(name: string, files: HandlerFiles): string {
  const key = createHash('sha256').update(`zip format ${ZIP_FORMAT}\n`);
  for (const [path, data] of files) key.update(`${path}\n${data.length}\n`).update(data);
  return join(packageRoot(), 'dist', 'handler-zips', key.digest('hex'), `${name}.zip`);
}

/** A handler folder's files: paths relative to it with forward slashes, sorted, and their contents. */
type HandlerFiles = ReadonlyArray<readonly [string, Buffer]>;

function readHandlerFiles(dir: string): HandlerFiles {
  return listFiles(dir).map((file) => [relative(dir, file).split('\\').join('/'), readFileSync(file)] as const);
}

function zipBytes(files: HandlerFiles): Uint8Array {
  const entries: Zippable = {};
  for (const [path, data] of files) entries[path] = [data, { mtime: FIXED_MTIME, level: 9, os: 3, attrs: 0o100644 << 16 }];
  return onDemand.zipSync(entries);
}

function zipFiles(name: string, files: HandlerFiles): HandlerPackage {
  const zip = zipBytes(files);
  const sha256 = createHash('sha256').update(zip).digest();
  const zipPath = join(privateCacheDir(), sha256.toString('hex'), `${name}.zip`);
  if (!existsSync(zipPath)) {
    mkdirSync(dirname(zipPath), { recursive: true, mode: 0o700 });
    writeFileSync(zipPath, zip, { mode: 0o600 });
  }
  return { zipPath, sourceCodeHash: sha256.toString('base64') };
}

let cacheDir: string | undefined;

/**
 * A folder only this process can write, removed when it exits. A shared,
 * predictable path under the temp folder would let another user of the
 * machine swap the zip between synth and deploy.
 */
function privateCacheDir(): string {
  if (!cacheDir) {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-secret-rotation-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  return cacheDir;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}
