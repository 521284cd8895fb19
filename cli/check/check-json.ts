import { FailOn, RuleSetting } from './config';
import { Level, RULES } from './rules';
import { CheckReport, countByLevel } from './run-checks';

/**
 * The output of `secret-rotation check --format json`: a contract for
 * pipelines. Fields are only ever added within a schemaVersion; a change
 * that could break a reader raises it. Arrays are sorted (rules by id,
 * findings by stack, rule id, address), so two runs on the same input give
 * the same bytes. No secret value is ever in it.
 */
export interface CheckJson {
  readonly schemaVersion: 1;
  /** The cdktf.out folder read, as given with --dir. */
  readonly dir: string;
  /** The settings of this run (the rules file's, with defaults filled in, and --fail-on). */
  readonly config: {
    readonly maxRotationDays: number;
    readonly allowWildcardActions: readonly string[];
    readonly failOn: FailOn;
  };
  /** true when a finding is at or above `config.failOn`: the exit code is 1. */
  readonly failed: boolean;
  readonly summary: {
    readonly stacks: number;
    readonly secrets: number;
    readonly findings: number;
    readonly error: number;
    readonly warning: number;
    readonly note: number;
  };
  /** Every rule, by id, with the level it had in this run (`off`: not evaluated). */
  readonly rules: readonly CheckJsonRule[];
  readonly findings: readonly CheckJsonFinding[];
}

export interface CheckJsonRule {
  /** Stable id, e.g. `SR001`. */
  readonly id: string;
  /** Stable kebab-case name, e.g. `secret-rotates`. */
  readonly name: string;
  readonly level: RuleSetting;
  readonly defaultLevel: Level;
  /** What the rule requires, in one line. */
  readonly summary: string;
  /** What to do about a finding, in one line. */
  readonly fix: string;
}

export interface CheckJsonFinding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly level: Level;
  /** The stack's name, as in cdktf.out/manifest.json. */
  readonly stack: string;
  /** The stack's cdk.tf.json: `<dir>/stacks/<stack>/cdk.tf.json`, with forward slashes. */
  readonly file: string;
  /** The line of `file` where `address` is declared; 1 when it could not be found. */
  readonly line: number;
  /** The Terraform address that fails the rule, e.g. `aws_secretsmanager_secret.Db_Resource_1A2B3C4D`. */
  readonly address: string;
  readonly message: string;
}

export function toCheckJson(report: CheckReport): CheckJson {
  const { config } = report;
  return {
    schemaVersion: 1,
    dir: report.dir,
    config: { maxRotationDays: config.maxRotationDays, allowWildcardActions: [...config.allowWildcardActions], failOn: config.failOn },
    failed: report.failed,
    summary: { stacks: report.stacks, secrets: report.secrets, findings: report.findings.length, ...countByLevel(report.findings) },
    rules: RULES.map((rule) => ({ id: rule.id, name: rule.name, level: config.levels[rule.id], defaultLevel: rule.level, summary: rule.summary, fix: rule.fix })),
    findings: report.findings.map(({ ruleId, ruleName, level, stack, file, line, address, message }) => ({ ruleId, ruleName, level, stack, file, line, address, message })),
  };
}
