// One synth of a stack with N rotated secrets served by one rotation
// function (alarms on), in a fresh process. Prints {wallMs, maxRssMiB, bytes}.
// `node bench/synth-app.cjs N eager` builds every secret's resources as
// constructs (the context key cdktf-secret-rotation:eagerSecrets), as
// releases before 0.2.0 did.
// Under `cdktf synth`, the CLI names the output folder (CDKTF_OUTDIR) and
// keeps it; run alone, it writes to a temporary folder and removes it.
const start = process.hrtime.bigint();
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { RotatedSecret, RotationFunction } = require('../dist/lib/modules');

const count = Number(process.argv[2]);
const eager = process.argv[3] === 'eager';
const underCli = process.env.CDKTF_OUTDIR !== undefined;
const outdir = underCli ? process.env.CDKTF_OUTDIR : mkdtempSync(join(tmpdir(), 'bench-synth-'));
const app = new App({ outdir, context: eager ? { 'cdktf-secret-rotation:eagerSecrets': true } : {} });
const stack = new TerraformStack(app, 'bench');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
for (let i = 0; i < count; i += 1) new RotatedSecret(stack, `Secret${i}`, { rotation: { function: fn } });
app.synth();
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const bytes = readFileSync(join(outdir, 'stacks', 'bench', 'cdk.tf.json')).length;
if (!underCli) rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes }));
