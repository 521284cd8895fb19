// The floor of the synth benchmark: the Terraform JSON of bench/synth-app.cjs
// (N rotated secrets, one rotation function, alarms on) built as a plain
// object and written with JSON.stringify, in a fresh process, with no cdktf
// and no constructs. Prints {wallMs, maxRssMiB, bytes} as synth-app.cjs does.
//
// Same resources, attribute values and references as our synth; logical ids
// are the construct paths without the hash suffixes (Secret0_EncryptionKey
// for Secret0_EncryptionKey_8472579E). It zips the handler bundle as our
// RotationFunction does (same bytes, so the same source_code_hash and asset
// folder) and writes the zip once into the output's assets folder.
// It does not: write cdktf's "//" metadata blocks (so its file is smaller),
// manifest.json, or the zip's private cache copy; check any prop; resolve
// tokens (the references are written as literal strings).
const start = process.hrtime.bigint();
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { zipSync } = require('fflate');

const count = Number(process.argv[2]);
const outdir = mkdtempSync(join(tmpdir(), 'bench-handwritten-'));
const stackDir = join(outdir, 'stacks', 'bench');

// The handler package, as modules/private/handler-package.ts builds it.
const bundle = readFileSync(join(__dirname, '..', 'dist', 'functions', 'postgres-single-user', 'index.js'));
const zip = zipSync({ 'index.js': [bundle, { mtime: new Date(1980, 0, 1, 0, 0, 0), level: 9, os: 3, attrs: 0o100644 << 16 }] });
const sourceCodeHash = createHash('sha256').update(zip).digest('base64');
const assetPath = `assets/Rotation_Code/${createHash('md5').update(zip).digest('hex').slice(0, 32).toUpperCase()}/postgres-single-user.zip`;
mkdirSync(join(stackDir, assetPath, '..'), { recursive: true });
writeFileSync(join(stackDir, assetPath), zip);

const functionName = 'bench-Rotation';
const part = (ref, i) => `\${element(split(":", ${ref}), ${i})}`;
const logGroupArn = 'aws_cloudwatch_log_group.Rotation_LogGroup.arn';
const ruleArn = 'aws_cloudwatch_event_rule.SecretRotationAlarms_FailureRule.arn';
const topicArn = '${aws_sns_topic.SecretRotationAlarms_Topic.arn}';
const taggedArn = (service, resource) => `arn:${part(logGroupArn, 1)}:${service}:${part(logGroupArn, 3)}:${part(logGroupArn, 4)}:${resource}`;
const rotateActions = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];
const tagCondition = (variable) => ({ test: 'StringEquals', values: [functionName], variable });

// The function, its role and the alarms: one of each, whatever N.
const config = {
  data: {
    aws_iam_policy_document: {
      Rotation_AssumeRolePolicy: {
        statement: [{ actions: ['sts:AssumeRole'], principals: [{ identifiers: ['lambda.amazonaws.com'], type: 'Service' }] }],
      },
      Rotation_Policy: {
        statement: [
          { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`\${${logGroupArn}}:*`], sid: 'WriteLogs' },
          { actions: ['secretsmanager:GetRandomPassword'], resources: ['*'], sid: 'GeneratePasswords' },
          {
            actions: rotateActions,
            condition: [tagCondition('secretsmanager:ResourceTag/SecretRotationFunction')],
            resources: [taggedArn('secretsmanager', 'secret:*')],
            sid: 'RotateTaggedSecrets',
          },
          {
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            condition: [
              { test: 'StringEquals', values: [`secretsmanager.${part(logGroupArn, 3)}.amazonaws.com`], variable: 'kms:ViaService' },
              tagCondition('aws:ResourceTag/SecretRotationFunction'),
            ],
            resources: [taggedArn('kms', 'key/*')],
            sid: 'UseTaggedKeysThroughSecretsManager',
          },
        ],
      },
      SecretRotationAlarms_TopicPolicyDocument: {
        statement: [
          {
            actions: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Publish', 'sns:DeleteTopic'],
            principals: [{ identifiers: [`arn:${part(ruleArn, 1)}:iam::${part(ruleArn, 4)}:root`], type: 'AWS' }],
            resources: [topicArn],
            sid: 'AccountOwnsTopic',
          },
          {
            actions: ['sns:Publish'],
            condition: [{ test: 'ArnEquals', values: [`\${${ruleArn}}`], variable: 'aws:SourceArn' }],
            principals: [{ identifiers: ['events.amazonaws.com'], type: 'Service' }],
            resources: [topicArn],
            sid: 'RotationFailureRulePublishes',
          },
          {
            actions: ['sns:Publish'],
            condition: [{ test: 'StringEquals', values: [part(ruleArn, 4)], variable: 'aws:SourceAccount' }],
            principals: [{ identifiers: ['cloudwatch.amazonaws.com'], type: 'Service' }],
            resources: [topicArn],
            sid: 'AlarmsOfThisAccountPublish',
          },
        ],
      },
    },
  },
  provider: { aws: [{ region: 'eu-west-1' }] },
  resource: {
    aws_cloudwatch_event_rule: {
      SecretRotationAlarms_FailureRule: {
        description: 'Secrets Manager rotation failed or was abandoned',
        event_pattern: JSON.stringify({
          source: ['aws.secretsmanager'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] },
        }),
      },
    },
    aws_cloudwatch_event_target: {
      SecretRotationAlarms_FailureTarget: { arn: topicArn, rule: '${aws_cloudwatch_event_rule.SecretRotationAlarms_FailureRule.name}' },
    },
    aws_cloudwatch_log_group: { Rotation_LogGroup: { name: `/aws/lambda/${functionName}`, retention_in_days: 365 } },
    aws_cloudwatch_metric_alarm: {
      Rotation_ErrorsAlarm: {
        alarm_actions: [topicArn],
        alarm_description: `The secret rotation function ${functionName} failed`,
        alarm_name: `${functionName}-errors`,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        dimensions: { FunctionName: functionName },
        evaluation_periods: 1,
        metric_name: 'Errors',
        namespace: 'AWS/Lambda',
        ok_actions: [topicArn],
        period: 300,
        statistic: 'Sum',
        threshold: 1,
        treat_missing_data: 'notBreaching',
      },
    },
    aws_iam_role: {
      Rotation_ExecutionRole: {
        assume_role_policy: '${data.aws_iam_policy_document.Rotation_AssumeRolePolicy.json}',
        description: `Runs the postgres-single-user rotation function ${functionName}`,
        name_prefix: `${functionName}-`,
      },
    },
    aws_iam_role_policy: {
      Rotation_ExecutionPolicy: {
        name: 'rotation',
        policy: '${data.aws_iam_policy_document.Rotation_Policy.json}',
        role: '${aws_iam_role.Rotation_ExecutionRole.id}',
      },
    },
    aws_kms_key: {},
    aws_kms_key_policy: {},
    aws_lambda_function: {
      Rotation: {
        architectures: ['arm64'],
        depends_on: ['aws_cloudwatch_log_group.Rotation_LogGroup', 'aws_iam_role_policy.Rotation_ExecutionPolicy'],
        description: 'Rotates Secrets Manager secrets (postgres-single-user)',
        filename: assetPath,
        function_name: functionName,
        handler: 'index.handler',
        memory_size: 256,
        role: '${aws_iam_role.Rotation_ExecutionRole.arn}',
        runtime: 'nodejs22.x',
        source_code_hash: sourceCodeHash,
        timeout: 30,
      },
    },
    aws_lambda_permission: {
      Rotation_InvokePermission: {
        action: 'lambda:InvokeFunction',
        function_name: '${aws_lambda_function.Rotation.function_name}',
        principal: 'secretsmanager.amazonaws.com',
        source_account: part(logGroupArn, 4),
        source_arn: taggedArn('secretsmanager', 'secret:*'),
        statement_id: 'SecretsManagerRotation',
      },
    },
    aws_secretsmanager_secret: {},
    aws_secretsmanager_secret_policy: {},
    aws_secretsmanager_secret_rotation: {},
    aws_sns_topic: { SecretRotationAlarms_Topic: { name_prefix: 'secret-rotation-alarms-' } },
    aws_sns_topic_policy: {
      SecretRotationAlarms_TopicPolicy: {
        arn: topicArn,
        policy: '${data.aws_iam_policy_document.SecretRotationAlarms_TopicPolicyDocument.json}',
      },
    },
  },
  terraform: {
    backend: { local: { path: join(process.cwd(), 'terraform.bench.tfstate') } },
    required_providers: { aws: { source: 'aws', version: '6.25.0' } },
  },
};

// Five resources per secret: its key, the key's policy, the secret, its
// resource policy and its rotation schedule. The policies are JSON text
// holding Terraform expressions, whose quotes must stay unescaped: each is
// stringified once with placeholders, then filled in per secret.
const keyArn = 'aws_kms_key.@ID@_EncryptionKey.arn';
const keyPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: 'arn:@1@:iam::@4@:root' }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'UseThroughSecretsManager',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.@3@.amazonaws.com', 'kms:CallerAccount': '@4@' } },
    },
  ],
}).replace(/@(\d)@/g, (_, i) => part(keyArn, i));
const secretArn = '${aws_secretsmanager_secret.@ID@.arn}';
const secretPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'DenyDeleteSecret', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: secretArn },
    {
      Sid: 'RotationFunctionRotates',
      Effect: 'Allow',
      Principal: { AWS: '${aws_iam_role.Rotation_ExecutionRole.arn}' },
      Action: rotateActions,
      Resource: secretArn,
    },
  ],
});
const r = config.resource;
const tags = { SecretRotationFunction: functionName };
for (let i = 0; i < count; i += 1) {
  const id = `Secret${i}`;
  const arn = `\${aws_secretsmanager_secret.${id}.arn}`;
  r.aws_kms_key[`${id}_EncryptionKey`] = {
    deletion_window_in_days: 30,
    description: `Encrypts the Secrets Manager secret bench/${id}`,
    enable_key_rotation: true,
    tags,
  };
  r.aws_kms_key_policy[`${id}_EncryptionKeyPolicy`] = {
    key_id: `\${aws_kms_key.${id}_EncryptionKey.key_id}`,
    policy: keyPolicy.replaceAll('@ID@', id),
  };
  r.aws_secretsmanager_secret[id] = { kms_key_id: `\${aws_kms_key.${id}_EncryptionKey.arn}`, recovery_window_in_days: 30, tags };
  r.aws_secretsmanager_secret_policy[`${id}_ResourcePolicy`] = {
    block_public_policy: true,
    policy: secretPolicy.replaceAll('@ID@', id),
    secret_arn: arn,
  };
  r.aws_secretsmanager_secret_rotation[`${id}_Rotation`] = {
    depends_on: ['aws_lambda_permission.Rotation_InvokePermission', 'aws_lambda_function.Rotation'],
    rotate_immediately: true,
    rotation_lambda_arn: '${aws_lambda_function.Rotation.arn}',
    rotation_rules: { automatically_after_days: 30 },
    secret_id: arn,
  };
}

// Indented as cdktf writes it, so the byte counts compare.
writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const bytes = readFileSync(join(stackDir, 'cdk.tf.json')).length;
rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes }));
