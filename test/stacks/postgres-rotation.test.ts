import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App } from 'cdktf';
import { unzipSync } from 'fflate';
import { PostgresRotationStack } from '../../stacks/postgres-rotation';
import { findTerraform } from '../support/terraform';

const root = join(__dirname, '..', '..');
const STACK = 'postgres-rotation';
const work = mkdtempSync(join(tmpdir(), 'stack-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Synthesizes the reference app into a new folder, as stacks/main.ts does, and returns the folder. */
function synthApp(name: string): string {
  const outdir = join(work, name);
  const app = new App({ outdir });
  new PostgresRotationStack(app, STACK);
  app.synth();
  return outdir;
}

function filesUnder(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) =>
    readdirSync(d).forEach((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : (out[relative(dir, join(d, name))] = readFileSync(join(d, name)))));
  walk(dir);
  return out;
}

const stackJson = (outdir: string) => JSON.parse(readFileSync(join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8'));

describe('the postgres-rotation reference stack', () => {
  it('synthesizes byte for byte the same, whatever the output folder and the bundle files\' mtimes', () => {
    const first = filesUnder(synthApp('first'));
    const bundle = join(root, 'dist', 'functions', 'postgres-single-user', 'index.js');
    utimesSync(bundle, new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'));
    const second = filesUnder(synthApp('second'));
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const path of Object.keys(first)) expect({ path, same: second[path].equals(first[path]) }).toEqual({ path, same: true });
  });

  it('records no path of this machine', () => {
    const text = readFileSync(join(synthApp('paths'), 'stacks', STACK, 'cdk.tf.json'), 'utf8');
    for (const local of [root, work, homedir(), tmpdir()]) expect(text).not.toContain(local);
  });

  it('holds a KMS-encrypted PostgreSQL secret rotated every 30 days by postgres-single-user, with role, permission and log group', () => {
    const resource = stackJson(synthApp('contents')).resource;
    expect(Object.keys(resource).sort()).toEqual([
      'aws_cloudwatch_log_group',
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_kms_key',
      'aws_lambda_function',
      'aws_lambda_permission',
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret_rotation',
      'aws_secretsmanager_secret_version',
    ]);
    const [rotation] = Object.values(resource.aws_secretsmanager_secret_rotation) as Array<Record<string, unknown>>;
    expect(rotation.rotation_rules).toEqual({ automatically_after_days: 30 });
    const [lambda] = Object.values(resource.aws_lambda_function) as Array<Record<string, unknown>>;
    expect(lambda.filename).toMatch(/\/postgres-single-user\.zip$/);
    const [secret] = Object.values(resource.aws_secretsmanager_secret) as Array<Record<string, unknown>>;
    expect(secret.kms_key_id).toMatch(/^\$\{aws_kms_key\.\w+\.arn\}$/);
  });

  it('writes the credential write-only from an ephemeral variable, so no secret value is in the JSON', () => {
    const json = stackJson(synthApp('secrets'));
    expect(json.variable.db_password).toMatchObject({ sensitive: true, ephemeral: true });
    expect(json.variable.db_password.default).toBeUndefined();
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"secret_string"|"secret_binary"/);
    const [version] = Object.values(json.resource.aws_secretsmanager_secret_version) as Array<Record<string, string>>;
    expect(version.secret_string_wo).toContain('"password" = var.db_password');
  });
});

describe('the postgres-rotation reference stack in Terraform', () => {
  const terraform = findTerraform(work);
  const run = terraform.available ? it : it.skip;
  const title = terraform.available ? '' : ` [SKIPPED: ${terraform.reason}]`;
  if (!terraform.available) console.warn(`Terraform checks skipped: ${terraform.reason}`);

  run(`passes terraform validate and an offline plan that holds no secret${title}`, () => {
    if (!terraform.available) return;
    // The mirror has the provider version this machine carries; pin it, and
    // give the provider fake credentials so the plan needs no AWS account.
    const dir = join(work, 'terraform');
    cpSync(join(synthApp('for-terraform'), 'stacks', STACK), dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    json.terraform.required_providers.aws = { source: 'hashicorp/aws', version: terraform.providerVersion };
    json.terraform.backend = { local: { path: join(dir, 'test.tfstate') } };
    Object.assign(json.provider.aws[0], {
      access_key: 'test',
      secret_key: 'test',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    const tf = (...args: string[]) => execFileSync('terraform', args, { cwd: dir, env: terraform.env, stdio: 'pipe' }).toString();

    tf('init', '-input=false', '-no-color');
    expect(JSON.parse(tf('validate', '-json', '-no-color'))).toMatchObject({ valid: true, error_count: 0 });

    const password = 'plan-test-password-5f1e0c';
    tf('plan', '-refresh=false', '-input=false', '-no-color', '-var', 'db_host=db.example.internal', '-var', `db_password=${password}`, '-out', 'plan.bin');
    const plan = tf('show', '-json', 'plan.bin');
    const managed = (JSON.parse(plan).resource_changes as Array<{ mode: string; change: { actions: string[] } }>).filter((c) => c.mode === 'managed');
    expect(managed.map((c) => c.change.actions)).toEqual(Array(9).fill(['create']));
    expect(plan).not.toContain(password);
    // The plan file is a zip: look inside every entry, not at the deflated bytes.
    const entries = Object.entries(unzipSync(readFileSync(join(dir, 'plan.bin'))));
    for (const [entry, bytes] of entries) {
      expect({ entry, holdsPassword: Buffer.from(bytes).includes(password) }).toEqual({ entry, holdsPassword: false });
    }
    // The same search finds a value that belongs in the plan, so it can fail.
    expect(entries.some(([, bytes]) => Buffer.from(bytes).includes('db.example.internal'))).toBe(true);
  });
});
