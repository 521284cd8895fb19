// Where a synth of N = 1,000 spends its time, step by step
// (bench/synth-phases.cjs, each run a fresh `node` process): what is
// cdktf's, what is this library's. Writes the `synth-phases` section of
// bench/RESULTS.md.
//
//   node bench/synth-phases.mjs [--count 1000] [--runs 7]
//
// Needs `npm run build` first (npm run bench does it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, median, provenance, table, writeSection } from './lib/report.mjs';

const { values: options } = parseArgs({ options: { count: { type: 'string', default: '1000' }, runs: { type: 'string', default: '7' } } });
const COUNT = Number(options.count);
const RUNS = Number(options.runs);

const run = () => JSON.parse(execFileSync(process.execPath, [join(benchDir, 'synth-phases.cjs'), String(COUNT)], { cwd: join(benchDir, '..') }).toString().trim().split('\n').at(-1));
run(); // warm-up: file caches
const runs = Array.from({ length: RUNS }, run);

const names = Object.keys(runs[0].phases);
const rows = names.map((name) => {
  const values = runs.map((r) => r.phases[name]);
  return [name, median(values).toFixed(1), Math.min(...values).toFixed(1), Math.max(...values).toFixed(1)];
});
const walls = runs.map((r) => r.wallMs);
rows.push(['**the whole, first line to the end of app.synth()**', median(walls).toFixed(1), Math.min(...walls).toFixed(1), Math.max(...walls).toFixed(1)]);
console.log(rows.map((r) => `${r[1].padStart(8)} ms  ${r[0]}`).join('\n'));

const command = `node bench/synth-phases.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
writeSection(
  'synth-phases',
  `## Where a synth's time goes, step by step

The synth benchmark's app (\`bench/synth-app.cjs\`, N = ${COUNT.toLocaleString('en')}) with each
step timed from inside the process (\`bench/synth-phases.cjs\`: cdktf's and
this library's functions wrapped with a clock). Each step's median over
${RUNS} fresh processes after a warm-up, with min and max; the medians need not
add up to the median of the whole. "cdktf:" steps are cdktf's own work on
the whole stack (the rotation function and alarms' resources included),
"ours:" this library's, and the loading rows are \`require\`.

${provenance(`npm run build && ${command}`)}

${table(['step', 'ms (median)', 'min', 'max'], rows)}
`,
);
