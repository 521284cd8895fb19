import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { Level, RULES } from './rules';
import { CheckReport, Finding } from './run-checks';
import { artifactLocation, originalUriBaseIds } from './sarif-location';

/** The key of the fingerprint code scanning matches alerts across runs with; raise the version if the hash ever changes. */
export const FINGERPRINT_KEY = 'secretRotationFinding/v1';

/** GitHub's severity scale for security alerts (critical ≥ 9, high ≥ 7, medium ≥ 4, low below). */
const SECURITY_SEVERITY: Record<Level, string> = { error: '7.5', warning: '5.0', note: '2.0' };

/**
 * A stable identity of a finding, for code scanning: the rule, the stack and
 * the Terraform address, not the line or message, which move with unrelated edits.
 */
export const fingerprint = (finding: Pick<Finding, 'ruleId' | 'stack' | 'address'>): string =>
  createHash('sha256').update([finding.ruleId, finding.stack, finding.address].join('\0')).digest('hex');

/**
 * SARIF 2.1.0 as GitHub code scanning takes it (github/codeql-action/upload-sarif):
 * every rule in tool.driver.rules (ruleIndex points there), one result per
 * finding located at the line of its resource in the stack's cdk.tf.json,
 * with the Terraform address as its logical location. File URIs are
 * relative to `root`, the repository's root (see sarif-location.ts). The
 * driver has no informationUri: it is optional, and the package has no
 * public page to point at.
 */
export function formatSarif(report: CheckReport, root: string): Log {
  const rules: ReportingDescriptor[] = RULES.map((rule) => {
    const level = report.config.levels[rule.id];
    const effective = level === 'off' ? rule.level : level;
    return {
      id: rule.id,
      name: rule.name,
      shortDescription: { text: rule.summary },
      fullDescription: { text: rule.description },
      help: { text: rule.fix, markdown: `**Fix:** ${rule.fix}` },
      defaultConfiguration: { level: effective, enabled: level !== 'off' },
      properties: { tags: ['security', 'secrets'], precision: 'very-high', 'security-severity': SECURITY_SEVERITY[effective] },
    };
  });
  const results: Result[] = report.findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: RULES.findIndex((rule) => rule.id === finding.ruleId),
    level: finding.level,
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: { artifactLocation: artifactLocation(finding.file, root), region: { startLine: finding.line } },
        logicalLocations: [{ name: finding.address, fullyQualifiedName: `${finding.stack}/${finding.address}`, kind: finding.address.startsWith('variable.') ? 'variable' : 'resource' }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding) },
    properties: { stack: finding.stack, fix: finding.fix },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'secret-rotation', rules } }, originalUriBaseIds: originalUriBaseIds(root), columnKind: 'utf16CodeUnits', results }],
  };
}
