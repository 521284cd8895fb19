const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { RotatedSecret, RotationFunction } = require('../dist/lib/modules');
const app = new App({ outdir: '/tmp/probe-out' });
const stack = new TerraformStack(app, 'bench');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
for (let i = 0; i < 1000; i += 1) new RotatedSecret(stack, `Secret${i}`, { rotation: { function: fn } });
const el = stack.node.findChild('cdktf-secret-rotation.DeferredBlocks');
for (let r = 0; r < 1; r++) { const t = process.hrtime.bigint(); el.write(); const t2 = process.hrtime.bigint(); el.live(); const t3=process.hrtime.bigint(); console.log('write', (Number(t2 - t) / 1e6).toFixed(1), 'live', (Number(t3 - t2) / 1e6).toFixed(1)); }
