import { inputError } from '../errors';
import { readJsonFile } from '../synth/json-file';
import { DEFAULT_WILDCARD_ACTIONS, Level, LEVELS, RULE_IDS, RULES, RuleSettings } from './rules';

/** The lowest level that makes `check` exit 1; `none` never does. */
export type FailOn = Level | 'none';
export const FAIL_ON: readonly FailOn[] = [...LEVELS, 'none'];

/** A rule's level in a rules file: one of the levels, or `off`. */
export type RuleSetting = Level | 'off';
const RULE_SETTINGS: readonly RuleSetting[] = ['off', ...LEVELS];

/**
 * A rules file (`--config rules.json`), every key optional:
 * ```json
 * { "maxRotationDays": 90, "rules": { "SR004": "error", "SR009": "off" },
 *   "allowWildcardActions": ["ec2:DescribeNetworkInterfaces"], "failOn": "error" }
 * ```
 */
export interface RulesFile {
  /** The longest time allowed between two rotations, in days, 1 to 1000 (Secrets Manager's own limit). @default 90 */
  readonly maxRotationDays?: number;
  /** A level per rule id, or `off`. @default - each rule's own level */
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /**
   * Actions that may be allowed on "*" (SR005), besides
   * secretsmanager:GetRandomPassword, which always may. Replaces the default.
   * @default DEFAULT_WILDCARD_ACTIONS (the EC2 Describe actions Lambda needs in a VPC)
   */
  readonly allowWildcardActions?: readonly string[];
  /** The lowest level that fails the check; `--fail-on` overrides it. @default 'error' */
  readonly failOn?: FailOn;
}

/** A rules file with every default filled in. */
export interface CheckConfig extends RuleSettings {
  /** Every rule id, with its level for this run or `off`. */
  readonly levels: Readonly<Record<string, RuleSetting>>;
  readonly failOn: FailOn;
}

export const DEFAULT_MAX_ROTATION_DAYS = 90;
const KEYS = ['maxRotationDays', 'rules', 'allowWildcardActions', 'failOn'] as const;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** The configuration of a run without a rules file. */
export function defaultConfig(): CheckConfig {
  return {
    maxRotationDays: DEFAULT_MAX_ROTATION_DAYS,
    allowWildcardActions: DEFAULT_WILDCARD_ACTIONS,
    levels: Object.fromEntries(RULES.map((rule) => [rule.id, rule.level])),
    failOn: 'error',
  };
}

/**
 * Reads and validates a rules file; a missing, malformed or invalid one is an
 * input error naming the file, and the key and value that are wrong. A
 * syntax error is located by line and column, never quoted: V8's own message
 * carries a snippet of the text, which may be anything the user pointed
 * --config at.
 */
export function loadConfig(path: string): CheckConfig {
  return parseConfig(readJsonFile(path, 'pass a JSON rules file with --config'), path);
}

/** Validates a parsed rules file strictly: unknown keys, rule ids and levels are refused. */
export function parseConfig(json: unknown, path: string): CheckConfig {
  const bad = (what: string) => inputError(`the rules file ${path}: ${what}`);
  const show = (value: unknown) => JSON.stringify(value) ?? String(value);
  if (!isObject(json)) throw bad(`must hold a JSON object, got ${show(json)}`);
  for (const key of Object.keys(json)) {
    if (!(KEYS as readonly string[]).includes(key)) throw bad(`unknown key ${show(key)}; the keys are ${KEYS.join(', ')}`);
  }
  const file = json as RulesFile;
  const config = defaultConfig();

  const days = file.maxRotationDays;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000)) {
    throw bad(`maxRotationDays must be a whole number of days from 1 to 1000, got ${show(days)}`);
  }

  const levels: Record<string, RuleSetting> = { ...config.levels };
  if (file.rules !== undefined) {
    if (!isObject(file.rules)) throw bad(`rules must be an object of rule ids and levels, e.g. {"SR004": "error"}, got ${show(file.rules)}`);
    for (const [id, level] of Object.entries(file.rules)) {
      if (!RULE_IDS.includes(id)) throw bad(`rules has no rule ${show(id)}; the rules are ${RULE_IDS.join(', ')}`);
      if (!RULE_SETTINGS.includes(level)) throw bad(`rules.${id} must be one of ${RULE_SETTINGS.join(', ')}, got ${show(level)}`);
      levels[id] = level;
    }
  }

  const actions = file.allowWildcardActions;
  if (actions !== undefined) {
    if (!Array.isArray(actions)) throw bad(`allowWildcardActions must be a list of IAM actions, got ${show(actions)}`);
    const wrong = actions.find((action) => typeof action !== 'string' || !ACTION.test(action));
    if (wrong !== undefined) throw bad(`allowWildcardActions must hold IAM actions such as "ec2:DescribeSubnets", got ${show(wrong)}`);
  }

  if (file.failOn !== undefined && !FAIL_ON.includes(file.failOn)) throw bad(`failOn must be one of ${FAIL_ON.join(', ')}, got ${show(file.failOn)}`);

  return {
    maxRotationDays: days ?? config.maxRotationDays,
    allowWildcardActions: actions ?? config.allowWildcardActions,
    levels,
    failOn: file.failOn ?? config.failOn,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
