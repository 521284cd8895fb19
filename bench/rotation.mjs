// Rotation benchmark: the latency of a full four-step rotation (createSecret,
// setSecret, testSecret, finishSecret) through the built handler bundles,
// against throwaway PostgreSQL and MariaDB servers that offer TLS, with the
// emulator as Secrets Manager reached by the real AWS SDK over HTTP.
// Writes the `rotation` section of bench/RESULTS.md.
//
// The servers and the emulator come from the test harness (test/support,
// emulator/), bundled from TypeScript with esbuild at run time. Each run is a
// fresh worker process (bench/lib/rotation-worker.cjs), as a Lambda instance:
// it loads the bundle, rotates WARMUP secrets untimed, then rotates SECRETS
// secrets one after the other, timing each rotation.
//
// BENCH_RUNS (default 3) sets the runs of the main scenario; BENCH_CPU_PROF=dir
// writes a CPU profile of each worker there; BENCH_HANDLER_LOG=file appends
// the handlers' log lines to it. BENCH_SECRETS, BENCH_ONLY
// (handler:tls,...) and BENCH_FUNCTIONS are for trying changes: with any of
// them set, the results are printed but not written.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { build } from 'esbuild';
import { provenance, rootDir, summary, table, writeSection } from './lib/report.mjs';

// The SDK's Node 20 deprecation warning, once per process (Lambda runs Node 22).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { CreateSecretCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');

const SECRETS = Number(process.env.BENCH_SECRETS ?? 200);
const WARMUP = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COMMAND = 'npm run build && node bench/rotation.mjs';
/** issue 7's ceilings for the median rotation, in ms. */
const TARGETS = { 'postgres-single-user': 40, 'mysql-single-user': 50 };
/** Where the bundles are; another folder (BENCH_FUNCTIONS) to compare builds. */
const FUNCTIONS = process.env.BENCH_FUNCTIONS ?? join(rootDir, 'dist', 'functions');
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:bench-rotation';

const work = mkdtempSync(join(tmpdir(), 'bench-rotation-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));

// The test harness, bundled once for this process.
const harnessFile = join(work, 'harness.cjs');
await build({
  stdin: {
    contents: `
      export { startPostgres } from './test/support/postgres';
      export { startMysql } from './test/support/mysql';
      export { makeSelfSignedCertificate } from './test/support/tls';
      export { startEmulator } from './emulator';
    `,
    resolveDir: rootDir,
    loader: 'ts',
  },
  outfile: harnessFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['pg-native', 'cloudflare:sockets'],
  logLevel: 'warning',
});
const { startPostgres, startMysql, makeSelfSignedCertificate, startEmulator } = createRequire(import.meta.url)(harnessFile);

const ms = (x) => x.toFixed(1);
const password = () => randomBytes(18).toString('base64url');

console.log('starting PostgreSQL and MariaDB (both with TLS) and the emulator');
const certificate = makeSelfSignedCertificate();
const started = await Promise.allSettled([startPostgres({ tls: certificate }), startMysql({ tls: certificate }), startEmulator()]);
// Stops what did start: a server left running would keep this process alive.
const stopAll = () => Promise.allSettled(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined))).then(() => certificate.remove());
const failedToStart = started.find((s) => s.status === 'rejected');
if (failedToStart) {
  await stopAll();
  throw failedToStart.reason;
}
const [pg, mysql, emulator] = started.map((s) => s.value);
// The CA bundle the handler verifies against: the test CA among Node's 140-odd
// bundled roots, about the size of RDS's global bundle (DB_TLS_CA_FILE on Lambda).
const caBundle = join(work, 'ca-bundle.pem');
writeFileSync(caBundle, [...rootCertificates, certificate.cert].join('\n'));

const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
const servers = {
  postgres: {
    target: { engine: 'postgres', host: pg.host, port: pg.port, dbname: pg.admin.database },
    // One multi-statement query: a connection per user would take longer than the benchmark.
    createUsers: (users) => pg.query(users.map(({ username, password: pw }) => `CREATE USER "${username}" PASSWORD '${pw}';`).join('\n')),
    admin: { username: pg.admin.username, password: pg.admin.password },
  },
  mysql: {
    target: { engine: 'mysql', host: mysql.host, port: mysql.port },
    createUsers: (users) => mysql.query(`CREATE USER ${users.map(({ username, password: pw }) => `'${username}'@'%' IDENTIFIED BY '${pw}'`).join(', ')}`),
    admin: { username: mysql.admin.username, password: mysql.admin.password },
  },
};

let secretCounter = 0;
/** WARMUP + SECRETS users on `kind`'s server, each with a secret that has no `ssl` key. */
async function makeSecrets(kind, strategy) {
  const server = servers[kind];
  const users = Array.from({ length: WARMUP + SECRETS }, () => ({ username: `bench_${++secretCounter}`, password: password() }));
  await server.createUsers(users);
  let masterarn;
  if (strategy === 'multi-user') {
    const master = await sm.send(new CreateSecretCommand({ Name: `bench/master/${kind}`, SecretString: JSON.stringify({ ...server.target, ...server.admin }) }));
    masterarn = master.ARN;
  }
  const arns = [];
  for (const user of users) {
    const secret = { ...server.target, ...user, ...(masterarn ? { masterarn } : {}) };
    arns.push((await sm.send(new CreateSecretCommand({ Name: `bench/${user.username}`, SecretString: JSON.stringify(secret) }))).ARN);
  }
  return { warmup: arns.slice(0, WARMUP), timed: arns.slice(WARMUP) };
}

/** One worker process: a fresh Lambda instance rotating every secret once. */
async function runWorker(handler, secrets, env) {
  const begin = (arns) => Promise.all(arns.map(async (arn) => ({ arn, token: await emulator.beginRotation(arn, { lambdaArn: LAMBDA_ARN }) })));
  const message = { bundle: join(FUNCTIONS, handler, 'index.js'), warmup: await begin(secrets.warmup), jobs: await begin(secrets.timed) };
  const profile = process.env.BENCH_CPU_PROF;
  const child = fork(join(rootDir, 'bench', 'lib', 'rotation-worker.cjs'), {
    stdio: ['ignore', process.env.BENCH_HANDLER_LOG ? openSync(process.env.BENCH_HANDLER_LOG, 'a') : 'ignore', 'inherit', 'ipc'],
    execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${handler}-${Date.now()}.cpuprofile`] : [],
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SECRETS_MANAGER_ENDPOINT: emulator.endpoint,
      ...env,
    },
  });
  const result = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the worker for ${handler} exited with code ${code} before reporting`)));
    child.send(message);
  });
  if (result.failures.length > 0) throw new Error(`${result.failures.length} rotation(s) of ${handler} failed, e.g. ${result.failures[0]}`);
  return result;
}

const SCENARIOS = [
  { handler: 'postgres-single-user', kind: 'postgres', strategy: 'single-user', tls: 'verified', runs: RUNS },
  { handler: 'mysql-single-user', kind: 'mysql', strategy: 'single-user', tls: 'verified', runs: RUNS },
  { handler: 'postgres-single-user', kind: 'postgres', strategy: 'single-user', tls: 'fallback', runs: 1 },
  { handler: 'mysql-single-user', kind: 'mysql', strategy: 'single-user', tls: 'fallback', runs: 1 },
  { handler: 'postgres-multi-user', kind: 'postgres', strategy: 'multi-user', tls: 'verified', runs: 1 },
  { handler: 'mysql-multi-user', kind: 'mysql', strategy: 'multi-user', tls: 'verified', runs: 1 },
].filter((s) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(`${s.handler}:${s.tls}`));
const TLS = {
  verified: { env: { DB_TLS_CA_FILE: caBundle }, label: 'TLS, verified' },
  fallback: { env: {}, label: 'TLS refused, then plain TCP' },
};

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const rows = [];
const stepRows = [];
const verdicts = [];
const secretsOf = new Map();
const versions = {};
try {
  versions.postgres = (await pg.query('SHOW server_version'))[0].server_version.split(' ')[0];
  versions.mariadb = String((await mysql.query('SELECT VERSION() AS v'))[0].v).split('-')[0];
  for (const scenario of SCENARIOS) {
    const key = `${scenario.handler}`;
    if (!secretsOf.has(key)) secretsOf.set(key, await makeSecrets(scenario.kind, scenario.strategy));
    const results = [];
    for (let run = 0; run < scenario.runs; run += 1) results.push(await runWorker(scenario.handler, secretsOf.get(key), TLS[scenario.tls].env));
    const latency = summary(results.flatMap((r) => r.latencies));
    const rate = summary(results.map((r) => (r.latencies.length / r.wallMs) * 1000));
    const rss = summary(results.map((r) => r.maxRssMiB));
    const cpu = summary(results.map((r) => r.cpuMs / r.latencies.length));
    const steps = STEPS.map((_, i) => summary(results.flatMap((r) => r.stepTimes[i])).median);
    const row = [
      `\`${scenario.handler}\``,
      TLS[scenario.tls].label,
      String(scenario.runs),
      ms(latency.median),
      ms(latency.p95),
      ms(latency.min),
      ms(latency.max),
      `${rate.median.toFixed(1)} (${rate.min.toFixed(1)}–${rate.max.toFixed(1)})`,
      ms(cpu.median),
      rss.median.toFixed(0),
    ];
    rows.push(row);
    stepRows.push([row[0], row[1], ...steps.map(ms)]);
    console.log(row.join('  '), '| steps', steps.map(ms).join(' '));
    const target = TARGETS[scenario.handler];
    if (target) {
      const verdict = latency.median <= target ? 'met' : '**not met**';
      verdicts.push(
        scenario.tls === 'verified'
          ? `\`${scenario.handler}\` (TLS, verified): median ${ms(latency.median)} ms, target at most ${target} ms: ${verdict}`
          : `\`${scenario.handler}\` with TLS refused, then plain TCP (the same secret on a server whose certificate the function cannot verify): median ${ms(latency.median)} ms against the same ${target} ms: ${verdict}`,
      );
    }
  }
} finally {
  sm.destroy();
  await stopAll();
}

/** What was changed to get here, and where the time goes: measured while making the changes, on the same machine. */
const NOTES = `Before the changes that came with this benchmark, the same benchmark gave
(200 secrets, one run, this machine): \`postgres-single-user\` 160.6 ms median (TLS,
verified) and 116.6 ms (TLS refused, then plain), \`mysql-single-user\` 127.9 and
61.3 ms, \`postgres-multi-user\` 183.7 ms, \`mysql-multi-user\` 152.7 ms; peak RSS
up to 418 MiB. What changed, in the order of what it saved:
- A TLS secure context is built once per CA bundle and process
  (\`functions/shared/tls-cache.ts\`), not per connection attempt: parsing a
  140-certificate bundle took about 29 ms, three times a rotation, and held
  the memory. MySQL gets one \`ssl\` options object per bundle, so mysql2 also
  keeps its own context and resumes TLS sessions.
- Single-user setSecret logs in with AWSCURRENT first: one login per
  setSecret instead of a refused login with the pending password first (the
  pending password is still tried, when AWSCURRENT is refused).
- The values a step reads (AWSCURRENT, AWSPENDING, AWSPREVIOUS) are read
  together after the guard: 11 round trips to Secrets Manager per rotation
  instead of 16. The guard still comes first, and no value is read before it.
- The logger masks, per invocation, only the values that invocation read: one
  logger for the life of the process kept every password it had seen and
  scanned every log line for all of them, so each rotation got slower than the
  last.

What remains, for PostgreSQL: two logins (setSecret and testSecret), each a
new backend process, a TLS handshake and a SCRAM exchange, about 10 to 12 ms
each here; 16 Secrets Manager calls in 11 round trips, about 1 ms of SDK CPU
each; the SCRAM verifier of the new password (PBKDF2, 4096 iterations, 1 ms).
With the certificate refused, each login is two connections.`;

const trial = ['BENCH_SECRETS', 'BENCH_ONLY', 'BENCH_FUNCTIONS'].some((name) => process.env[name] !== undefined);
if (trial) {
  console.log('a trial run (BENCH_SECRETS, BENCH_ONLY or BENCH_FUNCTIONS set): bench/RESULTS.md left as it is');
  process.exit(0);
}
writeSection(
  'rotation',
  `## Rotation latency

A full rotation (createSecret, setSecret, testSecret, finishSecret, run one
after the other as Secrets Manager invokes them) through the built bundle in
\`dist/functions/<name>/\`, against a throwaway PostgreSQL ${versions.postgres} and MariaDB
${versions.mariadb} server on loopback (started by the test harness, both offering TLS with a
self-signed certificate), with the emulator as Secrets Manager, reached by
the bundled AWS SDK over HTTP. Each secret has no \`ssl\` key, so the handler
tries verified TLS first: with \`DB_TLS_CA_FILE\` naming a bundle of the test
CA and Node's ${rootCertificates.length} bundled roots (about the size of RDS's
global bundle), TLS succeeds ("TLS, verified"); without it, the certificate
is refused and the handler falls back to plain TCP ("TLS refused, then plain
TCP"). Each run is a fresh process, as a new Lambda instance: it loads the
bundle, rotates ${WARMUP} secrets untimed, then rotates ${SECRETS} others, each
with its own database user, one after the other. Latency is the wall time
of one rotation's four steps in that process (Secrets Manager's own
invocation overhead is not in it), over every rotation of every run: median,
p95, min and max. Rotations per second are ${SECRETS} over the wall time of
the ${SECRETS} rotations, median of the runs (min–max). Handler CPU is the
worker's user and system CPU time over those rotations, per rotation (less
sensitive to other load on the machine than the wall time). Peak RSS is the
worker's. The alternating-users handlers create each clone user on a
secret's first rotation, which is what they time here. The emulator and the
servers run on the same 2 cores as the handler.

${provenance(COMMAND)}

${table(['handler', 'TLS', 'runs', 'median ms', 'p95 ms', 'min ms', 'max ms', 'rotations/s', 'handler CPU ms per rotation', 'peak RSS MiB'], rows)}

Median time of each step, ms (each step is one DescribeSecret, then the
step's reads together, then its work; setSecret and testSecret each log in
once on the usual path):

${table(['handler', 'TLS', ...STEPS], stepRows)}

Targets (issue 7: a secret without an \`ssl\` key, TLS used where the server
offers it; AWS's Python templates, measured the same way, take about 80
and 97 ms):
${verdicts.map((v) => `- ${v}`).join('\n')}

${NOTES}
`,
);
console.log('wrote the rotation section of bench/RESULTS.md');
