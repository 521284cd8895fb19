import type { RotationFunctionModel, RotationModel, SecretModel, StackModel } from '../synth/model';

/** How serious a finding is; the names and order are SARIF's `level`s. */
export type Level = 'error' | 'warning' | 'note';
export const LEVELS: readonly Level[] = ['error', 'warning', 'note'];

/** What the rules may be tuned with (the rules file; see config.ts). */
export interface RuleSettings {
  /** The longest time allowed between two rotations, in days (SR002). */
  readonly maxRotationDays: number;
  /** Actions that may be allowed on every resource ("*") besides secretsmanager:GetRandomPassword (SR005). */
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
    summary: 'rotation functions are allowed nothing on every resource ("*") but GetRandomPassword',
    description:
      'An Allow statement of a rotation function\'s role policies has the resource "*" (or a NotResource) with an action other than secretsmanager:GetRandomPassword and the actions of allowWildcardActions ' +
      `(default: ${DEFAULT_WILDCARD_ACTIONS.join(', ')}, which have no resource-level permissions and which Lambda needs in a VPC). ` +
      'Attached managed policies are not inspected.',
    fix: 'Name the resources (the secrets\' ARNs, or an ARN pattern with a tag condition) instead of "*"; list actions that IAM only accepts on "*" in allowWildcardActions.',
    evaluate: (stack, settings) => {
      const allowed = new Set([RANDOM_PASSWORD_ACTION, ...settings.allowWildcardActions].map((action) => action.toLowerCase()));
      return stack.functions.flatMap((fn) => {
        // NotResource allows every resource but a few, NotAction every action but a few: as wide as "*".
        const wide = fn.permissions
          .filter((statement) => statement.effect === 'Allow' && (statement.resources.includes('*') || statement.notResources !== undefined))
          .flatMap((statement) => {
            const actions = statement.actions.filter((action) => !allowed.has(action.toLowerCase()));
            if (statement.notActions) actions.push(`every action but ${statement.notActions.join(', ')}`);
            const where = [statement.sid && `statement ${statement.sid}`, statement.notResources && `NotResource ${statement.notResources.join(', ')}`].filter(Boolean);
            return actions.map((action) => (where.length > 0 ? `${action} (${where.join(', ')})` : action));
          });
        if (wide.length === 0) return [];
        return [{ address: fn.address, message: `the role of rotation function ${fn.functionName ?? fn.address} allows ${wide.join(', ')} on every resource` }];
      });
    },
  },
  {
    id: 'SR006',
    name: 'failure-alarms',
    level: 'warning',
    summary: 'rotation failures and rotation function errors raise an alarm',
    description:
      'A rotating secret whose stack has no EventBridge rule, with a target, on Secrets Manager\'s RotationFailed event; or a rotation function of the stack without a CloudWatch alarm on its Errors metric. ' +
      'Either way a failed rotation goes unnoticed until the old credential stops working.',
    fix: 'Keep RotationFunction\'s default alarms (or pass `alarms: new RotationAlarms(...)`); for hosted and service rotation, add a RotationAlarms to the stack.',
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
      return [...unwatchedSecrets, ...unwatchedFunctions];
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
      'A secret value (a secret_string, a password, a sensitive variable\'s default…) is written literally in cdk.tf.json, and so in every plan, state file and copy of the repository that holds it.',
    fix: 'Pass the value through an ephemeral, sensitive variable into a write-only attribute (secret_string_wo), or let the service own the password; then change the value, which has leaked.',
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
];

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
