// One Lambda instance, as bench/rotation.mjs runs it: a fresh process that
// loads a built handler bundle, then runs the four rotation steps for each
// secret it is given, one secret after the other, and reports the time of
// each rotation (and of each step) over IPC. The handler's log lines go to
// stdout, which the parent discards.
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const now = () => Number(process.hrtime.bigint()) / 1e6;

process.once('message', async ({ bundle, warmup, jobs }) => {
  const failures = [];
  /** Runs one rotation; resolves the time of each step, or undefined when a step failed. */
  const rotate = async ({ arn, token }) => {
    const times = [];
    try {
      for (const Step of STEPS) {
        const t = now();
        await handler({ Step, SecretId: arn, ClientRequestToken: token });
        times.push(now() - t);
      }
      return times;
    } catch (error) {
      failures.push(`${arn}: ${error && error.name}: ${error && error.message}`);
      return undefined;
    }
  };
  const loadStart = now();
  const { handler } = require(bundle);
  const loadMs = now() - loadStart;
  for (const job of warmup) await rotate(job);
  const latencies = [];
  const stepTimes = STEPS.map(() => []);
  const cpu = process.cpuUsage();
  const started = now();
  for (const job of jobs) {
    const t = now();
    const times = await rotate(job);
    if (!times) continue;
    latencies.push(now() - t);
    times.forEach((ms, i) => stepTimes[i].push(ms));
  }
  const wallMs = now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const result = { loadMs, latencies, stepTimes, wallMs, cpuMs: (user + system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024, failures };
  process.send(result, () => process.exit(0));
});
