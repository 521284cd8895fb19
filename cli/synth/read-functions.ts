import { createHash } from 'node:crypto';
import { PermissionModel, RotationFunctionModel, UnreadablePolicyModel } from './model';
import { asBody, Block, Body, bodies, compare, interpolations, isBody, nested, sorted, TerraformJson, text, textList } from './terraform-json';

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
  const policies: RolePolicies = role ? rolePolicies(tf, role) : { statements: [], unreadable: [] };
  return {
    address: fn.address,
    ...(functionName !== undefined ? { functionName } : {}),
    ...(described !== undefined ? { handler: custom !== undefined ? 'custom' : described } : {}),
    ...(custom ? { customEntry: custom } : {}),
    ...(text(body.source_code_hash) !== undefined ? { codeHash: text(body.source_code_hash) } : {}),
    ...(text(body.runtime) !== undefined ? { runtime: text(body.runtime) } : {}),
    inVpc: textList(vpc?.subnet_ids).length > 0,
    ...(role ? { roleAddress: role.address } : {}),
    permissions: policies.statements,
    ...(policies.unreadable.length > 0 ? { unreadablePolicies: policies.unreadable } : {}),
    managedPolicies: role ? managedPolicies(tf, role) : [],
    ...(errorsAlarm ? { errorsAlarm: errorsAlarm.address } : {}),
    environment: sorted(Object.keys(asBody(nested(body.environment)?.variables))),
  };
}

/** The FunctionName that an alarm on AWS/Lambda Errors watches, as written; undefined for any other alarm. */
export function errorsAlarmFunctionName(alarm: Block): unknown {
  const body = alarm.body;
  if (body.metric_name !== 'Errors' || body.namespace !== 'AWS/Lambda') return undefined;
  return asBody(body.dimensions).FunctionName;
}

/** An alarm on AWS/Lambda Errors whose FunctionName is the function's name, written or referenced. */
function alarmWatchesErrorsOf(tf: TerraformJson, alarm: Block, fn: Block): boolean {
  const name = errorsAlarmFunctionName(alarm);
  return name !== undefined && (name === fn.body.function_name || tf.refersTo(name, fn));
}

/** What the role's policies say: their statements, and the policies that cannot be read. */
interface RolePolicies {
  readonly statements: PermissionModel[];
  readonly unreadable: UnreadablePolicyModel[];
}

/** The policies the role carries inline, or through a policy of this stack attached to it. */
function rolePolicies(tf: TerraformJson, role: Block): RolePolicies {
  const policies: Array<[address: string, policy: unknown]> = [];
  for (const policy of tf.resources('aws_iam_role_policy')) if (tf.refersTo(policy.body.role, role)) policies.push([policy.address, policy.body.policy]);
  for (const inline of bodies(role.body.inline_policy)) policies.push([role.address, inline.policy]);
  for (const attachment of tf.resources('aws_iam_role_policy_attachment')) {
    const policy = tf.refersTo(attachment.body.role, role) ? tf.referenceTo(attachment.body.policy_arn, 'aws_iam_policy') : undefined;
    if (policy) policies.push([policy.address, policy.body.policy]);
  }
  const read: RolePolicies = { statements: [], unreadable: [] };
  for (const [address, policy] of policies) readPolicy(tf, address, policy, read);
  const unreadable = [...new Map(read.unreadable.map((u) => [JSON.stringify(u), u])).values()];
  return { statements: read.statements.sort(byStatement), unreadable: unreadable.sort((a, b) => compare(a.address, b.address) || compare(a.reason, b.reason) || compare(a.digest, b.digest)) };
}

/** Managed policy ARNs (or expressions) attached to the role. */
function managedPolicies(tf: TerraformJson, role: Block): string[] {
  const attached = tf.resources('aws_iam_role_policy_attachment').filter((a) => tf.refersTo(a.body.role, role));
  return sorted([...attached.flatMap((a) => textList(a.body.policy_arn)), ...textList(role.body.managed_policy_arns)]);
}

// An interpolation or a template directive that Terraform evaluates; not its escapes `$${` and `%%{`.
const TEMPLATE = /(?<![$])\$\{|(?<![%])%\{/;

// A policy as cdktf writes it from an aws_iam_policy_document: the whole value is the document's JSON.
const DOCUMENT_JSON = /^\$\{data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)\.(?:json|minified_json)\}$/;

/**
 * Reads one policy, written at `address`, into `into`: a reference to an
 * aws_iam_policy_document of this stack (with its source and override
 * documents), or literal JSON. Anything else (an expression such as
 * `${jsonencode(…)}`, a reference the reader cannot follow, text that is
 * not a policy) is recorded as unreadable rather than dropped: no
 * statements read is not the same as no statements.
 */
function readPolicy(tf: TerraformJson, address: string, policy: unknown, into: RolePolicies, seen = new Set<string>()): void {
  if (policy === undefined || policy === null) return;
  const unreadable = (reason: string) => into.unreadable.push({ address, reason, digest: digest(policy) });
  if (typeof policy !== 'string') return void unreadable('not a string of policy JSON');
  const name = DOCUMENT_JSON.exec(policy)?.[1];
  const document = name !== undefined ? tf.block(`data.aws_iam_policy_document.${name}`) : undefined;
  if (document) {
    if (seen.has(document.address)) return;
    seen.add(document.address);
    const body = document.body;
    // A dynamic block makes statements that only Terraform can expand.
    if (body.dynamic !== undefined) into.unreadable.push({ address: document.address, reason: 'a dynamic block', digest: digest(body.dynamic) });
    for (const attribute of ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json']) {
      for (const included of textList(body[attribute])) readPolicy(tf, document.address, included, into, seen);
    }
    into.statements.push(...bodies(body.statement).map(documentStatement));
    return;
  }
  if (TEMPLATE.test(policy)) return void unreadable(describeExpression(policy));
  let parsed: unknown;
  try {
    // `$${` and `%%{` are Terraform's escapes for a literal `${` (an IAM policy variable such as `${aws:username}`) and `%{`.
    parsed = JSON.parse(policy.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
  } catch {
    return void unreadable('not valid JSON');
  }
  if (!isBody(parsed)) return void unreadable('not a policy document (a JSON object)');
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  into.statements.push(...statements.filter(isBody).map(jsonStatement));
}

/** An expression in a few words: the function it calls (`jsonencode(…)`) or what it refers to, never the whole text. */
function describeExpression(policy: string): string {
  const [first = ''] = interpolations(policy);
  const call = /^\s*([A-Za-z_]\w*)\s*\(/.exec(first);
  if (call) return `an expression (${call[1]}(…))`;
  const reference = /^\s*([A-Za-z_][\w.-]*)/.exec(first)?.[1];
  return reference ? `an expression (${reference.length > 80 ? `${reference.slice(0, 80)}…` : reference})` : 'an expression';
}

/** Tells one policy text from another without keeping it. */
const digest = (value: unknown): string =>
  createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value) ?? '')
    .digest('hex')
    .slice(0, 12);

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
