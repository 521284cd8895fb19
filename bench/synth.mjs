// Synth benchmark: time and peak memory of a stack of N RotatedSecrets with
// custom rotation by one RotationFunction, each run a fresh `node` process
// (after one warm-up run per N). Writes bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [1, 100, 1000];
const RUNS = 5;

const run = (n) => JSON.parse(execFileSync(process.execPath, [join(here, 'synth-app.cjs'), String(n)], { cwd: join(here, '..') }).toString());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(0);

// Node's own start-up, which the synth timings below leave out.
const startups = Array.from({ length: 6 }, () => {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '']);
  return Number(process.hrtime.bigint() - t) / 1e6;
});

const rows = [];
for (const n of SIZES) {
  run(n); // warm-up: file caches, the handler zip cache
  const results = Array.from({ length: RUNS }, () => run(n));
  const wall = results.map((r) => r.wallMs);
  const rss = results.map((r) => r.maxRssMiB);
  rows.push(`| ${n} | ${fmt(median(wall))} | ${fmt(Math.min(...wall))} | ${fmt(Math.max(...wall))} | ${fmt(median(rss))} | ${fmt(Math.max(...rss))} | ${(results[0].bytes / 1024).toFixed(0)} |`);
  console.log(rows.at(-1));
}

const machine = `${cpus().length} × ${cpus()[0].model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Benchmark results

## Synth of N rotated secrets

One stack: N \`RotatedSecret\`s (each with its own KMS key, resource policy and
rotation schedule), all rotated by one \`RotationFunction\` (postgres-single-user)
with its default alarms. Each run is a fresh \`node\` process that loads the
compiled library, builds the stack and synthesizes it (the zip of the
handler included); wall time is measured inside the process from its first
line to the end of \`app.synth()\`: Node's own start-up is not counted
(\`node -e ''\` alone took ${fmt(median(startups))} ms, median of 6 runs in the same
benchmark). Peak memory is the process's maximum resident set size. ${RUNS} runs
per N after one warm-up run; median, min and max.

- Machine: ${machine}
- Date: ${new Date().toISOString().slice(0, 10)}
- Command: \`npm run bench\` (builds, then \`node bench/synth.mjs\`)

| N | wall ms (median) | min | max | peak RSS MiB (median) | max | cdk.tf.json KiB |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Not yet measured here (issue 7): \`npx cdktf synth\`, the hand-written JSON floor,
AWS CDK side by side, N = 5000, handler sizes and cold starts, rotation
latency, and Terraform's validate and plan times.
`,
);
console.log(`machine: ${machine}; wrote bench/RESULTS.md`);
