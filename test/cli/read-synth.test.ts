import { SecretModel, StackModel, SynthModel } from '../../cli/synth/model';
import { readSynth } from '../../cli/synth/read-synth';
import { synthFixture } from '../support/cli-fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

let model: SynthModel;
beforeAll(() => {
  model = readSynth(synthFixture());
});
const stack = (name: string, from: SynthModel = model): StackModel => {
  const found = from.stacks.find((s) => s.name === name);
  if (!found) throw new Error(`no stack ${name}`);
  return found;
};
const secretNamed = (s: StackModel, name: string): SecretModel => {
  const found = s.secrets.find((secret) => secret.name === name);
  if (!found) throw new Error(`no secret ${name} in ${s.name}`);
  return found;
};
/** The model of one reference stack, rewritten by `mutate`. */
const mutated = (name: string, mutate: (json: Json) => void): StackModel => stack(name, readSynth(synthFixture({ stacks: [name], mutate: (json) => mutate(json) })));
const only = (json: Json, type: string): Json => {
  const all = Object.values(json.resource[type] ?? {}) as Json[];
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};

describe('readSynth on the reference stacks', () => {
  it('reads every stack of the manifest, sorted by name, with the file relative to cdktf.out', () => {
    expect(model.stacks.map((s) => s.name)).toEqual([
      'custom-rotation',
      'hosted-postgres-rotation',
      'mysql-rotation',
      'mysql-vpc-rotation',
      'postgres-multi-user-rotation',
      'postgres-rotation',
      'rds-managed-password',
    ]);
    expect(stack('postgres-rotation').file).toBe('stacks/postgres-rotation/cdk.tf.json');
    for (const s of model.stacks) {
      expect(s.secrets.map((x) => x.address)).toEqual([...s.secrets.map((x) => x.address)].sort());
      expect(s.functions.map((x) => x.address)).toEqual([...s.functions.map((x) => x.address)].sort());
      expect(s.exposedValues).toEqual([]);
    }
  });

  it('postgres-rotation: one secret with the stack key, rotated every 30 days by postgres-single-user, with both alarms', () => {
    const s = stack('postgres-rotation');
    expect(s.secrets).toHaveLength(1);
    const [secret] = s.secrets;
    expect(secret).toEqual({
      address: expect.stringMatching(/^aws_secretsmanager_secret\.DatabaseCredential_/),
      constructPath: 'postgres-rotation/DatabaseCredential/Resource',
      name: 'reference/postgres/app',
      owner: 'stack',
      kmsKey: { kind: 'stack', address: expect.stringMatching(/^aws_kms_key\.DatabaseCredential_EncryptionKey_/), keyRotation: true },
      rotation: {
        address: expect.stringMatching(/^aws_secretsmanager_secret_rotation\.DatabaseCredential_Rotation_/),
        kind: 'function',
        functionAddress: s.functions[0].address,
        schedule: { automaticallyAfterDays: 30, maxIntervalDays: 30 },
        rotateImmediately: true,
      },
      resourcePolicy: { address: expect.stringMatching(/^aws_secretsmanager_secret_policy\./), blockPublicPolicy: true },
      replicaRegions: [],
    });
    expect(s.functions).toHaveLength(1);
    const [fn] = s.functions;
    expect(fn).toMatchObject({
      functionName: 'postgres-rotation-PostgresRotation',
      handler: 'postgres-single-user',
      codeHash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      runtime: 'nodejs22.x',
      inVpc: false,
      roleAddress: expect.stringMatching(/^aws_iam_role\.PostgresRotation_ExecutionRole_/),
      managedPolicies: [],
      errorsAlarm: expect.stringMatching(/^aws_cloudwatch_metric_alarm\.PostgresRotation_ErrorsAlarm_/),
      environment: [],
    });
    expect(fn.permissions.map((p) => p.sid)).toEqual(['GeneratePasswords', 'RotateTaggedSecrets', 'UseTaggedKeysThroughSecretsManager', 'WriteLogs']);
    expect(fn.permissions[0]).toEqual({ sid: 'GeneratePasswords', effect: 'Allow', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'], conditions: [] });
    expect(fn.permissions[1].conditions).toEqual(['StringEquals secretsmanager:ResourceTag/SecretRotationFunction postgres-rotation-PostgresRotation']);
    expect(s.failureRules).toEqual([
      { address: expect.stringMatching(/^aws_cloudwatch_event_rule\./), eventNames: ['RotationAbandoned', 'RotationFailed', 'TestRotationFailed'], hasTarget: true },
    ]);
    expect(s.databases).toEqual([]);
  });

  it('hosted-postgres-rotation: AWS hosted rotation with its application, version and VPC, and no function of its own', () => {
    const s = stack('hosted-postgres-rotation');
    expect(s.secrets).toHaveLength(1);
    expect(s.secrets[0].rotation).toEqual({
      address: expect.stringMatching(/^aws_secretsmanager_secret_rotation\./),
      kind: 'hosted',
      schedule: { automaticallyAfterDays: 30, maxIntervalDays: 30 },
      rotateImmediately: true,
      hosted: {
        address: expect.stringMatching(/^aws_serverlessapplicationrepository_cloudformation_stack\.DatabaseCredential_HostedRotation_/),
        applicationId: 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser',
        semanticVersion: '1.1.671',
        inVpc: true,
      },
      errorsAlarm: expect.stringMatching(/^aws_cloudwatch_metric_alarm\.DatabaseCredential_ErrorsAlarm_/),
    });
    expect(s.functions).toEqual([]);
    expect(s.failureRules).toEqual([{ address: expect.stringMatching(/^aws_cloudwatch_event_rule\./), eventNames: ['RotationAbandoned', 'RotationFailed', 'TestRotationFailed'], hasTarget: true }]);
  });

  it('rds-managed-password: the secret RDS owns, rotated by the service every 7 days, encrypted by the stack key', () => {
    const s = stack('rds-managed-password');
    expect(s.secrets).toEqual([
      {
        address: 'aws_db_instance.Database.master_user_secret',
        constructPath: 'rds-managed-password/Database',
        owner: 'service',
        kmsKey: { kind: 'stack', address: 'aws_kms_key.MasterSecretKey', keyRotation: true },
        rotation: {
          address: expect.stringMatching(/^aws_secretsmanager_secret_rotation\.MasterPassword_Rotation_/),
          kind: 'service',
          schedule: { automaticallyAfterDays: 7, maxIntervalDays: 7 },
          rotateImmediately: false,
        },
        replicaRegions: [],
      },
    ]);
    expect(s.databases).toEqual([{ address: 'aws_db_instance.Database', type: 'aws_db_instance', inVpc: false }]);
  });

  it("rds-managed-password without a rotation resource still rotates, on the service's 7-day default", () => {
    const s = mutated('rds-managed-password', (json) => delete json.resource.aws_secretsmanager_secret_rotation);
    expect(s.secrets[0].rotation).toEqual({
      address: 'aws_db_instance.Database',
      kind: 'service',
      schedule: { automaticallyAfterDays: 7, maxIntervalDays: 7 },
      rotateImmediately: false,
      serviceDefault: true,
    });
  });

  it('reads a secret of a service it does not know by name from the rotation that points at it', () => {
    const s = mutated('rds-managed-password', (json) => {
      json.resource.aws_redshiftserverless_namespace = {
        Warehouse: { namespace_name: 'warehouse', manage_admin_password: true, admin_password_secret_kms_key_id: '${aws_kms_key.MasterSecretKey.arn}' },
      };
      json.resource.aws_secretsmanager_secret_rotation.Warehouse = { secret_id: '${aws_redshiftserverless_namespace.Warehouse.admin_password_secret_arn}', rotation_rules: { automatically_after_days: 30 } };
    });
    expect(s.secrets.map((x) => [x.address, x.owner, x.kmsKey.kind, x.rotation?.kind, x.rotation?.schedule.automaticallyAfterDays])).toEqual([
      ['aws_db_instance.Database.master_user_secret', 'service', 'stack', 'service', 7],
      ['aws_redshiftserverless_namespace.Warehouse.admin_password_secret_arn', 'service', 'stack', 'service', 30],
    ]);
  });

  it('custom-rotation: the http-api-key and a custom handler, environment names without values, admin keys that do not rotate', () => {
    const s = stack('custom-rotation');
    expect(s.functions.map((f) => [f.handler, f.customEntry])).toEqual([
      ['http-api-key', undefined],
      ['custom', 'vendor-token.ts'],
    ]);
    expect(s.functions[0].environment).toEqual(expect.arrayContaining(['ALLOWED_HOSTS', 'HTTP_TIMEOUT_MS']));
    for (const fn of s.functions) expect(fn.environment).toEqual([...fn.environment].sort());
    expect(secretNamed(s, 'reference/custom/vendor-api-key').rotation).toMatchObject({ kind: 'function', functionAddress: s.functions[0].address });
    expect(secretNamed(s, 'reference/custom/vendor-token').rotation).toMatchObject({ kind: 'function', functionAddress: s.functions[1].address, schedule: { automaticallyAfterDays: 7 } });
    expect(secretNamed(s, 'reference/custom/vendor-admin-key').rotation).toBeUndefined();
    // The environment's values (allowed hosts here) are not copied.
    expect(JSON.stringify(s)).not.toContain('api.vendor.example');
  });

  it('mysql-vpc-rotation: a function in the VPC, a rotation window, and a resource list written as one expression', () => {
    const s = stack('mysql-vpc-rotation');
    const [fn] = s.functions;
    expect(fn).toMatchObject({ handler: 'mysql-multi-user', inVpc: true, environment: ['SECRETS_MANAGER_ENDPOINT'] });
    expect(secretNamed(s, 'reference/mysql/app').rotation?.schedule).toEqual({ automaticallyAfterDays: 30, duration: '4h', maxIntervalDays: 30 });
    expect(secretNamed(s, 'reference/mysql/master').rotation).toBeUndefined();
    const eni = fn.permissions.find((p) => p.sid === 'CreateNetworkInterfacesInItsSubnets');
    expect(eni?.resources).toHaveLength(1);
    expect(eni?.resources[0]).toMatch(/^\$\{concat\(formatlist\(/);
  });

  it('postgres-multi-user-rotation: rate(10 days) for two secrets that share one function', () => {
    const s = stack('postgres-multi-user-rotation');
    const rotating = s.secrets.filter((x) => x.rotation);
    expect(rotating.map((x) => x.name)).toEqual(['reference/postgres-multi/app', 'reference/postgres-multi/reporting']);
    for (const secret of rotating) {
      expect(secret.rotation).toMatchObject({ functionAddress: s.functions[0].address, schedule: { scheduleExpression: 'rate(10 days)', maxIntervalDays: 10 } });
    }
  });
});

describe('readSynth on changed stacks', () => {
  it('tells a key of the stack from an external key and from the AWS managed key, and reads key rotation', () => {
    const s = mutated('custom-rotation', (json) => {
      const secrets = json.resource.aws_secretsmanager_secret;
      delete secrets.TokenAdminKey_5F9E7033.kms_key_id;
      secrets.VendorAdminKey_611661E3.kms_key_id = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
      json.resource.aws_kms_key.VendorKey_EncryptionKey_8DF83772.enable_key_rotation = false;
    });
    expect(secretNamed(s, 'reference/custom/token-admin-key').kmsKey).toEqual({ kind: 'aws-managed' });
    expect(secretNamed(s, 'reference/custom/vendor-admin-key').kmsKey).toEqual({ kind: 'external', arn: 'arn:aws:kms:eu-west-1:111122223333:key/abc' });
    expect(secretNamed(s, 'reference/custom/vendor-api-key').kmsKey).toEqual({ kind: 'stack', address: 'aws_kms_key.VendorKey_EncryptionKey_8DF83772', keyRotation: false });
  });

  it('reads a name prefix, replica regions, and a stack key named through its alias', () => {
    const s = mutated('postgres-rotation', (json) => {
      const secret = only(json, 'aws_secretsmanager_secret');
      delete secret.name;
      Object.assign(secret, { name_prefix: 'app-', replica: [{ region: 'us-west-2' }, { region: 'eu-central-1' }], kms_key_id: '${aws_kms_alias.Alias.arn}' });
      json.resource.aws_kms_alias = { Alias: { name: 'alias/app', target_key_id: '${aws_kms_key.DatabaseCredential_EncryptionKey_8EFB03E1.key_id}' } };
    });
    expect(s.secrets[0]).toMatchObject({
      name: 'app-…',
      replicaRegions: ['eu-central-1', 'us-west-2'],
      kmsKey: { kind: 'stack', address: 'aws_kms_key.DatabaseCredential_EncryptionKey_8EFB03E1', keyRotation: true },
    });
  });

  it('reads a Lambda ARN from outside the stack as an external rotation, and a cron schedule with its bound', () => {
    const s = mutated('postgres-rotation', (json) => {
      const rotation = only(json, 'aws_secretsmanager_secret_rotation');
      rotation.rotation_lambda_arn = 'arn:aws:lambda:eu-west-1:111122223333:function:shared-rotation';
      rotation.rotation_rules = { schedule_expression: 'cron(0 4 ? * MON *)', duration: '2h' };
      rotation.rotate_immediately = false;
    });
    expect(s.secrets[0].rotation).toEqual({
      address: expect.any(String),
      kind: 'external',
      lambdaArn: 'arn:aws:lambda:eu-west-1:111122223333:function:shared-rotation',
      schedule: { scheduleExpression: 'cron(0 4 ? * MON *)', duration: '2h', maxIntervalDays: 7 },
      rotateImmediately: false,
    });
  });

  it('reads literal JSON policies and managed policy attachments of the role', () => {
    const s = mutated('postgres-rotation', (json) => {
      only(json, 'aws_iam_role_policy').policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ['arn:b', 'arn:a'], Condition: { StringEquals: { 'aws:PrincipalTag/team': ['x', 'y'] } } },
          { Effect: 'Deny', NotAction: ['kms:Decrypt'], Resource: '*' },
        ],
      });
      json.resource.aws_iam_role_policy_attachment = {
        Basic: { role: '${aws_iam_role.PostgresRotation_ExecutionRole_D677FDE3.name}', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
      };
    });
    const [fn] = s.functions;
    expect(fn.permissions).toEqual([
      { effect: 'Deny', actions: [], notActions: ['kms:Decrypt'], resources: ['*'], conditions: [] },
      { sid: 'Read', effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: ['arn:a', 'arn:b'], conditions: ['StringEquals aws:PrincipalTag/team x y'] },
    ]);
    expect(fn.managedPolicies).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
  });

  describe('a policy it cannot read', () => {
    const ROLE = '${aws_iam_role.PostgresRotation_ExecutionRole_D677FDE3.name}';
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }] };

    it('records a policy written as an expression (what Fn.jsonencode writes), with why and a digest, and none of its text', () => {
      const s = mutated('postgres-rotation', (json) => {
        json.resource.aws_iam_role_policy.Extra = { role: ROLE, policy: '${jsonencode({"Statement" = [{"Effect" = "Allow", "Action" = "secretsmanager:*", "Resource" = "*"}]})}' };
      });
      const [fn] = s.functions;
      expect(fn.unreadablePolicies).toEqual([{ address: 'aws_iam_role_policy.Extra', reason: 'an expression (jsonencode(…))', digest: expect.stringMatching(/^[0-9a-f]{12}$/) }]);
      // The statements it could read are still there.
      expect(fn.permissions.map((p) => p.sid)).toEqual(['GeneratePasswords', 'RotateTaggedSecrets', 'UseTaggedKeysThroughSecretsManager', 'WriteLogs']);
      expect(JSON.stringify(fn)).not.toContain('secretsmanager:*');
    });

    it('records a reference it cannot follow, text that is not JSON, an expression among the source documents and a dynamic block', () => {
      const s = mutated('postgres-rotation', (json) => {
        json.resource.aws_iam_role_policy.FromVariable = { role: ROLE, policy: '${var.extra_policy}' };
        json.resource.aws_iam_role_policy.Missing = { role: ROLE, policy: '${data.aws_iam_policy_document.Nowhere.json}' };
        json.resource.aws_iam_role_policy.Broken = { role: ROLE, policy: '{"Statement": [' };
        // A reference with more around it is not the document's JSON: it is an expression.
        json.resource.aws_iam_role_policy.Wrapped = { role: ROLE, policy: '${replace(data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5.json, "x", "y")}' };
        json.data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5.source_policy_documents = ['${jsonencode(local.extra)}'];
        json.data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5.dynamic = { statement: { for_each: '${var.extra_statements}', content: {} } };
      });
      expect(s.functions[0].unreadablePolicies?.map((p) => [p.address, p.reason])).toEqual([
        ['aws_iam_role_policy.Broken', 'not valid JSON'],
        ['aws_iam_role_policy.FromVariable', 'an expression (var.extra_policy)'],
        ['aws_iam_role_policy.Missing', 'an expression (data.aws_iam_policy_document.Nowhere.json)'],
        ['aws_iam_role_policy.Wrapped', 'an expression (replace(…))'],
        ['data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5', 'a dynamic block'],
        ['data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5', 'an expression (jsonencode(…))'],
      ]);
    });

    it('gives the same policy the same digest, and another policy another', () => {
      const digestOf = (policy: string) =>
        mutated('postgres-rotation', (json) => (json.resource.aws_iam_role_policy.Extra = { role: ROLE, policy })).functions[0].unreadablePolicies?.[0].digest;
      expect(digestOf('${jsonencode(local.a)}')).toBe(digestOf('${jsonencode(local.a)}'));
      expect(digestOf('${jsonencode(local.a)}')).not.toBe(digestOf('${jsonencode(local.b)}'));
    });

    it('reads literal JSON, with a policy variable escaped as Terraform wants it, and leaves the field out when every policy can be read', () => {
      const perUser = { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:$${aws:username}-*' }] };
      const s = mutated('postgres-rotation', (json) => {
        json.resource.aws_iam_role_policy.Extra = { role: ROLE, policy: JSON.stringify(everything) };
        json.resource.aws_iam_role_policy.PerUser = { role: ROLE, policy: JSON.stringify(perUser) };
      });
      expect(s.functions[0].unreadablePolicies).toBeUndefined();
      expect(s.functions[0].permissions).toContainEqual({ effect: 'Allow', actions: ['secretsmanager:*'], resources: ['*'], conditions: [] });
      expect(s.functions[0].permissions).toContainEqual(expect.objectContaining({ resources: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:${aws:username}-*'] }));
      for (const fn of model.stacks.flatMap((x) => x.functions)) expect([fn.address, fn.unreadablePolicies]).toEqual([fn.address, undefined]);
    });
  });

  it('notices a missing errors alarm and a failure rule without a target', () => {
    const s = mutated('postgres-rotation', (json) => {
      delete json.resource.aws_cloudwatch_metric_alarm;
      delete json.resource.aws_cloudwatch_event_target;
    });
    expect(s.functions[0].errorsAlarm).toBeUndefined();
    expect(s.failureRules).toEqual([expect.objectContaining({ hasTarget: false })]);
  });

  it('places a database in a VPC by its subnet group, unless it is publicly accessible', () => {
    const inVpc = mutated('rds-managed-password', (json) => (json.resource.aws_db_instance.Database.db_subnet_group_name = 'private'));
    expect(inVpc.databases).toEqual([expect.objectContaining({ inVpc: true })]);
    const publicDb = mutated('rds-managed-password', (json) => {
      Object.assign(json.resource.aws_db_instance.Database, { db_subnet_group_name: 'private', publicly_accessible: true });
    });
    expect(publicDb.databases).toEqual([expect.objectContaining({ inVpc: false })]);
  });

  it('flags where a secret value is written, and never copies the value', () => {
    const s = mutated('postgres-rotation', (json) => {
      json.resource.aws_secretsmanager_secret_version.Literal = { secret_id: 'x', secret_string: 'hunter2-SECRET-VALUE' };
      json.resource.aws_secretsmanager_secret_version.FromVariable = { secret_id: 'x', secret_string: '${var.db_host}' };
      json.resource.aws_db_instance = { Db: { password: 'hunter2-SECRET-VALUE', instance_class: 'db.t4g.micro' } };
      json.variable.api_token = { type: 'string', default: 'hunter2-SECRET-VALUE' };
      json.variable.vendor_key_id = { type: 'string', default: 'key-1' };
    });
    expect(s.exposedValues).toEqual([
      { address: 'aws_db_instance.Db', attribute: 'password', reason: expect.stringMatching(/^a literal password/) },
      { address: 'aws_secretsmanager_secret_version.FromVariable', attribute: 'secret_string', reason: expect.stringMatching(/state.*secret_string_wo/) },
      { address: 'aws_secretsmanager_secret_version.Literal', attribute: 'secret_string', reason: expect.stringMatching(/^a literal value/) },
      { address: 'variable.api_token', attribute: 'default', reason: expect.stringMatching(/sensitive-looking/) },
    ]);
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });

  it('flags a literal in a write-only attribute, which keeps it out of state but not out of the JSON', () => {
    const s = mutated('postgres-rotation', (json) => {
      only(json, 'aws_secretsmanager_secret_version').secret_string_wo = 'hunter2-SECRET-VALUE';
      json.resource.aws_db_instance = { Db: { password_wo: 'hunter2-SECRET-VALUE', password_wo_version: 1 } };
      json.resource.aws_rds_cluster = { Cluster: { master_password_wo: 'hunter2-SECRET-VALUE' }, FromVariable: { master_password_wo: '${var.db_password}' } };
    });
    expect(s.exposedValues.map((e) => `${e.address} ${e.attribute}`)).toEqual([
      'aws_db_instance.Db password_wo',
      'aws_rds_cluster.Cluster master_password_wo',
      expect.stringMatching(/^aws_secretsmanager_secret_version\.DatabaseCredential_InitialValue_\w+ secret_string_wo$/),
    ]);
    expect(s.exposedValues[0].reason).toMatch(/^a literal value in a write-only attribute: kept out of state, but written into cdk\.tf\.json/);
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });

  it('flags the default of a sensitive variable, whatever its name', () => {
    const s = mutated('postgres-rotation', (json) => {
      json.variable.db_host = { ...json.variable.db_host, sensitive: true, default: 'hunter2-SECRET-VALUE' };
      json.variable.connection = { type: 'string', sensitive: 'true', default: 'postgres://app:hunter2-SECRET-VALUE@db/app' };
      json.variable.quiet = { type: 'string', sensitive: true };
    });
    expect(s.exposedValues).toEqual([
      { address: 'variable.connection', attribute: 'default', reason: 'a sensitive variable with a default: the value is written into cdk.tf.json' },
      { address: 'variable.db_host', attribute: 'default', reason: 'a sensitive variable with a default: the value is written into cdk.tf.json' },
    ]);
  });

  it('flags a literal value of a sensitive-looking Lambda environment variable, not the handlers\' settings, references or expressions', () => {
    const s = mutated('custom-rotation', (json) => {
      const [first, second] = Object.values(json.resource.aws_lambda_function) as Json[];
      Object.assign(first.environment.variables, { VENDOR_API_TOKEN: 'hunter2-SECRET-VALUE', db_password: 'hunter2-SECRET-VALUE', PASSWORD_LENGTH: '40', EXCLUDE_CHARACTERS: '/@"' });
      second.environment.variables = {
        ...second.environment.variables,
        SIGNING_KEY: 'hunter2-SECRET-VALUE',
        CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x',
        TOKEN_SECRET_NAME: 'vendor/token',
        API_KEY: '${var.api_key}',
        EMPTY_SECRET: '',
      };
    });
    const [first, second] = s.functions.map((fn) => fn.address);
    expect(s.exposedValues.map((e) => `${e.address} ${e.attribute}`)).toEqual([
      `${first} environment.variables.VENDOR_API_TOKEN`,
      `${first} environment.variables.db_password`,
      `${second} environment.variables.SIGNING_KEY`,
    ]);
    expect(s.exposedValues[0].reason).toMatch(/^a literal value in a sensitive-looking environment variable/);
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });
});
