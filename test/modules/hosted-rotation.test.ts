import { HOSTED_ROTATION_APPLICATIONS, HostedRotation, RotatedSecret, RotationAlarms, RotationFunction } from '../../modules';
import { only, resources, synth } from '../support/synth';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k';
const hosted = (rotation: HostedRotation, kmsKeyArn = KEY) => synth((scope) => new RotatedSecret(scope, 'Db', { kmsKeyArn, rotation: { hosted: rotation } }));
const master = { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf', kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/m' };

describe('HostedRotation', () => {
  it.each([
    ['postgreSqlSingleUser', 'SecretsManagerRDSPostgreSQLRotationSingleUser'],
    ['mySqlSingleUser', 'SecretsManagerRDSMySQLRotationSingleUser'],
    ['mariaDbSingleUser', 'SecretsManagerRDSMariaDBRotationSingleUser'],
    ['oracleSingleUser', 'SecretsManagerRDSOracleRotationSingleUser'],
    ['sqlServerSingleUser', 'SecretsManagerRDSSQLServerRotationSingleUser'],
    ['redshiftSingleUser', 'SecretsManagerRedshiftRotationSingleUser'],
    ['mongoDbSingleUser', 'SecretsManagerMongoDBRotationSingleUser'],
  ] as const)('%s deploys AWS\'s %s and rotates with the function it creates', (factory, application) => {
    const json = hosted(HostedRotation[factory]());
    const stack = only(json, 'aws_serverlessapplicationrepository_cloudformation_stack');
    expect(stack.application_id).toBe(`arn:aws:serverlessrepo:us-east-1:297356227824:applications/${application}`);
    expect(stack.semantic_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(stack.capabilities).toEqual(['CAPABILITY_IAM', 'CAPABILITY_RESOURCE_POLICY']);
    const id = Object.keys(resources(json, 'aws_serverlessapplicationrepository_cloudformation_stack'))[0];
    expect(only(json, 'aws_secretsmanager_secret_rotation')).toMatchObject({
      rotation_lambda_arn: `\${aws_serverlessapplicationrepository_cloudformation_stack.${id}.outputs["RotationLambdaARN"]}`,
      depends_on: [`aws_serverlessapplicationrepository_cloudformation_stack.${id}`],
    });
    // No function, role or permission of this library.
    for (const type of ['aws_lambda_function', 'aws_iam_role', 'aws_lambda_permission']) expect(resources(json, type)).toEqual({});
  });

  it('passes the endpoint of the secret\'s region, a function name and the secret\'s key by default', () => {
    const json = hosted(HostedRotation.postgreSqlSingleUser());
    const secret = Object.keys(resources(json, 'aws_secretsmanager_secret'))[0];
    expect(only(json, 'aws_serverlessapplicationrepository_cloudformation_stack').parameters).toEqual({
      endpoint: `https://secretsmanager.\${element(split(":", aws_secretsmanager_secret.${secret}.arn), 3)}.amazonaws.com`,
      functionName: 'r-test-Db',
      kmsKeyArn: KEY,
    });
  });

  it('takes a function name, VPC, endpoint, excluded characters and version, and for multi-user the master secret', () => {
    const json = hosted(
      HostedRotation.mySqlMultiUser({
        masterSecret: master,
        functionName: 'rotate-mysql',
        vpc: { subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'] },
        endpoint: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com',
        excludeCharacters: '/@"',
        semanticVersion: '1.1.600',
      }),
    );
    const stack = only(json, 'aws_serverlessapplicationrepository_cloudformation_stack');
    expect(stack.semantic_version).toBe('1.1.600');
    expect(stack.parameters).toEqual({
      endpoint: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com',
      functionName: 'rotate-mysql',
      vpcSubnetIds: '${join(",", ["subnet-1", "subnet-2"])}',
      vpcSecurityGroupIds: '${join(",", ["sg-1"])}',
      excludeCharacters: '/@"',
      kmsKeyArn: KEY,
      masterSecretArn: master.secretArn,
      masterSecretKmsKeyArn: master.kmsKeyArn,
    });
  });

  it('keeps every application\'s name and version in one table', () => {
    for (const { name, version } of Object.values(HOSTED_ROTATION_APPLICATIONS)) {
      expect(name).toMatch(/^SecretsManager\w+Rotation(Single|Multi)User$/);
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(Object.keys(HOSTED_ROTATION_APPLICATIONS)).toHaveLength(14);
  });

  it.each([
    [() => HostedRotation.postgreSqlMultiUser(undefined as never), 'masterSecret is required by the postgresql-multi-user hosted rotation'],
    [() => HostedRotation.oracleSingleUser({ functionName: 'has space' }), 'functionName must be 1 to 64 letters, digits, hyphens or underscores, got "has space"'],
    [() => HostedRotation.redshiftSingleUser({ endpoint: 'secretsmanager' }), 'endpoint must be an https:// URL, got "secretsmanager"'],
    [() => HostedRotation.mongoDbSingleUser({ semanticVersion: 'latest' }), 'semanticVersion must look like 1.1.671, got "latest"'],
    [() => HostedRotation.mySqlSingleUser({ vpc: { subnetIds: ['subnet-1'], securityGroupIds: [] } }), 'vpc.securityGroupIds must name at least one sg-… id, got []'],
    [() => HostedRotation.mySqlSingleUser({ vpc: { subnetIds: ['sg-1'], securityGroupIds: ['sg-1'] } }), 'vpc.subnetIds must hold subnet-… ids, got "sg-1"'],
  ])('fails when given bad options (%#)', (make, message) => {
    expect(() => make()).toThrow(message);
  });

  it("pages someone by default: the stack's failure rule, and an alarm on the errors of the function the application creates", () => {
    const json = hosted(HostedRotation.postgreSqlSingleUser({ functionName: 'rotate-pg' }));
    const topic = Object.keys(resources(json, 'aws_sns_topic'))[0];
    expect(only(json, 'aws_cloudwatch_metric_alarm')).toMatchObject({
      alarm_name: 'rotate-pg-errors',
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: 'rotate-pg' },
      alarm_actions: [`\${aws_sns_topic.${topic}.arn}`],
    });
    expect(only(json, 'aws_cloudwatch_event_target')).toMatchObject({ arn: `\${aws_sns_topic.${topic}.arn}` });
  });

  it('notifies the given RotationAlarms, or none with alarms: false', () => {
    const given = synth((scope) => {
      const alarms = new RotationAlarms(scope, 'Alarms', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });
      new RotatedSecret(scope, 'Db', { kmsKeyArn: KEY, rotation: { hosted: HostedRotation.mySqlSingleUser({ alarms }) } });
    });
    expect(only(given, 'aws_cloudwatch_metric_alarm')).toMatchObject({ dimensions: { FunctionName: 'r-test-Db' }, alarm_actions: ['arn:aws:sns:eu-west-1:123456789012:oncall'] });
    expect(resources(given, 'aws_sns_topic')).toEqual({});
    const none = hosted(HostedRotation.mySqlSingleUser({ alarms: false }));
    for (const type of ['aws_cloudwatch_metric_alarm', 'aws_cloudwatch_event_rule', 'aws_sns_topic']) expect(resources(none, type)).toEqual({});
  });

  it('fails when a rotation names both a function and a hosted rotation, or neither', () => {
    expect(() =>
      synth((scope) => {
        const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' });
        new RotatedSecret(scope, 'Db', { rotation: { function: fn, hosted: HostedRotation.postgreSqlSingleUser() } });
      }),
    ).toThrow("rotation needs exactly one of function (this library's handlers) and hosted (AWS's, from the Serverless Application Repository)");
    expect(() => synth((scope) => new RotatedSecret(scope, 'Db', { rotation: {} }))).toThrow('rotation needs exactly one of function');
  });

  it('fails when a hosted rotation gets rotation.masterSecret instead of its own', () => {
    expect(() => synth((scope) => new RotatedSecret(scope, 'Db', { rotation: { hosted: HostedRotation.mySqlSingleUser(), masterSecret: master } }))).toThrow(
      'rotation.masterSecret goes with function; a hosted multi-user rotation takes its masterSecret in its own options',
    );
  });
});

