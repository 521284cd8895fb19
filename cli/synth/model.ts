/**
 * What `plan` and `check` know about a synthesized app: every Secrets
 * Manager secret in cdktf.out, how it rotates, and what guards it. Read from
 * the Terraform JSON only (no Terraform, no AWS); see read-synth.ts.
 *
 * Values that Terraform computes at apply time stay as the expressions they
 * are in the JSON (`${aws_kms_key.Key_1234.arn}`): they are compared as text.
 * Nothing in the model is a secret value: the reader never copies a
 * `secret_string`, a password or a variable's default into it.
 */

/** One synthesized app (a cdktf.out folder). */
export interface SynthModel {
  /** The folder read, as given. */
  readonly dir: string;
  readonly stacks: readonly StackModel[];
}

export interface StackModel {
  /** The stack name from manifest.json. */
  readonly name: string;
  /** The stack's cdk.tf.json, relative to the cdktf.out folder (for SARIF locations). */
  readonly file: string;
  readonly secrets: readonly SecretModel[];
  readonly functions: readonly RotationFunctionModel[];
  /** EventBridge rules that match Secrets Manager's rotation failure events. */
  readonly failureRules: readonly FailureRuleModel[];
  /** Databases declared in the stack, for the VPC rule. */
  readonly databases: readonly DatabaseModel[];
  /** Places in the JSON where a secret value appears to be written literally (see `check`'s no-secret-value rule). */
  readonly exposedValues: readonly ExposedValueModel[];
}

export interface SecretModel {
  /** Terraform address, e.g. `aws_secretsmanager_secret.Db_Resource_1234`, or the service-owned secret's source. */
  readonly address: string;
  /** The construct path from the resource's cdktf metadata (`//.metadata.path`), when there is one. */
  readonly constructPath?: string;
  /** `name`, `name_prefix + "…"`, or undefined when Terraform picks one. */
  readonly name?: string;
  /** Owned by this stack's aws_secretsmanager_secret, or by a service (RDS, Redshift, DocumentDB managing a master password). */
  readonly owner: 'stack' | 'service';
  readonly kmsKey: KmsKeyModel;
  /** Absent: the secret does not rotate. */
  readonly rotation?: RotationModel;
  /** aws_secretsmanager_secret_policy present, and whether it sets block_public_policy. */
  readonly resourcePolicy?: { readonly address: string; readonly blockPublicPolicy: boolean };
  /** Replica regions. */
  readonly replicaRegions: readonly string[];
}

export type KmsKeyModel =
  /** An aws_kms_key of this stack. */
  | { readonly kind: 'stack'; readonly address: string; readonly keyRotation: boolean }
  /** A key ARN (or an expression) given from outside the stack. */
  | { readonly kind: 'external'; readonly arn: string }
  /** No kms_key_id: Secrets Manager's AWS managed key `aws/secretsmanager`. */
  | { readonly kind: 'aws-managed' };

export interface ScheduleModel {
  readonly automaticallyAfterDays?: number;
  /** `rate(…)` or `cron(…)`, as written. */
  readonly scheduleExpression?: string;
  /** The rotation window, e.g. `3h`. */
  readonly duration?: string;
  /**
   * The longest time between two rotations that the schedule allows, in
   * days, when it can be worked out (days, `rate(N days|hours)`, and cron
   * expressions that fire at least monthly); undefined otherwise.
   */
  readonly maxIntervalDays?: number;
}

export interface RotationModel {
  /** The aws_secretsmanager_secret_rotation resource. */
  readonly address: string;
  /** `function`: a Lambda of this stack; `hosted`: AWS's application from the Serverless Application Repository; `service`: the service rotates it (no Lambda); `external`: a Lambda ARN from outside the stack. */
  readonly kind: 'function' | 'hosted' | 'service' | 'external';
  readonly schedule: ScheduleModel;
  /** rotate_immediately as synthesized (Terraform's default is true). */
  readonly rotateImmediately: boolean;
  /** The function's address, for kind `function` (see StackModel.functions). */
  readonly functionAddress?: string;
  /** For kind `hosted`: the SAR application and its version. */
  readonly hosted?: { readonly address: string; readonly applicationId: string; readonly semanticVersion?: string; readonly inVpc: boolean };
  /** For kind `hosted`: the CloudWatch alarm on the Errors of the function the application creates (its `functionName` parameter). */
  readonly errorsAlarm?: string;
  /** For kind `external`: the Lambda ARN expression. */
  readonly lambdaArn?: string;
  /**
   * True for a service-owned secret with no aws_secretsmanager_secret_rotation:
   * the service's own default applies (RDS rotates a managed master password
   * every 7 days), and `address` is the database's.
   */
  readonly serviceDefault?: boolean;
}

export interface RotationFunctionModel {
  /** `aws_lambda_function.<id>`. */
  readonly address: string;
  readonly functionName?: string;
  /** The built-in handler (e.g. `postgres-single-user`) or `custom`, from the description this library writes; undefined for other Lambdas. */
  readonly handler?: string;
  /** For handler `custom`: the entry file the description names (e.g. `vendor-token.ts`). */
  readonly customEntry?: string;
  /** source_code_hash: changes exactly when the code does. */
  readonly codeHash?: string;
  readonly runtime?: string;
  readonly inVpc: boolean;
  readonly roleAddress?: string;
  /** Every statement of the role's inline policies (aws_iam_role_policy with an aws_iam_policy_document or literal JSON), normalized. */
  readonly permissions: readonly PermissionModel[];
  /**
   * Policies of the role that the reader cannot read, so their statements
   * are not in `permissions`: a policy written as an expression
   * (`${jsonencode(…)}`, which cdktf's Fn.jsonencode writes), a reference to
   * something other than an aws_iam_policy_document of this stack, or text
   * that is not JSON. Sorted by address, then reason; absent when there is none.
   */
  readonly unreadablePolicies?: readonly UnreadablePolicyModel[];
  /** Managed policy ARNs attached to the role (aws_iam_role_policy_attachment, managed_policy_arns). */
  readonly managedPolicies: readonly string[];
  /** An aws_cloudwatch_metric_alarm on this function's Errors metric. */
  readonly errorsAlarm?: string;
  /** Environment variable names (never values). */
  readonly environment: readonly string[];
}

/** One IAM statement, flattened: one entry per statement, actions and resources sorted. */
export interface PermissionModel {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Conditions as `test variable values…`, sorted, e.g. `StringEquals aws:ResourceTag/X fn`. */
  readonly conditions: readonly string[];
  /** NotAction, sorted, when the statement has one. */
  readonly notActions?: readonly string[];
  /** NotResource, sorted, when the statement has one. */
  readonly notResources?: readonly string[];
}

/** A policy of a function's role whose statements cannot be read from the JSON. */
export interface UnreadablePolicyModel {
  /**
   * Where the policy is written: `aws_iam_role_policy.<id>`, `aws_iam_policy.<id>`,
   * `aws_iam_role.<id>` (an inline_policy) or `data.aws_iam_policy_document.<id>`
   * (a source or override document).
   */
  readonly address: string;
  /** Why, e.g. `an expression (jsonencode(…))`; never the policy's text. */
  readonly reason: string;
  /** The first 12 hex digits of the SHA-256 of the policy as written: the same text, the same digest. */
  readonly digest: string;
}

export interface FailureRuleModel {
  readonly address: string;
  /** The event names matched, e.g. RotationFailed. */
  readonly eventNames: readonly string[];
  /** Whether the rule has at least one target (aws_cloudwatch_event_target). */
  readonly hasTarget: boolean;
}

export interface DatabaseModel {
  readonly address: string;
  /** aws_db_instance, aws_rds_cluster, aws_redshift_cluster, aws_docdb_cluster… */
  readonly type: string;
  /** Placed in a VPC: a subnet group or security groups set, and not publicly accessible. */
  readonly inVpc: boolean;
}

export interface ExposedValueModel {
  /** Terraform address of the resource (or `variable.<name>`). */
  readonly address: string;
  /** The attribute, e.g. `secret_string` or `password`; never the value. */
  readonly attribute: string;
  /** Why it is flagged, e.g. "a literal value, written into the plan and state". */
  readonly reason: string;
}
