import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../../cli/errors';
import { jsonSyntaxError } from '../../cli/synth/json-file';
import { readSynth } from '../../cli/synth/read-synth';
import { maxIntervalOf } from '../../cli/synth/read-schedule';
import { synthFixture } from '../support/cli-fixtures';

// Split from read-synth.test.ts: schedule bounds and malformed input.
describe('the longest interval of a schedule expression', () => {
  it.each([
    ['rate(10 days)', 10],
    ['rate(1 day)', 1],
    ['rate(12 hours)', 0.5],
    ['cron(0 4 * * ? *)', 1],
    ['cron(0 */6 * * ? *)', 1],
    ['cron(0 4 ? * MON *)', 7],
    ['cron(0 4 ? * MON-FRI *)', 3],
    ['cron(0 4 ? * 2,5 *)', 4],
    ['cron(0 4 1 * ? *)', 31],
    ['cron(0 4 1,15 * ? *)', 17],
    ['cron(0 4 L * ? *)', 34],
    ['cron(0 4 ? * MON#1 *)', 38],
    ['cron(0 4 1 1,4,7,10 ? *)', 93],
    ['cron(0 4 1 */3 ? *)', 93],
  ])('%s: %s days', (expression, days) => {
    expect(maxIntervalOf(expression)).toBe(days);
  });

  it.each(['cron(0 4 1 1 ? 2027)', 'cron(0 4 31 * ? *)', 'cron(0 4 1 * *)', 'cron(0 4 ? * FOO *)', 'rate(5 minutes)', 'every day'])('%s: not bounded', (expression) => {
    expect(maxIntervalOf(expression)).toBeUndefined();
  });
});

describe('readSynth on malformed input', () => {
  const work = mkdtempSync(join(tmpdir(), 'read-synth-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const failure = (dir: string): CliError => {
    try {
      readSynth(dir);
    } catch (error) {
      return error as CliError;
    }
    throw new Error('readSynth did not fail');
  };
  const expectInputError = (dir: string, message: RegExp) => {
    const error = failure(dir);
    expect(error).toBeInstanceOf(CliError);
    expect(error.code).toBe(EXIT.input);
    expect(error.message).toMatch(message);
  };

  it('fails when the folder is missing, naming it', () => {
    expectInputError(join(work, 'nowhere'), /^no folder .*nowhere: run `cdktf synth`/);
  });

  it('fails when the folder has no manifest.json', () => {
    mkdirSync(join(work, 'empty'));
    expectInputError(join(work, 'empty'), /empty\/manifest\.json is missing; .* does not look like a cdktf\.out folder/);
  });

  it('fails when manifest.json is a folder, saying so', () => {
    mkdirSync(join(work, 'folder-manifest', 'manifest.json'), { recursive: true });
    expectInputError(join(work, 'folder-manifest'), /folder-manifest\/manifest\.json is a folder, not a JSON file; .* does not look like a cdktf\.out folder/);
  });

  it('fails when manifest.json has no stacks', () => {
    mkdirSync(join(work, 'no-stacks'));
    writeFileSync(join(work, 'no-stacks', 'manifest.json'), '{"version": "0.21.0"}');
    expectInputError(join(work, 'no-stacks'), /manifest\.json has no "stacks" object/);
  });

  it('fails when the manifest lists a stack whose file is missing', () => {
    const dir = synthFixture({ stacks: ['postgres-rotation'] });
    rmSync(join(dir, 'stacks', 'postgres-rotation', 'cdk.tf.json'));
    expectInputError(dir, /stacks\/postgres-rotation\/cdk\.tf\.json is missing; manifest\.json lists the stack "postgres-rotation" there/);
  });

  it('fails on invalid JSON with the line and column, without quoting the file', () => {
    const dir = synthFixture({ stacks: ['postgres-rotation'] });
    writeFileSync(join(dir, 'stacks', 'postgres-rotation', 'cdk.tf.json'), '{\n  "resource": {\n    "x": "hunter2-SECRET-VALUE" oops\n}');
    const error = failure(dir);
    expect(error.code).toBe(EXIT.input);
    expect(error.message).toMatch(/cdk\.tf\.json is not valid JSON: line 3, column 33: expected ',' or '}'/);
    expect(error.message).not.toContain('hunter2');
  });

  it('fails when a section is not an object of blocks', () => {
    const dir = synthFixture({ stacks: ['postgres-rotation'], mutate: (json) => (json.resource = [1]) });
    expectInputError(dir, /cdk\.tf\.json: "resource" must be an object of blocks by type, got a list/);
  });

  it.each([
    ['', 0, 'a value (the file ends early)'],
    ['{"a": 1,}', 8, 'a property name in double quotes'],
    ['[1 2]', 3, "',' or ']'"],
    ['{"a": tru}', 6, '"true"'],
    ['{"a": "x\\q"}', 9, 'a valid escape after \\'],
    ['{} {}', 3, 'the end of the file'],
  ])('locates the JSON error in %j', (text, offset, expected) => {
    expect(jsonSyntaxError(text)).toEqual({ offset, expected });
  });
});
