import type { RotationFunctionModel, SecretModel, StackModel, SynthModel } from '../../cli/synth/model';

/** Hand-built synth models for the check rules' unit tests: a stack that passes every rule, and pieces to break it with. */

export const FN = 'aws_lambda_function.Rotation_Resource_1';

export function secret(overrides: Partial<SecretModel> = {}): SecretModel {
  return {
    address: 'aws_secretsmanager_secret.Db_Resource_1',
    name: 'prod/app/db',
    owner: 'stack',
    kmsKey: { kind: 'stack', address: 'aws_kms_key.Db_Key_1', keyRotation: true },
    rotation: {
      address: 'aws_secretsmanager_secret_rotation.Db_Rotation_1',
      kind: 'function',
      schedule: { automaticallyAfterDays: 30, maxIntervalDays: 30 },
      rotateImmediately: true,
      functionAddress: FN,
    },
    resourcePolicy: { address: 'aws_secretsmanager_secret_policy.Db_Policy_1', blockPublicPolicy: true },
    replicaRegions: [],
    ...overrides,
  };
}

export function rotationFunction(overrides: Partial<RotationFunctionModel> = {}): RotationFunctionModel {
  return {
    address: FN,
    functionName: 'rotation',
    handler: 'postgres-single-user',
    inVpc: false,
    permissions: [
      { sid: 'WriteLogs', effect: 'Allow', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: ['${aws_cloudwatch_log_group.Logs.arn}:*'], conditions: [] },
      { sid: 'GeneratePasswords', effect: 'Allow', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'], conditions: [] },
    ],
    managedPolicies: [],
    errorsAlarm: 'aws_cloudwatch_metric_alarm.Rotation_ErrorsAlarm_1',
    environment: [],
    ...overrides,
  };
}

export function stack(overrides: Partial<StackModel> = {}): StackModel {
  return {
    name: 'app',
    file: 'stacks/app/cdk.tf.json',
    secrets: [secret()],
    functions: [rotationFunction()],
    failureRules: [{ address: 'aws_cloudwatch_event_rule.Alarms_FailureRule_1', eventNames: ['RotationAbandoned', 'RotationFailed', 'TestRotationFailed'], hasTarget: true }],
    databases: [],
    exposedValues: [],
    ...overrides,
  };
}

export const model = (...stacks: StackModel[]): SynthModel => ({ dir: 'cdktf.out', stacks });
