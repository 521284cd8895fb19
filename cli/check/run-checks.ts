import { posix } from 'node:path';
import type { StackModel, SynthModel } from '../synth/model';
import type { CheckJsonFinding } from './check-json';
import { CheckConfig, FailOn } from './config';
import { Level, RuleHit, RULES } from './rules';

/** One rule failure, as every format reports it: the JSON format's finding (check-json.ts), with its rule's fix. */
export interface Finding extends CheckJsonFinding {
  readonly fix: string;
}

/** The outcome of a check run. */
export interface CheckReport {
  readonly dir: string;
  readonly config: CheckConfig;
  readonly stacks: number;
  readonly secrets: number;
  /** Sorted by stack, rule id, then address: the same order on every run. */
  readonly findings: readonly Finding[];
  /** A finding is at or above `config.failOn`: the check fails (exit 1). */
  readonly failed: boolean;
}

const RANK: Record<Level, number> = { error: 3, warning: 2, note: 1 };

/** Whether a finding at `level` fails a check run with `failOn`. */
export const failsAt = (level: Level, failOn: FailOn): boolean => failOn !== 'none' && RANK[level] >= RANK[failOn];

/** Where a stack's cdk.tf.json is, from the working directory, with forward slashes (SARIF URIs, GitHub's annotations). */
export const stackFile = (dir: string, stack: StackModel): string => posix.normalize(posix.join(dir.replace(/\\/g, '/'), stack.file.replace(/\\/g, '/')));

/**
 * Runs every rule that is not off on every stack. `lineOf` gives the line of
 * an address in a stack's cdk.tf.json (see source-lines.ts).
 */
export function runChecks(model: SynthModel, config: CheckConfig, lineOf: (stack: StackModel, address: string) => number = () => 1): CheckReport {
  const findings: Finding[] = [];
  for (const stack of model.stacks) {
    for (const rule of RULES) {
      const level = config.levels[rule.id];
      if (level === undefined || level === 'off') continue;
      for (const hit of onePerAddress(rule.evaluate(stack, config))) {
        findings.push({
          ruleId: rule.id,
          ruleName: rule.name,
          level,
          stack: stack.name,
          file: stackFile(model.dir, stack),
          line: lineOf(stack, hit.address),
          address: hit.address,
          message: hit.message,
          fix: rule.fix,
        });
      }
    }
  }
  findings.sort((a, b) => compare(a.stack, b.stack) || compare(a.ruleId, b.ruleId) || compare(a.address, b.address));
  return {
    dir: model.dir,
    config,
    stacks: model.stacks.length,
    secrets: model.stacks.reduce((sum, stack) => sum + stack.secrets.length, 0),
    findings,
    failed: findings.some((finding) => failsAt(finding.level, config.failOn)),
  };
}

/** A rule reports an address once (the fingerprint of a finding is rule, stack and address); extra hits there join the first's message. */
function onePerAddress(hits: readonly RuleHit[]): RuleHit[] {
  const byAddress = new Map<string, string[]>();
  for (const hit of hits) byAddress.set(hit.address, [...(byAddress.get(hit.address) ?? []), hit.message]);
  return [...byAddress].map(([address, messages]) => ({ address, message: messages.join('; ') }));
}

/** Plain code-unit order, the same in every locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Counts of findings per level. */
export function countByLevel(findings: readonly Finding[]): Record<Level, number> {
  const counts: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const finding of findings) counts[finding.level] += 1;
  return counts;
}
