import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { RotationAlarms, RotationAlarmsProps, RotationFunction } from '../../modules';
import { only, resources, synth } from '../support/synth';

const withAlarms = (props: RotationAlarmsProps) =>
  synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', functionName: 'rotate-db', alarms: new RotationAlarms(scope, 'Alarms', props) }));

describe('RotationAlarms', () => {
  it('is on by default: failed and abandoned rotations and function errors notify a new topic', () => {
    const json = synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', functionName: 'rotate-db' }));
    const rule = only(json, 'aws_cloudwatch_event_rule');
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] },
    });
    const topic = Object.keys(resources(json, 'aws_sns_topic'))[0];
    expect(json).toHaveResourceWithProperties(SnsTopic, { name_prefix: 'secret-rotation-alarms-' });
    expect(json).toHaveResourceWithProperties(CloudwatchEventTarget, { arn: `\${aws_sns_topic.${topic}.arn}` });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'rotate-db-errors',
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: 'rotate-db' },
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: [`\${aws_sns_topic.${topic}.arn}`],
    });
    expect(json).toHaveResource(SnsTopicPolicy);
  });

  it('lets only this stack\'s rule, this account\'s alarms and the account itself use the topic', () => {
    const json = synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user' }));
    const documents = JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: Array<Record<string, unknown>> }>;
    const [, policy] = Object.entries(documents).find(([id]) => id.includes('TopicPolicyDocument'))!;
    const rule = Object.keys(resources(json, 'aws_cloudwatch_event_rule'))[0];
    expect(policy.statement.map((s) => s.sid)).toEqual(['AccountOwnsTopic', 'RotationFailureRulePublishes', 'AlarmsOfThisAccountPublish']);
    expect(policy.statement[1].condition).toEqual([{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [`\${aws_cloudwatch_event_rule.${rule}.arn}`] }]);
    expect(policy.statement[2].condition).toEqual([expect.objectContaining({ variable: 'aws:SourceAccount' })]);
  });

  it('is made once per stack, however many functions use it, with an errors alarm per function', () => {
    const json = synth((scope) => {
      new RotationFunction(scope, 'A', { handler: 'postgres-single-user', functionName: 'rotate-a' });
      new RotationFunction(scope, 'B', { handler: 'mysql-single-user', functionName: 'rotate-b' });
    });
    expect(Object.keys(resources(json, 'aws_cloudwatch_event_rule'))).toHaveLength(1);
    expect(Object.keys(resources(json, 'aws_sns_topic'))).toHaveLength(1);
    expect(Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).map((a) => a.alarm_name).sort()).toEqual(['rotate-a-errors', 'rotate-b-errors']);
  });

  it('can be turned off', () => {
    const json = synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', alarms: false }));
    for (const type of [CloudwatchEventRule, SnsTopic, CloudwatchMetricAlarm]) expect(json).not.toHaveResource(type);
  });

  it('notifies a given topic, creating none', () => {
    const json = withAlarms({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });
    expect(json).not.toHaveResource(SnsTopic);
    expect(json).not.toHaveResource(SnsTopicPolicy);
    expect(json).toHaveResourceWithProperties(CloudwatchEventTarget, { arn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_actions: ['arn:aws:sns:eu-west-1:123456789012:oncall'] });
  });

  it('takes an error threshold, a period and a key for its topic', () => {
    const json = withAlarms({ errorThreshold: 3, periodMinutes: 15, topicKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k' });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { threshold: 3, period: 900 });
    expect(json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/k' });
  });

  it.each([
    [{ errorThreshold: 0 }, 'errorThreshold must be a whole number from 1 to 1000000, got 0'],
    [{ periodMinutes: 1441 }, 'periodMinutes must be a whole number from 1 to 1440, got 1441'],
    [{ topicArn: 'oncall' }, 'topicArn must be an SNS topic ARN (arn:…:sns:…), got "oncall"'],
    [{ topicArn: 'arn:aws:sns:eu-west-1:1:t', topicKmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' }, 'topicKmsKeyArn applies to the topic this construct creates'],
  ])('fails when given %j', (props, message) => {
    expect(() => withAlarms(props)).toThrow(message);
  });
});
