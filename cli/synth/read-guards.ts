import { DatabaseModel, ExposedValueModel, FailureRuleModel } from './model';
import { asBody, Block, byAddress, compare, flag, isBody, isExpression, nested, TerraformJson, text, textList } from './terraform-json';

/** The events Secrets Manager sends when a rotation fails. */
export const FAILURE_EVENTS = ['RotationAbandoned', 'RotationFailed', 'TestRotationFailed'];

/** Database resources, and the arguments that would hold a password. */
const DATABASES: Record<string, readonly string[]> = {
  aws_db_instance: ['password'],
  aws_rds_cluster: ['master_password'],
  aws_redshift_cluster: ['master_password'],
  aws_redshiftserverless_namespace: ['admin_user_password'],
  aws_docdb_cluster: ['master_password'],
  aws_docdb_elastic_cluster: ['admin_user_password'],
  aws_neptune_cluster: [],
};

/** EventBridge rules that match at least one rotation failure event of Secrets Manager. */
export function readFailureRules(tf: TerraformJson): FailureRuleModel[] {
  const targets = tf.resources('aws_cloudwatch_event_target');
  return tf.resources('aws_cloudwatch_event_rule').flatMap((rule): FailureRuleModel[] => {
    const eventNames = failureEventsMatched(text(rule.body.event_pattern));
    if (eventNames.length === 0) return [];
    const hasTarget = targets.some((t) => tf.refersTo(t.body.rule, rule) || (t.body.rule !== undefined && t.body.rule === rule.body.name));
    return [{ address: rule.address, eventNames, hasTarget }];
  });
}

/** The failure events a pattern matches: those it names, or all of them when it names no event at all. */
function failureEventsMatched(pattern: string | undefined): string[] {
  if (!pattern || isExpression(pattern)) return [];
  let parsed: Record<string, unknown>;
  try {
    parsed = asBody(JSON.parse(pattern));
  } catch {
    return [];
  }
  if (!textList(parsed.source).includes('aws.secretsmanager')) return [];
  const detail = asBody(parsed.detail);
  if (detail.eventName === undefined) return FAILURE_EVENTS;
  return textList(detail.eventName)
    .filter((name) => FAILURE_EVENTS.includes(name))
    .sort(compare);
}

/** Databases of the stack, and whether they sit in a VPC (a subnet group or security groups, and not public). */
export function readDatabases(tf: TerraformJson): DatabaseModel[] {
  return tf.resourcesOf(Object.keys(DATABASES)).map((db) => {
    const placed = [db.body.db_subnet_group_name, db.body.cluster_subnet_group_name, db.body.subnet_group_name, db.body.subnet_ids, db.body.vpc_security_group_ids].some(
      (v) => textList(v).some((s) => s !== ''),
    );
    return { address: db.address, type: db.type, inVpc: placed && !flag(db.body.publicly_accessible, false) };
  });
}

// A name that says it holds a secret; ids, ARNs, names and hosts of secrets are not secrets.
const SENSITIVE_NAME = /password|secret|token|key|credential/i;
const REFERENCE_NAME = /_(id|ids|arn|arns|name|names|hosts)$/i;
// The settings this library's handlers read from their environment: none is a secret.
const HANDLER_SETTINGS = new Set(['ADMIN_SECRET_ARNS', 'ALLOWED_HOSTS', 'HTTP_TIMEOUT_MS', 'PASSWORD_LENGTH', 'EXCLUDE_CHARACTERS']);
const sensitiveName = (name: string) => SENSITIVE_NAME.test(name) && !REFERENCE_NAME.test(name);

/** A value written as it is: not empty and not an expression. */
const literal = (value: unknown): boolean => value !== undefined && value !== null && value !== '' && !isExpression(value);

/**
 * Where a secret value would be written. Only the place is recorded, never the value:
 * - a secret version's secret_string or secret_binary (literal: in cdk.tf.json,
 *   the plan and state; an expression: still in state, unlike secret_string_wo);
 * - any write-only attribute (`*_wo`: secret_string_wo, password_wo…) holding a
 *   literal: write-only keeps a value out of state, not out of the JSON;
 * - a database password written literally;
 * - a variable with a default that is `sensitive`, or whose name looks sensitive;
 * - a Lambda environment variable whose name looks sensitive, with a literal value.
 */
export function readExposedValues(tf: TerraformJson): ExposedValueModel[] {
  const exposed: ExposedValueModel[] = [];
  for (const version of tf.resources('aws_secretsmanager_secret_version')) {
    for (const attribute of ['secret_string', 'secret_binary']) {
      const value = version.body[attribute];
      if (value === undefined || value === '') continue;
      const reason = isExpression(value)
        ? `an expression: Terraform keeps its value in state; write it with ${attribute}_wo instead`
        : 'a literal value: written into cdk.tf.json, the plan and the state';
      exposed.push({ address: version.address, attribute, reason });
    }
  }
  for (const block of tf.allResources()) {
    for (const [attribute, value] of Object.entries(block.body)) {
      if (!attribute.endsWith('_wo') || !literal(value)) continue;
      exposed.push({
        address: block.address,
        attribute,
        reason: 'a literal value in a write-only attribute: kept out of state, but written into cdk.tf.json; pass it through an ephemeral variable',
      });
    }
  }
  for (const db of tf.resourcesOf(Object.keys(DATABASES))) {
    for (const attribute of DATABASES[db.type]) exposed.push(...literalPassword(db, attribute));
  }
  for (const [name, variable] of Object.entries(asBody(tf.json.variable))) {
    if (!isBody(variable) || variable.default === undefined || variable.default === null || variable.default === '') continue;
    if (flag(variable.sensitive, false)) {
      exposed.push({ address: `variable.${name}`, attribute: 'default', reason: 'a sensitive variable with a default: the value is written into cdk.tf.json' });
    } else if (sensitiveName(name)) {
      exposed.push({ address: `variable.${name}`, attribute: 'default', reason: 'a sensitive-looking variable with a default: the value is written into cdk.tf.json' });
    }
  }
  for (const fn of tf.resources('aws_lambda_function')) {
    for (const [name, value] of Object.entries(asBody(nested(fn.body.environment)?.variables))) {
      if (HANDLER_SETTINGS.has(name) || !sensitiveName(name) || !literal(value)) continue;
      exposed.push({
        address: fn.address,
        attribute: `environment.variables.${name}`,
        reason: 'a literal value in a sensitive-looking environment variable: written into cdk.tf.json, the plan and the state; pass the secret\'s ARN and read it at run time',
      });
    }
  }
  return exposed.sort((a, b) => byAddress(a, b) || compare(a.attribute, b.attribute));
}

function literalPassword(db: Block, attribute: string): ExposedValueModel[] {
  const value = db.body[attribute];
  if (value === undefined || value === '' || value === null || isExpression(value)) return [];
  return [{ address: db.address, attribute, reason: `a literal password: written into cdk.tf.json, the plan and the state; use ${attribute}_wo or let the service manage it` }];
}
