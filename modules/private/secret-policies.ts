import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';


/**
 * The key policy of a key made for one secret: the account administers it
 * (so IAM policies apply, and the key cannot be orphaned), and principals of
 * the account may use it through Secrets Manager only, as with Secrets
 * Manager's own managed key. A separate resource, so the policy can name the
 * key's account and region (from its ARN) without a data source.
 */
export function secretKeyPolicy(scope: Construct, key: KmsKey, keyArn: string): KmsKeyPolicy {
  // One split of the ARN for the three fields: every token cdktf makes costs
  // a stack trace at creation, which is most of a large synth's time.
  const fields = Fn.split(':', keyArn);
  const [partition, region, account] = [1, 3, 4].map((n) => Fn.element(fields, n));
  const document = new DataAwsIamPolicyDocument(scope, 'EncryptionKeyPolicyDocument', {
    statement: [
      {
        sid: 'AccountAdministersKey',
        principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${account}:root`] }],
        actions: ['kms:*'],
        resources: ['*'],
      },
      {
        sid: 'UseThroughSecretsManager',
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        resources: ['*'],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.amazonaws.com`] },
          { test: 'StringEquals', variable: 'kms:CallerAccount', values: [account] },
        ],
      },
    ],
  });
  return new KmsKeyPolicy(scope, 'EncryptionKeyPolicy', { keyId: key.keyId, policy: document.json });
}

export interface SecretPolicyOptions {
  readonly secretArn: string;
  readonly blockPublicPolicy: boolean;
  /** Deny DeleteSecret to all but these principal ARNs (patterns allowed); undefined: no deny. */
  readonly deletionAllowedFor?: readonly string[];
  /** The rotation function's role, allowed to rotate this secret. */
  readonly rotationRoleArn?: string;
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
}

/** The secret's resource policy. Resources name the secret itself. */
export function secretResourcePolicy(scope: Construct, options: SecretPolicyOptions): SecretsmanagerSecretPolicy {
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
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [options.secretArn],
    });
  }
  statements.push(...options.statements);
  const document = new DataAwsIamPolicyDocument(scope, 'ResourcePolicyDocument', { statement: statements });
  return new SecretsmanagerSecretPolicy(scope, 'ResourcePolicy', {
    secretArn: options.secretArn,
    policy: document.json,
    blockPublicPolicy: options.blockPublicPolicy,
  });
}
