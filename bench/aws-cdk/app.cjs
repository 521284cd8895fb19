// The AWS CDK side of the synth benchmark: N Secrets Manager secrets, each
// with its own KMS key, rotated by one Lambda function with an errors alarm,
// in one aws-cdk-lib stack, synthesized in a fresh process. Prints
// {wallMs, maxRssMiB, bytes} as bench/synth-app.cjs does; bytes is the size of
// the template. `--validate` keeps aws-cdk-lib's built-in CloudFormation
// template validation (CloudFormationValidatePlugin, on by default since
// 2.262); without it the app is made with builtinCloudFormationValidation:
// false, as `cdk synth --no-validation` or CDK_VALIDATION=false would.
const start = process.hrtime.bigint();
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { App, Duration, Stack } = require('aws-cdk-lib');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const { SnsAction } = require('aws-cdk-lib/aws-cloudwatch-actions');
const events = require('aws-cdk-lib/aws-events');
const { SnsTopic } = require('aws-cdk-lib/aws-events-targets');
const kms = require('aws-cdk-lib/aws-kms');
const lambda = require('aws-cdk-lib/aws-lambda');
const logs = require('aws-cdk-lib/aws-logs');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const sns = require('aws-cdk-lib/aws-sns');

const count = Number(process.argv[2]);
const validate = process.argv.includes('--validate');
// CDK_VALIDATION=false in the environment would turn validation off silently.
if (validate) delete process.env.CDK_VALIDATION;
const outdir = mkdtempSync(join(tmpdir(), 'bench-aws-cdk-'));
// CloudFormation takes at most 500 resources per stack and aws-cdk-lib refuses
// more at synth; 0 lifts that check, so N secrets stay in one stack as ours do
// (deploying them would take several stacks).
const app = new App({ outdir, builtinCloudFormationValidation: validate, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
const stack = new Stack(app, 'bench', { env: { region: 'eu-west-1' } });

// The same ~600 KB handler bundle our RotationFunction zips. AWS CDK
// fingerprints and copies the folder at synth; it zips only when the CLI
// publishes the asset, so this side does less asset work than ours.
const fn = new lambda.Function(stack, 'Rotation', {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(join(__dirname, '..', '..', 'dist', 'functions', 'postgres-single-user')),
  memorySize: 256,
  timeout: Duration.seconds(30),
  // Ours creates the log group with a retention; Lambda's own would keep logs forever.
  logGroup: new logs.LogGroup(stack, 'LogGroup', { retention: logs.RetentionDays.ONE_YEAR }),
});

// "Alarms on", as our RotationAlarms: a topic, a rule on rotation failures
// that publishes to it, and an alarm on the function's errors.
const topic = new sns.Topic(stack, 'AlarmTopic');
new events.Rule(stack, 'FailureRule', {
  eventPattern: {
    source: ['aws.secretsmanager'],
    detailType: ['AWS Service Event via CloudTrail'],
    detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] },
  },
  targets: [new SnsTopic(topic)],
});
const alarm = fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(stack, 'ErrorsAlarm', {
  threshold: 1,
  evaluationPeriods: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
});
alarm.addAlarmAction(new SnsAction(topic));
alarm.addOkAction(new SnsAction(topic));

// addRotationSchedule grants the function the secret and its key, adds the
// invoke permission once, and gives the secret a resource policy denying
// DeleteSecret to the account root.
for (let i = 0; i < count; i += 1) {
  const encryptionKey = new kms.Key(stack, `Secret${i}Key`, { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, `Secret${i}`, { encryptionKey });
  secret.addRotationSchedule('Rotation', { rotationLambda: fn, automaticallyAfter: Duration.days(30) });
}
app.synth();
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const bytes = readFileSync(join(outdir, 'bench.template.json')).length;
rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes }));
