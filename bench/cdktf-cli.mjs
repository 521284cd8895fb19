// `npx cdktf synth` of the synth benchmark's stack (bench/synth-app.cjs) with
// N = 1,000 secrets, and with 1 for the CLI's fixed cost: what a user waits
// for, the CLI's own start-up and its child process included. Writes the
// `cdktf-cli` section of bench/RESULTS.md.
//
//   node bench/cdktf-cli.mjs [--sizes 1,1000] [--runs 3]
//
// Needs `npm run build` first. Peak memory is read with GNU time when it is
// installed (the largest process of the tree: the CLI or the app it runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, provenance, rootDir, summary, table, writeSection } from './lib/report.mjs';

const { values: options } = parseArgs({ options: { sizes: { type: 'string', default: '1,1000' }, runs: { type: 'string', default: '3' } } });
const SIZES = options.sizes.split(',').map(Number);
const RUNS = Number(options.runs);
const cdktf = join(rootDir, 'node_modules', '.bin', 'cdktf');
const gnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : undefined;

const env = { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', CI: '1' };

function run(N) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cdktf-cli-'));
  try {
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${join(benchDir, 'synth-app.cjs')} ${N}`, sendCrashReports: 'false' }));
    const rssFile = join(dir, 'rss');
    const [command, args] = gnuTime ? [gnuTime, ['-o', rssFile, '-f', '%M', cdktf, 'synth']] : [cdktf, ['synth']];
    const start = process.hrtime.bigint();
    execFileSync(command, args, { cwd: dir, env, stdio: 'pipe' });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const maxRssMiB = gnuTime ? Number(execFileSync('tail', ['-1', rssFile]).toString().trim()) / 1024 : NaN;
    const bytes = statSync(join(dir, 'cdktf.out', 'stacks', 'bench', 'cdk.tf.json')).size;
    return { wallMs, maxRssMiB, bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x) => (Number.isNaN(x) ? 'n/a' : x.toFixed(0));
const rows = SIZES.map((N) => {
  run(N); // warm-up
  const runs = Array.from({ length: RUNS }, () => run(N));
  const wall = summary(runs.map((r) => r.wallMs));
  const rss = summary(runs.map((r) => r.maxRssMiB));
  console.log(`npx cdktf synth, N = ${N}: ${fmt(wall.median)} ms, ${fmt(rss.median)} MiB`);
  return [N, fmt(wall.median), fmt(wall.min), fmt(wall.max), fmt(rss.median), fmt(runs[0].bytes / 1024)];
});

writeSection(
  'cdktf-cli',
  `## \`npx cdktf synth\`

The stack of the synth benchmark, synthesized by the cdktf CLI (cdktf-cli,
a dev dependency) from a \`cdktf.json\` whose app is \`node bench/synth-app.cjs N\`:
the time a user waits, from starting the CLI to its exit. Peak memory is
the largest process of the tree (the CLI or the app), read with GNU time.
${RUNS} runs after a warm-up; median, min and max.

${provenance(`npm run build && node bench/cdktf-cli.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`)}

${table(['N', 'wall ms (median)', 'min', 'max', 'peak RSS MiB (median)', 'cdk.tf.json KiB'], rows)}

The CLI adds its own start-up and work (it loads its bundle, asks
Terraform for its version, reads cdktf.json, runs the app as a child
process, then reads the manifest) to the app's own time in the synth
table: the row for N = 1 is that fixed cost.
`,
);
console.log('wrote the cdktf-cli section of bench/RESULTS.md');
