import { RotationModel, SecretModel, StackModel, SynthModel } from '../synth/model';
import { compare } from '../synth/terraform-json';
import { describeSchedule } from './describe';
import { diffPlans } from './diff-plan';
import { PLAN_SCHEMA_VERSION, PlanFunction, PlanJson, PlanRotation, PlanSecret } from './plan-json';

/** The plan of one synthesized app, and with `base`, what changes from it. */
export function buildPlan(head: SynthModel, base?: SynthModel): PlanJson {
  const plan = planOf(head);
  if (!base) return plan;
  const changes = diffPlans(planOf(base), plan);
  return { ...plan, summary: { ...plan.summary, changes: changes.length }, changes };
}

function planOf(model: SynthModel): PlanJson {
  const secrets = model.stacks.flatMap((stack) => stack.secrets.map((secret) => planSecret(stack, secret)));
  const functions = model.stacks.flatMap(planFunctions);
  const rotating = { function: 0, hosted: 0, service: 0, external: 0 };
  for (const secret of secrets) if (secret.rotation) rotating[secret.rotation.kind]++;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    summary: { stacks: model.stacks.length, secrets: secrets.length, rotating, notRotating: secrets.filter((s) => !s.rotation).length },
    stacks: model.stacks.map((s) => s.name).sort(compare),
    secrets: secrets.sort(byStackAndAddress),
    functions: functions.sort(byStackAndAddress),
  };
}

function planSecret(stack: StackModel, secret: SecretModel): PlanSecret {
  const fn = secret.rotation?.functionAddress ? stack.functions.find((f) => f.address === secret.rotation?.functionAddress) : undefined;
  const kmsKey = secret.kmsKey;
  return {
    stack: stack.name,
    address: secret.address,
    name: secret.name,
    constructPath: secret.constructPath,
    owner: secret.owner,
    kmsKey:
      kmsKey.kind === 'stack'
        ? { kind: 'stack', address: kmsKey.address, keyRotation: kmsKey.keyRotation }
        : kmsKey.kind === 'external'
          ? { kind: 'external', arn: kmsKey.arn }
          : { kind: 'aws-managed' },
    rotation: secret.rotation && planRotation(secret.rotation),
    alarms: {
      // A rule with no target pages no one: it is not an alarm.
      failureRules: stack.failureRules.filter((rule) => rule.hasTarget).map((rule) => rule.address),
      errorsAlarm: fn?.errorsAlarm ?? secret.rotation?.errorsAlarm,
    },
  };
}

function planRotation(rotation: RotationModel): PlanRotation {
  const { schedule } = rotation;
  return {
    kind: rotation.kind,
    address: rotation.address,
    schedule: {
      description: describeSchedule(schedule, rotation.serviceDefault),
      automaticallyAfterDays: schedule.automaticallyAfterDays,
      scheduleExpression: schedule.scheduleExpression,
      duration: schedule.duration,
      maxIntervalDays: schedule.maxIntervalDays,
    },
    rotateImmediately: rotation.rotateImmediately,
    functionAddress: rotation.functionAddress,
    hosted: rotation.hosted && {
      applicationId: rotation.hosted.applicationId,
      application: rotation.hosted.applicationId.split('/').pop() ?? rotation.hosted.applicationId,
      semanticVersion: rotation.hosted.semanticVersion,
      inVpc: rotation.hosted.inVpc,
    },
    lambdaArn: rotation.lambdaArn,
    serviceDefault: rotation.serviceDefault,
  };
}

/** The functions of a stack that rotate at least one of its secrets. */
function planFunctions(stack: StackModel): PlanFunction[] {
  return stack.functions.flatMap((fn): PlanFunction[] => {
    const secrets = stack.secrets.filter((s) => s.rotation?.functionAddress === fn.address).map((s) => s.address);
    if (secrets.length === 0) return [];
    // Field by field, so that a field added to the model does not change the JSON contract by accident.
    // Fields left undefined are dropped when the JSON is written (stableJson).
    return [
      {
        stack: stack.name,
        address: fn.address,
        functionName: fn.functionName,
        handler: fn.handler,
        customEntry: fn.customEntry,
        codeHash: fn.codeHash,
        runtime: fn.runtime,
        inVpc: fn.inVpc,
        errorsAlarm: fn.errorsAlarm,
        permissions: fn.permissions.map((p) => ({
          sid: p.sid,
          effect: p.effect,
          actions: [...p.actions],
          resources: [...p.resources],
          conditions: [...p.conditions],
          notActions: p.notActions && [...p.notActions],
          notResources: p.notResources && [...p.notResources],
        })),
        unreadablePolicies: fn.unreadablePolicies?.map(({ address, reason, digest }) => ({ address, reason, digest })),
        managedPolicies: [...fn.managedPolicies],
        environment: [...fn.environment],
        secrets,
      },
    ];
  });
}

export const byStackAndAddress = (a: { stack: string; address: string }, b: { stack: string; address: string }) => compare(a.stack, b.stack) || compare(a.address, b.address);
