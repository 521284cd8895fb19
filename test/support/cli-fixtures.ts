import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { REFERENCE_STACKS } from '../../stacks/reference-stacks';

export interface SynthFixtureOptions {
  /** The reference stacks to include, by name (default: all of them). */
  readonly stacks?: readonly string[];
  /** Rewrites a stack's cdk.tf.json in place before it is written back (a PR's change, a malformed input). */
  readonly mutate?: (json: Record<string, any>, stack: string) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
}

// Every folder made here; removed when the test file ends (jest) or the process exits.
const made: string[] = [];
const cleanup = () => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
};
if (typeof afterAll === 'function') afterAll(cleanup);
else process.once('exit', cleanup);

let pristine: string | undefined;

/** Synthesizes every reference stack once, as stacks/main.ts does; later calls copy it. */
function pristineSynth(): string {
  if (pristine) return pristine;
  const outdir = mkdtempSync(join(tmpdir(), 'cli-synth-'));
  made.push(outdir);
  const app = new App({ outdir });
  for (const [name, Stack] of Object.entries(REFERENCE_STACKS)) new Stack(app, name);
  app.synth();
  pristine = outdir;
  return outdir;
}

/**
 * A fresh folder shaped like cdktf.out (manifest.json and
 * stacks/<name>/cdk.tf.json, with the handler assets) holding the reference
 * stacks, optionally only some of them and optionally rewritten by `mutate`.
 * The synth itself happens once per test file; each call copies it.
 */
export function synthFixture(options: SynthFixtureOptions = {}): string {
  const source = pristineSynth();
  const all = Object.keys(REFERENCE_STACKS);
  const stacks = options.stacks ?? all;
  const unknown = stacks.filter((stack) => !all.includes(stack));
  if (unknown.length > 0) throw new Error(`synthFixture: no reference stack ${unknown.join(', ')}; there are ${all.join(', ')}`);

  const dir = mkdtempSync(join(tmpdir(), 'cli-fixture-'));
  made.push(dir);
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8'));
  manifest.stacks = Object.fromEntries(Object.entries(manifest.stacks as Record<string, unknown>).filter(([name]) => stacks.includes(name)));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, 'stacks'));
  for (const stack of stacks) {
    cpSync(join(source, 'stacks', stack), join(dir, 'stacks', stack), { recursive: true });
    if (options.mutate) {
      const file = join(dir, 'stacks', stack, 'cdk.tf.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      options.mutate(json, stack);
      writeFileSync(file, JSON.stringify(json, null, 2));
    }
  }
  return dir;
}
