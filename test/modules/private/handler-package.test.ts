import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import fs from 'node:fs';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_HANDLERS } from '../../../modules/rotation-function';
import { builtInHandlerDir, builtInHandlerPackage, packageHandler, prebuiltZipPath } from '../../../modules/private/handler-package';

const root = join(__dirname, '..', '..', '..');
const dirs: string[] = [];

/** A handler folder with the same files, but its own mtimes and permissions. */
function handlerDir(mtime: Date, mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'handler-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'lib'));
  for (const [path, body] of [['index.js', 'exports.handler = async () => {};\n'], ['lib/util.js', 'module.exports = 1;\n']]) {
    writeFileSync(join(dir, path), body);
    chmodSync(join(dir, path), mode);
    utimesSync(join(dir, path), mtime, mtime);
  }
  return dir;
}

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('packageHandler', () => {
  it('gives the same zip for the same files, whatever their mtimes and permissions', () => {
    const a = packageHandler('h', handlerDir(new Date('2001-02-03T04:05:06Z'), 0o644));
    const b = packageHandler('h', handlerDir(new Date('2030-12-31T23:59:59Z'), 0o755));
    expect(b).toEqual(a);
    expect(a.zipPath).toMatch(/h\.zip$/);
  });

  it('gives the same zip in every time zone', () => {
    // Jest gives each test file its own copy of process.env, so TZ is set on child processes.
    const dir = handlerDir(new Date(), 0o644);
    // Inside node_modules, so the bundle finds cdktf.
    const script = join(root, 'node_modules', '.cache', 'handler-package-test', 'package-handler.js');
    buildSync({ entryPoints: [join(root, 'modules/private/handler-package.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: script, external: ['cdktf'], logLevel: 'error' });
    const run = (tz: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', `const p = require(${JSON.stringify(script)}); console.log(JSON.stringify({ hour: new Date(Date.UTC(2020, 0, 1, 12)).getHours(), hash: p.packageHandler('h', ${JSON.stringify(dir)}).sourceCodeHash }))`], {
          env: { ...process.env, TZ: tz },
          cwd: root,
        }).toString(),
      );
    const honolulu = run('Pacific/Honolulu');
    const tokyo = run('Asia/Tokyo');
    expect(honolulu.hour).not.toBe(tokyo.hour); // the zone really changed
    expect(honolulu.hash).toBe(tokyo.hash);
  });

  it('changes the zip when a file changes', () => {
    const a = packageHandler('h', handlerDir(new Date(), 0o644));
    const dir = handlerDir(new Date(), 0o644);
    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 1;\n');
    expect(packageHandler('h', dir).sourceCodeHash).not.toBe(a.sourceCodeHash);
  });

  it('fails when a built-in handler is not built, saying how to build it', () => {
    expect(() => builtInHandlerDir('no-such-handler')).toThrow(/the no-such-handler handler is not built: .*no-such-handler\/index\.js is missing; run `npm run build` first/);
  });
});

describe('builtInHandlerPackage', () => {
  it.each([...BUILT_IN_HANDLERS])('reads the zip that npm run build wrote for %s, the same bytes as zipping the bundle at synth', (name) => {
    const pkg = builtInHandlerPackage(name);
    expect(pkg.zipPath).toBe(join(root, 'dist', 'handler-zips', pkg.zipPath.split('/').at(-2)!, `${name}.zip`));
    const zipped = packageHandler(name, builtInHandlerDir(name));
    expect(pkg.sourceCodeHash).toBe(zipped.sourceCodeHash);
    expect(readFileSync(pkg.zipPath).equals(readFileSync(zipped.zipPath))).toBe(true);
  });

  it('looks a prebuilt zip up by the names and contents of the files, so a zip of other files is never used', () => {
    const files = (body: string, path = 'index.js') => [[path, Buffer.from(body)] as const];
    const zip = prebuiltZipPath('h', files('exports.handler = 1;'));
    expect(zip).toMatch(/dist\/handler-zips\/[0-9a-f]{64}\/h\.zip$/);
    expect(prebuiltZipPath('h', files('exports.handler = 2;'))).not.toBe(zip);
    expect(prebuiltZipPath('h', files('exports.handler = 1;', 'main.js'))).not.toBe(zip);
    expect(prebuiltZipPath('h', files('exports.handler = 1;'))).toBe(zip);
  });

  it('zips the bundle at synth when there is no prebuilt zip for it', () => {
    const name = BUILT_IN_HANDLERS[0];
    const prebuilt = builtInHandlerPackage(name).zipPath;
    expect(existsSync(prebuilt)).toBe(true);
    // The zip is reported missing to this test only: moving the real one
    // away would pull it from under a synth in another test file, between
    // its read and cdktf's look at the asset's path.
    const realReadFileSync = fs.readFileSync;
    let refused = 0;
    const readFile = jest.spyOn(fs, 'readFileSync').mockImplementation(((path: fs.PathOrFileDescriptor, options?: never) => {
      if (path !== prebuilt) return realReadFileSync(path, options);
      refused += 1;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${prebuilt}'`), { code: 'ENOENT' });
    }) as typeof fs.readFileSync);
    let pkg: ReturnType<typeof builtInHandlerPackage>;
    try {
      pkg = builtInHandlerPackage(name);
    } finally {
      readFile.mockRestore();
    }
    expect(refused).toBe(1);
    expect(pkg.zipPath).not.toContain('handler-zips');
    expect(readFileSync(pkg.zipPath).equals(readFileSync(prebuilt))).toBe(true);
  });
});
