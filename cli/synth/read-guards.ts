import { DatabaseModel, ExposedValueModel, FailureRuleModel } from './model';
import { asBody, Block, byAddress, compare, flag, isBody, isExpression, TerraformJson, text, textList } from './terraform-json';

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

// A variable whose name says it holds a secret; ids, ARNs and names of secrets are not secrets.
const SENSITIVE_NAME = /password|secret|token|key/i;
const REFERENCE_NAME = /_(id|ids|arn|arns|name|names)$/i;

/**
 * Where a secret value would be written: a secret version's secret_string
 * or secret_binary (literal: in cdk.tf.json, the plan and state; an
 * expression: still in state, unlike the write-only secret_string_wo), a
 * database password written literally, a sensitive-looking variable with a
 * default. Only the place is recorded, never the value.
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
  for (const db of tf.resourcesOf(Object.keys(DATABASES))) {
    for (const attribute of DATABASES[db.type]) exposed.push(...literalPassword(db, attribute));
  }
  for (const [name, variable] of Object.entries(asBody(tf.json.variable))) {
    if (!SENSITIVE_NAME.test(name) || REFERENCE_NAME.test(name) || !isBody(variable)) continue;
    if (variable.default === undefined || variable.default === null || variable.default === '') continue;
    exposed.push({ address: `variable.${name}`, attribute: 'default', reason: 'a sensitive-looking variable with a default: the value is written into cdk.tf.json' });
  }
  return exposed.sort((a, b) => byAddress(a, b) || compare(a.attribute, b.attribute));
}

function literalPassword(db: Block, attribute: string): ExposedValueModel[] {
  const value = db.body[attribute];
  if (value === undefined || value === '' || value === null || isExpression(value)) return [];
  return [{ address: db.address, attribute, reason: `a literal password: written into cdk.tf.json, the plan and the state; use ${attribute}_wo or let the service manage it` }];
}
