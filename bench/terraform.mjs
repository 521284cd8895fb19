// Terraform's own time on what the synth benchmark writes: `terraform
// validate` and `terraform plan -refresh=false` of the stack of N secrets
// (bench/synth-app.cjs), N = 100 and 1,000, offline: the hashicorp/aws
// provider comes from a filesystem mirror (TF_PROVIDER_MIRROR, default
// /opt/tf-plugins) and gets fake credentials. Writes the `terraform` section
// of bench/RESULTS.md, or says why it was skipped.
//
//   node bench/terraform.mjs [--sizes 100,1000] [--runs 3]
//
// Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, provenance, summary, table, writeSection } from './lib/report.mjs';

const { values: options } = parseArgs({ options: { sizes: { type: 'string', default: '100,1000' }, runs: { type: 'string', default: '3' } } });
const SIZES = options.sizes.split(',').map(Number);
const RUNS = Number(options.runs);
const command = `npm run build && node bench/terraform.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;

const mirror = process.env.TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
const providerDir = join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');
let terraformVersion;
try {
  terraformVersion = JSON.parse(execFileSync('terraform', ['version', '-json'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' }, stdio: 'pipe' }).toString()).terraform_version;
} catch {
  terraformVersion = undefined;
}
const providerVersions = existsSync(providerDir) ? readdirSync(providerDir).sort() : [];
const skipped = !terraformVersion ? 'terraform is not on the PATH' : providerVersions.length === 0 ? `no hashicorp/aws provider in the mirror ${mirror} (set TF_PROVIDER_MIRROR)` : undefined;
if (skipped) {
  console.warn(`Terraform benchmark skipped: ${skipped}`);
  writeSection('terraform', `## Terraform validate and plan\n\nSkipped on this machine: ${skipped}.\n\n${provenance(command)}\n`);
  process.exit(0);
}
const providerVersion = providerVersions.at(-1);

const work = mkdtempSync(join(tmpdir(), 'bench-terraform-'));
const cliConfig = join(work, 'terraform.rc');
writeFileSync(
  cliConfig,
  `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
);
const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

/** Synthesizes N secrets into a folder of its own, ready for an offline init. */
function prepare(n) {
  const outdir = join(work, `synth-${n}`);
  execFileSync(process.execPath, [join(benchDir, 'synth-app.cjs'), String(n)], { env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: 'pipe' });
  const dir = join(outdir, 'stacks', 'bench');
  const file = join(dir, 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.terraform.required_providers.aws = { source: 'hashicorp/aws', version: providerVersion };
  json.terraform.backend = { local: { path: join(dir, 'bench.tfstate') } };
  Object.assign(json.provider.aws[0], {
    access_key: 'bench',
    secret_key: 'bench',
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
  });
  writeFileSync(file, JSON.stringify(json, null, 2));
  return { dir, resources: Object.values(json.resource).reduce((sum, blocks) => sum + Object.keys(blocks).length, 0) };
}

const timed = (dir, args) => {
  const start = process.hrtime.bigint();
  execFileSync('terraform', args, { cwd: dir, env, stdio: 'pipe', maxBuffer: 1 << 28 });
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const fmt = (ms) => (ms / 1000).toFixed(2);

const rows = [];
try {
  for (const n of SIZES) {
    const { dir, resources } = prepare(n);
    const initMs = timed(dir, ['init', '-input=false', '-no-color']);
    timed(dir, ['validate', '-no-color']); // warm-up
    const validate = summary(Array.from({ length: RUNS }, () => timed(dir, ['validate', '-no-color'])));
    const plan = summary(Array.from({ length: RUNS }, () => timed(dir, ['plan', '-refresh=false', '-input=false', '-no-color', '-lock=false', '-out', 'plan.bin'])));
    console.log(`N = ${n}: init ${fmt(initMs)} s, validate ${fmt(validate.median)} s, plan ${fmt(plan.median)} s`);
    rows.push([n, resources, fmt(initMs), fmt(validate.median), fmt(validate.min), fmt(validate.max), fmt(plan.median), fmt(plan.min), fmt(plan.max)]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

writeSection(
  'terraform',
  `## Terraform validate and plan

Terraform ${terraformVersion} with hashicorp/aws ${providerVersion} from an offline mirror, on the
synth benchmark's stack of N secrets (\`bench/synth-app.cjs N\`, with the
provider pinned to the mirror's version, a local backend and fake
credentials). \`terraform init\` once (with its first run's time), then
\`terraform validate\` after one warm-up run and \`terraform plan -refresh=false\`
(nothing exists yet: every resource is planned for creation), ${RUNS} runs each;
median, min and max, in seconds.

${provenance(command)}

${table(['N', 'managed resources', 'init s', 'validate s (median)', 'min', 'max', 'plan s (median)', 'min', 'max'], rows)}
`,
);
console.log('wrote the terraform section of bench/RESULTS.md');
