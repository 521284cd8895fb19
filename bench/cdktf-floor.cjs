// What cdktf itself costs for the per-secret part of bench/synth-app.cjs:
// N × the same five blocks (key, key policy, secret, resource policy,
// rotation), written three ways that give up more and more of what a
// construct library offers. Prints {wallMs, maxRssMiB, bytes} like synth-app.
//
//   node bench/cdktf-floor.cjs N provider-classes   the provider's classes, every reference a plain string (no tokens)
//   node bench/cdktf-floor.cjs N elements           one bare TerraformElement per block, its JSON written by hand
//   node bench/cdktf-floor.cjs N one-element        one TerraformElement holding every block
//
// None has the rotation function, its role or its alarms: the floor of the
// per-secret work only, plus cdktf's fixed cost (loading, the stack, writing).
const start = process.hrtime.bigint();
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { App, TerraformStack, TerraformElement } = require('cdktf');
const { Construct } = require('constructs');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');

const [count, mode] = [Number(process.argv[2]), process.argv[3]];
const outdir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
const app = new App({ outdir });
const stack = new TerraformStack(app, 'bench');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });

const FUNCTION_ARN = '${aws_lambda_function.Rotation_9515E0C5.arn}';
const ROLE_ARN = '${aws_iam_role.Rotation_ExecutionRole_C59AE2BF.arn}';
const tags = { SecretRotationFunction: 'bench-Rotation' };

/** The five blocks of secret i, in Terraform's names, with plain-string references. */
function blocks(i) {
  const key = `Secret${i}_EncryptionKey`;
  const secret = `Secret${i}`;
  const field = (n) => `\${element(split(":", aws_kms_key.${key}.arn), ${n})}`;
  const keyPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: 'arn:@P:iam::@A:root' }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'UseThroughSecretsManager', Effect: 'Allow', Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.@R.amazonaws.com', 'kms:CallerAccount': '@A' } },
      },
    ],
  }).replace(/@[PRA]/g, (f) => field(f === '@P' ? 1 : f === '@R' ? 3 : 4));
  const secretArn = `\${aws_secretsmanager_secret.${secret}.arn}`;
  const resourcePolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyDeleteSecret', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: secretArn },
      {
        Sid: 'RotationFunctionRotates', Effect: 'Allow', Principal: { AWS: ROLE_ARN },
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: secretArn,
      },
    ],
  });
  return {
    key: { description: `Encrypts the Secrets Manager secret bench/Secret${i}`, deletion_window_in_days: 30, enable_key_rotation: true, tags },
    keyPolicy: { key_id: `\${aws_kms_key.${key}.key_id}`, policy: keyPolicy },
    secret: { kms_key_id: `\${aws_kms_key.${key}.arn}`, recovery_window_in_days: 30, tags },
    resourcePolicy: { secret_arn: secretArn, policy: resourcePolicy, block_public_policy: true },
    rotation: { secret_id: secretArn, rotation_lambda_arn: FUNCTION_ARN, rotate_immediately: true, rotation_rules: { automatically_after_days: 30 } },
  };
}

const TYPES = {
  key: ['aws_kms_key', 'EncryptionKey'],
  keyPolicy: ['aws_kms_key_policy', 'EncryptionKeyPolicy'],
  secret: ['aws_secretsmanager_secret', 'Resource'],
  resourcePolicy: ['aws_secretsmanager_secret_policy', 'ResourcePolicy'],
  rotation: ['aws_secretsmanager_secret_rotation', 'Rotation'],
};

/** A block whose JSON is written by hand: no attribute mapping, no tokens. */
class Block extends TerraformElement {
  constructor(scope, id, type, body) {
    super(scope, id, type);
    this.body = body;
  }
  toTerraform() {
    return { resource: { [this.terraformElementType ?? this._elementType]: { [this.friendlyUniqueId]: { '//': { metadata: { path: this.node.path, uniqueId: this.friendlyUniqueId } }, ...this.body } } } };
  }
}

if (mode === 'provider-classes') {
  const { KmsKey } = require('@cdktf/provider-aws/lib/kms-key');
  const { KmsKeyPolicy } = require('@cdktf/provider-aws/lib/kms-key-policy');
  const { SecretsmanagerSecret } = require('@cdktf/provider-aws/lib/secretsmanager-secret');
  const { SecretsmanagerSecretPolicy } = require('@cdktf/provider-aws/lib/secretsmanager-secret-policy');
  const { SecretsmanagerSecretRotation } = require('@cdktf/provider-aws/lib/secretsmanager-secret-rotation');
  for (let i = 0; i < count; i += 1) {
    const scope = new Construct(stack, `Secret${i}`);
    const b = blocks(i);
    new KmsKey(scope, 'EncryptionKey', { description: b.key.description, deletionWindowInDays: 30, enableKeyRotation: true, tags });
    new KmsKeyPolicy(scope, 'EncryptionKeyPolicy', { keyId: b.keyPolicy.key_id, policy: b.keyPolicy.policy });
    new SecretsmanagerSecret(scope, 'Resource', { kmsKeyId: b.secret.kms_key_id, recoveryWindowInDays: 30, tags });
    new SecretsmanagerSecretPolicy(scope, 'ResourcePolicy', { secretArn: b.resourcePolicy.secret_arn, policy: b.resourcePolicy.policy, blockPublicPolicy: true });
    new SecretsmanagerSecretRotation(scope, 'Rotation', { secretId: b.rotation.secret_id, rotationLambdaArn: FUNCTION_ARN, rotateImmediately: true, rotationRules: { automaticallyAfterDays: 30 } });
  }
} else if (mode === 'elements') {
  for (let i = 0; i < count; i += 1) {
    const scope = new Construct(stack, `Secret${i}`);
    for (const [name, body] of Object.entries(blocks(i))) new Block(scope, TYPES[name][1], TYPES[name][0], body);
  }
} else if (mode === 'one-element') {
  const resource = {};
  for (let i = 0; i < count; i += 1) {
    for (const [name, body] of Object.entries(blocks(i))) (resource[TYPES[name][0]] ??= {})[`Secret${i}_${TYPES[name][1]}`] = body;
  }
  new (class extends TerraformElement {
    toTerraform() {
      return { resource };
    }
  })(stack, 'AllSecrets');
} else {
  throw new Error(`mode must be provider-classes, elements or one-element, got ${JSON.stringify(mode)}`);
}

app.synth();
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const bytes = readFileSync(join(outdir, 'stacks', 'bench', 'cdk.tf.json')).length;
rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes }));
