import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import type { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { onDemand } from './private/on-demand';
import { checkInteger, InvalidPropError, isKnown, show } from './private/validation';

/** When and how often a secret rotates. */
export interface RotationScheduleOptions {
  /**
   * Days between rotations, 1 to 1000. Secrets Manager counts from the last
   * rotation. Give this or `scheduleExpression`, not both.
   * @default 30, when `scheduleExpression` is not given either
   */
  readonly automaticallyAfterDays?: number;
  /**
   * A `rate()` or `cron()` expression in UTC, e.g. `rate(10 days)`,
   * `rate(12 hours)` (at least 4 hours) or `cron(0 4 ? * SUN *)`.
   * @default - rotation every `automaticallyAfterDays`
   */
  readonly scheduleExpression?: string;
  /**
   * Length of the rotation window, `1h` to `24h`. The window must not run
   * into the next rotation window or the next UTC day.
   * @default - the window ends after one hour for an hourly schedule, at the end of the UTC day otherwise
   */
  readonly duration?: string;
  /**
   * Rotate as soon as the schedule is created or changed. With false, the
   * first rotation happens in the next window.
   * @default true (as Secrets Manager and the AWS provider do)
   */
  readonly rotateImmediately?: boolean;
}

/** Props of a `RotationSchedule`: the secret, the function that rotates it (if any), and when. */
export interface RotationScheduleProps extends RotationScheduleOptions {
  /** ARN or name of the secret. */
  readonly secretId: string;
  /**
   * ARN of the Lambda function that rotates it.
   * @default - none: the secret is managed by another service (e.g. RDS), which rotates it
   */
  readonly rotationLambdaArn?: string;
  /**
   * What must exist before rotation is turned on: typically the function's
   * invoke permission and role policy, so the first rotation can run.
   * @default - no explicit dependencies
   */
  readonly dependsOn?: ITerraformDependable[];
}

const RATE = /^rate\((\d+) (hours?|days?)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;
const DURATION = /^(\d+)h$/;

/**
 * The hours of the day (0 to 23) at which a cron field of hours starts a
 * window: `4`, `1,13`, `2-5`, `*`, `*\/6`, `3/8`, `0-12/4`. Undefined for a
 * field this does not read; then nothing is checked.
 */
function cronHours(field: string): number[] | undefined {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const from = match[1] === '*' ? 0 : Number(match[2]);
    const to = match[1] === '*' ? 23 : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? 23 : from;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (from > 23 || to > 23 || from > to || step < 1) return undefined;
    for (let hour = from; hour <= to; hour += step) hours.add(hour);
  }
  return [...hours].sort((a, b) => a - b);
}

/**
 * Turns on rotation of a secret (`aws_secretsmanager_secret_rotation`): by a
 * Lambda function, or, without `rotationLambdaArn`, by the service that
 * manages the secret.
 */
export class RotationSchedule extends Construct {
  /** The `aws_secretsmanager_secret_rotation`. */
  readonly resource: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: RotationScheduleProps) {
    super(scope, id);
    validateSchedule(props);
    const days = props.scheduleExpression === undefined ? (props.automaticallyAfterDays ?? 30) : undefined;
    this.resource = new onDemand.SecretsmanagerSecretRotation(this, 'Resource', {
      secretId: props.secretId,
      rotationLambdaArn: props.rotationLambdaArn,
      rotateImmediately: props.rotateImmediately ?? true,
      rotationRules: {
        ...(days !== undefined ? { automaticallyAfterDays: days } : {}),
        ...(props.scheduleExpression !== undefined ? { scheduleExpression: props.scheduleExpression } : {}),
        ...(props.duration !== undefined ? { duration: props.duration } : {}),
      },
      dependsOn: props.dependsOn,
    });
  }
}

/** Checks a schedule the way Secrets Manager would, before Terraform ever sees it. Not part of the API: the constructs call it. @internal */
export function validateSchedule(options: RotationScheduleOptions): void {
  const { automaticallyAfterDays: days, scheduleExpression: expression, duration } = options;
  if (days !== undefined && expression !== undefined) {
    throw new InvalidPropError(
      `give automaticallyAfterDays or scheduleExpression, not both (got ${show(days)} and ${show(expression)})`,
    );
  }
  checkInteger('automaticallyAfterDays', days, 1, 1000);
  let intervalHours: number | undefined = isKnown(days) ? days * 24 : undefined;
  if (isKnown(expression)) {
    const rate = RATE.exec(expression);
    if (rate) {
      const n = Number(rate[1]);
      const hours = rate[2].startsWith('hour');
      if (hours ? n < 4 || n > 24_000 : n < 1 || n > 1000) {
        throw new InvalidPropError(
          `scheduleExpression ${show(expression)} is out of range: Secrets Manager rotates at most every 4 hours and at least every 1000 days`,
        );
      }
      intervalHours = hours ? n : n * 24;
    } else if (!CRON.test(expression)) {
      throw new InvalidPropError(
        `scheduleExpression must be rate(N hours), rate(N days) or cron(minutes hours day-of-month month day-of-week year), got ${show(expression)}`,
      );
    }
  }
  if (isKnown(duration)) {
    const match = DURATION.exec(duration);
    const hours = match ? Number(match[1]) : NaN;
    if (!match || hours < 1 || hours > 24) {
      throw new InvalidPropError(`duration must be a whole number of hours from 1h to 24h, got ${show(duration)}`);
    }
    // AWS: a window may be as long as the time between rotations, not longer.
    if (intervalHours !== undefined && hours > intervalHours && intervalHours < 24) {
      throw new InvalidPropError(
        `duration ${show(duration)} runs into the next rotation window of ${show(expression)}; make it no longer than the interval`,
      );
    }
    if (isKnown(expression) && CRON.test(expression)) checkCronWindow(expression, duration, hours);
  }
}

/**
 * Secrets Manager's rule for a window that a cron expression opens: it must
 * end by midnight UTC, and before the next window of the same day opens.
 * Checked where the minutes and hours fields are plain enough to read.
 */
function checkCronWindow(expression: string, duration: string, hours: number): void {
  const [minutesField, hoursField] = expression.slice('cron('.length, -1).split(' ');
  const starts = cronHours(hoursField);
  if (!starts || !/^\d+$/.test(minutesField)) return;
  const minute = Number(minutesField);
  const last = starts[starts.length - 1];
  if (last * 60 + minute + hours * 60 > 24 * 60) {
    const start = `${String(last).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    throw new InvalidPropError(
      `duration ${show(duration)} from ${start} UTC, when ${show(expression)} opens a window, runs past midnight UTC, which Secrets Manager refuses; start earlier or shorten the window`,
    );
  }
  const gap = Math.min(...starts.slice(1).map((hour, i) => hour - starts[i]));
  if (hours > gap) {
    throw new InvalidPropError(
      `duration ${show(duration)} runs into the next rotation window of ${show(expression)}, which opens one every ${gap} hours; make it no longer than that`,
    );
  }
}
