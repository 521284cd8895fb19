import { PermissionModel, RotationFunctionModel } from './model';
import { asBody, Block, Body, bodies, compare, isBody, nested, sorted, TerraformJson, text, textList } from './terraform-json';

// What RotationFunction writes: "Rotates Secrets Manager secrets (postgres-single-user)" or "(custom: index.ts)".
const DESCRIPTION = /^Rotates Secrets Manager secrets \((.+)\)$/;

/** Every Lambda function of the stack, with its role's permissions, its alarm and its environment's names. */
export function readFunctions(tf: TerraformJson): RotationFunctionModel[] {
  return tf.resources('aws_lambda_function').map((fn) => readFunction(tf, fn));
}

function readFunction(tf: TerraformJson, fn: Block): RotationFunctionModel {
  const body = fn.body;
  const described = DESCRIPTION.exec(text(body.description) ?? '')?.[1];
  const custom = described?.startsWith('custom') ? described.replace(/^custom:?\s*/, '') : undefined;
  const role = tf.referenceTo(body.role, 'aws_iam_role');
  const vpc = nested(body.vpc_config);
  const errorsAlarm = tf.resources('aws_cloudwatch_metric_alarm').find((alarm) => alarmWatchesErrorsOf(tf, alarm, fn));
  const functionName = text(body.function_name);
  return {
    address: fn.address,
    ...(functionName !== undefined ? { functionName } : {}),
    ...(described !== undefined ? { handler: custom !== undefined ? 'custom' : described } : {}),
    ...(custom ? { customEntry: custom } : {}),
    ...(text(body.source_code_hash) !== undefined ? { codeHash: text(body.source_code_hash) } : {}),
    ...(text(body.runtime) !== undefined ? { runtime: text(body.runtime) } : {}),
    inVpc: textList(vpc?.subnet_ids).length > 0,
    ...(role ? { roleAddress: role.address } : {}),
    permissions: role ? rolePermissions(tf, role) : [],
    managedPolicies: role ? managedPolicies(tf, role) : [],
    ...(errorsAlarm ? { errorsAlarm: errorsAlarm.address } : {}),
    environment: sorted(Object.keys(asBody(nested(body.environment)?.variables))),
  };
}

/** An alarm on AWS/Lambda Errors whose FunctionName is the function's name, written or referenced. */
function alarmWatchesErrorsOf(tf: TerraformJson, alarm: Block, fn: Block): boolean {
  const body = alarm.body;
  if (body.metric_name !== 'Errors' || body.namespace !== 'AWS/Lambda') return false;
  const name = asBody(body.dimensions).FunctionName;
  return name !== undefined && (name === fn.body.function_name || tf.refersTo(name, fn));
}

/** The statements of every policy the role carries inline, or through a policy of this stack attached to it. */
function rolePermissions(tf: TerraformJson, role: Block): PermissionModel[] {
  const documents: unknown[] = [];
  for (const policy of tf.resources('aws_iam_role_policy')) if (tf.refersTo(policy.body.role, role)) documents.push(policy.body.policy);
  for (const inline of bodies(role.body.inline_policy)) documents.push(inline.policy);
  for (const attachment of tf.resources('aws_iam_role_policy_attachment')) {
    const policy = tf.refersTo(attachment.body.role, role) ? tf.referenceTo(attachment.body.policy_arn, 'aws_iam_policy') : undefined;
    if (policy) documents.push(policy.body.policy);
  }
  return documents.flatMap((document) => statementsOf(tf, document)).sort(byStatement);
}

/** Managed policy ARNs (or expressions) attached to the role. */
function managedPolicies(tf: TerraformJson, role: Block): string[] {
  const attached = tf.resources('aws_iam_role_policy_attachment').filter((a) => tf.refersTo(a.body.role, role));
  return sorted([...attached.flatMap((a) => textList(a.body.policy_arn)), ...textList(role.body.managed_policy_arns)]);
}

/**
 * The statements of a policy: a reference to an aws_iam_policy_document of
 * this stack (with its source and override documents), or literal JSON.
 * A policy that is another expression yields nothing: it cannot be read.
 */
export function statementsOf(tf: TerraformJson, policy: unknown, seen = new Set<string>()): PermissionModel[] {
  if (typeof policy !== 'string') return [];
  const document = tf.referenceTo(policy, 'aws_iam_policy_document');
  if (document) {
    if (seen.has(document.address)) return [];
    seen.add(document.address);
    const body = document.body;
    const included = [...textList(body.source_policy_documents), ...textList(body.override_policy_documents)];
    return [...included.flatMap((p) => statementsOf(tf, p, seen)), ...bodies(body.statement).map(documentStatement)];
  }
  if (policy.includes('${')) return [];
  try {
    const parsed = asBody(JSON.parse(policy));
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.filter(isBody).map(jsonStatement);
  } catch {
    return [];
  }
}

/** A statement of an aws_iam_policy_document (snake_case, conditions as blocks). */
function documentStatement(statement: Body): PermissionModel {
  const conditions = bodies(statement.condition).map((c) => [text(c.test), text(c.variable), ...textList(c.values)].join(' '));
  return permission(text(statement.sid), text(statement.effect), statement.actions, statement.resources, conditions, statement.not_actions, statement.not_resources);
}

/** A statement of literal policy JSON (Action, Resource, Condition: { test: { variable: values } }). */
function jsonStatement(statement: Body): PermissionModel {
  const conditions = Object.entries(asBody(statement.Condition)).flatMap(([test, byVariable]) =>
    Object.entries(asBody(byVariable)).map(([variable, values]) => [test, variable, ...textList(values)].join(' ')),
  );
  return permission(text(statement.Sid), text(statement.Effect), statement.Action, statement.Resource, conditions, statement.NotAction, statement.NotResource);
}

function permission(sid: string | undefined, effect: string | undefined, actions: unknown, resources: unknown, conditions: string[], notActions: unknown, notResources: unknown): PermissionModel {
  return {
    ...(sid ? { sid } : {}),
    effect: effect === 'Deny' ? 'Deny' : 'Allow',
    actions: sorted(textList(actions)),
    resources: sorted(textList(resources)),
    conditions: sorted(conditions),
    ...(notActions !== undefined ? { notActions: sorted(textList(notActions)) } : {}),
    ...(notResources !== undefined ? { notResources: sorted(textList(notResources)) } : {}),
  };
}

const byStatement = (a: PermissionModel, b: PermissionModel) => compare(JSON.stringify(a), JSON.stringify(b));
