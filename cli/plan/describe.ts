import { PlanFunction, PlanKmsKey, PlanPermission, PlanRotation, PlanSchedule, PlanUnreadablePolicy } from './plan-json';

/** Words for the plan: the same in the JSON's `before`/`after` and in the markdown. Never a secret value: the model holds none. */

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describeSchedule(schedule: Omit<PlanSchedule, 'description'>, serviceDefault = false): string {
  if (schedule.automaticallyAfterDays !== undefined) {
    return `every ${plural(schedule.automaticallyAfterDays, 'day')}${serviceDefault ? " (the service's default)" : ''}`;
  }
  const expression = schedule.scheduleExpression;
  if (expression === undefined) return 'no schedule';
  if (/^rate\(/i.test(expression)) return expression;
  return schedule.maxIntervalDays !== undefined ? `${expression} (at most ${plural(schedule.maxIntervalDays, 'day')} apart)` : `${expression} (interval not bounded)`;
}

/** The first characters of a source_code_hash: enough to tell two builds apart in a review. */
export const shortHash = (hash: string | undefined) => (hash === undefined ? 'unknown' : hash.slice(0, 10));

/** A function as a reviewer knows it: its handler, or its name. */
export function describeFunction(fn: PlanFunction | undefined, address?: string): string {
  if (!fn) return `function ${address ?? 'unknown'}`;
  if (fn.handler === 'custom') return `custom function ${fn.customEntry ?? fn.functionName ?? fn.address}`;
  if (fn.handler) return `${fn.handler} function`;
  return `function ${fn.functionName ?? fn.address}`;
}

/** Who rotates: the identity that `rotator-changed` compares (not the code or schedule). */
export function describeRotator(rotation: PlanRotation, fn: PlanFunction | undefined): string {
  switch (rotation.kind) {
    case 'function':
      return `${describeFunction(fn, rotation.functionAddress)} ${rotation.functionAddress ?? ''}`.trim();
    case 'hosted':
      return `hosted ${rotation.hosted?.application ?? 'application'}${rotation.hosted?.semanticVersion ? ` ${rotation.hosted.semanticVersion}` : ''}${rotation.hosted?.inVpc ? ' in a VPC' : ''}`;
    case 'service':
      return 'the owning service';
    case 'external':
      return `external Lambda ${rotation.lambdaArn ?? ''}`.trim();
  }
}

/** A rotation in one line: who, how often, in what window. */
export function describeRotation(rotation: PlanRotation | undefined, fn: PlanFunction | undefined): string {
  if (!rotation) return 'does not rotate';
  const window = rotation.schedule.duration ? `, window ${rotation.schedule.duration}` : '';
  return `${describeRotator(rotation, fn)}, ${rotation.schedule.description}${window}`;
}

export function describeKmsKey(key: PlanKmsKey): string {
  switch (key.kind) {
    case 'stack':
      return `${key.address} (${key.keyRotation ? 'key rotation on' : 'key rotation off'})`;
    case 'external':
      return `external key ${key.arn}`;
    case 'aws-managed':
      return 'AWS managed key aws/secretsmanager';
  }
}

/**
 * A statement as grants, one per action and resource (with its conditions):
 * the unit that `permissions-widened` and `-narrowed` compare.
 */
export function grantsOf(permission: PlanPermission): string[] {
  const actions = permission.notActions ? [`NotAction ${permission.notActions.join(',')}`] : permission.actions;
  const resources = permission.notResources ? [`NotResource ${permission.notResources.join(',')}`] : permission.resources.length > 0 ? permission.resources : ['(no resource)'];
  const when = permission.conditions.length > 0 ? ` when ${permission.conditions.join('; ')}` : '';
  return actions.flatMap((action) => resources.map((resource) => `${permission.effect} ${action} on ${resource}${when}`));
}

/** An unreadable policy as a grant: what it allows is unknown, so it is compared by where it is and what it says (its digest). */
export const unreadableGrant = (policy: PlanUnreadablePolicy): string => `Unreadable policy ${policy.address} (${policy.reason}, digest ${policy.digest})`;
