import { main } from '../../cli/main';
import { PlanJson } from '../../cli/plan/plan-json';

/** Runs `secret-rotation plan …` in-process, as the bin would, collecting what it prints. */
export async function plan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['plan', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The JSON plan, after checking the run succeeded quietly. */
export async function planJson(...args: string[]): Promise<PlanJson> {
  const result = await plan(...args, '--format', 'json');
  expect({ code: result.code, err: result.err }).toEqual({ code: 0, err: '' });
  return JSON.parse(result.out) as PlanJson;
}
