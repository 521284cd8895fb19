// One Lambda instance, as bench/rotation.mjs runs it: a fresh process that
// loads a built handler bundle, then runs the four rotation steps for each
// secret it is given, one secret after the other, and reports the time of
// each rotation over IPC. The handler's log lines go to stdout, which the
// parent discards.
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function rotate(handler, { arn, token }) {
  for (const Step of STEPS) await handler({ Step, SecretId: arn, ClientRequestToken: token });
}

process.once('message', async ({ bundle, warmup, jobs }) => {
  const failures = [];
  const run = async (job) => {
    try {
      await rotate(handler, job);
      return true;
    } catch (error) {
      failures.push(`${job.arn}: ${error && error.name}: ${error && error.message}`);
      return false;
    }
  };
  const loadStart = now();
  const { handler } = require(bundle);
  const loadMs = now() - loadStart;
  for (const job of warmup) await run(job);
  const latencies = [];
  const started = now();
  for (const job of jobs) {
    const t = now();
    if (await run(job)) latencies.push(now() - t);
  }
  const wallMs = now() - started;
  process.send({ loadMs, latencies, wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, failures }, () => process.exit(0));
});
