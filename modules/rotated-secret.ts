import { Construct } from 'constructs';
import { ITerraformDependable, Lazy, ref, TerraformResource, TerraformStack, Token } from 'cdktf';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import type { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import type { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import {
  isLiteralResourcePolicy,
  keyPolicyFor,
  literalResourcePolicy,
  SecretPolicyOptions,
  secretKeyPolicy,
  secretResourcePolicy,
} from './private/secret-policies';
import { DeferredBlocks, mergeBlock, resourceBlock, ResourceBlocks } from './private/deferred-blocks';
import { onDemand } from './private/on-demand';
import { HostedRotation } from './hosted-rotation';
import { ReadableSecret, RotatableSecret, RotationFunction } from './rotation-function';
import { RotationSchedule, RotationScheduleOptions, validateSchedule } from './rotation-schedule';
import { checkInteger, checkKeyArn, InvalidPropError, isKnown, show } from './private/validation';

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** How a secret rotates: by AWS's hosted rotation or by one of this library's functions (give one), and when. */
export interface SecretRotationOptions extends RotationScheduleOptions {
  /**
   * AWS's own rotation function for the engine, deployed from the Serverless
   * Application Repository, e.g. `HostedRotation.postgreSqlSingleUser()`.
   * Give this or `function`.
   */
  readonly hosted?: HostedRotation;
  /**
   * One of this library's rotation functions. The secret (and the key
   * created for it) is tagged with the function's `rotationTag`, and the
   * function's role may rotate the secrets that carry that tag. Give this or
   * `hosted`.
   */
  readonly function?: RotationFunction;
  /**
   * The master secret that the alternating-users handlers log in with (the
   * secret's value must name it as `masterarn`). The function may read it.
   * @default - none; required by the `*-multi-user` handlers, refused by the others
   */
  readonly masterSecret?: ReadableSecret;
  /**
   * The secret holding the admin credential that the http-api-key handler
   * issues and revokes keys with (`{"apiKey": "…"}` or the bare credential;
   * the secret's value must name it as `adminSecretArn`). The function may
   * read it (`RotationFunction.grantRead`). Give `kmsKeyArn` when a customer
   * managed key encrypts it.
   * @default - none; required by the http-api-key handler, accepted by your own (entry), refused by the others
   */
  readonly adminSecret?: ReadableSecret;
}

/** Props of a `RotatedSecret`. Every prop is optional: `new RotatedSecret(this, 'Secret')` makes an encrypted secret, with no value and no rotation. */
export interface RotatedSecretProps {
  /**
   * The secret's name: letters, digits and `/_+=.@-`, at most 512 characters.
   * Avoid ending it with a hyphen and six characters, which Secrets Manager
   * confuses with an ARN suffix.
   * @default - Terraform picks a unique name
   */
  readonly name?: string;
  /** The secret's description, shown in the console. @default - no description */
  readonly description?: string;
  /**
   * ARN of the customer managed KMS key that encrypts the secret.
   * @default - a new key, with yearly rotation of its key material, for this secret
   */
  readonly kmsKeyArn?: string;
  /**
   * The first value of the secret, written with the provider's write-only
   * `secret_string_wo`, so it is never stored in Terraform state. It must be a
   * Terraform expression (a token), e.g. `Fn.jsonencode({ ..., password: variable.value })`
   * with an ephemeral, sensitive variable: a literal string would be written
   * into cdk.tf.json, and is refused. Rotation owns the value after that.
   * @default - no value: put the first one in yourself before rotation runs
   */
  readonly initialValue?: string;
  /**
   * Version of `initialValue`. Raise it to make Terraform write `initialValue`
   * again (which replaces the rotated value).
   * @default 1
   */
  readonly initialValueVersion?: number;
  /** Days Secrets Manager keeps the secret after deletion: 0 (delete at once) or 7 to 30. @default 30 */
  readonly recoveryWindowInDays?: number;
  /** Rotation of the secret. @default - no rotation */
  readonly rotation?: SecretRotationOptions;
  /** Tags on the secret (and on the key, when one is created). @default - none */
  readonly tags?: Record<string, string>;
  /**
   * Copies of the secret in other regions, kept in step by Secrets Manager
   * (rotation happens on this one). Each may name a key of its region.
   * @default - no replicas
   */
  readonly replicas?: Array<{
    /** The replica's region, e.g. `eu-central-1`. */
    readonly region: string;
    /** ARN of a customer managed key in that region. @default - the replica uses `aws/secretsmanager` */
    readonly kmsKeyArn?: string;
  }>;
  /**
   * ARNs (patterns allowed, e.g. your deployment role's) of the principals
   * that may delete the secret; everyone else is denied DeleteSecret by the
   * secret's resource policy. That deny lasts as long as the policy, and
   * `terraform destroy` deletes the policy first: so with `[]` (nobody) the
   * secret and the key made for it also get `lifecycle.prevent_destroy`, and
   * Terraform refuses to plan destroying or replacing them (not when the
   * RotatedSecret is removed from the code: its protection goes with it).
   * `false` for neither.
   * @default [] - nobody: set false, and apply, before deleting the secret
   */
  readonly deletionAllowedFor?: string[] | false;
  /** Further statements of the secret's resource policy. @default - none */
  readonly policyStatements?: DataAwsIamPolicyDocumentStatement[];
  /** Refuse resource policies that would make the secret public. @default true */
  readonly blockPublicPolicy?: boolean;
}

/**
 * A Secrets Manager secret encrypted with a customer managed KMS key, and
 * optionally rotated by a RotationFunction or by AWS's hosted rotation
 * (HostedRotation). No secret value ever appears in the synthesized
 * configuration or in Terraform state.
 *
 * Its resources are written at synth time by one element of the stack, not
 * built as a construct each, when its props hold no Terraform expression, it
 * has no `initialValue`, `policyStatements` or hosted rotation, and its
 * rotation function is in the same stack: that makes a synth of a thousand
 * secrets about twice as fast, with the same output (see bench/RESULTS.md).
 * They are built as constructs, with the same addresses, as soon as one is
 * asked for (`resource`, `encryptionKey`, `resourcePolicy`, `rotationSchedule`,
 * so `addOverride` works as ever: ask before `app.synth()`; during it, the
 * synth fails saying so), and before Aspects run when the stack has any (a
 * stack that has one already builds each secret at once). `secretArn`, `kmsKeyArn` and
 * `secretName` are references like the resources' own, in this stack and
 * from others. Only code that looks for the resources in `node.children`
 * would miss them: set the context key `cdktf-secret-rotation:eagerSecrets`
 * to `true` to build every secret's resources when it is created.
 */
export class RotatedSecret extends Construct implements RotatableSecret {
  private readonly props: RotatedSecretProps;
  /** The rotation function's invoke permission, which the rotation waits for. */
  private readonly permission?: LambdaPermission;
  private deferredTo?: DeferredBlocks;
  private built?: BuiltSecret;
  /** References handed out while the secret was deferred: the same text before and after a build (grants compare them). */
  private deferredArn?: string;
  private deferredKeyArn?: string;
  private deferredName?: string;
  /** The logical id of each block it may write, by type (see BLOCK_PATHS): worked out once, as its path never changes. */
  private blockIds?: Readonly<Record<string, string>>;

  /** The `aws_secretsmanager_secret`. */
  get resource(): SecretsmanagerSecret {
    return this.build().resource;
  }
  /** The key created for this secret, when `kmsKeyArn` was not given. */
  get encryptionKey(): KmsKey | undefined {
    return this.build().encryptionKey;
  }
  /** The secret's ARN (a token, known after apply). */
  get secretArn(): string {
    if (this.built && this.deferredArn === undefined) return this.built.secretArn;
    return (this.deferredArn ??= this.reference('aws_secretsmanager_secret', 'arn', (built) => built.resource));
  }
  /** ARN of the key that encrypts the secret: `kmsKeyArn`, or the key created for it. */
  get kmsKeyArn(): string {
    if (this.props.kmsKeyArn !== undefined) return this.props.kmsKeyArn;
    if (this.built && this.deferredKeyArn === undefined) return this.built.kmsKeyArn;
    return (this.deferredKeyArn ??= this.reference('aws_kms_key', 'arn', (built) => built.encryptionKey!));
  }
  /** The rotation schedule, when `rotation` was given. */
  get rotationSchedule(): RotationSchedule | undefined {
    return this.build().rotationSchedule;
  }
  /** The secret's resource policy (present unless `deletionAllowedFor: false` and nothing else needs one). */
  get resourcePolicy(): SecretsmanagerSecretPolicy | undefined {
    return this.build().resourcePolicy;
  }
  /** The secret's name (a token: Terraform knows it after apply when `name` was not given). */
  get secretName(): string {
    if (this.built && this.deferredName === undefined) return this.built.resource.name;
    return (this.deferredName ??= this.reference('aws_secretsmanager_secret', 'name', (built) => built.resource));
  }

  constructor(scope: Construct, id: string, props: RotatedSecretProps = {}) {
    super(scope, id);
    validateProps(props);
    this.props = props;

    const fn = props.rotation?.function;
    if (fn) {
      // Granted by tag: the secret's ARN is not needed, so the grant is made
      // whether or not the secret's resources are built now.
      this.permission = fn.grantTaggedSecret(props.kmsKeyArn);
      if (props.rotation!.masterSecret) fn.grantReadMasterSecret(props.rotation!.masterSecret);
      if (props.rotation!.adminSecret) fn.grantRead(props.rotation!.adminSecret);
    }

    if (canDefer(this, props)) {
      this.deferredTo = DeferredBlocks.of(TerraformStack.of(this));
      this.deferredTo.add(this);
    } else {
      this.build();
    }
  }

  /** Builds the resources as constructs (once), after which the stack's DeferredBlocks no longer writes them. @internal */
  build(): BuiltSecret {
    if (this.built) return this.built;
    this.deferredTo?.remove(this);
    this.deferredTo = undefined;
    const props = this.props;
    const { tags, lifecycle } = settings(props);

    let encryptionKey: KmsKey | undefined;
    if (props.kmsKeyArn === undefined) {
      encryptionKey = new onDemand.KmsKey(this, 'EncryptionKey', { ...keyAttributes(this, props), tags, ...lifecycle });
      secretKeyPolicy(this, encryptionKey);
    }
    const kmsKeyArn = props.kmsKeyArn ?? encryptionKey!.arn;

    const resource = new onDemand.SecretsmanagerSecret(this, 'Resource', {
      name: props.name,
      description: props.description,
      kmsKeyId: kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays ?? 30,
      tags,
      ...(props.replicas ? { replica: props.replicas.map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })) } : {}),
      ...lifecycle,
    });
    // Read once: each read of a resource attribute makes a new token, and
    // each token costs a stack trace. The secret's id is its ARN.
    const secretArn = resource.arn;
    const built: { -readonly [K in keyof BuiltSecret]: BuiltSecret[K] } = { resource, encryptionKey, secretArn, kmsKeyArn };
    this.built = built;

    let initialVersion: SecretsmanagerSecretVersion | undefined;
    if (props.initialValue !== undefined) {
      initialVersion = new onDemand.SecretsmanagerSecretVersion(this, 'InitialValue', {
        secretId: secretArn,
        secretStringWo: props.initialValue,
        secretStringWoVersion: props.initialValueVersion ?? 1,
      });
    }

    if (hasResourcePolicy(props)) {
      built.resourcePolicy = secretResourcePolicy(this, resourcePolicyOptions(props, secretArn));
    }

    if (props.rotation) {
      const { function: rotationFunction, hosted } = props.rotation;
      let rotationLambdaArn: string;
      let dependsOn: ITerraformDependable[];
      if (rotationFunction) {
        rotationLambdaArn = rotationFunction.functionArn;
        dependsOn = [this.permission!, rotationFunction.resource];
      } else {
        const bound = hosted!.bind(this, { secretArn, kmsKeyArn });
        rotationLambdaArn = bound.rotationLambdaArn;
        dependsOn = [bound.application];
      }
      built.rotationSchedule = new RotationSchedule(this, 'Rotation', {
        ...scheduleOf(props.rotation),
        secretId: secretArn,
        rotationLambdaArn,
        // Rotation may start at once: the function must be invocable, and the
        // secret must hold its first value, by then.
        dependsOn: [...dependsOn, ...(initialVersion ? [initialVersion] : [])],
      });
    }
    return built;
  }

  /**
   * A reference to an attribute of a resource that writeBlocks() writes, as
   * the resource's class would give it (cdktf turns it into a cross-stack
   * output where another stack reads it), without building the resource.
   * The same text once the secret is built (`fromBuilt` gives the resource),
   * and that resource's own reference if it is given another logical id.
   */
  private reference(type: string, attribute: string, fromBuilt: (built: BuiltSecret) => TerraformResource): string {
    // One Reference per logical id, made on first use: cdktf records on it,
    // while preparing (before the Aspects, which may build the secret), which
    // stacks read it through a cross-stack output.
    let made: { readonly logicalId: string; readonly token: string } | undefined;
    return Lazy.stringValue({
      produce: () => {
        const resource = this.built ? fromBuilt(this.built) : undefined;
        const logicalId = resource ? resource.friendlyUniqueId : this.logicalIds(this.deferredTo!)[type];
        if (made?.logicalId !== logicalId) {
          const token = resource ? resource.getStringAttribute(attribute) : Token.asString(ref(`${type}.${logicalId}.${attribute}`, TerraformStack.of(this)));
          made = { logicalId, token };
        }
        return made.token;
      },
    });
  }

  /**
   * The blocks that build() would make, as the provider's classes write them,
   * for a secret that canDefer() accepted. test/modules/deferred-secrets.test.ts
   * checks the two give the same bytes. @internal
   */
  writeBlocks(into: ResourceBlocks, blocks: DeferredBlocks): void {
    const props = this.props;
    const { tags, lifecycle } = settings(props);
    const path = this.node.path;
    const ids = this.logicalIds(blocks);
    // resourceBlock() copies every object, as cdktf's resolve would: the
    // written configuration shares none with the props or another block.
    const add = (type: string, body: Record<string, unknown>) => {
      const byId = (into[type] ??= {});
      const logicalId = ids[type];
      const block = resourceBlock(`${path}/${BLOCK_PATHS[type].join('/')}`, logicalId, body);
      // Another secret's block of this address (cdktf's logical ids leave
      // out ids such as `Default`) is merged as cdktf would merge them.
      byId[logicalId] = byId[logicalId] ? mergeBlock(byId[logicalId], block) : block;
    };
    const tf = { lifecycle: lifecycle.lifecycle ? { prevent_destroy: true } : undefined };
    const fn = props.rotation?.function;

    let kmsKeyId = props.kmsKeyArn;
    if (kmsKeyId === undefined) {
      const keyId = ids.aws_kms_key;
      const key = keyAttributes(this, props);
      add('aws_kms_key', {
        deletion_window_in_days: key.deletionWindowInDays,
        description: key.description,
        enable_key_rotation: key.enableKeyRotation,
        tags,
        ...tf,
      });
      add('aws_kms_key_policy', { key_id: `\${aws_kms_key.${keyId}.key_id}`, policy: keyPolicyFor(`aws_kms_key.${keyId}`) });
      kmsKeyId = `\${aws_kms_key.${keyId}.arn}`;
    }

    const secretId = ids.aws_secretsmanager_secret;
    const secretArn = `\${aws_secretsmanager_secret.${secretId}.arn}`;
    add('aws_secretsmanager_secret', {
      name: props.name,
      description: props.description,
      kms_key_id: kmsKeyId,
      recovery_window_in_days: props.recoveryWindowInDays ?? 30,
      tags,
      replica: props.replicas?.map((r) => ({ region: r.region, kms_key_id: r.kmsKeyArn })),
      ...tf,
    });

    if (hasResourcePolicy(props)) {
      add('aws_secretsmanager_secret_policy', {
        block_public_policy: props.blockPublicPolicy ?? true,
        policy: literalResourcePolicy(resourcePolicyOptions(props, secretArn, fn ? blocks.resolved(fn.roleArn) : undefined)),
        secret_arn: secretArn,
      });
    }

    if (fn) {
      const { automaticallyAfterDays, scheduleExpression, duration, rotateImmediately } = scheduleOf(props.rotation!);
      add('aws_secretsmanager_secret_rotation', {
        depends_on: [blocks.resolved(blocks.dependency(this.permission!)), blocks.resolved(blocks.dependency(fn.resource))],
        rotate_immediately: rotateImmediately ?? true,
        rotation_lambda_arn: blocks.resolved(fn.functionArn),
        rotation_rules: {
          automatically_after_days: scheduleExpression === undefined ? (automaticallyAfterDays ?? 30) : undefined,
          duration,
          schedule_expression: scheduleExpression,
        },
        secret_id: secretArn,
      });
    }
  }

  /** The addresses (`<type>.<logical id>`) its blocks may have (see BLOCK_PATHS). @internal */
  addresses(blocks: DeferredBlocks): string[] {
    return Object.entries(this.logicalIds(blocks)).map(([type, id]) => `${type}.${id}`);
  }

  /** The logical ids of its blocks, by type, as its stack names them. */
  private logicalIds(blocks: DeferredBlocks): Readonly<Record<string, string>> {
    if (this.blockIds === undefined) {
      const id = blocks.logicalIds(this);
      this.blockIds = Object.fromEntries(Object.entries(BLOCK_PATHS).map(([type, path]) => [type, id(...path)]));
    }
    return this.blockIds;
  }

  /** The tokens writeBlocks() places: the rotation function's, all of the same stack. @internal */
  tokens(blocks: DeferredBlocks): string[] {
    const fn = this.props.rotation?.function;
    return fn ? [blocks.dependency(this.permission!), blocks.dependency(fn.resource), fn.functionArn, fn.roleArn] : [];
  }
}

/** What build() made. */
interface BuiltSecret {
  readonly resource: SecretsmanagerSecret;
  readonly encryptionKey?: KmsKey;
  readonly secretArn: string;
  readonly kmsKeyArn: string;
  readonly rotationSchedule?: RotationSchedule;
  readonly resourcePolicy?: SecretsmanagerSecretPolicy;
}

/** The path under the secret of each of the resources it may have, by type (writeBlocks() writes each there). */
const BLOCK_PATHS: Readonly<Record<string, readonly string[]>> = {
  aws_kms_key: ['EncryptionKey'],
  aws_kms_key_policy: ['EncryptionKeyPolicy'],
  aws_secretsmanager_secret: ['Resource'],
  aws_secretsmanager_secret_policy: ['ResourcePolicy'],
  aws_secretsmanager_secret_rotation: ['Rotation', 'Resource'],
};

/** The tags and lifecycle that build() and writeBlocks() both give the secret and its key. */
function settings(props: RotatedSecretProps) {
  const fn = props.rotation?.function;
  const tags = fn ? { ...props.tags, [fn.rotationTag.key]: fn.rotationTag.value } : props.tags;
  const deletionAllowedFor = props.deletionAllowedFor ?? [];
  // The resource policy's deny does not stop `terraform destroy`, which
  // deletes the policy before the secret: when nobody may delete, Terraform
  // itself refuses to plan destroying or replacing the secret or its key.
  const lifecycle: { lifecycle?: { preventDestroy: true } } =
    Array.isArray(deletionAllowedFor) && deletionAllowedFor.length === 0 ? { lifecycle: { preventDestroy: true } } : {};
  return { tags, lifecycle };
}

function keyAttributes(scope: Construct, props: RotatedSecretProps) {
  return {
    description: `Encrypts the Secrets Manager secret ${props.name ?? scope.node.path}`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  };
}

function hasResourcePolicy(props: RotatedSecretProps): boolean {
  return props.deletionAllowedFor !== false || props.rotation !== undefined || (props.policyStatements?.length ?? 0) > 0;
}

function resourcePolicyOptions(props: RotatedSecretProps, secretArn: string, roleArn = props.rotation?.function?.roleArn): SecretPolicyOptions {
  const deletionAllowedFor = props.deletionAllowedFor ?? [];
  return {
    secretArn,
    blockPublicPolicy: props.blockPublicPolicy ?? true,
    deletionAllowedFor: deletionAllowedFor === false ? undefined : deletionAllowedFor,
    rotationRoleArn: roleArn,
    statements: props.policyStatements ?? [],
  };
}

/**
 * Whether the secret's blocks may be written by the stack's DeferredBlocks:
 * every prop a plain value (a token could refer to another stack, or need
 * resolving in ways only the resource classes know), no initial value, no
 * statements of the user's own (those go through a policy document), no
 * hosted rotation, and a rotation function in the same stack.
 */
function canDefer(secret: RotatedSecret, props: RotatedSecretProps): boolean {
  if (!DeferredBlocks.canDefer(secret)) return false;
  if (props.initialValue !== undefined || (props.policyStatements?.length ?? 0) > 0 || props.rotation?.hosted) return false;
  const fn = props.rotation?.function;
  if (fn && TerraformStack.of(fn) !== TerraformStack.of(secret)) return false;
  if (!isLiteralResourcePolicy(secret, { deletionAllowedFor: props.deletionAllowedFor || undefined, statements: [] })) return false;
  // The ids of the secret's path are in its blocks (metadata, key description).
  const path = secret.node.scopes.map((c) => c.node.id);
  return !holdsToken([
    path,
    props.name,
    props.description,
    props.kmsKeyArn,
    props.recoveryWindowInDays,
    props.tags,
    props.replicas,
    props.deletionAllowedFor,
    props.blockPublicPolicy,
    props.rotation && scheduleOf(props.rotation),
    fn?.rotationTag.value,
  ]);
}

/** When the secret rotates. */
function scheduleOf(rotation: SecretRotationOptions): RotationScheduleOptions {
  const { automaticallyAfterDays, scheduleExpression, duration, rotateImmediately } = rotation;
  return { automaticallyAfterDays, scheduleExpression, duration, rotateImmediately };
}

/**
 * Whether `value` is or holds (in a list or map, keys included) an unresolved
 * token, in any of the forms cdktf resolves: the DeferredBlocks element
 * writes the secret's values as they are.
 */
function holdsToken(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return textHoldsToken(value);
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(holdsToken);
  if (typeof value === 'object') return Object.entries(value).some(([key, item]) => textHoldsToken(key) || holdsToken(item));
  return false;
}

/** cdktf's pattern for the digits of a number token placed in a string (tokens/private/encoding.js). */
const NUMBER_IN_TEXT = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g;

/**
 * Whether `text` holds a token: a string, list or map token's marker, or a
 * number token's digits (`${days.numberValue} days` gives "-1.8…e+289 days").
 * Text that merely holds "TfToken[" counts too: its secret is built as
 * constructs, which is never wrong.
 */
function textHoldsToken(text: string): boolean {
  if (text.includes('TfToken[')) return true;
  return (text.match(NUMBER_IN_TEXT) ?? []).some((digits) => Token.isUnresolved(parseFloat(digits)));
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function validateProps(props: RotatedSecretProps): void {
  checkKeyArn('kmsKeyArn', props.kmsKeyArn);
  checkKeyArn('rotation.masterSecret.kmsKeyArn', props.rotation?.masterSecret?.kmsKeyArn);
  checkKeyArn('rotation.adminSecret.kmsKeyArn', props.rotation?.adminSecret?.kmsKeyArn);
  if (isKnown(props.name) && !SECRET_NAME.test(props.name)) {
    throw new InvalidPropError(`name must be 1 to 512 letters, digits or /_+=.@- characters, got ${show(props.name)}`);
  }
  if (props.initialValue !== undefined && !Token.isUnresolved(props.initialValue)) {
    // Never echo the value: it is presumably a secret.
    throw new InvalidPropError(
      'initialValue is a literal string, which would be written into cdk.tf.json; pass a Terraform expression instead, e.g. Fn.jsonencode({ ..., password: passwordVariable.value }) with an ephemeral, sensitive TerraformVariable',
    );
  }
  checkInteger('initialValueVersion', props.initialValueVersion, 1, Number.MAX_SAFE_INTEGER);
  const window = props.recoveryWindowInDays;
  if (isKnown(window) && window !== 0 && (!Number.isInteger(window) || window < 7 || window > 30)) {
    throw new InvalidPropError(`recoveryWindowInDays must be 0 (delete at once) or a whole number from 7 to 30, got ${show(window)}`);
  }
  for (const [i, principal] of (Array.isArray(props.deletionAllowedFor) ? props.deletionAllowedFor : []).entries()) {
    if (!isKnown(principal) || /[$%&]\{/.test(principal)) continue;
    const prop = `deletionAllowedFor[${i}]`;
    const session = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\//.exec(principal);
    if (session) {
      // aws:PrincipalArn holds the role's ARN for a role session: a session ARN never matches it.
      throw new InvalidPropError(
        `${prop} is the ARN of a role session, ${show(principal)}, which the aws:PrincipalArn condition never matches; name the role: "arn:${session[1]}:iam::${session[2]}:role/${session[3]}"`,
      );
    }
    // A pattern (`*`, `arn:aws:iam::*:role/ci-*`) is the caller's to choose; a bare name matches no ARN.
    if (!principal.startsWith('arn:') && !principal.includes('*')) {
      throw new InvalidPropError(`${prop} must be the ARN of an IAM role or user (arn:aws:iam::<account>:role/<name>, * allowed), got ${show(principal)}`);
    }
  }
  for (const [i, replica] of (props.replicas ?? []).entries()) {
    if (isKnown(replica.region) && !REGION.test(replica.region)) {
      throw new InvalidPropError(`replicas[${i}].region must be a region name such as "eu-central-1", got ${show(replica.region)}`);
    }
    checkKeyArn(`replicas[${i}].kmsKeyArn`, replica.kmsKeyArn);
  }
  if (props.rotation) {
    validateSchedule(props.rotation);
    const { function: fn, hosted, masterSecret, adminSecret } = props.rotation;
    if ((fn === undefined) === (hosted === undefined)) {
      throw new InvalidPropError('rotation needs exactly one of function (this library\'s handlers) and hosted (AWS\'s, from the Serverless Application Repository)');
    }
    if (!fn) {
      if (masterSecret) throw new InvalidPropError('rotation.masterSecret goes with function; a hosted multi-user rotation takes its masterSecret in its own options');
      if (adminSecret) throw new InvalidPropError('rotation.adminSecret goes with function (the http-api-key handler, or your own); AWS\'s hosted rotation rotates database credentials only');
      return;
    }
    checkFunctionSecrets(fn, masterSecret, adminSecret);
  }
}

/** The master and admin secrets a rotation function needs, or would never read. */
function checkFunctionSecrets(fn: RotationFunction, masterSecret: ReadableSecret | undefined, adminSecret: ReadableSecret | undefined): void {
  if (fn.needsMasterSecret && !masterSecret) {
    throw new InvalidPropError(`rotation.masterSecret is required by the ${fn.handler} handler, which logs in with it; pass the secret that the value's masterarn names`);
  }
  if (!fn.acceptsMasterSecret && masterSecret) {
    const instead = fn.needsAdminSecret ? 'issues keys with the credential in adminSecret' : 'rotates one user with its own password';
    throw new InvalidPropError(`rotation.masterSecret is only used by the multi-user handlers; ${fn.handler} ${instead}`);
  }
  if (fn.needsAdminSecret && !adminSecret) {
    throw new InvalidPropError(`rotation.adminSecret is required by the ${fn.handler} handler, which issues and revokes keys with it; pass the secret that the value's adminSecretArn names`);
  }
  if (!fn.acceptsAdminSecret && adminSecret) {
    throw new InvalidPropError(`rotation.adminSecret is only used by the http-api-key handler and your own (entry); ${fn.handler} does not read it`);
  }
}
