import { HandlerKind } from './handlers';
import { Keeping } from './keeping';
import { RehearsalResult, StepResult } from './rehearsal';

/** What the command prints, and what `--format json` writes (documented in rehearse --help). */
export interface RehearsalReport {
  readonly handler: string;
  readonly secretFile: string;
  /** True when all four steps succeeded and AWSCURRENT moved to the new version. */
  readonly ok: boolean;
  /** Why the rehearsal failed when no step says it: the handler did not load, or AWSCURRENT did not move. */
  readonly problem?: string;
  readonly steps: readonly StepResult[];
  /** Top-level keys of the secret, by what the rotation did to their values (names only, never values). */
  readonly keys?: { readonly changed: string[]; readonly unchanged: string[]; readonly added: string[]; readonly removed: string[] };
  /** What state the target is in now. */
  readonly target: string;
  /** Where the new credential is now. */
  readonly newCredential: string;
  readonly output: string | null;
}

/** The key names whose values differ between two versions of a secret. */
export function keyChanges(before: Record<string, unknown>, after: Record<string, unknown>): NonNullable<RehearsalReport['keys']> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return {
    changed: keys.filter((k) => k in before && k in after && !same(before[k], after[k])),
    unchanged: keys.filter((k) => k in before && k in after && same(before[k], after[k])),
    added: keys.filter((k) => !(k in before)),
    removed: keys.filter((k) => !(k in after)),
  };
}

/**
 * What state the target is in after the rehearsal, from the handler's kind
 * and how far the steps got. Only setSecret changes a database; the
 * http-api-key handler has the API issue a key in createSecret already.
 */
export function targetState(kind: HandlerKind, result: RehearsalResult, ok: boolean): string {
  const ran = (step: string) => result.steps.some((s) => s.step === step && s.result !== 'not run');
  const setSecretOk = result.steps.some((s) => s.step === 'setSecret' && s.result === 'ok');
  if (ok) {
    return {
      'single-user': "changed: the user's password is now the new one; the password in your secret file no longer works",
      'multi-user': "changed: the alternate user (created if it was missing) has the new password; the user in your secret file is unchanged and still works",
      'api-key': 'changed: the API issued a new key; the old key was revoked or is kept, as the secret\'s gracePeriodSeconds says',
      entry: 'changed, as your handler changes it (its four steps all ran)',
    }[kind];
  }
  if (!ran('setSecret')) {
    if (kind === 'api-key' && ran('createSecret')) {
      return 'mostly unchanged: createSecret may have had the API issue a new key, which nothing uses (revoke it at the API if it shows up); the old key still works';
    }
    if (kind === 'entry') return 'unchanged, if your handler changes its target only in setSecret or later, as the protocol intends: setSecret never ran';
    return 'unchanged: the rehearsal stopped before setSecret, the only step that changes it';
  }
  if (!setSecretOk) {
    return kind === 'multi-user'
      ? 'maybe changed: setSecret failed, so the alternate user may or may not have the new password; the user in your secret file is unchanged'
      : 'maybe changed: setSecret failed, so the target may hold the new credential (AWSPENDING) or still the old one; try the old one first';
  }
  return {
    'single-user': "changed: setSecret set the new password (AWSPENDING), so the password in your secret file no longer works",
    'multi-user': 'changed: the alternate user has the new password (AWSPENDING); the user in your secret file is unchanged and still works',
    'api-key': 'changed: the API issued the new key (AWSPENDING); the old key still works unless finishSecret revoked it before it failed',
    entry: 'changed, as far as your handler got: setSecret succeeded',
  }[kind];
}

/** What became of the new value, for `credentialWhereabouts`. */
export interface NewValue {
  readonly kind: HandlerKind;
  readonly ok: boolean;
  /** A new value was stored: AWSCURRENT's after a finished rotation, AWSPENDING's otherwise. */
  readonly stored: boolean;
  /**
   * How far it may have got: `target` once setSecret ran (or the rotation
   * finished); `issued` when only createSecret ran for a handler that may act
   * there (http-api-key, your own); `nowhere` when the target never saw it.
   */
  readonly reach: 'target' | 'issued' | 'nowhere';
  /** --output holds it. */
  readonly written: boolean;
  /** Why --output does not hold it; with `written` and `ok`: why it holds only AWSPENDING's value, not AWSCURRENT's. */
  readonly saveError?: string;
  /** The user whose password a multi-user handler set. */
  readonly alternate?: string;
}

/** Where the new credential is now: a statement true in every case, as `value` describes it. */
export function credentialWhereabouts(keeping: Keeping, value: NewValue): string {
  const fileNotKept = keeping.kind === 'output' && !value.written ? `; ${keeping.file} was not kept` : '';
  if (!value.stored) return `none to keep: the handler stored no new value${fileNotKept}`;
  if (value.reach === 'nowhere') return `none to keep: setSecret never ran, so the target never saw the new value${fileNotKept}`;
  const what = value.ok
    ? 'the new secret value'
    : value.reach === 'target'
      ? 'the new value (AWSPENDING), which the target may now hold,'
      : value.kind === 'api-key'
        ? 'the new key (AWSPENDING), which createSecret had the API issue,'
        : 'the new value (AWSPENDING), which the target holds only if your handler changed it in createSecret,';
  const put = (file: string) => `put it into the real secret (aws secretsmanager put-secret-value --secret-id … --secret-string file://${file}) before anything needs it`;
  let where: string;
  if (keeping.kind === 'discard') {
    where = `${what} existed only in the emulator, which stopped with the command (--discard)`;
  } else if (!value.written) {
    where = `${what} was not saved: ${value.saveError ?? `nothing was written to ${keeping.file}`}; it existed only in the emulator, which stopped with the command`;
  } else if (value.ok && value.saveError) {
    where = `${keeping.file} (mode 0600) holds AWSPENDING as createSecret made it, but finishSecret left AWSCURRENT on another value, which was not saved (${value.saveError}) and existed only in the emulator`;
  } else {
    where = `${what} is in ${keeping.file} (mode 0600) and nowhere else: ${put(keeping.file)}`;
  }
  return value.kind === 'multi-user' ? `${where}; the next rotation of the real secret sets the password of ${value.alternate ? JSON.stringify(value.alternate) : 'the alternate user'} again` : where;
}

/** The report as a text table and a few lines. */
export function textReport(report: RehearsalReport): string {
  const lines = [`Rehearsal of ${report.handler} with ${report.secretFile}: ${report.ok ? 'succeeded' : 'FAILED'}`];
  if (report.problem) lines.push(`  ${report.problem}`);
  const rows = report.steps.map((s) => [s.step, s.result, s.ms === undefined ? '' : `${s.ms} ms`, s.error ? `${s.error.name}: ${s.error.message}` : '']);
  const widths = [0, 1, 2].map((i) => Math.max(...[['step', 'result', 'time'][i], ...rows.map((r) => r[i])].map((c) => c.length)));
  const row = (cells: string[]) => `  ${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2].padStart(widths[2])}  ${cells[3]}`.trimEnd();
  lines.push(row(['step', 'result', 'time', '']), ...rows.map(row));
  if (report.keys) lines.push(`Secret keys: ${describeKeys(report.keys)}`);
  lines.push(`Target: ${report.target}`, `New credential: ${report.newCredential}`);
  return lines.join('\n');
}

/** "password changed; dbname, host unchanged" */
export function describeKeys(keys: NonNullable<RehearsalReport['keys']>): string {
  const parts = [
    keys.changed.length ? `${keys.changed.join(', ')} changed` : 'no value changed',
    keys.added.length ? `${keys.added.join(', ')} added` : '',
    keys.removed.length ? `${keys.removed.join(', ')} removed` : '',
    keys.unchanged.length ? `${keys.unchanged.join(', ')} unchanged` : '',
  ];
  return parts.filter(Boolean).join('; ');
}
