import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { App } from 'cdktf';
import { unzipSync } from 'fflate';
import { CustomRotationStack } from '../../stacks/custom-rotation';
import { FakeKeyApi } from '../support/fake-key-api';
import { loadHandlerWithEnv } from '../support/handler-loader';
import { expectNoSecretLeaked, Handler, RotationHarness, startRotationHarness, STEPS, unique } from '../support/rotation-harness';

const STACK = 'custom-rotation';
const work = mkdtempSync(join(tmpdir(), 'custom-rotation-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
let stack: Json;
beforeAll(() => {
  const app = new App({ outdir: join(work, 'out') });
  new CustomRotationStack(app, STACK);
  app.synth();
  stack = JSON.parse(readFileSync(join(work, 'out', 'stacks', STACK, 'cdk.tf.json'), 'utf8'));
});

/** The Lambda function whose description names `what`, with its logical id. */
function lambda(what: string): { id: string; fn: Record<string, unknown> } {
  const found = Object.entries(stack.resource.aws_lambda_function).filter(([, fn]) => (fn.description as string).includes(`(${what})`));
  expect(found).toHaveLength(1);
  return { id: found[0][0], fn: found[0][1] };
}

/** The statements of the role policy of the function with logical id prefix `construct`. */
const roleStatements = (construct: string) =>
  Object.entries(stack.data.aws_iam_policy_document).find(([id]) => id.startsWith(`${construct}_Policy_`))![1].statement as unknown as Array<Record<string, unknown>>;

const logicalId = (type: string, prefix: string) => Object.keys(stack.resource[type]).find((id) => id.startsWith(prefix))!;

describe('the custom-rotation reference stack', () => {
  it('runs http-api-key with ALLOWED_HOSTS, a timeout above the grace period, and read access to the admin secret only', () => {
    const { fn } = lambda('http-api-key');
    const adminArn = `\${aws_secretsmanager_secret.${logicalId('aws_secretsmanager_secret', 'VendorAdminKey')}.arn}`;
    expect(fn).toMatchObject({ timeout: 60, environment: { variables: { ALLOWED_HOSTS: 'api.vendor.example', HTTP_TIMEOUT_MS: '5000', ADMIN_SECRET_ARNS: adminArn } } });
    const version = stack.resource.aws_secretsmanager_secret_version[logicalId('aws_secretsmanager_secret_version', 'VendorKey_')];
    expect(version.secret_string_wo).toContain('"gracePeriodSeconds" = 30');
    const statements = roleStatements('VendorKeyRotation');
    const admin = logicalId('aws_secretsmanager_secret', 'VendorAdminKey');
    expect(statements.find((s) => s.sid === 'ReadSecrets')).toEqual({
      sid: 'ReadSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [`\${aws_secretsmanager_secret.${admin}.arn}`],
    });
    expect(statements.find((s) => s.sid === 'ReadSecretKeysThroughSecretsManager')?.resources).toEqual([`\${aws_kms_key.${logicalId('aws_kms_key', 'VendorAdminKey')}.arn}`]);
    // The admin secret is read, never rotated: only the two API credentials rotate.
    expect(Object.keys(stack.resource.aws_secretsmanager_secret_rotation)).toHaveLength(2);
  });

  it('bundles the user handler from entry, limited to its API host, reading its own admin secret', () => {
    const { fn } = lambda('custom: vendor-token.ts');
    expect(fn.environment).toEqual({ variables: { ALLOWED_HOSTS: 'tokens.vendor.example' } });
    expect(fn.filename).toMatch(/\/custom-rotation-VendorTokenRotation\.zip$/);
    const read = roleStatements('VendorTokenRotation').find((s) => s.sid === 'ReadSecrets');
    expect(read?.resources).toEqual([`\${aws_secretsmanager_secret.${logicalId('aws_secretsmanager_secret', 'TokenAdminKey')}.arn}`]);
  });
});

describe('the vendor-token handler, as the custom-rotation stack deploys it', () => {
  let harness: RotationHarness;
  let api: FakeKeyApi;
  let bundleDir: string;
  beforeAll(() => {
    const { fn } = lambda('custom: vendor-token.ts');
    const zip = readFileSync(join(work, 'out', 'stacks', STACK, fn.filename as string));
    expect(fn.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['index.js']);
    bundleDir = join(work, 'vendor-token');
    mkdirSync(bundleDir);
    writeFileSync(join(bundleDir, 'index.js'), files['index.js']);
  });
  beforeEach(async () => {
    harness = await startRotationHarness();
    api = await new FakeKeyApi().start();
  });
  afterEach(async () => {
    await api.stop();
    await harness.stop();
  });

  /** The bundle taken out of the archive, loaded afresh as Lambda would start it with `env` (the loader takes a folder under dist/functions). */
  const load = (env: Record<string, string>): Handler => loadHandlerWithEnv(relative(join(__dirname, '..', '..', 'dist', 'functions'), bundleDir), env);

  /** A token secret on the fake API, holding a key registered directly, and its admin secret holding `admin`. */
  async function tokenSecret(admin: string): Promise<{ arn: string; initial: { id: string; key: string } }> {
    const adminSecret = await harness.sm.send(new CreateSecretCommand({ Name: unique('vendor/admin/'), SecretString: admin }));
    const initial = api.issueDirectly();
    const value = { apiKey: initial.key, keyId: initial.id, apiBase: api.origin, adminSecretArn: adminSecret.ARN };
    const created = await harness.sm.send(new CreateSecretCommand({ Name: unique('vendor/token/'), SecretString: JSON.stringify(value) }));
    return { arn: created.ARN!, initial };
  }

  it('rotates the token: registers a new one, proves it works, promotes it and revokes the old one, telling nobody either key', async () => {
    const handler = load({ ALLOWED_HOSTS: '127.0.0.1' });
    const { arn, initial } = await tokenSecret(JSON.stringify({ apiKey: api.adminKey }));
    const token = await harness.emulator.beginRotation(arn);
    // Every step twice, as Secrets Manager may retry it: the token is registered
    // again (200), the old one is already gone (404), the rest is done already.
    for (const step of STEPS) {
      await harness.invoke(handler, step, arn, token);
      await harness.invoke(handler, step, arn, token);
    }

    const current = (await harness.valueAt(arn, 'AWSCURRENT'))!;
    expect(current).toMatchObject({ keyId: `rotation-${token}`, apiBase: api.origin });
    expect(current.apiKey).not.toBe(initial.key);
    expect(api.isValid(current.apiKey as string)).toBe(true);
    expect(api.isValid(initial.key)).toBe(false);
    expect((await harness.valueAt(arn, 'AWSPREVIOUS'))?.apiKey).toBe(initial.key);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /v1/keys/rotation-${token}`,
      `PUT /v1/keys/rotation-${token}`,
      'GET /v1/me',
      'GET /v1/me',
      `DELETE /v1/keys/${initial.id}`,
      `DELETE /v1/keys/${initial.id}`,
    ]);
    expect(harness.logLines.join('\n')).toContain('revoked the previous token');
    expectNoSecretLeaked(harness, [api.adminKey, initial.key, current.apiKey as string]);
  });

  it('fails setSecret when the admin credential is refused, printing neither it nor the new token', async () => {
    const handler = load({ ALLOWED_HOSTS: '127.0.0.1' });
    const wrongAdmin = `wrong-admin-${'x'.repeat(24)}`;
    const { arn, initial } = await tokenSecret(wrongAdmin);
    const token = await harness.emulator.beginRotation(arn);
    await harness.invoke(handler, 'createSecret', arn, token);
    await expect(harness.invoke(handler, 'setSecret', arn, token)).rejects.toThrow(
      new RegExp(`^PUT http://127\\.0\\.0\\.1:${api.port}/v1/keys/rotation-${token} answered 401; the new token is not registered$`),
    );
    const pending = (await harness.valueAt(arn, 'AWSPENDING'))!;
    expect(api.isValid(initial.key)).toBe(true);
    expect(api.isValid(pending.apiKey as string)).toBe(false);
    expectNoSecretLeaked(harness, [wrongAdmin, api.adminKey, initial.key, pending.apiKey as string]);
  });

  it('refuses, before any request, an apiBase that the stack\'s ALLOWED_HOSTS does not list', async () => {
    const variables = (lambda('custom: vendor-token.ts').fn.environment as { variables: Record<string, string> }).variables;
    const handler = load(variables);
    const { arn, initial } = await tokenSecret(JSON.stringify({ apiKey: api.adminKey }));
    const token = await harness.emulator.beginRotation(arn);
    await expect(harness.invoke(handler, 'createSecret', arn, token)).rejects.toThrow(
      "the AWSCURRENT secret value's apiBase points at 127.0.0.1, which ALLOWED_HOSTS (tokens.vendor.example) does not list",
    );
    expect(api.requests).toEqual([]);
    expectNoSecretLeaked(harness, [api.adminKey, initial.key]);
  });
});
