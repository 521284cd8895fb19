// The time of `npm test` (type-check, lint, every test) on this machine, with
// the test counts Jest reports. Writes the `npm-test` section of bench/RESULTS.md.
//
//   node bench/npm-test.mjs
//
// It runs in this working tree (with its node_modules and dist/); CI runs
// the same command on a fresh clone, after `npm ci` (see .ci/run).
import { spawnSync } from 'node:child_process';
import { provenance, rootDir, table, writeSection } from './lib/report.mjs';

const start = process.hrtime.bigint();
const result = spawnSync('npm', ['test'], { cwd: rootDir, encoding: 'utf8', env: { ...process.env, CI: '1' }, maxBuffer: 1 << 28 });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const output = `${result.stdout}\n${result.stderr}`;
const line = (label) => output.match(new RegExp(`^${label}:\\s+(.*)$`, 'm'))?.[1]?.trim() ?? 'n/a';
const jestSeconds = output.match(/^Time:\s+([\d.]+) s/m)?.[1] ?? 'n/a';
if (result.status !== 0) {
  console.error(output.slice(-4000));
  console.error(`npm test failed (exit ${result.status}); the section is not written`);
  process.exit(1);
}
const minutes = `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
console.log(`npm test: ${minutes} (jest ${jestSeconds} s); ${line('Tests')}`);
writeSection(
  'npm-test',
  `## \`npm test\`

Type-check, lint and every test suite (real PostgreSQL and MariaDB servers,
the emulator, Terraform), one run in this working tree, timed from start to
exit. Target: at most 5 minutes on this 2-core machine.

${provenance('node bench/npm-test.mjs')}

${table(['wall', 'of which Jest', 'suites', 'tests', 'target'], [[minutes, `${jestSeconds} s`, line('Test Suites'), line('Tests'), seconds <= 300 ? 'met' : '**not met**']])}
`,
);
console.log('wrote the npm-test section of bench/RESULTS.md');
