import { RULES } from './rules';
import { CheckReport, countByLevel } from './run-checks';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The report for a terminal or a CI log: one line per finding (level, rule
 * id, stack, address: message), the fix of each rule that failed, and a
 * summary line last, where a log's reader looks first.
 */
export function formatText(report: CheckReport): string {
  const lines = report.findings.map((f) => `${f.level.padEnd(7)} ${f.ruleId} ${f.stack} ${f.address}: ${f.message}`);
  const fired = RULES.filter((rule) => report.findings.some((finding) => finding.ruleId === rule.id));
  if (fired.length > 0) {
    lines.push('', 'How to fix:', ...fired.map((rule) => `  ${rule.id} ${rule.name}: ${rule.fix}`), '');
  }
  const counts = countByLevel(report.findings);
  const found =
    report.findings.length === 0
      ? 'no findings'
      : `${plural(report.findings.length, 'finding')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')})`;
  const off = RULES.filter((rule) => report.config.levels[rule.id] === 'off').map((rule) => rule.id);
  const verdict = report.config.failOn === 'none' ? 'passed (--fail-on none)' : `${report.failed ? 'FAILED' : 'passed'} (--fail-on ${report.config.failOn})`;
  lines.push(
    `${plural(report.stacks, 'stack')}, ${plural(report.secrets, 'secret')}: ${found}; ${verdict}${off.length > 0 ? `; rules off: ${off.join(', ')}` : ''}`,
  );
  return lines.join('\n');
}
