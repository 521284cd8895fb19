import { TerraformVariable } from 'cdktf';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { RotationSchedule, RotationScheduleProps } from '../../modules';
import { only, synth } from '../support/synth';

const base = { secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf', rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate' };
const schedule = (props: Partial<RotationScheduleProps>) => synth((scope) => new RotationSchedule(scope, 'Schedule', { ...base, ...props }));
const rules = (json: string) => only(json, 'aws_secretsmanager_secret_rotation').rotation_rules;

describe('RotationSchedule', () => {
  it('rotates every 30 days, immediately, by default', () => {
    expect(schedule({})).toHaveResourceWithProperties(SecretsmanagerSecretRotation, {
      secret_id: base.secretId,
      rotation_lambda_arn: base.rotationLambdaArn,
      rotate_immediately: true,
      rotation_rules: { automatically_after_days: 30 },
    });
  });

  it('takes a number of days, a window and rotateImmediately false', () => {
    const json = schedule({ automaticallyAfterDays: 7, duration: '3h', rotateImmediately: false });
    expect(rules(json)).toEqual({ automatically_after_days: 7, duration: '3h' });
    expect(only(json, 'aws_secretsmanager_secret_rotation').rotate_immediately).toBe(false);
  });

  it.each(['rate(4 hours)', 'rate(10 days)', 'rate(1 day)', 'cron(0 4 ? * SUN *)', 'cron(0 */6 * * ? *)'])('takes the schedule expression %s', (expression) => {
    expect(rules(schedule({ scheduleExpression: expression }))).toEqual({ schedule_expression: expression });
  });

  it('passes tokens through unchecked', () => {
    const json = synth((scope) => {
      const days = new TerraformVariable(scope, 'days', { type: 'number' });
      new RotationSchedule(scope, 'Schedule', { ...base, automaticallyAfterDays: days.numberValue });
    });
    expect(rules(json)).toEqual({ automatically_after_days: '${var.days}' });
  });

  it.each([0, 1001, 2.5, -3])('fails when automaticallyAfterDays is %s', (days) => {
    expect(() => schedule({ automaticallyAfterDays: days })).toThrow(`automaticallyAfterDays must be a whole number from 1 to 1000, got ${days}`);
  });

  it('fails when both automaticallyAfterDays and scheduleExpression are given', () => {
    expect(() => schedule({ automaticallyAfterDays: 7, scheduleExpression: 'rate(7 days)' })).toThrow(
      'give automaticallyAfterDays or scheduleExpression, not both (got 7 and "rate(7 days)")',
    );
  });

  it.each(['rate(3 hours)', 'rate(1001 days)', 'rate(0 days)'])('fails when the rate %s is out of range', (expression) => {
    expect(() => schedule({ scheduleExpression: expression })).toThrow(`scheduleExpression "${expression}" is out of range`);
  });

  it.each(['every day', 'rate(5 minutes)', 'cron(0 4 * *)', 'rate(2 weeks)'])('fails when the schedule expression is %j', (expression) => {
    expect(() => schedule({ scheduleExpression: expression })).toThrow(`scheduleExpression must be rate(N hours), rate(N days) or cron(`);
  });

  it.each(['0h', '25h', '3', '2 hours'])('fails when duration is %j', (duration) => {
    expect(() => schedule({ duration })).toThrow(`duration must be a whole number of hours from 1h to 24h, got "${duration}"`);
  });

  it('fails when the window runs into the next rotation', () => {
    expect(() => schedule({ scheduleExpression: 'rate(4 hours)', duration: '5h' })).toThrow('duration "5h" runs into the next rotation window of "rate(4 hours)"');
    expect(() => schedule({ scheduleExpression: 'cron(0 1,7 * * ? *)', duration: '7h' })).toThrow(
      'duration "7h" runs into the next rotation window of "cron(0 1,7 * * ? *)", which opens one every 6 hours; make it no longer than that',
    );
    // As long as the interval is allowed (AWS: less than or equal to the hours between rotations).
    expect(() => schedule({ scheduleExpression: 'rate(4 hours)', duration: '4h' })).not.toThrow();
    expect(() => schedule({ scheduleExpression: 'cron(0 1,7 * * ? *)', duration: '6h' })).not.toThrow();
  });

  it.each([
    ['cron(0 23 ? * SAT *)', '2h', '23:00'],
    ['cron(0 */6 * * ? *)', '7h', '18:00'],
    ['cron(0 2-21 ? * MON *)', '4h', '21:00'],
  ])('fails when the window that %s opens runs past midnight UTC with duration %s', (scheduleExpression, duration, start) => {
    expect(() => schedule({ scheduleExpression, duration })).toThrow(
      `duration "${duration}" from ${start} UTC, when "${scheduleExpression}" opens a window, runs past midnight UTC, which Secrets Manager refuses; start earlier or shorten the window`,
    );
  });

  it.each([
    ['cron(0 20 ? * SAT *)', '4h'],
    ['cron(0 */6 * * ? *)', '5h'],
    ['cron(0 L * * ? *)', '24h'],
  ])('accepts the window that %s opens with duration %s (one it cannot read is left to Secrets Manager)', (scheduleExpression, duration) => {
    expect(() => schedule({ scheduleExpression, duration })).not.toThrow();
  });
});
