import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, Fn, IAspect, Lazy, TerraformElement, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { makeUniqueId } from 'cdktf/lib/private/unique';
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

/** Runs `synthesize` with an App writing to a fresh folder, removed afterwards. */
function withApp<T>(context: Record<string, unknown>, synthesize: (app: App, outdir: string) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'deferred-'));
  try {
    return synthesize(new App({ outdir, context }), outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes one stack with `App.synth()` and returns its cdk.tf.json, `//` metadata included. */
function synthesize(build: Build, context: Record<string, unknown> = {}): string {
  return withApp(context, (app, outdir) => {
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    build(stack);
    app.synth();
    return readFileSync(join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8');
  });
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

  it('writes the same bytes next to other elements writing blocks of its types: resource classes, an eager secret, a hand-written element', () => {
    const kmsKeys = (json: ReturnType<typeof expectSameAsEager>) => Object.keys(json.resource.aws_kms_key).sort();
    // Its types shared by resource classes (a key, and a secret built with its initial value).
    const classes = expectSameAsEager((stack) => {
      const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
      new RotatedSecret(stack, 'Deferred', { rotation: { function: fn } });
      const team = new TerraformVariable(stack, 'team', { type: 'string' });
      new RotatedSecret(stack, 'Built', { tags: { team: team.stringValue }, rotation: { function: fn } });
      new KmsKey(stack, 'Extra', { description: 'not a secret key' });
    }, 1);
    expect(kmsKeys(classes)).toEqual([expect.stringMatching(/^Built_EncryptionKey_/), expect.stringMatching(/^Deferred_EncryptionKey_/), 'Extra']);
    expect(Object.keys(classes.resource.aws_secretsmanager_secret)).toHaveLength(2);
    // An element of a kind cdktf does not define, which may write any resource type.
    class HandWritten extends TerraformElement {
      override toTerraform(): Record<string, unknown> {
        return { resource: { aws_kms_key: { hand: { description: 'by hand' } } } };
      }
    }
    const hand = expectSameAsEager((stack) => {
      new HandWritten(stack, 'Hand');
      new RotatedSecret(stack, 'Deferred', {});
    }, 1);
    expect(kmsKeys(hand)).toEqual([expect.stringMatching(/^Deferred_EncryptionKey_/), 'hand']);
  });

  it('writes the same bytes next to a resource given one of its logical ids, and next to subclasses of cdktf\'s kinds that write blocks of its types', () => {
    // cdktf merges two blocks of one logical id: the key's multi_region stays, whichever comes first.
    const key = (stack: TerraformStack) => new KmsKey(stack, 'Extra', { multiRegion: true }).overrideLogicalId(makeUniqueId(['Db', 'EncryptionKey']));
    for (const [before, after] of [[key, () => undefined], [() => undefined, key]]) {
      const json = expectSameAsEager((stack) => {
        before(stack);
        new RotatedSecret(stack, 'Db', {});
        after(stack);
      }, 1);
      expect(json.resource.aws_kms_key[makeUniqueId(['Db', 'EncryptionKey'])]).toMatchObject({ multi_region: true, enable_key_rotation: true });
    }
    // In the order of the tree: the later block's values win, and the earlier one's tags stay when the later has none.
    const between = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'A', {});
      new KmsKey(stack, 'Extra', { description: 'mine', tags: { x: 'y' } }).overrideLogicalId(makeUniqueId(['Db', 'EncryptionKey']));
      new RotatedSecret(stack, 'Db', {});
    }, 2);
    expect(between.resource.aws_kms_key[makeUniqueId(['Db', 'EncryptionKey'])]).toMatchObject({ description: 'Encrypts the Secrets Manager secret test/Db', tags: { x: 'y' } });
    class RoleWithKey extends TerraformResource {
      constructor(scope: Construct, id: string) {
        super(scope, id, { terraformResourceType: 'aws_iam_role', terraformGeneratorMetadata: { providerName: 'aws' } });
      }
      override toTerraform(): Record<string, unknown> {
        const json = super.toTerraform() as { resource: Record<string, unknown> };
        json.resource.aws_kms_key = { role_key: { description: 'key for the role' } };
        return json;
      }
    }
    class OutputWithKey extends TerraformOutput {
      override toTerraform(): Record<string, unknown> {
        return { ...super.toTerraform(), resource: { aws_kms_key: { output_key: { description: 'key for the output' } } } };
      }
    }
    // Each alone: either makes every type plain.
    const role = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'Db', {});
      new RoleWithKey(stack, 'Role');
    }, 1);
    expect(Object.keys(role.resource.aws_kms_key).sort()).toEqual([makeUniqueId(['Db', 'EncryptionKey']), 'role_key']);
    const output = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'Db', {});
      new OutputWithKey(stack, 'Out', { value: 'x' });
    }, 1);
    expect(Object.keys(output.resource.aws_kms_key).sort()).toEqual([makeUniqueId(['Db', 'EncryptionKey']), 'output_key']);
  });

  it('builds as constructs a secret whose props or path hold a token in any of the forms cdktf resolves, a number or list token in text included', () => {
    const built = (build: (stack: TerraformStack) => RotatedSecret) => {
      const stack = new TerraformStack(Testing.app(), 'test');
      return build(stack).node.children.length > 0;
    };
    const days = (stack: TerraformStack) => new TerraformVariable(stack, 'days', { type: 'number' }).numberValue;
    const env = (stack: TerraformStack) => new TerraformVariable(stack, 'env', { type: 'string' }).stringValue;
    const subnets = (stack: TerraformStack) => new TerraformVariable(stack, 'subnets', { type: 'list(string)' }).listValue;
    expect(built((stack) => new RotatedSecret(stack, 'Db', { description: `rotated every ${days(stack)} days` }))).toBe(true);
    expect(built((stack) => new RotatedSecret(stack, 'Db', { tags: { days: `${days(stack)}` } }))).toBe(true);
    expect(built((stack) => new RotatedSecret(stack, 'Db', { description: `subnets ${subnets(stack)}` }))).toBe(true);
    expect(built((stack) => new RotatedSecret(stack, `Db-${env(stack)}`, {}))).toBe(true);
    expect(built((stack) => new RotatedSecret(new Construct(stack, `Team-${env(stack)}`), 'Db', {}))).toBe(true);
    // Text that only looks like a number with an exponent is a plain value.
    expect(built((stack) => new RotatedSecret(stack, 'Db', { description: 'up to 1e5 reads, 2.5E+3 writes' }))).toBe(false);
    // (A token in an id gives a logical id that depends on cdktf's token counter, so that case is not compared.)
    const json = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'Db', { description: `rotated every ${days(stack)} days`, tags: { team: env(stack) } });
    }, 0);
    expect(json.resource.aws_secretsmanager_secret[makeUniqueId(['Db', 'Resource'])]).toMatchObject({ description: 'rotated every ${var.days} days' });
  });

  it('gives the stack\'s configuration no object of the props: a tool editing it changes nothing else', () => {
    const tags = { team: 'payments' };
    const stack = new TerraformStack(Testing.app(), 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new RotatedSecret(stack, 'Db', { tags });
    const json = stack.toTerraform() as ReturnType<typeof expectSameAsEager>;
    const [key, secret] = ['aws_kms_key', 'aws_secretsmanager_secret'].map((type) => Object.values(json.resource[type])[0] as Record<string, Record<string, unknown>>);
    for (const block of [key, secret]) {
      expect(block.tags).toEqual(tags);
      block.tags.team = 'changed';
    }
    expect(tags).toEqual({ team: 'payments' });
    delete key.lifecycle.prevent_destroy;
    expect(secret.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('writes the same bytes for two secrets whose blocks have one address (cdktf leaves Default out of logical ids), merged as cdktf merges them', () => {
    const json = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'S', { description: 'first' });
      new RotatedSecret(new Construct(stack, 'Default'), 'S', { deletionAllowedFor: false });
    }, 2);
    expect(json.resource.aws_secretsmanager_secret[makeUniqueId(['S', 'Resource'])]).toMatchObject({ description: 'first', lifecycle: { prevent_destroy: true } });
    // In the order of the tree, not of creation: the scope made first comes first, so the top-level secret's values win.
    const treeOrder = expectSameAsEager((stack) => {
      const scope = new Construct(stack, 'Default');
      new RotatedSecret(stack, 'S', { description: 'top' });
      new RotatedSecret(scope, 'S', { description: 'nested' });
    }, 2);
    expect(treeOrder.resource.aws_secretsmanager_secret[makeUniqueId(['S', 'Resource'])]).toMatchObject({ description: 'top' });
  });

  it('gives stack.toTerraform(), which runs no Aspect, the same configuration for blocks of one address', () => {
    const sorted = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(sorted) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])])) : value;
    const configuration = (context: Record<string, unknown>, keyFirst: boolean) => {
      const stack = new TerraformStack(Testing.app({ context }), 'test');
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const key = () => new KmsKey(stack, 'Extra', { description: 'mine', multiRegion: true }).overrideLogicalId(makeUniqueId(['Db', 'EncryptionKey']));
      if (keyFirst) key();
      new RotatedSecret(stack, 'Db', { description: 'first' });
      new RotatedSecret(new Construct(stack, 'Default'), 'Db', {});
      if (!keyFirst) key();
      return JSON.stringify(sorted(stack.toTerraform()));
    };
    for (const keyFirst of [true, false]) {
      const json = configuration({}, keyFirst);
      expect(json).toBe(configuration(EAGER, keyFirst));
      expect(JSON.parse(json).resource.aws_kms_key[makeUniqueId(['Db', 'EncryptionKey'])]).toMatchObject({ multi_region: true });
      expect(JSON.parse(json).resource.aws_secretsmanager_secret[makeUniqueId(['Db', 'Resource'])]).toMatchObject({ description: 'first' });
    }
  });

  it('writes the same bytes when the stack has raw overrides, which apply to its blocks', () => {
    const id = makeUniqueId(['Db', 'Resource']);
    const json = expectSameAsEager((stack) => {
      new RotatedSecret(stack, 'Db', {});
      stack.addOverride(`resource.aws_secretsmanager_secret.${id}.description`, 'overridden');
    }, 1);
    expect(json.resource.aws_secretsmanager_secret[id]).toMatchObject({ description: 'overridden', recovery_window_in_days: 30 });
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

  it('writes nothing for a secret removed from the tree, as the constructs would', () => {
    const json = expectSameAsEager((stack) => {
      const group = new Construct(stack, 'Group');
      new RotatedSecret(group, 'Keep');
      new RotatedSecret(group, 'Drop');
      group.node.tryRemoveChild('Drop');
    }, 1);
    expect(Object.keys(json.resource.aws_secretsmanager_secret)).toEqual([expect.stringMatching(/^Group_Keep_/)]);
  });

  it('is not used in a stack that has an Aspect when the secret is created, which would visit the stack first', () => {
    // An Aspect at the top of the stack that works from the stack node, before any child is visited.
    class ListKeys implements IAspect {
      visit(node: IConstruct): void {
        if (!TerraformStack.isStack(node)) return;
        const keys = node.node.findAll().filter((c): c is KmsKey => c instanceof KmsKey);
        new TerraformOutput(node, 'keys', { value: keys.map((key) => key.arn) });
      }
    }
    const json = expectSameAsEager((stack) => {
      Aspects.of(stack).add(new ListKeys());
      new RotatedSecret(stack, 'Db');
    }, 0);
    expect(json.output.keys.value).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.Db_EncryptionKey_\w+\.arn\}$/)]);
  });

  it('builds the secrets of a stack inside another before the outer stack\'s Aspects visit them', () => {
    // cdktf runs an outer stack's Aspects over the stacks inside it, in App.synth().
    const tagged = (context: Record<string, unknown>) => {
      return withApp(context, (app, outdir) => {
        const outer = new TerraformStack(app, 'outer');
        const inner = new TerraformStack(outer, 'inner');
        new AwsProvider(inner, 'aws', { region: 'eu-west-1' });
        new RotatedSecret(inner, 'Db');
        Aspects.of(outer).add({
          visit: (node: IConstruct) => {
            if (node instanceof KmsKey) node.addOverride('tags.owner', 'platform');
          },
        });
        app.synth();
        return readFileSync(join(outdir, 'stacks', 'inner', 'cdk.tf.json'), 'utf8');
      });
    };
    const json = tagged({});
    expect(json).toBe(tagged(EAGER));
    expect(Object.values(JSON.parse(json).resource.aws_kms_key)).toEqual([expect.objectContaining({ tags: { owner: 'platform' } })]);
  });

  it('refuses, saying when to ask, a resource asked for while the stack is being synthesized, rather than leave it out', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    // Created before the secret, so cdktf resolves it before the stack's element writes the secret.
    const outputs = new Construct(stack, 'Outputs');
    const secret = new RotatedSecret(stack, 'Db');
    new TerraformOutput(outputs, 'key', { value: Lazy.stringValue({ produce: () => secret.encryptionKey!.keyId }) });
    expect(() => Testing.synth(stack)).toThrow(
      'test/Db was asked for one of its resources while its stack was being written out; ask for it before app.synth() or Testing.synth()',
    );
  });

  it('is not used when SYNTH_HCL_OUTPUT asks cdktf\'s stacks for HCL, as "true" or "1"', () => {
    const saved = process.env.SYNTH_HCL_OUTPUT;
    try {
      for (const value of ['true', '1']) {
        process.env.SYNTH_HCL_OUTPUT = value;
        const stack = new TerraformStack(Testing.app(), 'test');
        expect(new RotatedSecret(stack, 'Db').node.children.length).toBeGreaterThan(0);
      }
    } finally {
      if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = saved;
    }
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
    withApp({}, (app, outdir) => {
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
    });
  });

  it('gives the references that the resources would, in the stack and from another one', () => {
    const synthesizeBoth = (context: Record<string, unknown>) => {
      return withApp(context, (app, outdir) => {
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
      });
    };
    const [secrets, consumer] = synthesizeBoth({});
    expect([secrets, consumer]).toEqual(synthesizeBoth(EAGER));
    expect(consumer).toContain('terraform_remote_state');
    expect(JSON.parse(secrets).output).toEqual(expect.objectContaining({ names: expect.anything(), region: expect.anything() }));
  });

  it('gives one reference text before and after a build, as the constructs do with overrideLogicalId, and grants a master secret read once', () => {
    const json = expectSameAsEager((stack) => {
      const fn = RotationFunction.postgresMultiUser(stack, 'Rotation');
      const master = new RotatedSecret(stack, 'Master', {});
      const arn = master.secretArn;
      new RotatedSecret(stack, 'A', { rotation: { function: fn, masterSecret: master } });
      master.resource.addOverride('description', 'built');
      expect(master.secretArn).toBe(arn);
      new RotatedSecret(stack, 'B', { rotation: { function: fn, masterSecret: master } });
      const renamed = new RotatedSecret(stack, 'Renamed', {});
      new TerraformOutput(stack, 'renamed', { value: [renamed.secretArn, renamed.kmsKeyArn, renamed.secretName] });
      renamed.resource.overrideLogicalId('renamed_secret');
      renamed.encryptionKey!.overrideLogicalId('renamed_key');
    }, 2);
    // cdktf keeps a resource's logical id once worked out (the build does), so the override changes nothing, as with the constructs.
    const id = makeUniqueId(['Renamed', 'Resource']);
    expect(json.output.renamed.value).toEqual([`\${aws_secretsmanager_secret.${id}.arn}`, expect.stringContaining('aws_kms_key.Renamed_'), `\${aws_secretsmanager_secret.${id}.name}`]);
    expect(Object.keys(json.resource.aws_secretsmanager_secret)).toContain(id);
    const policies = JSON.stringify(json.data.aws_iam_policy_document);
    expect(policies.split(`aws_secretsmanager_secret.${makeUniqueId(['Master', 'Resource'])}.arn`).length - 1).toBe(1);
  });

  it('gives another stack a cross-stack reference to a secret built after the reference was read, or by the Aspects of its stack', () => {
    const consumerOf = (context: Record<string, unknown>, when: 'read' | 'aspect') =>
      withApp(context, (app, outdir) => {
        const secrets = new TerraformStack(app, 'secrets');
        new AwsProvider(secrets, 'aws', { region: 'eu-west-1' });
        const secret = new RotatedSecret(secrets, 'Db', {});
        const consumer = new TerraformStack(app, 'consumer');
        new AwsProvider(consumer, 'aws', { region: 'eu-west-1' });
        new TerraformOutput(consumer, 'arn', { value: secret.secretArn });
        if (when === 'read') secret.resource.addOverride('description', 'built');
        else Aspects.of(secrets).add({ visit: () => undefined });
        app.synth();
        return ['secrets', 'consumer'].map((stack) => readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      });
    for (const when of ['read', 'aspect'] as const) {
      const both = consumerOf({}, when);
      expect(both).toEqual(consumerOf(EAGER, when));
      expect(both[1]).toContain('terraform_remote_state');
    }
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
    withApp({}, (app) => {
      new RotatedSecret(new TerraformStack(app, 'test'), 'Db');
      expect(() => app.synth()).toThrow(/\[test\] Found resources without a matching provider construct\. .* to your stack 'test' for the following providers: aws/);
    });
  });

  it('lets a secret build its resources after a synth that failed before writing anything', () => {
    withApp({}, (app) => {
      const secret = new RotatedSecret(new TerraformStack(app, 'test'), 'Db');
      expect(() => app.synth()).toThrow(/Found resources without a matching provider construct/);
      expect(secret.resource.node.path).toBe('test/Db/Resource');
    });
  });

  it('lets a secret build its resources from a later tick after a synth that failed while writing the stack out', async () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    let fail = true;
    new TerraformOutput(stack, 'out', {
      value: Lazy.stringValue({
        produce: (context) => {
          if (fail && !context.preparing) throw new Error('boom');
          return 'x';
        },
      }),
    });
    const secret = new RotatedSecret(stack, 'Db', {});
    expect(() => Testing.synth(stack)).toThrow('boom');
    expect(() => secret.resource).toThrow('after a synth that failed, ask from a later tick');
    await Promise.resolve();
    fail = false;
    secret.resource.addOverride('name', 'after');
    expect(Object.values(JSON.parse(Testing.synth(stack)).resource.aws_secretsmanager_secret)).toEqual([expect.objectContaining({ name: 'after' })]);
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
