import { describeFunction, describeKmsKey, describeRotator, plural, shortHash } from './describe';
import { PlanChange, PlanChangeKind, PlanFunction, PlanJson, PlanPermission, PlanSecret } from './plan-json';

/** Marks the comment so that a bot can find and update its earlier one. */
export const MARKDOWN_MARKER = '<!-- secret-rotation-plan -->';

const CHANGE_WORDS: Record<PlanChangeKind, string> = {
  'secret-added': 'secret added',
  'secret-removed': 'secret removed',
  'rotation-turned-on': 'rotation turned on',
  'rotation-turned-off': '**rotation turned off**',
  'rotator-changed': 'rotated by another',
  'schedule-changed': 'schedule changed',
  'rotate-immediately-changed': 'rotate immediately changed',
  'handler-code-changed': 'handler code changed',
  'permissions-widened': '**permissions widened**',
  'permissions-narrowed': 'permissions narrowed',
  'kms-key-changed': 'KMS key changed',
  'alarm-added': 'alarm added',
  'alarm-removed': '**alarm removed**',
};

/** The plan as a pull-request comment: a heading, a summary line, the changes, a table of secrets, permissions folded away. */
export function renderMarkdown(plan: PlanJson): string {
  const lines = [MARKDOWN_MARKER, '## Secret rotation plan', '', summaryLine(plan), ''];
  if (plan.changes) lines.push(...changesSection(plan.changes), '');
  lines.push(...secretsSection(plan));
  const functions = plan.functions.map((fn) => functionDetails(fn, plan.secrets));
  if (functions.length > 0) lines.push('', '### Rotation functions', '', ...functions.flatMap((details) => [...details, '']));
  return `${lines.join('\n').trimEnd()}\n`;
}

function summaryLine(plan: PlanJson): string {
  const { summary } = plan;
  const kinds = (
    [
      ['function', 'by a function of the stack'],
      ['hosted', "by AWS's hosted rotation"],
      ['service', 'by the owning service'],
      ['external', 'by a Lambda from outside'],
    ] as const
  )
    .filter(([kind]) => summary.rotating[kind] > 0)
    .map(([kind, words]) => `${summary.rotating[kind]} ${words}`);
  const rotating = summary.secrets - summary.notRotating;
  let line = `**${plural(summary.secrets, 'secret')}** in ${plural(summary.stacks, 'stack')}: ${rotating} ${rotating === 1 ? 'rotates' : 'rotate'}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`;
  line += summary.notRotating > 0 ? `, **${summary.notRotating} ${summary.notRotating === 1 ? 'does' : 'do'} not rotate**.` : '.';
  if (plan.changes) {
    const counts = new Map<PlanChangeKind, number>();
    for (const change of plan.changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
    const detail = [...counts].map(([kind, n]) => `${n} ${CHANGE_WORDS[kind].replace(/\*/g, '')}`).join(', ');
    line += plan.changes.length === 0 ? ' Against the base: no rotation changes.' : ` Against the base: ${plural(plan.changes.length, 'change')} (${detail}).`;
  }
  return line;
}

function changesSection(changes: readonly PlanChange[]): string[] {
  if (changes.length === 0) return ['### Changes', '', 'No rotation changes.'];
  return [
    '### Changes',
    '',
    row(['Change', 'Stack', 'Resource', 'Secrets', 'Before', 'After']),
    row(['---', '---', '---', '---', '---', '---']),
    ...changes.map((c) =>
      row([
        CHANGE_WORDS[c.kind],
        cell(c.stack),
        code(c.address),
        c.secrets.map(code).join('<br>'),
        c.before !== undefined ? cell(c.before) : '',
        [...(c.after !== undefined ? [cell(c.after)] : []), ...(c.grants ?? []).map((g) => code(readable(g)))].join('<br>'),
      ]),
    ),
  ];
}

function secretsSection(plan: PlanJson): string[] {
  if (plan.secrets.length === 0) return ['### Secrets', '', 'No Secrets Manager secret in these stacks.'];
  return [
    '### Secrets',
    '',
    row(['Stack', 'Secret', 'Rotated by', 'Schedule', 'Window', 'Immediately', 'KMS key', 'Alarms']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...plan.secrets.map((secret) => secretRow(secret, plan.functions)),
  ];
}

function secretRow(secret: PlanSecret, functions: readonly PlanFunction[]): string {
  const rotation = secret.rotation;
  const fn = rotation?.functionAddress ? functions.find((f) => f.stack === secret.stack && f.address === rotation.functionAddress) : undefined;
  const name = secret.name !== undefined ? code(secret.name) : `${code(secret.address)}${secret.owner === 'service' ? ' (owned by the service)' : ''}`;
  const alarms = [
    secret.alarms.failureRules.length > 0 ? 'failure rule' : '',
    secret.alarms.errorsAlarm ? 'errors alarm' : rotation?.kind === 'function' ? '**no errors alarm**' : '',
  ].filter(Boolean);
  return row([
    cell(secret.stack),
    name,
    rotation ? rotatedBy(rotation, fn) : '**does not rotate**',
    rotation ? cell(rotation.schedule.description) : '',
    rotation?.schedule.duration ? cell(rotation.schedule.duration) : '',
    rotation ? (rotation.rotateImmediately ? 'yes' : 'no') : '',
    kmsKeyCell(secret.kmsKey),
    alarms.length > 0 ? alarms.join(', ') : '**none**',
  ]);
}

function kmsKeyCell(key: PlanSecret['kmsKey']): string {
  if (key.kind === 'stack') return `${code(key.address ?? '')}, key rotation ${key.keyRotation ? 'on' : '**off**'}`;
  if (key.kind === 'external') return `external ${code(key.arn ?? '')}`;
  return cell(describeKmsKey(key));
}

function rotatedBy(rotation: NonNullable<PlanSecret['rotation']>, fn: PlanFunction | undefined): string {
  if (rotation.kind === 'function') return `${cell(describeFunction(fn, rotation.functionAddress))}, code ${code(shortHash(fn?.codeHash))}`;
  if (rotation.kind === 'hosted' && rotation.hosted) {
    return `hosted ${code(rotation.hosted.application)}${rotation.hosted.semanticVersion ? ` ${code(rotation.hosted.semanticVersion)}` : ''}${rotation.hosted.inVpc ? ', in a VPC' : ''}`;
  }
  return cell(describeRotator(rotation, fn));
}

function functionDetails(fn: PlanFunction, secrets: readonly PlanSecret[]): string[] {
  const rotates = fn.secrets.map((address) => secrets.find((s) => s.stack === fn.stack && s.address === address)?.name ?? address);
  const facts = [
    `Stack ${code(fn.stack)}, ${code(fn.address)}${fn.runtime ? `, runtime ${code(fn.runtime)}` : ''}, code ${code(shortHash(fn.codeHash))}.`,
    `In a VPC: ${fn.inVpc ? 'yes' : 'no'}. Errors alarm: ${fn.errorsAlarm ? code(fn.errorsAlarm) : '**none**'}.`,
    `Environment: ${fn.environment.length > 0 ? fn.environment.map(code).join(', ') : 'none'}. Managed policies: ${fn.managedPolicies.length > 0 ? fn.managedPolicies.map(code).join(', ') : 'none'}.`,
  ];
  return [
    '<details>',
    `<summary>${html(fn.functionName ?? fn.address)} (${html(describeFunction(fn))}): ${plural(fn.permissions.length, 'statement')}, rotates ${rotates.map(html).join(', ')}</summary>`,
    '',
    ...facts.map((fact) => `${fact}  `),
    '',
    row(['Sid', 'Effect', 'Actions', 'Resources', 'Conditions']),
    row(['---', '---', '---', '---', '---']),
    ...fn.permissions.map(permissionRow),
    '',
    '</details>',
  ];
}

function permissionRow(p: PlanPermission): string {
  const list = (values: readonly string[]) => values.map((v) => code(readable(v))).join('<br>');
  return row([
    p.sid ? cell(p.sid) : '',
    p.effect,
    p.notActions ? `not ${list(p.notActions)}` : list(p.actions),
    p.notResources ? `not ${list(p.notResources)}` : list(p.resources),
    list(p.conditions),
  ]);
}

/**
 * ARNs that cdktf builds from another resource's ARN, made readable:
 * `${element(split(":", x.arn), 3)}` is that resource's region. For the
 * markdown only; the JSON keeps the expressions as they are.
 */
export function readable(text: string): string {
  const parts: Record<string, string> = { '1': '{partition}', '3': '{region}', '4': '{account}' };
  return text.replace(/\$\{element\(split\(":", [\w.-]+\.arn\), ([134])\)\}/g, (_, index: string) => parts[index]);
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** Text in a table cell: no pipe, no line break, no HTML. */
export const cell = (text: string) => html(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** An inline code span in a table cell, fenced longer than any backtick run inside. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
