import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, Fn, IAspect, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { RotatedSecret, RotatedSecretProps, RotationFunction } from '../../modules';

/**
 * RotatedSecret writes most secrets' blocks from one element of the stack
 * (modules/private/deferred-blocks.ts) instead of building five resource
 * constructs each. These tests hold it to its promise: the same bytes in
 * cdk.tf.json as the constructs give (built eagerly with the context key
 * `cdktf-secret-rotation:eagerSecrets`), and the constructs built whenever a
 * user could tell the difference.
 */

const EAGER = { 'cdktf-secret-rotation:eagerSecrets': true };

type Build = (stack: TerraformStack) => void;

/** Synthesizes one stack with `App.synth()` and returns its cdk.tf.json, `//` metadata included. */
function synthesize(build: Build, context: Record<string, unknown> = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'deferred-'));
  try {
    const app = new App({ outdir, context });
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    build(stack);
    app.synth();
    return readFileSync(join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes `build` both ways and expects the same bytes, and `deferred`
 * secrets (those with no child construct) once `build` has run, the other
 * way; returns the parsed configuration.
 */
function expectSameAsEager(build: Build, deferred: number): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  const json = synthesize((stack) => {
    build(stack);
    expect(deferredSecrets(stack)).toHaveLength(deferred);
  });
  expect(json).toBe(
    synthesize((stack) => {
      build(stack);
      expect(deferredSecrets(stack)).toHaveLength(0);
    }, EAGER),
  );
  return JSON.parse(json);
}

/** Secrets whose resources are still written by the stack's element. */
function deferredSecrets(stack: TerraformStack): RotatedSecret[] {
  return stack.node.findAll().filter((c): c is RotatedSecret => c instanceof RotatedSecret && c.node.children.length === 0);
}

const ROLE = 'arn:aws:iam::123456789012:role/deployer';
const ADMIN_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vendor-admin-AbCdEf';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('RotatedSecret written by the stack (deferred)', () => {
  const cases: Array<[string, (fn: () => RotationFunction) => RotatedSecretProps]> = [
    ['defaults, no rotation', () => ({})],
    ['a rotation function', (fn) => ({ rotation: { function: fn() } })],
    [
      'name, description, tags, no recovery window, a key of its own and replicas',
      () => ({
        name: 'prod/db',
        description: 'The database',
        tags: { team: 'data', 'cost-centre': '42' },
        recoveryWindowInDays: 0,
        kmsKeyArn: KEY,
        replicas: [{ region: 'eu-central-1' }, { region: 'us-east-1', kmsKeyArn: KEY.replace('eu-west-1', 'us-east-1') }],
      }),
    ],
    ['no replicas, empty tags', () => ({ replicas: [], tags: {} })],
    ['deletion allowed for nobody else, not blocking public policies', () => ({ deletionAllowedFor: false, blockPublicPolicy: false })],
    ['deletion allowed for one role', (fn) => ({ deletionAllowedFor: [ROLE], rotation: { function: fn() } })],
    ['deletion allowed for two patterns', () => ({ deletionAllowedFor: [ROLE, 'arn:aws:iam::*:role/ci-*'] })],
    ['a rate with a window, not at once', (fn) => ({ rotation: { function: fn(), scheduleExpression: 'rate(4 hours)', duration: '2h', rotateImmediately: false } })],
    ['a cron with a window', (fn) => ({ rotation: { function: fn(), scheduleExpression: 'cron(0 8 ? * MON *)', duration: '3h' } })],
    ['every 7 days, with a key of its own', (fn) => ({ kmsKeyArn: KEY, rotation: { function: fn(), automaticallyAfterDays: 7 } })],
  ];

  it.each(cases)('writes the same bytes as the constructs: %s', (_name, props) => {
    const json = expectSameAsEager((stack) => {
      let fn: RotationFunction | undefined;
      const lazyFn = () => (fn ??= RotationFunction.postgresSingleUser(stack, 'Rotation'));
      new RotatedSecret(stack, 'Db', props(lazyFn));
    }, 1);
    expect(Object.keys(json.resource.aws_secretsmanager_secret)).toHaveLength(1);
  });

  it('writes the same bytes for many secrets in nested scopes, with long ids, two functions and the multi-user and API key handlers', () => {
    const json = expectSameAsEager((stack) => {
      const single = RotationFunction.postgresSingleUser(stack, 'Single');
      const multi = RotationFunction.mysqlMultiUser(stack, 'Multi');
      const api = RotationFunction.httpApiKey(stack, 'Api');
      const team = new Construct(new Construct(stack, 'Team'), 'Databases');
      const master = new RotatedSecret(team, 'Master', { rotation: { function: single } });
      for (let i = 0; i < 5; i += 1) new RotatedSecret(team, `User${i}`, { rotation: { function: multi, masterSecret: master } });
      new RotatedSecret(team, 'Key', { rotation: { function: api, adminSecret: { secretArn: ADMIN_SECRET } } });
      new RotatedSecret(team, 'x'.repeat(300), { rotation: { function: single } });
    }, 8);
    expect(Object.keys(json.resource.aws_secretsmanager_secret)).toHaveLength(8);
    expect(Object.keys(json.resource.aws_secretsmanager_secret_rotation)).toHaveLength(8);
  });

  it('builds the constructs when one is asked for, and escape hatches still work', () => {
    const json = synthesize((stack) => {
      const secret = new RotatedSecret(stack, 'Db', { rotation: { function: RotationFunction.postgresSingleUser(stack, 'Rotation') } });
      expect(secret.node.children).toHaveLength(0);
      secret.resource.addOverride('force_overwrite_replica_secret', true);
      expect(secret.node.children.map((c) => c.node.id).sort()).toEqual(['EncryptionKey', 'EncryptionKeyPolicy', 'Resource', 'ResourcePolicy', 'Rotation']);
      expect(deferredSecrets(stack)).toHaveLength(0);
    });
    const secrets = JSON.parse(json).resource.aws_secretsmanager_secret;
    expect(Object.values(secrets)).toEqual([expect.objectContaining({ force_overwrite_replica_secret: true })]);
    expect(json).toBe(
      synthesize((stack) => {
        const secret = new RotatedSecret(stack, 'Db', { rotation: { function: RotationFunction.postgresSingleUser(stack, 'Rotation') } });
        secret.resource.addOverride('force_overwrite_replica_secret', true);
      }, EAGER),
    );
  });

  it('builds every secret before Aspects run when the stack has any, so they visit each resource', () => {
    const visited: string[] = [];
    class TagKeys implements IAspect {
      visit(node: IConstruct): void {
        if (node instanceof KmsKey) {
          visited.push(node.node.path);
          node.addOverride('tags.owner', 'platform');
        }
      }
    }
    const build: Build = (stack) => {
      const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
      new RotatedSecret(stack, 'A', { rotation: { function: fn } });
      new RotatedSecret(new Construct(stack, 'Nested'), 'B');
      Aspects.of(stack.node.findChild('Nested')).add(new TagKeys());
    };
    const json = expectSameAsEager(build, 2);
    expect(visited.sort()).toEqual(['test/Nested/B/EncryptionKey', 'test/Nested/B/EncryptionKey']);
    expect(Object.values(json.resource.aws_kms_key).map((key) => (key.tags as Record<string, string>).owner)).toContain('platform');
  });

  it('is not used for a secret whose props hold a Terraform expression, initial value or own statements', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const variable = new TerraformVariable(stack, 'team', { type: 'string' });
    const secrets = [
      new RotatedSecret(stack, 'Tagged', { tags: { team: variable.stringValue } }),
      new RotatedSecret(stack, 'Named', { name: variable.stringValue }),
      new RotatedSecret(stack, 'Deleter', { deletionAllowedFor: ['arn:aws:iam::${aws:PrincipalAccount}:role/x'] }),
      new RotatedSecret(stack, 'Statements', { policyStatements: [{ actions: ['secretsmanager:GetSecretValue'], principals: [{ type: 'AWS', identifiers: [ROLE] }] }] }),
    ];
    for (const secret of secrets) expect(secret.node.children.length).toBeGreaterThan(0);
    expect(deferredSecrets(stack)).toHaveLength(0);
  });

  it('is not used when the rotation function is in another stack, and the cross-stack reference still works', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'deferred-'));
    try {
      const app = new App({ outdir });
      const shared = new TerraformStack(app, 'shared');
      new AwsProvider(shared, 'aws', { region: 'eu-west-1' });
      const fn = RotationFunction.postgresSingleUser(shared, 'Rotation');
      const databases = new TerraformStack(app, 'databases');
      new AwsProvider(databases, 'aws', { region: 'eu-west-1' });
      const secret = new RotatedSecret(databases, 'Db', { rotation: { function: fn } });
      expect(secret.node.children.length).toBeGreaterThan(0);
      app.synth();
      const rotation = JSON.parse(readFileSync(join(outdir, 'stacks', 'databases', 'cdk.tf.json'), 'utf8')).resource.aws_secretsmanager_secret_rotation;
      expect(Object.values(rotation)[0]).toMatchObject({ rotation_lambda_arn: expect.stringContaining('data.terraform_remote_state') });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('gives the references that the resources would, in the stack and from another one', () => {
    const synthesizeBoth = (context: Record<string, unknown>) => {
      const outdir = mkdtempSync(join(tmpdir(), 'deferred-'));
      try {
        const app = new App({ outdir, context });
        const secrets = new TerraformStack(app, 'secrets');
        new AwsProvider(secrets, 'aws', { region: 'eu-west-1' });
        const fn = RotationFunction.postgresMultiUser(secrets, 'Rotation');
        const master = new RotatedSecret(secrets, 'Master', { name: 'master' });
        const user = new RotatedSecret(secrets, 'User', { rotation: { function: fn, masterSecret: master } });
        new TerraformOutput(secrets, 'region', { value: Fn.element(Fn.split(':', user.secretArn), 3) });
        new TerraformOutput(secrets, 'names', { value: [master.secretName, user.secretName, user.kmsKeyArn] });
        const consumer = new TerraformStack(app, 'consumer');
        new AwsProvider(consumer, 'aws', { region: 'eu-west-1' });
        new TerraformOutput(consumer, 'arn', { value: user.secretArn });
        expect(deferredSecrets(secrets)).toHaveLength(context === EAGER ? 0 : 2);
        app.synth();
        return ['secrets', 'consumer'].map((stack) => readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    };
    const [secrets, consumer] = synthesizeBoth({});
    expect([secrets, consumer]).toEqual(synthesizeBoth(EAGER));
    expect(consumer).toContain('terraform_remote_state');
    expect(JSON.parse(secrets).output).toEqual(expect.objectContaining({ names: expect.anything(), region: expect.anything() }));
  });

  it('is not used for HCL output, or for a stack that names its resources itself, or with the context key', () => {
    const hcl = new TerraformStack(new App({ hclOutput: true, outdir: mkdtempSync(join(tmpdir(), 'hcl-')) }), 'hcl');
    expect(new RotatedSecret(hcl, 'Db').node.children.length).toBeGreaterThan(0);

    class Named extends TerraformStack {
      protected override allocateLogicalId(element: Parameters<TerraformStack['getLogicalId']>[0]): string {
        return `custom_${super.allocateLogicalId(element)}`;
      }
    }
    const named = new Named(Testing.app(), 'named');
    expect(new RotatedSecret(named, 'Db').node.children.length).toBeGreaterThan(0);

    const eager = new TerraformStack(Testing.app({ context: EAGER }), 'eager');
    expect(new RotatedSecret(eager, 'Db').node.children.length).toBeGreaterThan(0);
  });

  it('refuses HCL synthesis of secrets written for JSON, saying how to get HCL', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new RotatedSecret(stack, 'Db');
    expect(() => Testing.synthHcl(stack)).toThrow('test/Db was written for JSON output; to synthesize HCL, create the App with hclOutput: true');
  });

  it('reports a missing AWS provider, as cdktf does for the resource classes', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'deferred-'));
    try {
      const app = new App({ outdir });
      new RotatedSecret(new TerraformStack(app, 'test'), 'Db');
      expect(() => app.synth()).toThrow(/add provider constructs .* to your stack 'test' for the following providers: aws/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('gives Testing.synth the same configuration both ways', () => {
    const build = (app: App) => {
      const stack = new TerraformStack(app, 'test');
      new RotatedSecret(stack, 'Db', { rotation: { function: RotationFunction.mysqlSingleUser(stack, 'Rotation') } });
      return Testing.synth(stack);
    };
    expect(build(Testing.app())).toBe(build(Testing.app({ context: EAGER })));
  });
});
