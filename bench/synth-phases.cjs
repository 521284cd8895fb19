// Where one synth of bench/synth-app.cjs's stack spends its time: the same
// app, with cdktf's and this library's steps timed by wrapping them (cdktf
// 0.21's internals: its sorted JSON writer, TerraformStack's passes, the
// DeferredBlocks element's Aspect and write). Prints {phases: {name: ms}}.
// `node bench/synth-phases.cjs N`; bench/synth-phases.mjs runs it.
const start = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - start) / 1e6;
const phases = {};
const add = (name, ms) => (phases[name] = (phases[name] ?? 0) + ms);
/** Times every call of `holder[name]` under `phase` (not nested calls twice: each wrapped method is entered once at a time). */
function time(holder, name, phase) {
  const original = holder[name];
  if (typeof original !== 'function') throw new Error(`bench/synth-phases.cjs: ${name} is not a function any more; cdktf or the library changed`);
  holder[name] = function timed(...args) {
    const from = now();
    try {
      return original.apply(this, args);
    } finally {
      add(phase, now() - from);
    }
  };
}

const { mkdtempSync, rmSync } = require('node:fs');
const fs = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

let from = now();
// cdktf's synthesizer takes json-stable-stringify's export when it loads: wrap it first.
const stringifyPath = require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] });
require(stringifyPath);
const stringifyModule = require.cache[stringifyPath];
const stringify = stringifyModule.exports;
stringifyModule.exports = function timedStringify(...args) {
  const at = now();
  try {
    return stringify.apply(this, args);
  } finally {
    add('cdktf: sorted JSON text (json-stable-stringify)', now() - at);
  }
};
const { App, TerraformStack } = require('cdktf');
add('loading cdktf', now() - from);

from = now();
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { RotatedSecret, RotationFunction } = require('../dist/lib/modules');
const { DeferredBlocks } = require('../dist/lib/modules/private/deferred-blocks');
add('loading this library and the provider classes it uses', now() - from);

time(TerraformStack.prototype, 'prepareStack', "cdktf: cross-stack pass (every element's tokens)");
time(TerraformStack.prototype, 'toTerraform', "cdktf: the stack's JSON (resolving every element)");
time(DeferredBlocks.prototype, 'write', 'ours: writing the secrets\' blocks');
time(DeferredBlocks.prototype, 'buildSharingAddresses', "ours: the element's Aspect (every block's logical id, shared addresses)");
time(fs, 'writeFileSync', 'writing cdk.tf.json and the manifest');

const count = Number(process.argv[2]);
const outdir = mkdtempSync(join(tmpdir(), 'bench-phases-'));
from = now();
const app = new App({ outdir });
const stack = new TerraformStack(app, 'bench');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
add('building the rotation function and its alarms', now() - from);
from = now();
for (let i = 0; i < count; i += 1) new RotatedSecret(stack, `Secret${i}`, { rotation: { function: fn } });
add(`building ${count} RotatedSecrets`, now() - from);
from = now();
app.synth();
const synth = now() - from;
const wallMs = now();
rmSync(outdir, { recursive: true, force: true });

// Nested: the write is inside the stack's JSON; everything else timed in the synth is not.
phases["cdktf: the stack's JSON (resolving every element)"] -= phases["ours: writing the secrets' blocks"] ?? 0;
const timedInSynth = Object.entries(phases)
  .filter(([name]) => name.startsWith('cdktf:') || name.startsWith('ours:') || name.startsWith('writing'))
  .reduce((sum, [, ms]) => sum + ms, 0);
phases['app.synth(), the rest (Aspects walk, validation, manifest, asset)'] = synth - timedInSynth;
for (const name of ['cdktf: sorted JSON text (json-stable-stringify)', "ours: writing the secrets' blocks", "ours: the element's Aspect (every block's logical id, shared addresses)"]) {
  if (!(name in phases)) throw new Error(`bench/synth-phases.cjs: "${name}" was never called; cdktf or the library changed`);
}
console.log(JSON.stringify({ wallMs, phases }));
