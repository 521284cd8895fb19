import { Construct } from 'constructs';
import { App, Fn, Lazy, Token } from 'cdktf';
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import type { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { onDemand } from './on-demand';
import { ROTATE_ACTIONS } from './rotation-grants';

/**
 * The key policy of a key made for one secret: the account administers it
 * (so IAM policies apply, and the key cannot be orphaned), and principals of
 * the account may use it through Secrets Manager only, as with Secrets
 * Manager's own managed key. A separate resource, so the policy can name the
 * key's account and region (from its ARN) without a data source.
 *
 * The policy is JSON text with Terraform interpolations, made at synth time
 * by one lazy value: each token cdktf makes captures a stack trace, and a
 * policy of four tokens per secret was a fifth of the time of a large synth.
 * For HCL output, through an aws_iam_policy_document: cdktf's HCL writer
 * leaves a string that holds `${` unescaped, quotes and all.
 */
export function secretKeyPolicy(scope: Construct, key: KmsKey): KmsKeyPolicy {
  if (writesHcl(scope)) {
    const fields = Fn.split(':', key.arn);
    const [partition, region, account] = [1, 3, 4].map((n) => Fn.element(fields, n));
    const document = new DataAwsIamPolicyDocument(scope, 'EncryptionKeyPolicyDocument', {
      statement: [
        { sid: 'AccountAdministersKey', principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${account}:root`] }], actions: ['kms:*'], resources: ['*'] },
        {
          sid: 'UseThroughSecretsManager',
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          actions: [...KEY_USE_ACTIONS],
          resources: ['*'],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.amazonaws.com`] },
            { test: 'StringEquals', variable: 'kms:CallerAccount', values: [account] },
          ],
        },
      ],
    });
    return new onDemand.KmsKeyPolicy(scope, 'EncryptionKeyPolicy', { keyId: key.keyId, policy: document.json });
  }
  const policy = Lazy.stringValue({
    // The key is in this stack, next to its policy: a plain reference to it.
    produce: () => keyPolicyFor(`${key.terraformResourceType}.${key.friendlyUniqueId}`),
  });
  return new onDemand.KmsKeyPolicy(scope, 'EncryptionKeyPolicy', { keyId: key.keyId, policy });
}

/** The key policy of the key at Terraform address `keyAddress` (`aws_kms_key.<id>`), in the same configuration. */
export function keyPolicyFor(keyAddress: string): string {
  const field = (n: number) => `\${element(split(":", ${keyAddress}.arn), ${n})}`;
  return keyPolicyJson(field(1), field(3), field(4));
}

const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'];

/**
 * The app writes HCL rather than JSON: `hclOutput`, or `cdktf synth --hcl`,
 * which sets SYNTH_HCL_OUTPUT (cdktf's stacks take "true" or "1").
 */
export function writesHcl(scope: Construct): boolean {
  const root = scope.node.root;
  const env = process.env.SYNTH_HCL_OUTPUT;
  return (App.isApp(root) && root.hclOutput) || env === 'true' || env === '1';
}

/** The key policy's text for the key's partition, region and account (placed as they are, unescaped). */
function keyPolicyJson(partition: string, region: string, account: string): string {
  keyPolicyParts ??= JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: 'arn:@P:iam::@A:root' }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'UseThroughSecretsManager',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: KEY_USE_ACTIONS,
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.@R.amazonaws.com', 'kms:CallerAccount': '@A' } },
      },
    ],
  }).split(/(@[PRA])/);
  let text = '';
  for (const part of keyPolicyParts) text += part === '@P' ? partition : part === '@R' ? region : part === '@A' ? account : part;
  return text;
}

/** The key policy's text, split around its fields (@P, @R, @A): made once, as every key of the app has it. */
let keyPolicyParts: string[] | undefined;

export interface SecretPolicyOptions {
  readonly secretArn: string;
  readonly blockPublicPolicy: boolean;
  /** Deny DeleteSecret to all but these principal ARNs (patterns allowed); undefined: no deny. */
  readonly deletionAllowedFor?: readonly string[];
  /** The rotation function's role, allowed to rotate this secret. */
  readonly rotationRoleArn?: string;
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
}

/**
 * The secret's resource policy. Resources name the secret itself. Written as
 * policy JSON when every value is known or a reference to a resource of this
 * library; with statements of your own, ARN patterns that are Terraform
 * expressions or hold a template sequence (`${`, `%{`, or a `&{...}` policy
 * variable), or for HCL output, through an aws_iam_policy_document, which
 * renders any value and policy variable the way its docs say.
 */
export function secretResourcePolicy(scope: Construct, options: SecretPolicyOptions): SecretsmanagerSecretPolicy {
  const policy = isLiteralResourcePolicy(scope, options) ? literalResourcePolicy(options) : resourcePolicyDocument(scope, options).json;
  return new onDemand.SecretsmanagerSecretPolicy(scope, 'ResourcePolicy', {
    secretArn: options.secretArn,
    policy,
    blockPublicPolicy: options.blockPublicPolicy,
  });
}

/** Whether the resource policy is written as JSON text (see secretResourcePolicy). */
export function isLiteralResourcePolicy(scope: Construct, options: Pick<SecretPolicyOptions, 'deletionAllowedFor' | 'statements'>): boolean {
  const allowed = options.deletionAllowedFor ?? [];
  return options.statements.length === 0 && !allowed.some((arn) => Token.isUnresolved(arn) || /[$%&]\{/.test(arn)) && !writesHcl(scope);
}

/** The resource policy as JSON text, with the ARNs given placed as they are. */
export function literalResourcePolicy(options: SecretPolicyOptions): string {
  const statements: Array<Record<string, unknown>> = [];
  const allowed = options.deletionAllowedFor;
  if (allowed) {
    statements.push({
      Sid: 'DenyDeleteSecret',
      Effect: 'Deny',
      Principal: '*',
      Action: 'secretsmanager:DeleteSecret',
      Resource: options.secretArn,
      ...(allowed.length > 0 ? { Condition: { ArnNotLike: { 'aws:PrincipalArn': allowed.length === 1 ? allowed[0] : [...allowed] } } } : {}),
    });
  }
  if (options.rotationRoleArn) {
    statements.push({
      Sid: 'RotationFunctionRotates',
      Effect: 'Allow',
      Principal: { AWS: options.rotationRoleArn },
      Action: ROTATE_ACTIONS,
      Resource: options.secretArn,
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function resourcePolicyDocument(scope: Construct, options: SecretPolicyOptions): DataAwsIamPolicyDocument {
  const statements: DataAwsIamPolicyDocumentStatement[] = [];
  if (options.deletionAllowedFor) {
    statements.push({
      sid: 'DenyDeleteSecret',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: ['secretsmanager:DeleteSecret'],
      resources: [options.secretArn],
      ...(options.deletionAllowedFor.length > 0
        ? { condition: [{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: [...options.deletionAllowedFor] }] }
        : {}),
    });
  }
  if (options.rotationRoleArn) {
    statements.push({
      sid: 'RotationFunctionRotates',
      principals: [{ type: 'AWS', identifiers: [options.rotationRoleArn] }],
      actions: ROTATE_ACTIONS,
      resources: [options.secretArn],
    });
  }
  statements.push(...options.statements);
  return new DataAwsIamPolicyDocument(scope, 'ResourcePolicyDocument', { statement: statements });
}
