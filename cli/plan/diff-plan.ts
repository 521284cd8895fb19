import { compare } from '../synth/terraform-json';
import { describeFunction, describeKmsKey, describeRotation, describeRotator, grantsOf, shortHash, unreadableGrant } from './describe';
import { PlanChange, PlanChangeKind, PlanFunction, PlanJson, PlanSecret } from './plan-json';

type Content = Pick<PlanJson, 'secrets' | 'functions'>;

const key = (item: { stack: string; address: string }) => `${item.stack}\u0000${item.address}`;
const label = (secret: PlanSecret) => secret.name ?? secret.address;

/**
 * What a pull request changes in rotation, from the base's plan to the
 * head's. Secrets and functions are matched by stack and Terraform address:
 * a renamed construct reads as one secret removed and another added, which
 * is what Terraform will do too.
 */
export function diffPlans(base: Content, head: Content): PlanChange[] {
  const changes: PlanChange[] = [];
  const baseSecrets = new Map(base.secrets.map((s) => [key(s), s]));
  const headSecrets = new Map(head.secrets.map((s) => [key(s), s]));
  const fnOf = (content: Content, secret: PlanSecret) =>
    secret.rotation?.functionAddress ? content.functions.find((f) => f.stack === secret.stack && f.address === secret.rotation?.functionAddress) : undefined;

  for (const [id, after] of headSecrets) {
    const before = baseSecrets.get(id);
    const change = (kind: PlanChangeKind, was?: string, is?: string): void => {
      changes.push({ kind, stack: after.stack, address: after.address, secrets: [label(after)], ...(was !== undefined ? { before: was } : {}), ...(is !== undefined ? { after: is } : {}) });
    };
    if (!before) {
      change('secret-added', undefined, describeRotation(after.rotation, fnOf(head, after)));
      continue;
    }
    diffSecret(before, after, fnOf(base, before), fnOf(head, after), change);
  }
  for (const [id, before] of baseSecrets) {
    if (!headSecrets.has(id)) {
      changes.push({ kind: 'secret-removed', stack: before.stack, address: before.address, secrets: [label(before)], before: describeRotation(before.rotation, fnOf(base, before)) });
    }
  }

  const baseFunctions = new Map(base.functions.map((f) => [key(f), f]));
  for (const after of head.functions) {
    const before = baseFunctions.get(key(after));
    if (before) changes.push(...diffFunction(before, after, head.secrets));
  }
  return changes.sort((a, b) => compare(a.stack, b.stack) || compare(a.address, b.address) || compare(a.kind, b.kind));
}

function diffSecret(
  before: PlanSecret,
  after: PlanSecret,
  beforeFn: PlanFunction | undefined,
  afterFn: PlanFunction | undefined,
  change: (kind: PlanChangeKind, was?: string, is?: string) => void,
): void {
  const was = before.rotation;
  const is = after.rotation;
  if (!was && is) change('rotation-turned-on', undefined, describeRotation(is, afterFn));
  if (was && !is) change('rotation-turned-off', describeRotation(was, beforeFn), undefined);
  if (was && is) {
    // Who rotates, not how the function's code reads: that is handler-code-changed.
    const identity = (r: typeof was) => JSON.stringify([r.kind, r.functionAddress, r.hosted, r.lambdaArn]);
    if (identity(was) !== identity(is)) change('rotator-changed', describeRotator(was, beforeFn), describeRotator(is, afterFn));
    const schedule = (r: typeof was) => `${r.schedule.description}${r.schedule.duration ? `, window ${r.schedule.duration}` : ''}`;
    if (schedule(was) !== schedule(is)) change('schedule-changed', schedule(was), schedule(is));
    if (was.rotateImmediately !== is.rotateImmediately) {
      const words = (now: boolean) => (now ? 'rotates as soon as it is deployed' : 'waits for the schedule');
      change('rotate-immediately-changed', words(was.rotateImmediately), words(is.rotateImmediately));
    }
  }
  const [keyWas, keyIs] = [describeKmsKey(before.kmsKey), describeKmsKey(after.kmsKey)];
  if (keyWas !== keyIs) change('kms-key-changed', keyWas, keyIs);

  // With no rotation on one side, its function's errors alarm comes or goes with it: that is said already.
  const withErrorsAlarm = Boolean(was && is);
  const alarms = (secret: PlanSecret) => [
    ...secret.alarms.failureRules.map((r) => `failure rule ${r}`),
    ...(secret.alarms.errorsAlarm && withErrorsAlarm ? [`errors alarm ${secret.alarms.errorsAlarm}`] : []),
  ];
  const [alarmsWas, alarmsIs] = [alarms(before), alarms(after)];
  for (const alarm of alarmsIs.filter((a) => !alarmsWas.includes(a))) change('alarm-added', undefined, alarm);
  for (const alarm of alarmsWas.filter((a) => !alarmsIs.includes(a))) change('alarm-removed', alarm, undefined);
}

/** Code and permissions of a function in both: changes that concern every secret it rotates. */
function diffFunction(before: PlanFunction, after: PlanFunction, headSecrets: readonly PlanSecret[]): PlanChange[] {
  const secrets = after.secrets.map((address) => {
    const secret = headSecrets.find((s) => s.stack === after.stack && s.address === address);
    return secret ? label(secret) : address;
  });
  const base = { stack: after.stack, address: after.address, secrets };
  const changes: PlanChange[] = [];
  if (before.codeHash !== after.codeHash || before.handler !== after.handler || before.customEntry !== after.customEntry) {
    const code = (fn: PlanFunction) => `${describeFunction(fn)}, code ${shortHash(fn.codeHash)}`;
    changes.push({ ...base, kind: 'handler-code-changed', before: code(before), after: code(after) });
  }
  const [grantsWas, grantsIs] = [grants(before), grants(after)];
  const added = grantsIs.filter((g) => !grantsWas.includes(g));
  const removed = grantsWas.filter((g) => !grantsIs.includes(g));
  // An Allow gained or a Deny lost widens; an Allow lost or a Deny gained narrows.
  // An unreadable policy that changed in place is reported once, as widened (its new digest): what it allows now is unknown.
  const unreadableInHead = new Set((after.unreadablePolicies ?? []).map((policy) => policy.address));
  const replaced = new Set((before.unreadablePolicies ?? []).filter((policy) => unreadableInHead.has(policy.address)).map(unreadableGrant));
  const widened = [...added.filter((g) => !g.startsWith('Deny ')), ...removed.filter((g) => g.startsWith('Deny '))].sort(compare);
  const narrowed = [...removed.filter((g) => !g.startsWith('Deny ') && !replaced.has(g)), ...added.filter((g) => g.startsWith('Deny '))].sort(compare);
  const count = (fn: PlanFunction) => `${grants(fn).length} grants`;
  if (widened.length > 0) changes.push({ ...base, kind: 'permissions-widened', before: count(before), after: count(after), grants: widened });
  if (narrowed.length > 0) changes.push({ ...base, kind: 'permissions-narrowed', before: count(before), after: count(after), grants: narrowed });
  return changes;
}

/** Every grant of a function's role: statements split per action and resource, managed policies, and policies that cannot be read. */
function grants(fn: PlanFunction): string[] {
  return [
    ...new Set([...fn.permissions.flatMap(grantsOf), ...fn.managedPolicies.map((arn) => `Allow managed policy ${arn}`), ...(fn.unreadablePolicies ?? []).map(unreadableGrant)]),
  ].sort(compare);
}
