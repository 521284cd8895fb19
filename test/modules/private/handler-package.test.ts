import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInHandlerDir, packageHandler } from '../../../modules/private/handler-package';

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
