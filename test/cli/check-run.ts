import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckJson } from '../../cli/check/check-json';
import { main } from '../../cli/main';

/** What one `secret-rotation check` run printed and returned. */
export interface CheckRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `secret-rotation check <args>` in-process, as the bin would. */
export async function check(...args: string[]): Promise<CheckRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['check', ...args], { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The JSON report of `check --format json` on `dir`, with the exit code. */
export async function checkJson(dir: string, ...args: string[]): Promise<{ code: number; json: CheckJson }> {
  const run = await check('--dir', dir, '--format', 'json', ...args);
  expect(run.err).toBe('');
  return { code: run.code, json: JSON.parse(run.out) as CheckJson };
}

/** One line per finding, `stack ruleId level address`, for exact assertions. */
export const findingLines = (json: CheckJson) => json.findings.map((f) => `${f.stack} ${f.ruleId} ${f.level} ${f.address}`);

/** The cdk.tf.json of a stack in a fixture folder, as text and parsed. */
export function stackJson(dir: string, stack: string): { text: string; json: Record<string, any> } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = readFileSync(join(dir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
  return { text, json: JSON.parse(text) };
}

/** The logical id of the only block of `type` in a stack's JSON (`resource` by default). */
export function onlyKey(json: Record<string, any>, type: string, section = 'resource'): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const keys = Object.keys(json[section]?.[type] ?? {});
  if (keys.length !== 1) throw new Error(`expected one ${type}, found ${keys.join(', ') || 'none'}`);
  return keys[0];
}

/** The 1-based line where `"key": {` opens in `text`. */
export const lineOfKey = (text: string, key: string) => text.split('\n').findIndex((line) => line.trimStart().startsWith(`${JSON.stringify(key)}: {`)) + 1;
