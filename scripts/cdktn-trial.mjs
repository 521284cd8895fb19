// How far is this project from CDK Terrain (cdktn), the community fork of
// CDK for Terraform? Copies the sources into a temporary folder, moves every
// import of `cdktf` and `@cdktf/provider-aws` to `cdktn` and
// `@cdktn/provider-aws`, installs those from the npm registry, then
// type-checks, lints, synthesizes the reference stacks, runs the construct,
// stack and CLI tests, and compares each stack's cdk.tf.json with the one
// cdktf gives. It reports; it changes nothing in this checkout. The default
// stays cdktf: the project's users chose it.
//
//   npm run trial:cdktn -- [--cdktn 0.24.0] [--provider 25.7.0] [--constructs 10.7.0] [--without-target-versions] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    // cdktn 0.24.0 was the only version on the registry on 2026-12-05;
    // @cdktn/provider-aws 25.7.0 is the newest that takes it, and it wants
    // constructs >=10.6.0 <10.8.0.
    cdktn: { type: 'string', default: '0.24.0' },
    provider: { type: 'string', default: '25.7.0' },
    constructs: { type: 'string', default: '10.7.0' },
    // cdktn refuses write-only attributes (secret_string_wo) unless the app
    // declares that it targets Terraform 1.11 or later: `targetVersions` in
    // cdktf.json's context, or CDKTF_CONTEXT_JSON. The trial declares it, as
    // a user on cdktn would; this flag leaves it out, to see that refusal.
    'without-target-versions': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const TARGET_VERSIONS = { targetVersions: { terraform: '>=1.11.0' } };

/** Not copied: build output and history. */
const LEFT_OUT = new Set(['node_modules', 'dist', 'cdktf.out', '.git', 'coverage', '.scratch']);
/** Where imports are moved: every source, test and script folder, the two configs that name packages, and the README's code. */
const CODE_ROOTS = ['modules', 'functions', 'stacks', 'cli', 'emulator', 'scripts', 'test', 'examples', 'eslint.config.mjs', 'jest.config.js', 'README.md'];
const CODE_FILE = /\.(ts|js|mjs|cjs|md)$/;
// A module specifier, in quotes: 'cdktf', 'cdktf/lib/...', '@cdktf/provider-aws', '@cdktf/provider-aws/lib/...'.
// Quotes right after the name keep 'cdktf-secret-rotation', 'cdktf.out' and 'cdktf-cli' as they are.
const SPECIFIER = /(['"])(cdktf|@cdktf\/provider-aws)((?:\/[^'"\s]*)?)\1/g;
const ENV = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  DISABLE_VERSION_CHECK: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Read by cdktf's App too, which ignores the key: the baseline synth below gets it as well.
  ...(options['without-target-versions'] ? {} : { CDKTF_CONTEXT_JSON: JSON.stringify(TARGET_VERSIONS) }),
};

const work = mkdtempSync(join(tmpdir(), 'cdktn-trial-'));
const results = [];

function copySources(to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(root)) if (!LEFT_OUT.has(entry)) cpSync(join(root, entry), join(to, entry), { recursive: true });
}

function codeFiles(dir, path = dir) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return CODE_FILE.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' ? [] : codeFiles(dir, join(path, name))));
}

/** Moves the imports in every code file of the copy; returns how many specifiers moved, and in how many files. */
function moveImports(copy) {
  let specifiers = 0;
  let files = 0;
  for (const file of CODE_ROOTS.flatMap((name) => codeFiles(copy, join(copy, name)))) {
    const before = readFileSync(file, 'utf8');
    let moved = 0;
    const after = before.replace(SPECIFIER, (_, quote, name, rest) => {
      moved += 1;
      return `${quote}${name === 'cdktf' ? 'cdktn' : '@cdktn/provider-aws'}${rest}${quote}`;
    });
    if (moved > 0) {
      writeFileSync(file, after);
      specifiers += moved;
      files += 1;
    }
  }
  return { specifiers, files };
}

/** The copy's package.json on cdktn: the cdktf packages out of every dependency list, cdktn's in. cdktf-cli goes too (it brings cdktf back); nothing here needs it. */
function moveManifest(copy) {
  const path = join(copy, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  for (const list of ['dependencies', 'devDependencies', 'peerDependencies']) {
    const deps = manifest[list];
    if (!deps) continue;
    for (const name of ['cdktf', '@cdktf/provider-aws', 'cdktf-cli']) delete deps[name];
  }
  Object.assign(manifest.devDependencies, { cdktn: options.cdktn, '@cdktn/provider-aws': options.provider, constructs: options.constructs });
  Object.assign(manifest.peerDependencies, { cdktn: `^${options.cdktn}`, '@cdktn/provider-aws': `^${options.provider}`, constructs: `>=${options.constructs}` });
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  // The lock stays: npm swaps the cdktf packages for cdktn's and keeps every
  // other version, so the handler bundles (and their hashes) are cdktf's.
}

/** Runs one step of the trial, recording its result, time and the last lines it printed. */
function step(name, command, args, cwd, summarize = (output) => lastLines(output, 1)) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const passed = result.status === 0;
  results.push({ name, result: passed ? 'passed' : `failed (exit ${result.status})`, seconds, notes: summarize(output, passed) });
  writeFileSync(join(work, `${name.replace(/\W+/g, '-')}.log`), output);
  console.log(`${passed ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  return { passed, output };
}

function lastLines(output, count) {
  return output.trim().split('\n').filter((line) => line.trim()).slice(-count).join(' / ').replace(/\|/g, '\\|').slice(0, 300);
}

/** Jest's counts, and the first failing tests' names. */
function jestSummary(output) {
  const counts = /^Tests:\s+(.*)$/m.exec(output)?.[1] ?? 'no test summary';
  const failed = [...output.matchAll(/^\s+● (.+)$/gm)].map((m) => m[1]).filter((name, i, all) => all.indexOf(name) === i);
  return `${counts}${failed.length ? `; first failures: ${failed.slice(0, 3).join('; ')}` : ''}`.replace(/\|/g, '\\|');
}

/** The reference stacks' cdk.tf.json under cdktn against cdktf's, stack by stack. */
function compareSynth(cdktnOut, cdktfOut) {
  const stacks = existsSync(join(cdktfOut, 'stacks')) ? readdirSync(join(cdktfOut, 'stacks')).sort() : [];
  return stacks.map((stack) => {
    const read = (dir) => {
      const file = join(dir, 'stacks', stack, 'cdk.tf.json');
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    const [ours, theirs] = [read(cdktfOut), read(cdktnOut)];
    if (theirs === undefined) return { stack, verdict: 'not synthesized under cdktn' };
    if (ours === theirs) return { stack, verdict: 'byte-identical' };
    return { stack, verdict: describeDifference(JSON.parse(ours), JSON.parse(theirs)) };
  });
}

/** The paths (to two levels below a block type) where two cdk.tf.json documents differ. */
function describeDifference(a, b) {
  const paths = new Set();
  const walk = (x, y, path) => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (x && y && typeof x === 'object' && typeof y === 'object' && path.length < 4) {
      for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[key], y[key], [...path, key]);
    } else {
      paths.add(path.join('.'));
    }
  };
  walk(a, b, []);
  const list = [...paths].sort();
  return `differs at ${list.slice(0, 6).join(', ')}${list.length > 6 ? ` and ${list.length - 6} more` : ''}`;
}

function main() {
  const context = options['without-target-versions'] ? 'no targetVersions' : `context ${JSON.stringify(TARGET_VERSIONS)}`;
  console.log(`CDK Terrain trial in ${work}: cdktn ${options.cdktn}, @cdktn/provider-aws ${options.provider}, constructs ${options.constructs}, ${context}, Node ${process.version}`);
  const trial = join(work, 'cdktn');
  copySources(trial);
  const moved = moveImports(trial);
  moveManifest(trial);
  results.push({ name: 'move imports', result: 'done', seconds: '0.0', notes: `${moved.specifiers} specifiers in ${moved.files} files` });

  const install = step('npm install (registry)', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn'], trial, (output) =>
    [...new Set(output.match(/EBADENGINE[^\n]*|ERESOLVE[^\n]*|required: \{[^}]*\}/g) ?? [])].slice(0, 3).join('; ').replace(/\|/g, '\\|') || 'no engine or peer warnings');
  if (!install.passed) {
    printSummary();
    throw new Error(`npm install failed in ${trial}: see ${join(work, 'npm-install-registry-.log')}`);
  }
  step('typecheck (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], trial, (output, passed) => (passed ? 'no errors' : `${(output.match(/error TS/g) ?? []).length} errors; first: ${lastLines(output.split('\n').find((l) => l.includes('error TS')) ?? '', 1)}`));
  step('lint (eslint .)', 'npx', ['eslint', '.'], trial, (output, passed) => (passed ? 'no problems' : lastLines(output, 2)));
  step('reference synth (npm run synth)', 'npm', ['run', '--silent', 'synth'], trial, (output, passed) => (passed ? `${readdirSync(join(trial, 'cdktf.out', 'stacks')).length} stacks` : lastLines(output, 2)));
  for (const [name, paths] of [
    ['construct tests (test/modules)', ['test/modules']],
    ['stack tests (test/stacks)', ['test/stacks']],
    ['CLI tests (test/cli)', ['test/cli']],
    ['project tests (test/project)', ['test/project']],
  ]) {
    step(name, 'npx', ['jest', ...paths], trial, jestSummary);
  }

  // cdktf's own synth of the same sources, for the comparison: a second copy sharing this checkout's node_modules.
  const baseline = join(work, 'cdktf');
  copySources(baseline);
  symlinkSync(join(root, 'node_modules'), join(baseline, 'node_modules'), 'dir');
  execFileSync('npm', ['run', '--silent', 'synth'], { cwd: baseline, env: ENV, stdio: 'pipe' });
  const comparison = compareSynth(join(trial, 'cdktf.out'), join(baseline, 'cdktf.out'));
  printSummary(comparison);
}

function printSummary(comparison = []) {
  console.log('\n| step | result | time (s) | notes |\n|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.result} | ${r.seconds} | ${r.notes} |`);
  if (comparison.length) {
    console.log('\n| reference stack | cdk.tf.json under cdktn, against cdktf |\n|---|---|');
    for (const c of comparison) console.log(`| ${c.stack} | ${c.verdict} |`);
  }
  console.log(`\nLogs of each step: ${work}${options.keep ? '' : ' (removed now; --keep keeps them)'}`);
}

try {
  main();
} catch (error) {
  console.error(`The trial could not run: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (!options.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`Kept: ${relative(process.cwd(), work) || work}`);
}
