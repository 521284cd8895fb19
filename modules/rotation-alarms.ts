import { Construct } from 'constructs';
import { Fn, TerraformStack } from 'cdktf';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { checkInteger, InvalidPropError, isKnown, show } from './private/validation';

/** The CloudTrail service events Secrets Manager sends when a rotation goes wrong. */
export const ROTATION_FAILURE_EVENTS = ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] as const;

/** Props of `RotationAlarms`; all optional. */
export interface RotationAlarmsProps {
  /**
   * ARN of an SNS topic to notify (one that lets EventBridge and CloudWatch
   * publish to it).
   * @default - a new topic, with a policy that lets this stack's rule and alarms publish
   */
  readonly topicArn?: string;
  /** KMS key of the created topic. It must let EventBridge and CloudWatch use it. @default - no encryption (the messages hold event metadata, no secret) */
  readonly topicKmsKeyArn?: string;
  /** Errors of a rotation function, within `periodMinutes`, that raise its alarm. @default 1 */
  readonly errorThreshold?: number;
  /** Length of the error alarm's period in minutes, 1 to 1440. @default 5 */
  readonly periodMinutes?: number;
}

/**
 * Failures that page someone: an EventBridge rule on Secrets Manager's
 * RotationFailed, RotationAbandoned and TestRotationFailed events, and an
 * alarm on each rotation function's errors, all notifying one SNS topic.
 *
 * Every RotationFunction uses the stack's default instance (`of()`) unless
 * given another or `alarms: false`. The rule matches rotation failures of
 * every secret in the account and region: AWS does not document the field
 * of these events that names the secret, and a filter on a wrong field would
 * match nothing, silently. The event names the secret for whoever reads it.
 */
export class RotationAlarms extends Construct {
  /** The stack's default instance, created on first use with the default props. */
  static of(scope: Construct): RotationAlarms {
    const stack = TerraformStack.of(scope);
    return (stack.node.tryFindChild(DEFAULT_ID) as RotationAlarms | undefined) ?? new RotationAlarms(stack, DEFAULT_ID);
  }

  /** ARN of the topic notified: `topicArn`, or the topic created. */
  readonly topicArn: string;
  /** The topic created, when `topicArn` was not given. */
  readonly topic?: SnsTopic;
  /** The EventBridge rule on failed and abandoned rotations. */
  readonly rule: CloudwatchEventRule;
  private readonly errorThreshold: number;
  private readonly periodSeconds: number;

  constructor(scope: Construct, id: string, props: RotationAlarmsProps = {}) {
    super(scope, id);
    checkInteger('errorThreshold', props.errorThreshold, 1, 1_000_000);
    checkInteger('periodMinutes', props.periodMinutes, 1, 1440);
    if (isKnown(props.topicArn) && !/^arn:[^:]+:sns:/.test(props.topicArn)) {
      throw new InvalidPropError(`topicArn must be an SNS topic ARN (arn:…:sns:…), got ${show(props.topicArn)}`);
    }
    if (props.topicArn !== undefined && props.topicKmsKeyArn !== undefined) {
      throw new InvalidPropError('topicKmsKeyArn applies to the topic this construct creates; with topicArn, encrypt that topic yourself');
    }
    this.errorThreshold = props.errorThreshold ?? 1;
    this.periodSeconds = (props.periodMinutes ?? 5) * 60;

    this.rule = new CloudwatchEventRule(this, 'FailureRule', {
      description: 'Secrets Manager rotation failed or was abandoned',
      eventPattern: JSON.stringify({
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: [...ROTATION_FAILURE_EVENTS] },
      }),
    });

    if (props.topicArn === undefined) {
      this.topic = new SnsTopic(this, 'Topic', { namePrefix: 'secret-rotation-alarms-', kmsMasterKeyId: props.topicKmsKeyArn });
      // The rule's ARN says the account and region.
      const field = (n: number) => Fn.element(Fn.split(':', this.rule.arn), n);
      const policy = new DataAwsIamPolicyDocument(this, 'TopicPolicyDocument', {
        statement: [
          {
            sid: 'AccountOwnsTopic',
            principals: [{ type: 'AWS', identifiers: [`arn:${field(1)}:iam::${field(4)}:root`] }],
            actions: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Publish', 'sns:DeleteTopic'],
            resources: [this.topic.arn],
          },
          {
            sid: 'RotationFailureRulePublishes',
            principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
            actions: ['sns:Publish'],
            resources: [this.topic.arn],
            condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [this.rule.arn] }],
          },
          {
            sid: 'AlarmsOfThisAccountPublish',
            principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
            actions: ['sns:Publish'],
            resources: [this.topic.arn],
            condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [field(4)] }],
          },
        ],
      });
      new SnsTopicPolicy(this, 'TopicPolicy', { arn: this.topic.arn, policy: policy.json });
    }
    this.topicArn = props.topicArn ?? this.topic!.arn;

    new CloudwatchEventTarget(this, 'FailureTarget', { rule: this.rule.name, arn: this.topicArn });
  }

  /**
   * Raises an alarm on the errors of a rotation function (`functionName`), notifying the topic.
   *
   * @param scope Where the alarm is created, with the id `ErrorsAlarm`: one alarm per scope.
   * @param functionName The Lambda function's name; the alarm is named `<functionName>-errors`.
   */
  watchFunction(scope: Construct, functionName: string): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(scope, 'ErrorsAlarm', {
      alarmName: `${functionName}-errors`,
      alarmDescription: `The secret rotation function ${functionName} failed`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: functionName },
      statistic: 'Sum',
      period: this.periodSeconds,
      evaluationPeriods: 1,
      threshold: this.errorThreshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [this.topicArn],
      okActions: [this.topicArn],
    });
  }
}

const DEFAULT_ID = 'SecretRotationAlarms';
