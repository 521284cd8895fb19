import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Fn, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { HostedRotation, RotatedSecret, RotatedSecretProps, RotationFunction } from '../../modules';
import { only, resources, synth } from '../support/synth';

const secret = (props: RotatedSecretProps = {}) => synth((scope) => new RotatedSecret(scope, 'Db', props));

/** The statements of the policy document whose logical id holds `name`. */
function policyDocument(json: string, name: string): Array<Record<string, unknown>> {
  const documents = JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: Array<Record<string, unknown>> }>;
  return Object.entries(documents).find(([id]) => id.includes(name))![1].statement;
}

/** An initial value the way users should pass one: built from a sensitive variable. */
/**
 * A policy written as JSON text with Terraform interpolations, parsed with
 * the interpolations kept as they are (their quotes are Terraform's, inside
 * the text, so they are escaped before parsing).
 */
function literalPolicy(text: unknown): { Statement: Array<Record<string, unknown>> } {
  if (typeof text !== 'string') throw new Error(`policy is not JSON text: ${JSON.stringify(text)}`);
  return JSON.parse(text.replace(/\$\{[^}]*\}/g, (interpolation) => interpolation.replace(/"/g, '\\"')));
}

function passwordValue(scope: Construct): string {
  const password = new TerraformVariable(scope, 'db_password', { type: 'string', sensitive: true });
  return Fn.jsonencode({ host: 'db.internal', username: 'app', password: password.stringValue });
}

describe('RotatedSecret', () => {
  it('encrypts the secret with a new customer managed key by default, and keeps it 30 days after deletion', () => {
    const json = secret({ name: 'prod/db' });
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30 });
    const keyId = Object.keys(resources(json, 'aws_kms_key'))[0];
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'prod/db',
      kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      recovery_window_in_days: 30,
    });
    expect(json).not.toHaveResource(SecretsmanagerSecretVersion);
    expect(json).not.toHaveResource(SecretsmanagerSecretRotation);
  });

  it('uses a given key and creates none', () => {
    const json = secret({ kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/given' });
    expect(json).not.toHaveResource(KmsKey);
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/given' });
  });

  it('takes a description, tags and a recovery window of 0', () => {
    const json = secret({ description: 'app credential', tags: { team: 'data' }, recoveryWindowInDays: 0 });
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { description: 'app credential', tags: { team: 'data' }, recovery_window_in_days: 0 });
    expect(json).toHaveResourceWithProperties(KmsKey, { tags: { team: 'data' } });
  });

  it('writes the initial value write-only, so it stays out of state, and never the value itself', () => {
    const json = synth((scope) => new RotatedSecret(scope, 'Db', { initialValue: passwordValue(scope) }));
    const version = only(json, 'aws_secretsmanager_secret_version');
    expect(version.secret_string_wo).toBe('${jsonencode({"host" = "db.internal", "username" = "app", "password" = var.db_password})}');
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.secret_string).toBeUndefined();
  });

  it('writes the initial value again when its version is raised', () => {
    const json = synth((scope) => new RotatedSecret(scope, 'Db', { initialValue: passwordValue(scope), initialValueVersion: 3 }));
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecretVersion, { secret_string_wo_version: 3 });
  });

  it('rotates with the given function on the given schedule, once the function may be invoked', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      new RotatedSecret(scope, 'Db', { rotation: { function: fn, scheduleExpression: 'rate(10 days)', duration: '2h' } });
    });
    const rotation = only(json, 'aws_secretsmanager_secret_rotation');
    const secretId = Object.keys(resources(json, 'aws_secretsmanager_secret'))[0];
    const permissionId = Object.keys(resources(json, 'aws_lambda_permission'))[0];
    const functionId = Object.keys(resources(json, 'aws_lambda_function'))[0];
    expect(rotation).toMatchObject({
      secret_id: `\${aws_secretsmanager_secret.${secretId}.arn}`,
      rotation_lambda_arn: `\${aws_lambda_function.${functionId}.arn}`,
      rotation_rules: { schedule_expression: 'rate(10 days)', duration: '2h' },
      rotate_immediately: true,
      depends_on: [`aws_lambda_permission.${permissionId}`, `aws_lambda_function.${functionId}`],
    });
    expect(only(json, 'aws_lambda_permission').principal).toBe('secretsmanager.amazonaws.com');
  });

  it('tags the secret and its key for the rotating function, keeping the given tags', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', functionName: 'rotate-db' });
      new RotatedSecret(scope, 'Db', { tags: { team: 'data' }, rotation: { function: fn } });
    });
    const tags = { team: 'data', SecretRotationFunction: 'rotate-db' };
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { tags });
    expect(json).toHaveResourceWithProperties(KmsKey, { tags });
  });

  it('lets a multi-user function read the master secret', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-multi-user' });
      new RotatedSecret(scope, 'Db', { rotation: { function: fn, masterSecret: { secretArn: 'arn:master' } } });
    });
    expect(json).toContain('"sid": "ReadSecrets"');
  });

  it('fails when a multi-user function gets no master secret', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = new RotationFunction(stack, 'Rotation', { handler: 'postgres-multi-user' });
    expect(() => new RotatedSecret(stack, 'Db', { rotation: { function: fn } })).toThrow(
      'rotation.masterSecret is required by the postgres-multi-user handler, which logs in with it; pass the secret that the value\'s masterarn names',
    );
  });

  it('fails when the master secret\'s key is an alias ARN', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = new RotationFunction(stack, 'Rotation', { handler: 'mysql-multi-user' });
    expect(() => new RotatedSecret(stack, 'Db', { rotation: { function: fn, masterSecret: { secretArn: 'arn:master', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:alias/m' } } })).toThrow(
      'rotation.masterSecret.kmsKeyArn must be a key ARN (arn:…:key/…), not an alias ARN, got "arn:aws:kms:eu-west-1:1:alias/m"',
    );
  });

  it('fails when a single-user function gets a master secret', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = new RotationFunction(stack, 'Rotation', { handler: 'mysql-single-user' });
    expect(() => new RotatedSecret(stack, 'Db', { rotation: { function: fn, masterSecret: { secretArn: 'arn:master' } } })).toThrow(
      'rotation.masterSecret is only used by the multi-user handlers; mysql-single-user rotates one user with its own password',
    );
  });

  it('lets an http-api-key function read the admin secret, and decrypt it through Secrets Manager', () => {
    const json = synth((scope) => {
      const fn = RotationFunction.httpApiKey(scope, 'Rotation');
      const admin = new RotatedSecret(scope, 'Admin');
      new RotatedSecret(scope, 'Key', { rotation: { function: fn, adminSecret: admin } });
    });
    const admin = Object.keys(resources(json, 'aws_secretsmanager_secret')).find((id) => id.startsWith('Admin'));
    const adminKey = Object.keys(resources(json, 'aws_kms_key')).find((id) => id.startsWith('Admin'));
    const statements = policyDocument(json, 'Rotation_Policy');
    expect(statements.find((st) => st.sid === 'ReadSecrets')).toEqual({
      sid: 'ReadSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [`\${aws_secretsmanager_secret.${admin}.arn}`],
    });
    expect(statements.find((st) => st.sid === 'ReadSecretKeysThroughSecretsManager')).toMatchObject({ actions: ['kms:Decrypt'], resources: [`\${aws_kms_key.${adminKey}.arn}`] });
  });

  it('grants no other secret to read without a master or admin secret', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      new RotatedSecret(scope, 'Db', { rotation: { function: fn } });
    });
    expect(policyDocument(json, 'Rotation_Policy').map((st) => st.sid)).not.toContain('ReadSecrets');
  });

  it('fails when an http-api-key function gets no admin secret', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = RotationFunction.httpApiKey(stack, 'Rotation');
    expect(() => new RotatedSecret(stack, 'Key', { rotation: { function: fn } })).toThrow(
      "rotation.adminSecret is required by the http-api-key handler, which issues and revokes keys with it; pass the secret that the value's adminSecretArn names",
    );
  });

  it('fails when a database function gets an admin secret', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = new RotationFunction(stack, 'Rotation', { handler: 'postgres-multi-user' });
    expect(() => new RotatedSecret(stack, 'Db', { rotation: { function: fn, masterSecret: { secretArn: 'arn:master' }, adminSecret: { secretArn: 'arn:admin' } } })).toThrow(
      'rotation.adminSecret is only used by the http-api-key handler and your own (entry); postgres-multi-user does not read it',
    );
  });

  it('fails when an http-api-key function gets a master secret', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = RotationFunction.httpApiKey(stack, 'Rotation');
    expect(() => new RotatedSecret(stack, 'Key', { rotation: { function: fn, adminSecret: { secretArn: 'arn:admin' }, masterSecret: { secretArn: 'arn:master' } } })).toThrow(
      'rotation.masterSecret is only used by the multi-user handlers; http-api-key issues keys with the credential in adminSecret',
    );
  });

  it('fails when a hosted rotation gets an admin secret', () => {
    expect(() => secret({ rotation: { hosted: HostedRotation.postgreSqlSingleUser(), adminSecret: { secretArn: 'arn:admin' } } })).toThrow(
      "rotation.adminSecret goes with function (the http-api-key handler, or your own); AWS's hosted rotation rotates database credentials only",
    );
  });

  it('fails when the admin secret\'s key is an alias ARN', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = RotationFunction.httpApiKey(stack, 'Rotation');
    expect(() => new RotatedSecret(stack, 'Key', { rotation: { function: fn, adminSecret: { secretArn: 'arn:admin', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:alias/a' } } })).toThrow(
      'rotation.adminSecret.kmsKeyArn must be a key ARN (arn:…:key/…), not an alias ARN, got "arn:aws:kms:eu-west-1:1:alias/a"',
    );
  });

  it('starts rotating only once the initial value is written', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      new RotatedSecret(scope, 'Db', { initialValue: passwordValue(scope), rotation: { function: fn } });
    });
    const versionId = Object.keys(resources(json, 'aws_secretsmanager_secret_version'))[0];
    expect(only(json, 'aws_secretsmanager_secret_rotation').depends_on).toContain(`aws_secretsmanager_secret_version.${versionId}`);
  });

  it('gives a created key a policy: the account administers it, principals of the account use it through Secrets Manager only', () => {
    const json = secret();
    const key = Object.keys(resources(json, 'aws_kms_key'))[0];
    expect(only(json, 'aws_kms_key_policy').key_id).toBe(`\${aws_kms_key.${key}.key_id}`);
    const field = (n: number) => `\${element(split(":", aws_kms_key.${key}.arn), ${n})}`;
    expect(literalPolicy(only(json, 'aws_kms_key_policy').policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: `arn:${field(1)}:iam::${field(4)}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'UseThroughSecretsManager',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${field(3)}.amazonaws.com`, 'kms:CallerAccount': field(4) } },
        },
      ],
    });
    expect(Object.keys(JSON.parse(json).data ?? {})).toEqual([]);
  });

  it('denies DeleteSecret to everyone and blocks public policies by default', () => {
    const json = secret();
    const secretId = Object.keys(resources(json, 'aws_secretsmanager_secret'))[0];
    expect(only(json, 'aws_secretsmanager_secret_policy')).toMatchObject({ secret_arn: `\${aws_secretsmanager_secret.${secretId}.arn}`, block_public_policy: true });
    expect(literalPolicy(only(json, 'aws_secretsmanager_secret_policy').policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DenyDeleteSecret', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: `\${aws_secretsmanager_secret.${secretId}.arn}` },
      ],
    });
  });

  it('writes the policy as JSON text when every value is known, naming the rotation role and the principals that may delete', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      new RotatedSecret(scope, 'Db', { deletionAllowedFor: ['arn:aws:iam::123456789012:role/a-*', 'arn:aws:iam::123456789012:role/b'], rotation: { function: fn } });
    });
    const role = Object.keys(resources(json, 'aws_iam_role'))[0];
    const secretArn = `\${aws_secretsmanager_secret.${Object.keys(resources(json, 'aws_secretsmanager_secret'))[0]}.arn}`;
    expect(literalPolicy(only(json, 'aws_secretsmanager_secret_policy').policy).Statement).toEqual([
      {
        Sid: 'DenyDeleteSecret',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:DeleteSecret',
        Resource: secretArn,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/a-*', 'arn:aws:iam::123456789012:role/b'] } },
      },
      {
        Sid: 'RotationFunctionRotates',
        Effect: 'Allow',
        Principal: { AWS: `\${aws_iam_role.${role}.arn}` },
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: secretArn,
      },
    ]);
  });

  it.each([['a policy variable', 'arn:aws:iam::123456789012:user/&{aws:username}'], ['an interpolation', 'arn:aws:iam::123456789012:role/${var.deployer}']])(
    'renders the policy through aws_iam_policy_document when a principal that may delete holds %s',
    (_what, pattern) => {
      const json = secret({ deletionAllowedFor: [pattern] });
      expect(only(json, 'aws_secretsmanager_secret_policy').policy).toMatch(/^\$\{data\.aws_iam_policy_document\./);
      expect(policyDocument(json, 'ResourcePolicyDocument')[0].condition).toEqual([{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: [pattern] }]);
    },
  );

  it('writes both policies through aws_iam_policy_document for HCL output, whose writer leaves JSON text unescaped', () => {
    const app = new App({ hclOutput: true, outdir: mkdtempSync(join(tmpdir(), 'hcl-')) });
    const stack = new TerraformStack(app, 'test');
    new RotatedSecret(stack, 'Db');
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toMatch(/data "aws_iam_policy_document" "Db_EncryptionKeyPolicyDocument_\w+"/);
    expect(hcl).toMatch(/data "aws_iam_policy_document" "Db_ResourcePolicyDocument_\w+"/);
    expect(hcl).not.toContain('"Version"');
  });

  it('renders the policy through aws_iam_policy_document when a principal that may delete is a Terraform expression', () => {
    const json = synth((scope) => {
      const deployer = new TerraformVariable(scope, 'deployer', { type: 'string' });
      new RotatedSecret(scope, 'Db', { deletionAllowedFor: [deployer.stringValue] });
    });
    expect(only(json, 'aws_secretsmanager_secret_policy').policy).toMatch(/^\$\{data\.aws_iam_policy_document\.Db_ResourcePolicyDocument_\w+\.json\}$/);
    expect(policyDocument(json, 'ResourcePolicyDocument')[0].condition).toEqual([{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: ['${var.deployer}'] }]);
  });

  it('lets the named principals delete, allows the rotation role, and adds the given statements', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      new RotatedSecret(scope, 'Db', {
        deletionAllowedFor: ['arn:aws:iam::123456789012:role/terraform-*'],
        blockPublicPolicy: false,
        policyStatements: [{ sid: 'AppReads', actions: ['secretsmanager:GetSecretValue'], resources: ['*'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::123456789012:role/app'] }] }],
        rotation: { function: fn },
      });
    });
    const role = Object.keys(resources(json, 'aws_iam_role'))[0];
    const statements = policyDocument(json, 'ResourcePolicyDocument');
    expect(statements.map((st) => st.sid)).toEqual(['DenyDeleteSecret', 'RotationFunctionRotates', 'AppReads']);
    expect(statements[0].condition).toEqual([{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::123456789012:role/terraform-*'] }]);
    expect(statements[1].principals).toEqual([{ type: 'AWS', identifiers: [`\${aws_iam_role.${role}.arn}`] }]);
    expect(only(json, 'aws_secretsmanager_secret_policy').block_public_policy).toBe(false);
  });

  it('has no resource policy when deletion is not denied and nothing else needs one', () => {
    expect(Object.keys(resources(secret({ deletionAllowedFor: false }), 'aws_secretsmanager_secret_policy'))).toHaveLength(0);
  });

  it('replicates to other regions, with their keys', () => {
    const json = secret({ replicas: [{ region: 'eu-central-1', kmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/r' }, { region: 'us-east-2' }] });
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      replica: [{ region: 'eu-central-1', kms_key_id: 'arn:aws:kms:eu-central-1:123456789012:key/r' }, { region: 'us-east-2' }],
    });
  });

  it('fails when the initial value is a literal string, without repeating it', () => {
    const error = (() => {
      try {
        secret({ initialValue: '{"password":"hunter2-literal"}' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^initialValue is a literal string, which would be written into cdk.tf.json; pass a Terraform expression instead/);
    expect(error?.message).not.toContain('hunter2');
  });

  it.each([
    [{ name: 'has spaces' }, 'name must be 1 to 512 letters, digits or /_+=.@- characters, got "has spaces"'],
    [{ recoveryWindowInDays: 5 }, 'recoveryWindowInDays must be 0 (delete at once) or a whole number from 7 to 30, got 5'],
    [{ recoveryWindowInDays: 31 }, 'recoveryWindowInDays must be 0 (delete at once) or a whole number from 7 to 30, got 31'],
    [{ initialValueVersion: 0 }, 'initialValueVersion must be a whole number from 1 to'],
    [{ replicas: [{ region: 'Frankfurt' }] }, 'replicas[0].region must be a region name such as "eu-central-1", got "Frankfurt"'],
    [{ replicas: [{ region: 'eu-central-1', kmsKeyArn: 'arn:aws:kms:eu-central-1:1:alias/x' }] }, 'replicas[0].kmsKeyArn must be a key ARN (arn:…:key/…), not an alias ARN'],
    [{ kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/secrets' }, 'kmsKeyArn must be a key ARN (arn:…:key/…), not an alias ARN, got "arn:aws:kms:eu-west-1:123456789012:alias/secrets"'],
    [
      { deletionAllowedFor: ['arn:aws:iam::123456789012:role/admin', 'arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42'] },
      'deletionAllowedFor[1] is the ARN of a role session, "arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42", which the aws:PrincipalArn condition never matches; name the role: "arn:aws:iam::123456789012:role/deploy"',
    ],
    [{ deletionAllowedFor: ['terraform-deploy'] }, 'deletionAllowedFor[0] must be the ARN of an IAM role or user (arn:aws:iam::<account>:role/<name>, * allowed), got "terraform-deploy"'],
  ])('fails when given %j', (props, message) => {
    expect(() => secret(props)).toThrow(message);
  });

  it('fails when the rotation schedule is out of range, before creating anything', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const fn = new RotationFunction(stack, 'Rotation', { handler: 'postgres-single-user' });
    const before = Object.keys(JSON.parse(Testing.synth(stack)).resource).sort();
    expect(() => new RotatedSecret(stack, 'Db', { rotation: { function: fn, automaticallyAfterDays: 0 } })).toThrow(
      'automaticallyAfterDays must be a whole number from 1 to 1000, got 0',
    );
    expect(Object.keys(JSON.parse(Testing.synth(stack)).resource).sort()).toEqual(before);
    expect(JSON.parse(Testing.synth(stack)).resource.aws_lambda_permission).toBeUndefined();
  });
});
