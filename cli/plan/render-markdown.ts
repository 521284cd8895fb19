import { readableArn } from '../synth/terraform-json';
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

/**
 * The most characters the markdown may have: GitHub refuses a comment of
 * more than 65,536, and a bot may add a line or two of its own.
 */
export const MARKDOWN_BUDGET = 60_000;

const FOR_ALL = 'run `secret-rotation plan --format json` for all of it';

/** A table and what comes before it; rows may be left out from the end to fit the budget. */
interface Table {
  readonly head: readonly string[];
  readonly rows: readonly string[];
  /** What a row is, for the note that says how many were left out. */
  readonly what: string;
}

/** What a page shows: the first `changes` and `secrets` rows, and the functions' permissions or not. */
interface Shown {
  readonly changes: number;
  readonly secrets: number;
  readonly functions: boolean;
}

/**
 * The plan as a pull-request comment: a heading, a summary line, the
 * changes, a table of secrets, permissions folded away. When that would
 * exceed `budget` characters, the permissions are left out first (the JSON
 * has them), then rows of the secrets table from its end, then rows of the
 * changes table, each with a line that says so.
 */
export function renderMarkdown(plan: PlanJson, budget = MARKDOWN_BUDGET): string {
  const top = [MARKDOWN_MARKER, '## Secret rotation plan', '', summaryLine(plan), '', ...unreadableSection(plan)];
  const changes = plan.changes && changesSection(plan.changes);
  const secrets = secretsSection(plan);
  const functions = plan.functions.map((fn) => functionDetails(fn, plan.secrets));
  const page = (shown: Shown): string => {
    const lines = [...top];
    if (changes) lines.push(...tableLines(changes, shown.changes), '');
    lines.push(...tableLines(secrets, shown.secrets));
    if (functions.length > 0) {
      lines.push('', '### Rotation functions', '');
      if (shown.functions) lines.push(...functions.flatMap((details) => [...details, '']));
      else lines.push(`_The permissions of ${plural(functions.length, 'rotation function')} are left out to keep this comment within GitHub's size limit: ${FOR_ALL}._`);
    }
    return `${lines.join('\n').trimEnd()}\n`;
  };
  const everything: Shown = { changes: changes?.rows.length ?? 0, secrets: secrets.rows.length, functions: true };
  const full = page(everything);
  if (full.length <= budget) return full;
  const lean: Shown = { ...everything, functions: false };
  const fits = (shown: Shown) => page(shown).length <= budget;
  const secretRows = largest(secrets.rows.length, (n) => fits({ ...lean, secrets: n }));
  if (secretRows !== undefined) return page({ ...lean, secrets: secretRows });
  return page({ ...lean, secrets: 0, changes: largest(lean.changes, (n) => fits({ ...lean, secrets: 0, changes: n })) ?? 0 });
}

/** The largest n from 0 to max for which `fits` holds (fewer rows never fit worse), or undefined when not even 0 does. */
function largest(max: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(0)) return undefined;
  let [low, high] = [0, max];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

function tableLines(table: Table, shown: number): string[] {
  const left = table.rows.length - shown;
  if (left <= 0) return [...table.head, ...table.rows];
  return [
    ...table.head,
    ...table.rows.slice(0, shown),
    '',
    `_${plural(left, table.what)} of ${table.rows.length} left out to keep this comment within GitHub's size limit: ${FOR_ALL}._`,
  ];
}

/** Policies whose statements could not be read, where every reader sees them: what they allow is unknown. */
function unreadableSection(plan: PlanJson): string[] {
  const unreadable = plan.functions.flatMap((fn) => (fn.unreadablePolicies ?? []).map((policy) => ({ fn, policy })));
  if (unreadable.length === 0) return [];
  return [
    `**${plural(unreadable.length, 'policy', 'policies')} could not be read**, so what ${unreadable.length === 1 ? 'it allows' : 'they allow'} is unknown (\`check\` fails ${unreadable.length === 1 ? 'it' : 'them'}, SR005): ` +
      `${unreadable.map(({ fn, policy }) => `${code(policy.address)} of ${cell(fn.functionName ?? fn.address)} (${cell(policy.reason)})`).join(', ')}.`,
    '',
  ];
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

function changesSection(changes: readonly PlanChange[]): Table {
  if (changes.length === 0) return { head: ['### Changes', '', 'No rotation changes.'], rows: [], what: 'change' };
  return {
    head: ['### Changes', '', row(['Change', 'Stack', 'Resource', 'Secrets', 'Before', 'After']), row(['---', '---', '---', '---', '---', '---'])],
    rows: changes.map((c) =>
      row([
        CHANGE_WORDS[c.kind],
        cell(c.stack),
        code(c.address),
        c.secrets.map(code).join('<br>'),
        c.before !== undefined ? cell(c.before) : '',
        [...(c.after !== undefined ? [cell(c.after)] : []), ...(c.grants ?? []).map((g) => code(readableArn(g)))].join('<br>'),
      ]),
    ),
    what: 'change',
  };
}

function secretsSection(plan: PlanJson): Table {
  if (plan.secrets.length === 0) return { head: ['### Secrets', '', 'No Secrets Manager secret in these stacks.'], rows: [], what: 'secret' };
  return {
    head: [
      '### Secrets',
      '',
      row(['Stack', 'Secret', 'Rotated by', 'Schedule', 'Window', 'Immediately', 'KMS key', 'Alarms']),
      row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ],
    rows: plan.secrets.map((secret) => secretRow(secret, plan.functions)),
    what: 'secret',
  };
}

function secretRow(secret: PlanSecret, functions: readonly PlanFunction[]): string {
  const rotation = secret.rotation;
  const fn = rotation?.functionAddress ? functions.find((f) => f.stack === secret.stack && f.address === rotation.functionAddress) : undefined;
  const name = secret.name !== undefined ? code(secret.name) : `${code(secret.address)}${secret.owner === 'service' ? ' (owned by the service)' : ''}`;
  const alarms = [
    secret.alarms.failureRules.length > 0 ? 'failure rule' : '',
    secret.alarms.errorsAlarm ? 'errors alarm' : rotation?.kind === 'function' || rotation?.kind === 'hosted' ? '**no errors alarm**' : '',
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
  const unreadable = fn.unreadablePolicies ?? [];
  if (unreadable.length > 0) {
    facts.push(`**Could not be read** (not in the table): ${unreadable.map((p) => `${code(p.address)} (${cell(p.reason)}, digest ${code(p.digest)})`).join(', ')}.`);
  }
  const unread = unreadable.length > 0 ? `, ${plural(unreadable.length, 'policy', 'policies')} not read` : '';
  return [
    '<details>',
    `<summary>${html(fn.functionName ?? fn.address)} (${html(describeFunction(fn))}): ${plural(fn.permissions.length, 'statement')}${unread}, rotates ${rotates.map(html).join(', ')}</summary>`,
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
  const list = (values: readonly string[]) => values.map((v) => code(readableArn(v))).join('<br>');
  return row([
    p.sid ? cell(p.sid) : '',
    p.effect,
    p.notActions ? `not ${list(p.notActions)}` : list(p.actions),
    p.notResources ? `not ${list(p.notResources)}` : list(p.resources),
    list(p.conditions),
  ]);
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
