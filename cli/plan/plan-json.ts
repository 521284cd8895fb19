/**
 * The JSON that `secret-rotation plan --format json` prints: a contract for
 * pipelines and bots (see the README, "The pipeline tool").
 *
 * Stability: `schemaVersion` changes only when a field is removed, renamed or
 * changes meaning; new optional fields may appear in the same version. Keys
 * are sorted; every array is sorted (secrets and functions by stack, then
 * address; changes by stack, address, then kind), so the same cdktf.out
 * gives the same bytes. Optional fields are left out, never `null`. Values
 * that Terraform computes at apply time stay the expressions they are in
 * cdk.tf.json (`${aws_kms_key.Key_1234.arn}`). No secret value is ever in it.
 *
 * Typed apart from the synth model (cli/synth/model.ts) on purpose, though
 * much of it reads the same: the model grows with what `check` needs, and
 * this contract changes only when someone means it to.
 */

export const PLAN_SCHEMA_VERSION = 1;

export interface PlanJson {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly summary: PlanSummary;
  /** The stack names read (from manifest.json), sorted. */
  readonly stacks: readonly string[];
  /** Every secret of every stack: the stack's own, and those a service (RDS…) owns. */
  readonly secrets: readonly PlanSecret[];
  /** The Lambda functions that rotate at least one of the secrets. */
  readonly functions: readonly PlanFunction[];
  /** What changes from `--base` to `--dir`; present only when `--base` is given (then possibly empty). */
  readonly changes?: readonly PlanChange[];
}

export interface PlanSummary {
  readonly stacks: number;
  readonly secrets: number;
  /** Secrets with a rotation, by who rotates them. */
  readonly rotating: { readonly function: number; readonly hosted: number; readonly service: number; readonly external: number };
  readonly notRotating: number;
  /** Number of changes; present only with `--base`. */
  readonly changes?: number;
}

export interface PlanSecret {
  readonly stack: string;
  /** Terraform address (`aws_secretsmanager_secret.Db_1234`), or for a service-owned secret its source (`aws_db_instance.Db.master_user_secret`). */
  readonly address: string;
  /** The secret's name; `prefix…` for name_prefix; absent when Terraform or the service picks it. */
  readonly name?: string;
  /** The construct path from cdktf's metadata. */
  readonly constructPath?: string;
  /** `stack`: an aws_secretsmanager_secret of the stack; `service`: a service manages it (RDS `manage_master_user_password`…). */
  readonly owner: 'stack' | 'service';
  readonly kmsKey: PlanKmsKey;
  /** Absent: the secret does not rotate. */
  readonly rotation?: PlanRotation;
  readonly alarms: PlanAlarms;
}

export interface PlanKmsKey {
  /** `stack`: an aws_kms_key of the stack; `external`: an ARN or expression from elsewhere; `aws-managed`: aws/secretsmanager. */
  readonly kind: 'stack' | 'external' | 'aws-managed';
  /** For `stack`: the key's address. */
  readonly address?: string;
  /** For `stack`: whether automatic key rotation is on. */
  readonly keyRotation?: boolean;
  /** For `external`: the ARN or expression. */
  readonly arn?: string;
}

export interface PlanRotation {
  /** `function`: a Lambda of the stack; `hosted`: AWS's rotation application; `service`: the owning service, no Lambda; `external`: a Lambda ARN from elsewhere. */
  readonly kind: 'function' | 'hosted' | 'service' | 'external';
  /** The aws_secretsmanager_secret_rotation (or, for `serviceDefault`, the database). */
  readonly address: string;
  readonly schedule: PlanSchedule;
  /** Whether Terraform rotates the secret as soon as the rotation is created (rotate_immediately; Terraform's default is true). */
  readonly rotateImmediately: boolean;
  /** For `function`: the function's address, see `functions`. */
  readonly functionAddress?: string;
  /** For `hosted`: the Serverless Application Repository application. */
  readonly hosted?: {
    /** The application's ARN. */
    readonly applicationId: string;
    /** The application's name, the last part of the ARN (e.g. `SecretsManagerRDSPostgreSQLRotationSingleUser`). */
    readonly application: string;
    readonly semanticVersion?: string;
    /** Whether the application's function is placed in a VPC (vpcSubnetIds or vpcSecurityGroupIds given). */
    readonly inVpc: boolean;
  };
  /** For `external`: the Lambda ARN or expression. */
  readonly lambdaArn?: string;
  /** True when no rotation resource exists and the service's own default applies (RDS: every 7 days). */
  readonly serviceDefault?: boolean;
}

export interface PlanSchedule {
  /** In words, e.g. `every 30 days`, `rate(10 days)`, `cron(0 4 ? * MON *) (at most 7 days apart)`. */
  readonly description: string;
  readonly automaticallyAfterDays?: number;
  /** `rate(…)` or `cron(…)`, as written. */
  readonly scheduleExpression?: string;
  /** The rotation window (rotation_rules.duration), e.g. `4h`. */
  readonly duration?: string;
  /** The longest time between two rotations, in days, when it can be worked out. */
  readonly maxIntervalDays?: number;
}

export interface PlanAlarms {
  /** EventBridge rules of the stack that match a rotation failure event and have a target (the stack's, they watch every secret). */
  readonly failureRules: readonly string[];
  /** For `function` and `hosted` rotations: the CloudWatch alarm on the function's Errors metric. */
  readonly errorsAlarm?: string;
}

export interface PlanFunction {
  readonly stack: string;
  /** `aws_lambda_function.<id>`. */
  readonly address: string;
  readonly functionName?: string;
  /** The built-in handler (`postgres-single-user`…) or `custom`; absent for a Lambda this library did not write. */
  readonly handler?: string;
  /** For `custom`: the entry file. */
  readonly customEntry?: string;
  /** source_code_hash: changes exactly when the code does. */
  readonly codeHash?: string;
  readonly runtime?: string;
  readonly inVpc: boolean;
  readonly errorsAlarm?: string;
  /** The role's statements, normalized: actions, resources and conditions sorted; statements sorted. */
  readonly permissions: readonly PlanPermission[];
  /**
   * Policies of the role whose statements cannot be read, so they are not in
   * `permissions`: written as an expression (`${jsonencode(…)}`, what cdktf's
   * Fn.jsonencode writes), as a reference the reader cannot follow, or as
   * text that is not JSON. Absent when there is none. What they allow is
   * unknown: `check` fails them (SR005), and the diff counts one that
   * appears or changes as `permissions-widened`.
   */
  readonly unreadablePolicies?: readonly PlanUnreadablePolicy[];
  /** Managed policy ARNs attached to the role. */
  readonly managedPolicies: readonly string[];
  /** Environment variable names (never values). */
  readonly environment: readonly string[];
  /** Addresses of the secrets it rotates. */
  readonly secrets: readonly string[];
}

export interface PlanUnreadablePolicy {
  /** Where the policy is written: `aws_iam_role_policy.<id>`, `aws_iam_policy.<id>`, `aws_iam_role.<id>` (inline_policy) or `data.aws_iam_policy_document.<id>`. */
  readonly address: string;
  /** Why it cannot be read, e.g. `an expression (jsonencode(…))`. Never the policy's text. */
  readonly reason: string;
  /** The first 12 hex digits of the SHA-256 of the policy as written: it changes when the policy does. */
  readonly digest: string;
}

export interface PlanPermission {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `test variable values…`, e.g. `StringEquals aws:ResourceTag/X fn`. */
  readonly conditions: readonly string[];
  readonly notActions?: readonly string[];
  readonly notResources?: readonly string[];
}

/**
 * - `secret-added`, `secret-removed`
 * - `rotation-turned-on`, `rotation-turned-off`
 * - `rotator-changed`: another function, hosted application or version, or kind of rotation
 * - `schedule-changed`: interval, expression or window
 * - `rotate-immediately-changed`
 * - `handler-code-changed`: the function's source_code_hash
 * - `permissions-widened`, `permissions-narrowed`: grants (effect, action, resource, conditions) only in the head or only in the base;
 *   an unreadable policy that appears or changes (another digest) widens, as what it allows is unknown; one that goes away narrows
 * - `kms-key-changed`
 * - `alarm-added`, `alarm-removed`: a failure rule or errors alarm that watches the secret
 */
export type PlanChangeKind =
  | 'secret-added'
  | 'secret-removed'
  | 'rotation-turned-on'
  | 'rotation-turned-off'
  | 'rotator-changed'
  | 'schedule-changed'
  | 'rotate-immediately-changed'
  | 'handler-code-changed'
  | 'permissions-widened'
  | 'permissions-narrowed'
  | 'kms-key-changed'
  | 'alarm-added'
  | 'alarm-removed';

export interface PlanChange {
  readonly kind: PlanChangeKind;
  readonly stack: string;
  /** What changed: a secret's address, or a function's for handler code and permissions. */
  readonly address: string;
  /** The secrets concerned, by name (or address when unnamed). */
  readonly secrets: readonly string[];
  /** In words, as in the base; absent for an addition. */
  readonly before?: string;
  /** In words, as in the head; absent for a removal. */
  readonly after?: string;
  /**
   * For permissions: each grant only in the head (widened) or only in the base (narrowed), e.g. `Allow s3:GetObject on * when …`;
   * an unreadable policy as `Unreadable policy <address> (<reason>, digest <digest>)`.
   */
  readonly grants?: readonly string[];
}
