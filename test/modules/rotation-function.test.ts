import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { BuiltInHandler, RotationFunction, RotationFunctionProps } from '../../modules';
import { Construct } from 'constructs';
import { only, resources, synth } from '../support/synth';

const fn = (props: Partial<RotationFunctionProps> = {}) =>
  synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', ...props }));

/** A stand-in for a secret: what grantRotation needs. */
class FakeSecret extends Construct {
  constructor(scope: Construct, id: string, readonly secretArn: string, readonly kmsKeyArn?: string) {
    super(scope, id);
  }
}

const policyStatements = (json: string) =>
  (JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: Array<Record<string, unknown>> }>)[
    Object.keys(JSON.parse(json).data.aws_iam_policy_document).find((id) => id.includes('_Policy_'))!
  ].statement;

describe('RotationFunction', () => {
  it('deploys the handler on nodejs22.x arm64 with 256 MiB, a 30 s timeout and no extra environment', () => {
    const json = fn();
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'test-Rotation',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: ['arm64'],
      memory_size: 256,
      timeout: 30,
    });
    expect(only(json, 'aws_lambda_function').environment).toBeUndefined();
    expect(only(json, 'aws_lambda_function').depends_on).toHaveLength(2);
  });

  it('packages the built bundle as a zip whose hash is the source_code_hash', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new RotationFunction(stack, 'Rotation', { handler: 'postgres-single-user' });
    const outdir = Testing.fullSynth(stack);
    const lambda = only(readFileSync(join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8'), 'aws_lambda_function');
    expect(lambda.filename).toMatch(/^assets\/Rotation_Code_[0-9A-F]+\/[0-9A-F]{32}\/postgres-single-user\.zip$/);
    const zip = readFileSync(join(outdir, 'stacks', 'test', lambda.filename as string));
    expect(lambda.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
  });

  it('keeps logs a year in /aws/lambda/<name> by default', () => {
    expect(fn()).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/test-Rotation', retention_in_days: 365 });
  });

  it('takes a name, memory, timeout, password settings, log retention and key, and architecture', () => {
    const json = fn({
      functionName: 'rotate-db',
      memorySize: 512,
      timeout: 60,
      passwordLength: 40,
      excludeCharacters: '/@"',
      logRetentionInDays: 30,
      logKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
      architecture: 'x86_64',
    });
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'rotate-db',
      memory_size: 512,
      timeout: 60,
      architectures: ['x86_64'],
      environment: { variables: { PASSWORD_LENGTH: '40', EXCLUDE_CHARACTERS: '/@"' } },
    });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/lambda/rotate-db',
      retention_in_days: 30,
      kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
    });
    expect(json).toHaveResourceWithProperties(IamRole, { name_prefix: 'rotate-db-' });
  });

  it('shortens a long default name with a hash of the construct path', () => {
    const json = synth((scope) => {
      const deep = new Construct(new Construct(scope, 'a'.repeat(40)), 'b'.repeat(40));
      new RotationFunction(deep, 'Rotation', { handler: 'postgres-single-user' });
    });
    const name = only(json, 'aws_lambda_function').function_name as string;
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^test-a{40}-b{9}-[0-9a-f]{8}$/);
  });

  it('lets only Lambda assume its role', () => {
    const json = fn();
    const doc = Object.values(JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: unknown[] }>).find((d) =>
      JSON.stringify(d).includes('sts:AssumeRole'),
    );
    expect(doc!.statement).toEqual([{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }]);
  });

  it('grants nothing on secrets until a secret is granted', () => {
    expect(policyStatements(fn()).map((s) => s.sid)).toEqual(['WriteLogs', 'GeneratePasswords']);
  });

  it('lists untagged secrets (a construct, or one made elsewhere given by its ARNs) and their keys by ARN, and lets Secrets Manager of this account and region invoke it once', () => {
    const arnA = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:a-AbCdEf';
    const arnB = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:b-AbCdEf';
    const key = 'arn:aws:kms:eu-west-1:111111111111:key/k';
    const json = synth((scope) => {
      const rotation = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
      rotation.grantRotation(new FakeSecret(scope, 'A', arnA, key));
      rotation.grantRotation({ secretArn: arnB, kmsKeyArn: key });
    });
    const logGroup = Object.keys(resources(json, 'aws_cloudwatch_log_group'))[0];
    const field = (n: number) => `\${element(split(":", aws_cloudwatch_log_group.${logGroup}.arn), ${n})}`;
    const statements = policyStatements(json);
    expect(statements.find((s) => s.sid === 'RotateSecrets')).toEqual({
      sid: 'RotateSecrets',
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      resources: [arnA, arnB],
    });
    expect(statements.find((s) => s.sid === 'UseSecretKeysThroughSecretsManager')).toEqual({
      sid: 'UseSecretKeysThroughSecretsManager',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${field(3)}.amazonaws.com`] }],
    });
    expect(statements.map((s) => s.sid)).not.toContain('RotateTaggedSecrets');
    // The one wildcard: GetRandomPassword acts on no resource.
    expect(statements.filter((s) => (s.resources as string[]).includes('*')).map((s) => s.actions)).toEqual([['secretsmanager:GetRandomPassword']]);
    expect(only(json, 'aws_lambda_permission')).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'secretsmanager.amazonaws.com',
      source_arn: `arn:${field(1)}:secretsmanager:${field(3)}:${field(4)}:secret:*`,
      source_account: field(4),
    });
  });

  it('grants tagged secrets and keys with one statement each, narrowed by the tag and scoped to its account and region', () => {
    const json = synth((scope) => {
      const rotation = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', functionName: 'rotate-db' });
      rotation.grantRotation(new FakeSecret(scope, 'A', 'arn:a', 'arn:key-a'), { tagged: true, keyTagged: true });
      rotation.grantRotation(new FakeSecret(scope, 'B', 'arn:b', 'arn:key-b'), { tagged: true, keyTagged: true });
    });
    const statements = policyStatements(json);
    const tagged = statements.find((s) => s.sid === 'RotateTaggedSecrets')!;
    expect(tagged.resources).toEqual([expect.stringMatching(/^arn:\$\{.*\}:secretsmanager:\$\{.*\}:\$\{.*\}:secret:\*$/)]);
    expect(tagged.condition).toEqual([{ test: 'StringEquals', variable: 'secretsmanager:ResourceTag/SecretRotationFunction', values: ['rotate-db'] }]);
    const keys = statements.find((s) => s.sid === 'UseTaggedKeysThroughSecretsManager')!;
    expect(keys.resources).toEqual([expect.stringMatching(/:kms:.*:key\/\*$/)]);
    expect(keys.condition).toEqual([
      expect.objectContaining({ variable: 'kms:ViaService' }),
      { test: 'StringEquals', variable: 'aws:ResourceTag/SecretRotationFunction', values: ['rotate-db'] },
    ]);
    expect(statements.map((s) => s.sid)).not.toContain('RotateSecrets');
    // Every statement with a wildcard in its resource but GetRandomPassword's is narrowed by the tag.
    for (const statement of statements.filter((s) => (s.resources as string[]).some((r) => r.includes('*')) && s.sid !== 'GeneratePasswords' && s.sid !== 'WriteLogs')) {
      expect(JSON.stringify(statement.condition)).toContain('ResourceTag/SecretRotationFunction');
    }
  });

  it('lets a multi-user function read its master secret and decrypt it through Secrets Manager', () => {
    const json = synth((scope) => {
      const rotation = new RotationFunction(scope, 'Rotation', { handler: 'mysql-multi-user' });
      rotation.grantReadMasterSecret({ secretArn: 'arn:master', kmsKeyArn: 'arn:master-key' });
    });
    const statements = policyStatements(json);
    expect(statements.find((s) => s.sid === 'ReadSecrets')).toEqual({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: ['arn:master'] });
    expect(statements.find((s) => s.sid === 'ReadSecretKeysThroughSecretsManager')).toMatchObject({ actions: ['kms:Decrypt'], resources: ['arn:master-key'] });
  });

  it('lets the role read a granted secret: GetSecretValue on it alone, and its key through Secrets Manager only', () => {
    const json = synth((scope) => {
      const rotation = new RotationFunction(scope, 'Rotation', { handler: 'http-api-key' });
      rotation.grantRead({ secretArn: 'arn:admin', kmsKeyArn: 'arn:admin-key' });
      rotation.grantRead({ secretArn: 'arn:other' });
      // The same secret granted twice, the second time as a master secret, is listed once.
      rotation.grantReadMasterSecret({ secretArn: 'arn:admin', kmsKeyArn: 'arn:admin-key' });
    });
    const logGroup = Object.keys(resources(json, 'aws_cloudwatch_log_group'))[0];
    const statements = policyStatements(json);
    expect(statements.find((s) => s.sid === 'ReadSecrets')).toEqual({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: ['arn:admin', 'arn:other'] });
    expect(statements.find((s) => s.sid === 'ReadSecretKeysThroughSecretsManager')).toEqual({
      sid: 'ReadSecretKeysThroughSecretsManager',
      actions: ['kms:Decrypt'],
      resources: ['arn:admin-key'],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.\${element(split(":", aws_cloudwatch_log_group.${logGroup}.arn), 3)}.amazonaws.com`] }],
    });
    // Reading is not rotating: no write action, and no invoke permission.
    expect(statements.map((s) => s.sid)).not.toContain('RotateSecrets');
    expect(resources(json, 'aws_lambda_permission')).toEqual({});
  });

  it('fails when a secret to read names its key by alias', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const rotation = new RotationFunction(stack, 'Rotation', { handler: 'http-api-key' });
    expect(() => rotation.grantRead({ secretArn: 'arn:admin', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:alias/admin' })).toThrow(
      'the kmsKeyArn of a secret to read must be a key ARN (arn:…:key/…), not an alias ARN, got "arn:aws:kms:eu-west-1:1:alias/admin"',
    );
    expect(() => rotation.grantReadMasterSecret({ secretArn: 'arn:master', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:alias/m' })).toThrow(
      'the kmsKeyArn of a master secret must be a key ARN',
    );
  });

  it('runs outside any VPC and uses the regional Secrets Manager endpoint by default', () => {
    const lambda = only(fn(), 'aws_lambda_function');
    expect(lambda.vpc_config).toBeUndefined();
    expect(lambda.environment).toBeUndefined();
  });

  it('runs in the given subnets and security groups, with EC2 permissions narrowed to them', () => {
    const json = fn({ vpc: { subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'] } });
    expect(only(json, 'aws_lambda_function').vpc_config).toEqual({ subnet_ids: ['subnet-1', 'subnet-2'], security_group_ids: ['sg-1'] });
    const statements = policyStatements(json);
    const create = statements.find((s) => s.sid === 'CreateNetworkInterfacesInItsSubnets')!;
    expect(create.resources).toEqual([
      expect.stringMatching(/:ec2:.*:subnet\/subnet-1$/),
      expect.stringMatching(/:ec2:.*:subnet\/subnet-2$/),
      expect.stringMatching(/:ec2:.*:security-group\/sg-1$/),
    ]);
    const manage = statements.find((s) => s.sid === 'ManageNetworkInterfacesInItsSubnets')!;
    expect(manage.resources).toEqual([expect.stringMatching(/:ec2:.*:network-interface\/\*$/)]);
    expect(manage.condition).toEqual([{ test: 'ArnEquals', variable: 'ec2:Subnet', values: (create.resources as string[]).slice(0, 2) }]);
    // Describe calls have no resource-level permissions in EC2: the only other "*".
    expect(statements.filter((s) => (s.resources as string[]).includes('*')).map((s) => s.sid)).toEqual(['GeneratePasswords', 'DescribeNetworkInterfaces']);
    expect(json).not.toHaveResource(VpcEndpoint);
  });

  it('creates a Secrets Manager endpoint in the VPC when asked, and points the function at it', () => {
    const json = fn({ vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'], secretsManagerEndpoint: { vpcId: 'vpc-1' } } });
    const logGroup = Object.keys(resources(json, 'aws_cloudwatch_log_group'))[0];
    expect(json).toHaveResourceWithProperties(VpcEndpoint, {
      vpc_id: 'vpc-1',
      vpc_endpoint_type: 'Interface',
      service_name: `com.amazonaws.\${element(split(":", aws_cloudwatch_log_group.${logGroup}.arn), 3)}.secretsmanager`,
      subnet_ids: ['subnet-1'],
      security_group_ids: ['sg-1'],
      private_dns_enabled: true,
    });
    const endpoint = Object.keys(resources(json, 'aws_vpc_endpoint'))[0];
    expect((only(json, 'aws_lambda_function').environment as { variables: Record<string, string> }).variables.SECRETS_MANAGER_ENDPOINT).toBe(
      `https://\${element(aws_vpc_endpoint.${endpoint}.dns_entry, 0).dns_name}`,
    );
  });

  it('uses a given Secrets Manager endpoint', () => {
    const lambda = only(fn({ secretsManagerEndpoint: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com' }), 'aws_lambda_function');
    expect(lambda.environment).toEqual({ variables: { SECRETS_MANAGER_ENDPOINT: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com' } });
  });

  it.each([
    ['postgresSingleUser', 'postgres-single-user'],
    ['postgresMultiUser', 'postgres-multi-user'],
    ['mysqlSingleUser', 'mysql-single-user'],
    ['mysqlMultiUser', 'mysql-multi-user'],
    ['redshiftSingleUser', 'redshift-single-user'],
    ['redshiftMultiUser', 'redshift-multi-user'],
    ['httpApiKey', 'http-api-key'],
  ] as const)('RotationFunction.%s deploys the %s handler', (factory, handler) => {
    let made: RotationFunction | undefined;
    const json = synth((scope) => (made = RotationFunction[factory](scope, 'Rotation', { memorySize: 512 })));
    expect(made!.handler).toBe(handler);
    expect(only(json, 'aws_lambda_function')).toMatchObject({ filename: expect.stringMatching(new RegExp(`/${handler}\\.zip$`)), memory_size: 512 });
  });

  it('fails when the handler is not a built-in one', () => {
    expect(() => fn({ handler: 'oracle-single-user' as BuiltInHandler })).toThrow('handler must be one of postgres-single-user, postgres-multi-user, mysql-single-user, mysql-multi-user, redshift-single-user, redshift-multi-user, http-api-key, got "oracle-single-user"');
  });

  it.each([
    [{ functionName: 'has space' }, 'functionName must be 1 to 64 letters, digits, hyphens or underscores, got "has space"'],
    [{ functionName: 'x'.repeat(65) }, 'functionName must be 1 to 64'],
    [{ memorySize: 64 }, 'memorySize must be a whole number from 128 to 10240, got 64'],
    [{ timeout: 901 }, 'timeout must be a whole number from 1 to 900, got 901'],
    [{ passwordLength: 4 }, 'passwordLength must be a whole number from 8 to 4096, got 4'],
    [{ logRetentionInDays: 10 }, 'logRetentionInDays must be one of 0, 1, 3, 5, 7, 14, 30'],
    [{ architecture: 'riscv' as 'arm64' }, 'architecture must be "arm64" or "x86_64", got "riscv"'],
    [{ logKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/logs' }, 'logKmsKeyArn must be a key ARN (arn:…:key/…), not an alias ARN, got "arn:aws:kms:eu-west-1:123456789012:alias/logs"'],
    [{ vpc: { subnetIds: [], securityGroupIds: ['sg-1'] } }, 'vpc.subnetIds must name at least one subnet-… id, got []'],
    [{ vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['subnet-2'] } }, 'vpc.securityGroupIds must hold sg-… ids, got "subnet-2"'],
    [{ secretsManagerEndpoint: 'http://plain.example' }, 'secretsManagerEndpoint must be an https:// URL, got "http://plain.example"'],
    [
      { secretsManagerEndpoint: 'https://x.example', vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'], secretsManagerEndpoint: { vpcId: 'vpc-1' } } },
      'give secretsManagerEndpoint or vpc.secretsManagerEndpoint, not both',
    ],
  ])('fails when given %j', (props, message) => {
    expect(() => fn(props)).toThrow(message);
  });

  it('creates nothing when its props are invalid', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(() => new RotationFunction(stack, 'Rotation', { handler: 'postgres-single-user', timeout: 0 })).toThrow('timeout');
    expect(JSON.parse(Testing.synth(stack)).resource).toBeUndefined();
  });
});
