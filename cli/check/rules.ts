import type { PermissionModel, RotationFunctionModel, RotationModel, SecretModel, StackModel } from '../synth/model';
import { interpolations, readableArn } from '../synth/terraform-json';

/** How serious a finding is; the names and order are SARIF's `level`s. */
export type Level = 'error' | 'warning' | 'note';
export const LEVELS: readonly Level[] = ['error', 'warning', 'note'];

/** What the rules may be tuned with (the rules file; see config.ts). */
export interface RuleSettings {
  /** The longest time allowed between two rotations, in days (SR002). */
  readonly maxRotationDays: number;
  /** Actions that may be allowed on every resource ("*", or an ARN pattern SR005 counts as wide) besides secretsmanager:GetRandomPassword. */
  readonly allowWildcardActions: readonly string[];
}

/** One failure of a rule, at one Terraform address of one stack. */
export interface RuleHit {
  readonly address: string;
  readonly message: string;
}

export interface Rule {
  /** Stable id: pipelines, rules files and code scanning alerts refer to it. Never reused. */
  readonly id: string;
  /** Stable kebab-case name. */
  readonly name: string;
  readonly level: Level;
  /** What the rule requires, in one line (--help, SARIF shortDescription). */
  readonly summary: string;
  /** Why it matters and exactly what it looks at (SARIF fullDescription). */
  readonly description: string;
  /** What to do about a finding, in one line. */
  readonly fix: string;
  /** The rule's failures in one stack, at most one per address. */
  evaluate(stack: StackModel, settings: RuleSettings): RuleHit[];
}

/** Always allowed on "*": it acts on no resource, so IAM accepts nothing else. */
export const RANDOM_PASSWORD_ACTION = 'secretsmanager:GetRandomPassword';

/**
 * The default of `allowWildcardActions`: EC2 actions without resource-level
 * permissions (IAM only accepts "*" for them) that Lambda needs to run a
 * function in a VPC, as AWS's AWSLambdaVPCAccessExecutionRole grants them.
 */
export const DEFAULT_WILDCARD_ACTIONS: readonly string[] = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
];

/** A policy of this stack attached by reference: its statements are read into `permissions`. */
const STACK_POLICY = /^\$\{aws_iam_policy\.[A-Za-z_][\w-]*\.(?:arn|id)\}$/;

/** What SR005 takes as narrowing a wildcard ARN; said in the rule's description. */
const NARROWING_CONDITIONS =
  'A condition narrows when its key is a resource tag (aws:ResourceTag/…, or a service\'s own such as secretsmanager:ResourceTag/…), kms:ViaService, ec2:Subnet or ec2:Vpc, ' +
  'and its operator is a positive match (StringEquals, StringLike, ArnEquals, ArnLike…, optionally ForAnyValue:/ForAllValues:), not a Not… operator, Null or …IfExists, which a request without the key passes.';

const NARROWING_KEY = /^(?:[a-z0-9-]+:ResourceTag\/.+|kms:ViaService|ec2:Subnet|ec2:Vpc)$/i;

/** Whether one of a statement's conditions (`test variable values…`) ties it to tagged or named resources. */
function narrowed(statement: PermissionModel): boolean {
  return statement.conditions.some((condition) => {
    const [test = '', variable = ''] = condition.split(' ');
    const operator = test.replace(/^For(?:Any|All)Values:/i, '');
    return NARROWING_KEY.test(variable) && !/Not|^Null$|IfExists$/i.test(operator);
  });
}

/**
 * Whether an ARN matches resources in every region or account, or every
 * resource of its type: a wildcard (* or ?) in the region or account, or at
 * the start of the resource id (`secret:*`, `key/*`, `*`). Interpolations
 * (`${…}`, the stack's own partition, region and account) are not wildcards.
 */
export function wildcardArn(resource: string): boolean {
  const masked = interpolations(resource).reduce((text, expression) => text.replace(`\${${expression}}`, '{expression}'), resource);
  const parts = masked.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return false;
  const [, , service, region, account] = parts;
  const id = parts.slice(5).join(':');
  // The resource id follows its type (`secret:<id>`, `key/<id>`), except in S3, where `bucket/key` names a bucket first.
  const separator = service === 's3' ? null : /[:/]/.exec(id);
  const name = separator ? id.slice(separator.index + 1) : id;
  return /[*?]/.test(region) || /[*?]/.test(account) || /^[*?]/.test(id) || /^[*?]/.test(name);
}

/** The handlers that log in to a database, and so must run where the database is. */
const DATABASE_HANDLER = /^(postgres|mysql|redshift)-(single|multi)-user$/;

const describeSecret = (secret: SecretModel) => (secret.name !== undefined ? `secret "${secret.name}"` : `secret ${secret.address}`);

function describeSchedule(rotation: RotationModel): string {
  const { automaticallyAfterDays: days, scheduleExpression: expression } = rotation.schedule;
  if (expression !== undefined) return `schedule ${JSON.stringify(expression)}`;
  return days !== undefined ? `schedule "every ${days} days"` : 'schedule (none given)';
}

/** The secrets of the stack that have a rotation, with it. */
const rotating = (stack: StackModel) =>
  stack.secrets.flatMap((secret) => (secret.rotation ? [{ secret, rotation: secret.rotation }] : []));

/** The Lambda functions of the stack that rotate its secrets. */
function rotationFunctions(stack: StackModel): RotationFunctionModel[] {
  const addresses = new Set(rotating(stack).flatMap(({ rotation }) => (rotation.kind === 'function' && rotation.functionAddress ? [rotation.functionAddress] : [])));
  return stack.functions.filter((fn) => addresses.has(fn.address));
}

export const RULES: readonly Rule[] = [
  {
    id: 'SR001',
    name: 'secret-rotates',
    level: 'error',
    summary: 'every secret rotates',
    description:
      'A secret of the stack (aws_secretsmanager_secret) has no aws_secretsmanager_secret_rotation: its value never changes, so a leaked copy stays valid. ' +
      'Secrets owned by a service (RDS, Redshift or DocumentDB managing a master password) are rotated by the service by default and pass.',
    fix: 'Give the secret a rotation (RotatedSecret `rotation: { function }` or `{ hosted }`); for a database master password, let the service own it (ManagedMasterPassword).',
    evaluate: (stack) =>
      stack.secrets
        .filter((secret) => secret.owner === 'stack' && !secret.rotation)
        .map((secret) => ({ address: secret.address, message: `${describeSecret(secret)} does not rotate` })),
  },
  {
    id: 'SR002',
    name: 'rotation-interval',
    level: 'error',
    summary: 'rotation at least every maxRotationDays days (default 90)',
    description:
      'The longest time that the rotation schedule allows between two rotations exceeds maxRotationDays (90 by default, what PCI DSS and most auditors expect). ' +
      'It is worked out from automatically_after_days, rate(…) and cron(…) expressions.',
    fix: 'Rotate more often (automaticallyAfterDays, or scheduleExpression such as "rate(30 days)"), or raise maxRotationDays in the rules file if your policy allows it.',
    evaluate: (stack, settings) =>
      rotating(stack).flatMap(({ secret, rotation }) => {
        const days = rotation.schedule.maxIntervalDays;
        if (days === undefined || days <= settings.maxRotationDays) return [];
        return [
          {
            address: rotation.address,
            message: `${describeSecret(secret)} may go ${days} days between rotations (${describeSchedule(rotation)}), more than the maximum of ${settings.maxRotationDays}`,
          },
        ];
      }),
  },
  {
    id: 'SR003',
    name: 'rotation-interval-known',
    level: 'warning',
    summary: 'the rotation schedule has an interval that check can work out',
    description:
      'check cannot tell how long the schedule may go between two rotations (a cron expression with a year field or only on days that some months lack, an expression computed at apply time), so it cannot hold it to maxRotationDays (SR002).',
    fix: 'Use automaticallyAfterDays, "rate(N days)" or a cron expression without a year field; or turn SR003 off in the rules file for schedules you have checked yourself.',
    evaluate: (stack) =>
      rotating(stack)
        .filter(({ rotation }) => rotation.schedule.maxIntervalDays === undefined)
        .map(({ secret, rotation }) => ({
          address: rotation.address,
          message: `the longest time between rotations of ${describeSecret(secret)} cannot be worked out from its ${describeSchedule(rotation)}`,
        })),
  },
  {
    id: 'SR004',
    name: 'customer-managed-key',
    level: 'warning',
    summary: 'every secret is encrypted with a customer managed KMS key',
    description:
      'The secret sets no kms_key_id, so Secrets Manager encrypts it with the AWS managed key aws/secretsmanager, whose key policy you cannot narrow, and which other accounts can never be granted.',
    fix: 'Encrypt the secret with a customer managed key: leave RotatedSecret `kmsKeyArn` unset for a key made for it, or pass your key (kmsKeyArn, or the database\'s master_user_secret_kms_key_id).',
    evaluate: (stack) =>
      stack.secrets
        .filter((secret) => secret.kmsKey.kind === 'aws-managed')
        .map((secret) => ({ address: secret.address, message: `${describeSecret(secret)} is encrypted with the AWS managed key aws/secretsmanager` })),
  },
  {
    id: 'SR005',
    name: 'no-wildcard-resource',
    level: 'error',
    summary: 'rotation functions are allowed nothing on every resource ("*") but GetRandomPassword, and their policies can be read',
    description:
      'An Allow statement of a rotation function\'s role policies allows an action other than secretsmanager:GetRandomPassword and the actions of allowWildcardActions ' +
      `(default: ${DEFAULT_WILDCARD_ACTIONS.join(', ')}, which have no resource-level permissions and which Lambda needs in a VPC) on a resource that is too wide: ` +
      '"*" or a NotResource, whatever its conditions; or, with no narrowing condition, an ARN with a wildcard in its region, its account or at the start of its resource id ' +
      '(arn:aws:secretsmanager:*:*:secret:*, arn:${…}:secretsmanager:${…}:${…}:secret:*, arn:aws:kms:eu-west-1:111122223333:key/*). ' +
      `${NARROWING_CONDITIONS} ` +
      'It also fails when a policy of the role cannot be read (written as an expression such as ${jsonencode(…)}, a reference the reader cannot follow, or text that is not JSON): ' +
      'what it allows cannot be checked. Attached managed policies are SR010\'s.',
    fix: 'Name the resources (the secrets\' ARNs, or an ARN pattern with a tag condition) instead of "*"; list actions that IAM only accepts on "*" in allowWildcardActions; write policies with aws_iam_policy_document or as literal JSON.',
    evaluate: (stack, settings) => {
      const allowed = new Set([RANDOM_PASSWORD_ACTION, ...settings.allowWildcardActions].map((action) => action.toLowerCase()));
      return stack.functions.flatMap((fn) => {
        const name = fn.functionName ?? fn.address;
        const everywhere: string[] = [];
        const patterns: string[] = [];
        for (const statement of fn.permissions.filter((s) => s.effect === 'Allow')) {
          // NotResource allows every resource but a few, NotAction every action but a few: as wide as "*".
          const onEverything = statement.resources.includes('*') || statement.notResources !== undefined;
          const wildcards = onEverything || narrowed(statement) ? [] : statement.resources.filter(wildcardArn);
          if (!onEverything && wildcards.length === 0) continue;
          const actions = statement.actions.filter((action) => !allowed.has(action.toLowerCase()));
          if (statement.notActions) actions.push(`every action but ${statement.notActions.join(', ')}`);
          if (actions.length === 0) continue;
          if (onEverything) {
            const where = [statement.sid && `statement ${statement.sid}`, statement.notResources && `NotResource ${statement.notResources.join(', ')}`].filter(Boolean);
            everywhere.push(...actions.map((action) => (where.length > 0 ? `${action} (${where.join(', ')})` : action)));
          } else {
            const sid = statement.sid ? ` (statement ${statement.sid})` : '';
            patterns.push(`${actions.join(', ')}${sid} on ${wildcards.map(readableArn).join(', ')}, a wildcard that no condition narrows`);
          }
        }
        const wide = [...(everywhere.length > 0 ? [`${everywhere.join(', ')} on every resource`] : []), ...patterns];
        const messages = [
          ...(wide.length > 0 ? [`the role of rotation function ${name} allows ${wide.join('; ')}`] : []),
          ...(fn.unreadablePolicies ?? []).map(
            (policy) =>
              `the policy ${policy.address} of the role of rotation function ${name} could not be read (${policy.reason}), so it cannot be checked; ` +
              'write it with aws_iam_policy_document or as literal JSON',
          ),
        ];
        return messages.length > 0 ? [{ address: fn.address, message: messages.join('; ') }] : [];
      });
    },
  },
  {
    id: 'SR006',
    name: 'failure-alarms',
    level: 'warning',
    summary: 'rotation failures and rotation function errors raise an alarm',
    description:
      'A rotating secret whose stack has no EventBridge rule, with a target, on Secrets Manager\'s RotationFailed event; or a rotation function of the stack, or the function of a hosted rotation, without a CloudWatch alarm on its Errors metric. ' +
      'Either way a failed rotation goes unnoticed until the old credential stops working.',
    fix: 'Keep the default alarms of RotationFunction, HostedRotation and ManagedMasterPassword (or pass `alarms: new RotationAlarms(...)`); for a rotation wired by hand, add a RotationAlarms to the stack.',
    evaluate: (stack) => {
      const caught = stack.failureRules.some((rule) => rule.hasTarget && rule.eventNames.includes('RotationFailed'));
      const unwatchedSecrets = caught
        ? []
        : rotating(stack).map(({ secret, rotation }) => ({
            address: rotation.address,
            message: `${describeSecret(secret)} rotates, but no EventBridge rule with a target in stack ${stack.name} catches its RotationFailed events`,
          }));
      const unwatchedFunctions = rotationFunctions(stack)
        .filter((fn) => fn.errorsAlarm === undefined)
        .map((fn) => ({ address: fn.address, message: `rotation function ${fn.functionName ?? fn.address} has no CloudWatch alarm on its Errors metric` }));
      const unwatchedHosted = rotating(stack)
        .filter(({ rotation }) => rotation.kind === 'hosted' && rotation.hosted && rotation.errorsAlarm === undefined)
        .map(({ rotation }) => ({
          address: rotation.hosted!.address,
          message: `the hosted rotation ${rotation.hosted!.applicationId.split('/').pop()} (${rotation.hosted!.address}) has no CloudWatch alarm on its function's Errors metric`,
        }));
      return [...unwatchedSecrets, ...unwatchedFunctions, ...unwatchedHosted];
    },
  },
  {
    id: 'SR007',
    name: 'rotation-in-vpc',
    level: 'error',
    summary: 'rotation runs in a VPC when the stack\'s database is in one',
    description:
      'The stack declares a database placed in a VPC, but a function that rotates a database credential (a database handler of this library, or AWS\'s hosted rotation) runs outside any VPC, where it cannot reach the database. ' +
      'Functions of other handlers (http-api-key, your own) are not held to it.',
    fix: 'Place the rotation in the database\'s VPC: RotationFunction `vpc: { subnetIds, securityGroupIds }` (HostedRotation takes the same `vpc`), with a route or an endpoint to Secrets Manager.',
    evaluate: (stack) => {
      const database = stack.databases.find((db) => db.inVpc);
      if (!database) return [];
      const outside = new Map<string, string>();
      for (const { rotation } of rotating(stack)) {
        if (rotation.kind === 'hosted' && rotation.hosted && !rotation.hosted.inVpc) {
          outside.set(rotation.hosted.address, `the hosted rotation ${rotation.hosted.applicationId.split('/').pop()} (${rotation.hosted.address})`);
        }
        const fn = rotation.kind === 'function' ? stack.functions.find((f) => f.address === rotation.functionAddress) : undefined;
        if (fn && DATABASE_HANDLER.test(fn.handler ?? '') && !fn.inVpc) outside.set(fn.address, `rotation function ${fn.functionName ?? fn.address} (${fn.handler})`);
      }
      return [...outside].map(([address, what]) => ({ address, message: `${what} runs outside any VPC, but the database ${database.address} is in one` }));
    },
  },
  {
    id: 'SR008',
    name: 'no-secret-value',
    level: 'error',
    summary: 'no secret value is written in the synthesized JSON',
    description:
      'A secret value is written literally in cdk.tf.json, and so in every plan, state file and copy of the repository that holds it: ' +
      'a secret version\'s secret_string or secret_binary (an expression there still lands in state); a literal in any write-only attribute (secret_string_wo, password_wo, master_password_wo…), ' +
      'which keeps a value out of state but not out of the JSON; a literal database password; a default of a variable that is sensitive or whose name looks it ' +
      '(password, secret, token, key; not …_id, …_arn, …_name); a literal value of a Lambda environment variable whose name looks sensitive ' +
      '(password, secret, token, key, credential; not …_ARN, …_ID, …_NAME, …_HOSTS, nor the settings of this library\'s handlers).',
    fix: 'Pass the value through an ephemeral, sensitive variable into a write-only attribute (secret_string_wo), give a function the secret\'s ARN rather than its value, or let the service own the password; then change the value, which has leaked.',
    evaluate: (stack) => {
      const byAddress = new Map<string, string[]>();
      for (const exposed of stack.exposedValues) {
        byAddress.set(exposed.address, [...(byAddress.get(exposed.address) ?? []), `${exposed.attribute}: ${exposed.reason}`]);
      }
      return [...byAddress].map(([address, reasons]) => ({ address, message: `${address} writes a secret value into the JSON (${reasons.join('; ')})` }));
    },
  },
  {
    id: 'SR009',
    name: 'block-public-policy',
    level: 'note',
    summary: 'secret resource policies block public access',
    description: 'The secret has a resource policy (aws_secretsmanager_secret_policy) that does not set block_public_policy, so a later edit could open the secret to other accounts.',
    fix: 'Set block_public_policy = true (RotatedSecret `blockPublicPolicy`, true by default).',
    evaluate: (stack) =>
      stack.secrets.flatMap((secret) =>
        secret.resourcePolicy && !secret.resourcePolicy.blockPublicPolicy
          ? [{ address: secret.resourcePolicy.address, message: `the resource policy of ${describeSecret(secret)} does not set block_public_policy` }]
          : [],
      ),
  },
  {
    id: 'SR010',
    name: 'no-managed-policy',
    level: 'warning',
    summary: 'rotation functions\' roles have no attached managed policy, which check cannot read',
    description:
      'A managed policy is attached to the role of a function that rotates a secret (aws_iam_role_policy_attachment, managed_policy_arns): an AWS managed policy or one from outside the stack, ' +
      'whose statements are not in the JSON, so SR005 cannot hold them to its rules, and a change to what they allow never shows in a plan. ' +
      'A policy of this stack attached by reference (${aws_iam_policy.<id>.arn}) is read, and checked by SR005, instead.',
    fix: 'Grant what the function needs inline (RotationFunction already grants rotation\'s permissions; add statements with an aws_iam_policy_document); or turn SR010 off in the rules file for managed policies you have reviewed.',
    evaluate: (stack) =>
      rotationFunctions(stack).flatMap((fn) => {
        const opaque = fn.managedPolicies.filter((arn) => !STACK_POLICY.test(arn));
        if (opaque.length === 0) return [];
        return [{ address: fn.address, message: `the role of rotation function ${fn.functionName ?? fn.address} has managed policies attached that check cannot read: ${opaque.join(', ')}` }];
      }),
  },
];

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
