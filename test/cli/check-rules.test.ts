import { DEFAULT_WILDCARD_ACTIONS, RULES, RuleSettings, wildcardArn } from '../../cli/check/rules';
import type { StackModel } from '../../cli/synth/model';
import { FN, rotationFunction, secret, stack } from './check-model';

const SETTINGS: RuleSettings = { maxRotationDays: 90, allowWildcardActions: DEFAULT_WILDCARD_ACTIONS };

function hits(id: string, s: StackModel, settings: RuleSettings = SETTINGS) {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.evaluate(s, settings);
}

const rotation = secret().rotation!;

describe('the rule catalogue', () => {
  it('has stable, unique ids and names, each with a summary, a description and a one-line fix', () => {
    expect(RULES.map((r) => `${r.id} ${r.name} ${r.level}`)).toEqual([
      'SR001 secret-rotates error',
      'SR002 rotation-interval error',
      'SR003 rotation-interval-known warning',
      'SR004 customer-managed-key warning',
      'SR005 no-wildcard-resource error',
      'SR006 failure-alarms warning',
      'SR007 rotation-in-vpc error',
      'SR008 no-secret-value error',
      'SR009 block-public-policy note',
      'SR010 no-managed-policy warning',
    ]);
    for (const rule of RULES) {
      expect(rule.summary).not.toMatch(/\n/);
      expect(rule.fix).not.toMatch(/\n/);
      expect(rule.description.length).toBeGreaterThan(rule.summary.length);
    }
  });

  it('passes a stack that does everything right', () => {
    for (const rule of RULES) expect([rule.id, rule.evaluate(stack(), SETTINGS)]).toEqual([rule.id, []]);
  });
});

describe('SR001 secret-rotates', () => {
  it('fails when a secret of the stack has no rotation', () => {
    expect(hits('SR001', stack({ secrets: [secret({ rotation: undefined })] }))).toEqual([
      { address: 'aws_secretsmanager_secret.Db_Resource_1', message: 'secret "prod/app/db" does not rotate' },
    ]);
  });

  it('names the secret by its address when it has no name', () => {
    expect(hits('SR001', stack({ secrets: [secret({ rotation: undefined, name: undefined })] }))[0].message).toBe(
      'secret aws_secretsmanager_secret.Db_Resource_1 does not rotate',
    );
  });

  it('passes a service-owned secret, which its service rotates by default', () => {
    expect(hits('SR001', stack({ secrets: [secret({ owner: 'service', rotation: undefined })] }))).toEqual([]);
  });
});

describe('SR002 rotation-interval', () => {
  const every = (days: number | undefined, scheduleExpression?: string) =>
    stack({ secrets: [secret({ rotation: { ...rotation, schedule: { scheduleExpression, maxIntervalDays: days, automaticallyAfterDays: scheduleExpression ? undefined : days } } })] });

  it('passes an interval of exactly the maximum', () => {
    expect(hits('SR002', every(90))).toEqual([]);
  });

  it('fails when the interval is longer than the maximum, naming both', () => {
    expect(hits('SR002', every(365))).toEqual([
      {
        address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1',
        message: 'secret "prod/app/db" may go 365 days between rotations (schedule "every 365 days"), more than the maximum of 90',
      },
    ]);
  });

  it('quotes a schedule expression as written', () => {
    expect(hits('SR002', every(100, 'rate(100 days)'))[0].message).toContain('(schedule "rate(100 days)")');
  });

  it('takes the maximum from the settings', () => {
    expect(hits('SR002', every(30), { ...SETTINGS, maxRotationDays: 7 })[0].message).toContain('more than the maximum of 7');
    expect(hits('SR002', every(365), { ...SETTINGS, maxRotationDays: 365 })).toEqual([]);
  });

  it('leaves a schedule it cannot work out to SR003', () => {
    expect(hits('SR002', every(undefined, 'cron(0 0 1 1 ? *)'))).toEqual([]);
  });
});

describe('SR003 rotation-interval-known', () => {
  it('fails when the longest interval cannot be worked out', () => {
    const s = stack({ secrets: [secret({ rotation: { ...rotation, schedule: { scheduleExpression: 'cron(0 0 1 1 ? *)' } } })] });
    expect(hits('SR003', s)).toEqual([
      {
        address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1',
        message: 'the longest time between rotations of secret "prod/app/db" cannot be worked out from its schedule "cron(0 0 1 1 ? *)"',
      },
    ]);
  });
});

describe('SR004 customer-managed-key', () => {
  it('fails when the secret uses the AWS managed key', () => {
    expect(hits('SR004', stack({ secrets: [secret({ kmsKey: { kind: 'aws-managed' } })] }))).toEqual([
      { address: 'aws_secretsmanager_secret.Db_Resource_1', message: 'secret "prod/app/db" is encrypted with the AWS managed key aws/secretsmanager' },
    ]);
  });

  it('passes a key given from outside the stack', () => {
    expect(hits('SR004', stack({ secrets: [secret({ kmsKey: { kind: 'external', arn: 'arn:aws:kms:eu-west-1:111122223333:key/abc' } })] }))).toEqual([]);
  });
});

describe('SR005 no-wildcard-resource', () => {
  const withStatement = (statement: Partial<StackModel['functions'][number]['permissions'][number]>) =>
    stack({
      functions: [
        rotationFunction({
          permissions: [...rotationFunction().permissions, { effect: 'Allow', actions: [], resources: ['*'], conditions: [], ...statement }],
        }),
      ],
    });

  it('fails when an action other than GetRandomPassword is allowed on "*", naming it and the statement', () => {
    expect(hits('SR005', withStatement({ sid: 'Everything', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:GetRandomPassword'] }))).toEqual([
      { address: FN, message: 'the role of rotation function rotation allows secretsmanager:GetSecretValue (statement Everything) on every resource' },
    ]);
  });

  it('passes the EC2 actions Lambda needs in a VPC by default, and fails them when the allow-list is emptied', () => {
    const vpc = withStatement({ sid: 'DescribeNetworkInterfaces', actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'] });
    expect(hits('SR005', vpc)).toEqual([]);
    expect(hits('SR005', vpc, { ...SETTINGS, allowWildcardActions: [] })[0].message).toBe(
      'the role of rotation function rotation allows ec2:DescribeNetworkInterfaces (statement DescribeNetworkInterfaces), ec2:DescribeSubnets (statement DescribeNetworkInterfaces) on every resource',
    );
  });

  it('always passes GetRandomPassword, whatever the allow-list', () => {
    expect(hits('SR005', stack(), { ...SETTINGS, allowWildcardActions: [] })).toEqual([]);
  });

  it('compares actions without regard to case, as IAM does', () => {
    expect(hits('SR005', withStatement({ actions: ['EC2:describesubnets', 'SecretsManager:getrandompassword'] }))).toEqual([]);
  });

  it('passes a Deny on "*", and an ARN that names its resources before a wildcard', () => {
    expect(hits('SR005', withStatement({ effect: 'Deny', actions: ['secretsmanager:DeleteSecret'] }))).toEqual([]);
    expect(hits('SR005', withStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/app-*'] }))).toEqual([]);
    expect(hits('SR005', withStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }))).toEqual([]);
  });

  it('fails when an ARN has a wildcard in its region, account or resource id and no condition narrows it', () => {
    const secrets = 'arn:aws:secretsmanager:*:*:secret:*';
    expect(hits('SR005', withStatement({ sid: 'AnySecret', actions: ['secretsmanager:*'], resources: [secrets] }))).toEqual([
      { address: FN, message: `the role of rotation function rotation allows secretsmanager:* (statement AnySecret) on ${secrets}, a wildcard that no condition narrows` },
    ]);
    for (const resource of ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:*', 'arn:aws:secretsmanager:*:111122223333:secret:prod/app-*', 'arn:aws:kms:eu-west-1:*:key/abc', 'arn:aws:kms:eu-west-1:111122223333:key/*']) {
      expect([resource, hits('SR005', withStatement({ actions: ['kms:Decrypt'], resources: [resource] }))]).toEqual([resource, [expect.objectContaining({ address: FN })]]);
    }
  });

  it("fails the ARN cdktf builds from the stack's own partition, region and account when it ends in *, reading it as written", () => {
    const arn = (service: string, id: string) => ['1', '3', '4'].reduce((text, i) => text.replace(`{${i}}`, `\${element(split(":", aws_cloudwatch_log_group.Logs.arn), ${i})}`), `arn:{1}:${service}:{3}:{4}:${id}`);
    expect(hits('SR005', withStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn('secretsmanager', 'secret:*')] }))[0].message).toBe(
      'the role of rotation function rotation allows secretsmanager:GetSecretValue on arn:{partition}:secretsmanager:{region}:{account}:secret:*, a wildcard that no condition narrows',
    );
    expect(hits('SR005', withStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn('secretsmanager', 'secret:prod-*')] }))).toEqual([]);
  });

  it("passes this library's own statements, which a tag, kms:ViaService or the function's subnets narrow", () => {
    const region = '${element(split(":", aws_cloudwatch_log_group.Logs.arn), 3)}';
    const arn = (service: string, id: string) => `arn:\${element(split(":", aws_cloudwatch_log_group.Logs.arn), 1)}:${service}:${region}:\${element(split(":", aws_cloudwatch_log_group.Logs.arn), 4)}:${id}`;
    const own = [
      { sid: 'RotateTaggedSecrets', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [arn('secretsmanager', 'secret:*')], conditions: ['StringEquals secretsmanager:ResourceTag/SecretRotationFunction rotation'] },
      { sid: 'UseTaggedKeysThroughSecretsManager', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [arn('kms', 'key/*')], conditions: ['StringEquals aws:ResourceTag/SecretRotationFunction rotation', `StringEquals kms:ViaService secretsmanager.${region}.amazonaws.com`] },
      { sid: 'ManageNetworkInterfacesInItsSubnets', actions: ['ec2:DeleteNetworkInterface'], resources: [arn('ec2', 'network-interface/*')], conditions: ['ArnEquals ec2:Subnet ${formatlist("arn:%s", var.subnet_ids)}'] },
    ];
    for (const statement of own) expect([statement.sid, hits('SR005', withStatement(statement))]).toEqual([statement.sid, []]);
  });

  it.each([
    ['a negative operator', 'StringNotEquals aws:ResourceTag/team other'],
    ['an operator a request without the key passes', 'StringEqualsIfExists aws:ResourceTag/team app'],
    ['a Null test', 'Null aws:ResourceTag/team false'],
    ['a key that says nothing of the resource', 'StringEquals aws:PrincipalTag/team app'],
  ])('fails a wildcard ARN whose only condition is %s', (_what, condition) => {
    expect(hits('SR005', withStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:*'], conditions: [condition] }))).toHaveLength(1);
  });

  it('still fails "*" when a condition narrows it', () => {
    expect(hits('SR005', withStatement({ actions: ['secretsmanager:GetSecretValue'], conditions: ['StringEquals secretsmanager:ResourceTag/team app'] }))).toHaveLength(1);
  });

  it('fails when a policy of the role could not be read, saying why and what to do', () => {
    const unreadablePolicies = [{ address: 'aws_iam_role_policy.Extra', reason: 'an expression (jsonencode(…))', digest: '0123456789ab' }];
    expect(hits('SR005', stack({ functions: [rotationFunction({ unreadablePolicies })] }))).toEqual([
      {
        address: FN,
        message:
          'the policy aws_iam_role_policy.Extra of the role of rotation function rotation could not be read (an expression (jsonencode(…))), so it cannot be checked; write it with aws_iam_policy_document or as literal JSON',
      },
    ]);
  });

  it('fails NotAction on "*" and NotResource, which are as wide', () => {
    expect(hits('SR005', withStatement({ actions: [], notActions: ['iam:*'] }))[0].message).toContain('allows every action but iam:* on every resource');
    expect(hits('SR005', withStatement({ actions: ['kms:Decrypt'], resources: [], notResources: ['arn:aws:kms:eu-west-1:111122223333:key/x'] }))[0].message).toContain(
      'kms:Decrypt (NotResource arn:aws:kms:eu-west-1:111122223333:key/x)',
    );
  });
});

describe('SR006 failure-alarms', () => {
  it('fails a rotating secret when no rule with a target catches RotationFailed', () => {
    const message = 'secret "prod/app/db" rotates, but no EventBridge rule with a target in stack app catches its RotationFailed events';
    expect(hits('SR006', stack({ failureRules: [] }))).toEqual([{ address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1', message }]);
    const [rule] = stack().failureRules;
    expect(hits('SR006', stack({ failureRules: [{ ...rule, hasTarget: false }] }))).toEqual([{ address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1', message }]);
    expect(hits('SR006', stack({ failureRules: [{ ...rule, eventNames: ['TestRotationFailed'] }] }))).toHaveLength(1);
  });

  it('passes a secret that does not rotate (SR001 reports it)', () => {
    expect(hits('SR006', stack({ failureRules: [], secrets: [secret({ rotation: undefined })] }))).toEqual([]);
  });

  it('fails a rotation function without an Errors alarm', () => {
    expect(hits('SR006', stack({ functions: [rotationFunction({ errorsAlarm: undefined })] }))).toEqual([
      { address: FN, message: 'rotation function rotation has no CloudWatch alarm on its Errors metric' },
    ]);
  });

  it("fails a hosted rotation without an alarm on its function's Errors", () => {
    const hostedRotation = (errorsAlarm?: string) => ({
      address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1',
      kind: 'hosted' as const,
      schedule: { automaticallyAfterDays: 30, maxIntervalDays: 30 },
      rotateImmediately: true,
      hosted: { address: 'aws_serverlessapplicationrepository_cloudformation_stack.Db_HostedRotation_1', applicationId: 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser', inVpc: false },
      ...(errorsAlarm ? { errorsAlarm } : {}),
    });
    expect(hits('SR006', stack({ functions: [], secrets: [secret({ rotation: hostedRotation() })] }))).toEqual([
      {
        address: 'aws_serverlessapplicationrepository_cloudformation_stack.Db_HostedRotation_1',
        message: "the hosted rotation SecretsManagerRDSPostgreSQLRotationSingleUser (aws_serverlessapplicationrepository_cloudformation_stack.Db_HostedRotation_1) has no CloudWatch alarm on its function's Errors metric",
      },
    ]);
    expect(hits('SR006', stack({ functions: [], secrets: [secret({ rotation: hostedRotation('aws_cloudwatch_metric_alarm.Db_ErrorsAlarm_1') })] }))).toEqual([]);
  });

  it('passes a Lambda of the stack that rotates nothing', () => {
    expect(hits('SR006', stack({ functions: [rotationFunction(), rotationFunction({ address: 'aws_lambda_function.Other', errorsAlarm: undefined })] }))).toEqual([]);
  });
});

describe('SR007 rotation-in-vpc', () => {
  const database = { address: 'aws_db_instance.Database', type: 'aws_db_instance', inVpc: true };

  it('fails a database handler outside the VPC of a database of the stack', () => {
    expect(hits('SR007', stack({ databases: [database] }))).toEqual([
      { address: FN, message: 'rotation function rotation (postgres-single-user) runs outside any VPC, but the database aws_db_instance.Database is in one' },
    ]);
  });

  it('passes a function in a VPC, a database outside one, and handlers that do not log in to a database', () => {
    expect(hits('SR007', stack({ databases: [database], functions: [rotationFunction({ inVpc: true })] }))).toEqual([]);
    expect(hits('SR007', stack({ databases: [{ ...database, inVpc: false }] }))).toEqual([]);
    for (const handler of ['http-api-key', 'custom', undefined]) {
      expect(hits('SR007', stack({ databases: [database], functions: [rotationFunction({ handler })] }))).toEqual([]);
    }
  });

  it('fails a hosted rotation outside the VPC', () => {
    const hosted = { address: 'aws_serverlessapplicationrepository_cloudformation_stack.Db_Hosted_1', applicationId: 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser', inVpc: false };
    const s = stack({ databases: [database], functions: [], secrets: [secret({ rotation: { ...rotation, kind: 'hosted', functionAddress: undefined, hosted } })] });
    expect(hits('SR007', s)).toEqual([
      { address: hosted.address, message: `the hosted rotation SecretsManagerRDSPostgreSQLRotationSingleUser (${hosted.address}) runs outside any VPC, but the database aws_db_instance.Database is in one` },
    ]);
    expect(hits('SR007', stack({ ...s, secrets: [secret({ rotation: { ...rotation, kind: 'hosted', hosted: { ...hosted, inVpc: true } } })] }))).toEqual([]);
  });

  it('reports a function that rotates several secrets once', () => {
    const second = secret({ address: 'aws_secretsmanager_secret.Other', rotation: { ...rotation, address: 'aws_secretsmanager_secret_rotation.Other' } });
    expect(hits('SR007', stack({ databases: [database], secrets: [secret(), second] }))).toHaveLength(1);
  });
});

describe('SR008 no-secret-value', () => {
  it('fails an exposed value, naming the attribute and the reason, one finding per address', () => {
    const exposedValues = [
      { address: 'aws_secretsmanager_secret_version.Db_Value', attribute: 'secret_string', reason: 'a literal value, written into the plan and state' },
      { address: 'aws_db_instance.Database', attribute: 'password', reason: 'a literal value' },
      { address: 'aws_db_instance.Database', attribute: 'master_password', reason: 'a literal value' },
    ];
    expect(hits('SR008', stack({ exposedValues }))).toEqual([
      {
        address: 'aws_secretsmanager_secret_version.Db_Value',
        message: 'aws_secretsmanager_secret_version.Db_Value writes a secret value into the JSON (secret_string: a literal value, written into the plan and state)',
      },
      { address: 'aws_db_instance.Database', message: 'aws_db_instance.Database writes a secret value into the JSON (password: a literal value; master_password: a literal value)' },
    ]);
  });
});

describe('wildcardArn', () => {
  it.each([
    ['arn:aws:secretsmanager:*:*:secret:*', true],
    ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:*', true],
    ['arn:aws:secretsmanager:eu-west-?:111122223333:secret:app', true],
    ['arn:aws:logs:eu-west-1:111122223333:log-group:*', true],
    ['arn:aws:s3:::*', true],
    ['arn:aws:iam::*:role/rotation', true],
    ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/app-??????', false],
    ['arn:aws:s3:::reports/*', false],
    ['arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/rotation:*', false],
    ['${aws_secretsmanager_secret.Db.arn}', false],
    ['${aws_cloudwatch_log_group.Logs.arn}:*', false],
    ['arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${var.account}:secret:app-*', false],
    ['*', false],
  ])('%s: %s', (arn, wide) => {
    expect(wildcardArn(arn)).toBe(wide);
  });
});

describe('SR009 block-public-policy', () => {
  it('fails a resource policy that does not block public policies', () => {
    const resourcePolicy = { address: 'aws_secretsmanager_secret_policy.Db_Policy_1', blockPublicPolicy: false };
    expect(hits('SR009', stack({ secrets: [secret({ resourcePolicy })] }))).toEqual([
      { address: resourcePolicy.address, message: 'the resource policy of secret "prod/app/db" does not set block_public_policy' },
    ]);
  });

  it('passes a secret without a resource policy', () => {
    expect(hits('SR009', stack({ secrets: [secret({ resourcePolicy: undefined })] }))).toEqual([]);
  });
});

describe('SR010 no-managed-policy', () => {
  it('warns of a managed policy attached to the role of a rotation function, naming it', () => {
    const managedPolicies = ['arn:aws:iam::aws:policy/SecretsManagerReadWrite', '${data.aws_iam_policy.Shared.arn}'];
    expect(hits('SR010', stack({ functions: [rotationFunction({ managedPolicies })] }))).toEqual([
      {
        address: FN,
        message: 'the role of rotation function rotation has managed policies attached that check cannot read: arn:aws:iam::aws:policy/SecretsManagerReadWrite, ${data.aws_iam_policy.Shared.arn}',
      },
    ]);
  });

  it("passes a policy of the stack attached by reference, whose statements SR005 reads, and a Lambda that rotates nothing", () => {
    expect(hits('SR010', stack({ functions: [rotationFunction({ managedPolicies: ['${aws_iam_policy.Extra_1234.arn}'] })] }))).toEqual([]);
    const other = rotationFunction({ address: 'aws_lambda_function.Other', managedPolicies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] });
    expect(hits('SR010', stack({ functions: [rotationFunction(), other] }))).toEqual([]);
  });
});
