import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig, parseConfig } from '../../cli/check/config';
import { DEFAULT_WILDCARD_ACTIONS, RULES } from '../../cli/check/rules';
import { CliError, EXIT } from '../../cli/errors';

function inputFailure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe(EXIT.input);
    return (error as CliError).message;
  }
  throw new Error('expected an input error');
}

const dir = mkdtempSync(join(tmpdir(), 'check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the rules file', () => {
  it('defaults to 90 days, every rule at its own level, the EC2 allow-list and failing on errors', () => {
    expect(defaultConfig()).toEqual({
      maxRotationDays: 90,
      allowWildcardActions: DEFAULT_WILDCARD_ACTIONS,
      levels: Object.fromEntries(RULES.map((rule) => [rule.id, rule.level])),
      failOn: 'error',
    });
    expect(parseConfig({}, 'rules.json')).toEqual(defaultConfig());
  });

  it('overrides each setting it gives', () => {
    const config = parseConfig({ maxRotationDays: 30, rules: { SR004: 'error', SR009: 'off' }, allowWildcardActions: ['ec2:DescribeSubnets'], failOn: 'warning' }, 'rules.json');
    expect(config).toEqual({
      maxRotationDays: 30,
      allowWildcardActions: ['ec2:DescribeSubnets'],
      levels: { ...defaultConfig().levels, SR004: 'error', SR009: 'off' },
      failOn: 'warning',
    });
  });

  it.each([
    [[], 'the rules file r.json: must hold a JSON object, got []'],
    [{ maxRotationDay: 30 }, 'the rules file r.json: unknown key "maxRotationDay"; the keys are maxRotationDays, rules, allowWildcardActions, failOn'],
    [{ maxRotationDays: '90' }, 'the rules file r.json: maxRotationDays must be a whole number of days from 1 to 1000, got "90"'],
    [{ maxRotationDays: 0 }, 'the rules file r.json: maxRotationDays must be a whole number of days from 1 to 1000, got 0'],
    [{ maxRotationDays: 30.5 }, 'the rules file r.json: maxRotationDays must be a whole number of days from 1 to 1000, got 30.5'],
    [{ rules: ['SR001'] }, 'the rules file r.json: rules must be an object of rule ids and levels, e.g. {"SR004": "error"}, got ["SR001"]'],
    [{ rules: { SR099: 'off' } }, 'the rules file r.json: rules has no rule "SR099"; the rules are SR001, SR002, SR003, SR004, SR005, SR006, SR007, SR008, SR009, SR010'],
    [{ rules: { SR003: 'fatal' } }, 'the rules file r.json: rules.SR003 must be one of off, error, warning, note, got "fatal"'],
    [{ rules: { SR003: true } }, 'the rules file r.json: rules.SR003 must be one of off, error, warning, note, got true'],
    [{ allowWildcardActions: 'ec2:DescribeSubnets' }, 'the rules file r.json: allowWildcardActions must be a list of IAM actions, got "ec2:DescribeSubnets"'],
    [{ allowWildcardActions: ['DescribeSubnets'] }, 'the rules file r.json: allowWildcardActions must hold IAM actions such as "ec2:DescribeSubnets", got "DescribeSubnets"'],
    [{ failOn: 'critical' }, 'the rules file r.json: failOn must be one of error, warning, note, none, got "critical"'],
  ])('fails when the file holds %j, naming the key and the value', (json, message) => {
    expect(inputFailure(() => parseConfig(json, 'r.json'))).toBe(message);
  });

  it('fails when the file is missing or not JSON, in one line', () => {
    expect(inputFailure(() => loadConfig(join(dir, 'none.json')))).toBe(`${join(dir, 'none.json')} is missing; pass a JSON rules file with --config`);
    writeFileSync(join(dir, 'bad.json'), '{ "failOn": ');
    expect(inputFailure(() => loadConfig(join(dir, 'bad.json')))).toBe(
      `${join(dir, 'bad.json')} is not valid JSON: line 1, column 13: expected a value (the file ends early); pass a JSON rules file with --config`,
    );
    expect(inputFailure(() => loadConfig(dir))).toBe(`${dir} is a folder, not a JSON file; pass a JSON rules file with --config`);
  });

  it('fails on invalid JSON without quoting the file, which may hold anything', () => {
    // V8's own message would be: Unexpected token 'h', "{"failOn": hunter2-…}" is not valid JSON
    writeFileSync(join(dir, 'leaky.json'), '{"failOn": hunter2-SECRET-VALUE}');
    const message = inputFailure(() => loadConfig(join(dir, 'leaky.json')));
    expect(message).toBe(`${join(dir, 'leaky.json')} is not valid JSON: line 1, column 12: expected a value; pass a JSON rules file with --config`);
    expect(message).not.toContain('hunter2');
  });

  it('reads a valid file', () => {
    writeFileSync(join(dir, 'rules.json'), JSON.stringify({ rules: { SR006: 'error' } }));
    expect(loadConfig(join(dir, 'rules.json')).levels.SR006).toBe('error');
  });
});
