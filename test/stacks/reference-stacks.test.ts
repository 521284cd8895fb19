import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { unzipSync } from 'fflate';
import { REFERENCE_STACKS } from '../../stacks/reference-stacks';
import { filesUnder } from '../support/files';
import { findTerraform } from '../support/terraform';

const root = join(__dirname, '..', '..');
const STACKS = Object.keys(REFERENCE_STACKS);
const work = mkdtempSync(join(tmpdir(), 'stacks-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Synthesizes every reference stack into a new folder, as stacks/main.ts does. */
function synthApp(name: string): string {
  const outdir = join(work, name);
  const app = new App({ outdir });
  for (const [id, Stack] of Object.entries(REFERENCE_STACKS)) new Stack(app, id);
  app.synth();
  return outdir;
}


let synthesized: string;
beforeAll(() => {
  synthesized = synthApp('shared');
});
const stackJson = (stack: string) => JSON.parse(readFileSync(join(synthesized, 'stacks', stack, 'cdk.tf.json'), 'utf8'));

describe('the reference stacks', () => {
  it('synthesize byte for byte the same, whatever the output folder and the bundle files\' mtimes', () => {
    const first = filesUnder(synthApp('first'));
    for (const name of readdirSync(join(root, 'dist', 'functions'))) {
      utimesSync(join(root, 'dist', 'functions', name, 'index.js'), new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'));
    }
    const second = filesUnder(synthApp('second'));
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    expect(Object.keys(first).filter((path) => path.endsWith('cdk.tf.json')).sort()).toEqual(STACKS.map((s) => `stacks/${s}/cdk.tf.json`).sort());
    for (const path of Object.keys(first)) expect({ path, same: second[path].equals(first[path]) }).toEqual({ path, same: true });
  });

  it.each(STACKS)('%s records no path of this machine', (stack) => {
    const text = JSON.stringify(stackJson(stack));
    for (const local of [root, work, homedir(), tmpdir()]) expect(text).not.toContain(local);
  });

  /** The policy documents that resources of `types` use, by the data source's logical id. */
  function documentsUsedBy(stack: string, types: string[], attribute: string): Array<Array<Record<string, unknown>>> {
    const json = stackJson(stack);
    const used = types.flatMap((type) => Object.values(json.resource[type] ?? {}) as Array<Record<string, string>>).map((r) => r[attribute]);
    return Object.entries(json.data?.aws_iam_policy_document ?? {})
      .filter(([id]) => used.includes(`\${data.aws_iam_policy_document.${id}.json}`))
      .map(([, doc]) => (doc as { statement: Array<Record<string, unknown>> }).statement);
  }

  it.each(STACKS)('%s grants roles no wildcard resource but GetRandomPassword, EC2 Describe and ARN patterns narrowed by a condition', (stack) => {
    const statements = documentsUsedBy(stack, ['aws_iam_role_policy'], 'policy').flat();
    // Every role policy's document was found (a hosted rotation brings its own role, and has none here).
    const rolePolicies = Object.keys(stackJson(stack).resource.aws_iam_role_policy ?? {}).length;
    expect(documentsUsedBy(stack, ['aws_iam_role_policy'], 'policy')).toHaveLength(rolePolicies);
    const offending: unknown[] = [];
    for (const statement of statements.filter((s) => (s.effect ?? 'Allow') === 'Allow')) {
      const resources = (Array.isArray(statement.resources) ? statement.resources : [statement.resources ?? '']) as string[];
      const actions = (statement.actions ?? []) as string[];
      for (const resource of resources) {
        if (resource === '*') {
          if (!actions.every((a) => a === 'secretsmanager:GetRandomPassword' || /^ec2:Describe/.test(a))) offending.push(statement);
        } else if (/[/:]\*$/.test(resource)) {
          const narrowed = JSON.stringify(statement.condition ?? []).match(/ResourceTag\/|ec2:Subnet/);
          const ownLogStreams = actions.every((a) => a.startsWith('logs:')) && /aws_cloudwatch_log_group\.\w+\.arn\}:\*$/.test(resource);
          if (!narrowed && !ownLogStreams) offending.push(statement);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it.each(STACKS)('%s allows no one at all in a resource policy without a condition', (stack) => {
    const statements = [
      ...documentsUsedBy(stack, ['aws_kms_key_policy', 'aws_secretsmanager_secret_policy'], 'policy'),
      ...documentsUsedBy(stack, ['aws_sns_topic_policy'], 'policy'),
    ].flat();
    const open = statements.filter(
      (s) =>
        (s.effect ?? 'Allow') === 'Allow' &&
        JSON.stringify(s.principals ?? []).includes('"identifiers":["*"]') &&
        !(Array.isArray(s.condition) && s.condition.length > 0),
    );
    expect(open).toEqual([]);
  });

  it.each(STACKS)('%s holds no secret value: secrets are written only write-only, from ephemeral variables', (stack) => {
    const json = stackJson(stack);
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"secret_string"|"secret_binary"/);
    for (const [name, variable] of Object.entries(json.variable ?? {}) as Array<[string, Record<string, unknown>]>) {
      if (variable.sensitive) expect({ name, ephemeral: variable.ephemeral, default: variable.default }).toEqual({ name, ephemeral: true, default: undefined });
    }
    for (const version of Object.values(json.resource.aws_secretsmanager_secret_version ?? {}) as Array<Record<string, string>>) {
      expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(/);
    }
  });
});

describe('the reference stacks in Terraform', () => {
  const terraform = findTerraform(work);
  const run = terraform.available ? it.each(STACKS) : it.skip.each(STACKS);
  const title = terraform.available ? '' : ` [SKIPPED: ${terraform.reason}]`;
  if (!terraform.available) console.warn(`Terraform checks skipped: ${terraform.reason}`);

  run(`%s passes Terraform's validation and an offline plan that holds no secret${title}`, (stack) => {
    if (!terraform.available) return;
    // The mirror has the provider version this machine carries; pin it, and
    // give the provider fake credentials so the plan needs no AWS account.
    const dir = join(work, `terraform-${stack}`);
    cpSync(join(synthesized, 'stacks', stack), dir, { recursive: true });
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
    // No separate `terraform validate`: plan runs the same checks first and
    // fails on any of them, and each command costs a start of the provider
    // (about 3 s here).

    // Every variable without a default gets a value; the sensitive ones are the secrets to look for.
    const variables = Object.entries(json.variable as Record<string, Record<string, unknown>>).filter(([, v]) => v.default === undefined);
    const values: Record<string, string> = {
      ...Object.fromEntries(variables.map(([name, v]) => [name, v.sensitive ? `plan-secret-${name}-5f1e0c` : `${name}.example.internal`])),
      // Every reference stack has a region variable: the positive control below looks for it.
      region: 'eu-central-1',
    };
    tf('plan', '-refresh=false', '-input=false', '-no-color', ...Object.entries(values).flatMap(([k, v]) => ['-var', `${k}=${v}`]), '-out', 'plan.bin');
    const plan = tf('show', '-json', 'plan.bin');
    const managed = (JSON.parse(plan).resource_changes as Array<{ mode: string; change: { actions: string[] } }>).filter((c) => c.mode === 'managed');
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.every((c) => c.change.actions.join() === 'create')).toBe(true);
    // A stack whose service owns the password (rds-managed-password) has no secret input at all.
    const secrets = Object.values(values).filter((v) => v.startsWith('plan-secret-'));
    // The plan file is a zip: look inside every entry, not at the deflated bytes.
    const entries = Object.entries(unzipSync(readFileSync(join(dir, 'plan.bin'))));
    for (const secret of secrets) {
      expect(plan).not.toContain(secret);
      for (const [entry, bytes] of entries) expect({ entry, holdsSecret: Buffer.from(bytes).includes(secret) }).toEqual({ entry, holdsSecret: false });
    }
    // The same search finds a value that belongs in the plan, so it can fail.
    expect(entries.some(([, bytes]) => Buffer.from(bytes).includes('eu-central-1'))).toBe(true);
  });
});
