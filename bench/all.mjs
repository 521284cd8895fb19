// `npm run bench`: every benchmark in turn, each rewriting its own section of
// bench/RESULTS.md. `--skip name,name` leaves sections out (their old
// figures stay); `--only name` runs one. Run it on an idle machine.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, rootDir } from './lib/report.mjs';

const BENCHMARKS = [
  ['synth', 'synth.mjs'],
  ['synth-phases', 'synth-phases.mjs'],
  ['cdktf-cli', 'cdktf-cli.mjs'],
  ['handlers', 'handlers.mjs'],
  ['rotation', 'rotation.mjs'],
  ['terraform', 'terraform.mjs'],
  ['npm-test', 'npm-test.mjs'],
];
const { values: options } = parseArgs({ options: { skip: { type: 'string', default: '' }, only: { type: 'string', default: '' } } });
const skip = new Set(options.skip.split(',').filter(Boolean));
const only = new Set(options.only.split(',').filter(Boolean));
for (const name of [...skip, ...only]) {
  if (!BENCHMARKS.some(([known]) => known === name)) throw new Error(`unknown benchmark ${name}; known: ${BENCHMARKS.map(([n]) => n).join(', ')}`);
}

for (const [name, script] of BENCHMARKS) {
  if (skip.has(name) || (only.size > 0 && !only.has(name))) continue;
  console.log(`\n== ${name}: node bench/${script}`);
  const result = spawnSync(process.execPath, [join(benchDir, script)], { cwd: rootDir, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench/${script} failed (exit ${result.status})`);
    process.exit(1);
  }
}
