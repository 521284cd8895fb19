import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder } from '../support/files';

const root = join(__dirname, '..', '..');
const SOURCES = ['modules', 'functions', 'stacks', 'cli', 'emulator', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'cdktf.json'];
const work = mkdtempSync(join(tmpdir(), 'two-clones-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the sources at `path` (sharing node_modules), where the README's `npm run synth` is run. */
function synthInCopy(path: string): string {
  mkdirSync(path, { recursive: true });
  for (const source of SOURCES) cpSync(join(root, source), join(path, source), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(path, 'node_modules'), 'dir');
  execFileSync('npm', ['run', '--silent', 'synth'], { cwd: path, stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  return join(path, 'cdktf.out');
}


describe('npm run synth', () => {
  it('writes byte-identical cdktf.out from two copies of the sources in different folders', () => {
    const first = filesUnder(synthInCopy(join(work, 'a')));
    const second = filesUnder(synthInCopy(join(work, 'somewhere', 'much', 'deeper', 'b')));
    expect(Object.keys(first).filter((p) => p.endsWith('cdk.tf.json')).length).toBeGreaterThan(1);
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const path of Object.keys(first)) expect({ path, same: second[path].equals(first[path]) }).toEqual({ path, same: true });
  }, 180_000);
});
