import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan } from '../../cli/plan/build-plan';
import { main } from '../../cli/main';
import { MARKDOWN_BUDGET, renderMarkdown } from '../../cli/plan/render-markdown';
import { plan, planJson } from './plan-run';
import { synthFixture } from '../support/cli-fixtures';
import { model, rotationFunction, secret, stack } from './check-model';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const POSTGRES = { stacks: ['postgres-rotation'] };

let pristine: string;
beforeAll(() => {
  pristine = synthFixture();
});

// Split from plan.test.ts: bad input, --help, and the size of the markdown.
describe('secret-rotation plan on bad input', () => {
  const work = mkdtempSync(join(tmpdir(), 'plan-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  /** One line on stderr, prefixed with the command, without a stack trace; nothing on stdout. */
  const expectOneLineError = (result: { code: number; out: string; err: string }, code: number, message: RegExp) => {
    expect(result.code).toBe(code);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^secret-rotation plan: /);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at |unexpected error/);
  };

  it('exits 3 when the folder is missing', async () => {
    expectOneLineError(await plan('--dir', join(work, 'missing')), 3, /no folder .*missing: run `cdktf synth`/);
  });

  it('exits 3 when the base folder is missing', async () => {
    expectOneLineError(await plan('--dir', pristine, '--base', join(work, 'no-base')), 3, /no folder .*no-base/);
  });

  it('exits 3 when the folder has no manifest.json', async () => {
    mkdirSync(join(work, 'empty'));
    expectOneLineError(await plan('--dir', join(work, 'empty')), 3, /manifest\.json is missing/);
  });

  it('exits 3 on invalid JSON, with the file, line and column', async () => {
    const dir = synthFixture(POSTGRES);
    writeFileSync(join(dir, 'manifest.json'), '{\n  "stacks": {\n}}}');
    expectOneLineError(await plan('--dir', dir), 3, /manifest\.json is not valid JSON: line 3, column 3: expected the end of the file/);
  });

  it('exits 3 when the manifest points at a missing stack file', async () => {
    const dir = synthFixture(POSTGRES);
    rmSync(join(dir, 'stacks', 'postgres-rotation'), { recursive: true });
    expectOneLineError(await plan('--dir', dir), 3, /stacks\/postgres-rotation\/cdk\.tf\.json is missing; manifest\.json lists the stack "postgres-rotation" there/);
  });

  it('exits 2 on a bad --format', async () => {
    expectOneLineError(await plan('--dir', pristine, '--format', 'yaml'), 2, /--format must be one of markdown, json, got "yaml"/);
  });

  it('exits 2 on an unknown option', async () => {
    expectOneLineError(await plan('--dri', pristine), 2, /Unknown option '--dri'.*secret-rotation plan --help/);
  });
});

describe('secret-rotation plan --help', () => {
  it('documents every option and the exit codes, and plan is listed among the commands', async () => {
    const { code, out } = await plan('--help');
    expect(code).toBe(0);
    for (const option of ['--dir', '--base', '--format', 'markdown', 'json', '--help', 'Exit codes: 0', '2 bad command line', '3 a folder or file could not be read']) {
      expect(out).toContain(option);
    }
    const top: string[] = [];
    await main(['--help'], { out: (t) => top.push(t), err: () => undefined });
    expect(top.join('\n')).toMatch(/^ {2}plan {7}list every secret and how it rotates/m);
  });
});

describe('secret-rotation plan markdown within a GitHub comment', () => {
  const github = 65_536;
  const role = (i: number) => ({
    ...rotationFunction({ address: `aws_lambda_function.Rotation_${i}`, functionName: `rotation-${i}` }),
    permissions: Array.from({ length: 12 }, (_, n) => ({
      sid: `Statement${n}`,
      effect: 'Allow' as const,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resources: [`arn:aws:secretsmanager:eu-west-1:111122223333:secret:team-${i}/app-${n}-*`],
      conditions: [`StringEquals secretsmanager:ResourceTag/SecretRotationFunction rotation-${i}`],
    })),
  });
  const secretOf = (i: number) =>
    secret({
      address: `aws_secretsmanager_secret.Secret_${i}`,
      name: `team-${i}/app`,
      rotation: { ...secret().rotation!, address: `aws_secretsmanager_secret_rotation.Rotation_${i}`, functionAddress: `aws_lambda_function.Rotation_${i}` },
    });
  const app = (functions: number, secrets: number) =>
    buildPlan(
      model(
        stack({
          functions: Array.from({ length: functions }, (_, i) => role(i)),
          secrets: Array.from({ length: secrets }, (_, i) => secretOf(i)),
        }),
      ),
    );

  it('keeps everything when it fits', () => {
    const markdown = renderMarkdown(app(3, 3));
    expect(markdown.split('<details>')).toHaveLength(4);
    expect(markdown).not.toContain('left out');
  });

  it("leaves out the functions' permissions first, saying how many and where to find them", () => {
    const plan = app(60, 60);
    const markdown = renderMarkdown(plan);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(markdown).not.toContain('<details>');
    expect(markdown).toContain(
      "### Rotation functions\n\n_The permissions of 60 rotation functions are left out to keep this comment within GitHub's size limit: run `secret-rotation plan --format json` for all of it._",
    );
    // Every secret is still in the table.
    expect(markdown.split('\n').filter((line) => line.startsWith('| app | `team-'))).toHaveLength(60);
    expect(renderMarkdown(plan, 10 ** 9)).toContain('<details>');
  });

  it('then cuts the secrets table from its end, with a note, and stays under the limit', () => {
    const markdown = renderMarkdown(app(1000, 1000));
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(MARKDOWN_BUDGET).toBeLessThan(github);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| app | `team-'));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBeLessThan(1000);
    expect(rows[0]).toContain('`team-0/app`');
    expect(markdown).toContain(`\n\n_${1000 - rows.length} secrets of 1000 left out to keep this comment within GitHub's size limit: run \`secret-rotation plan --format json\` for all of it._\n`);
    expect(markdown).toContain('_The permissions of 1000 rotation functions are left out');
    // Close to the budget: no more rows were cut than needed.
    expect(markdown.length + rows[0].length + 1).toBeGreaterThan(MARKDOWN_BUDGET);
  });

  it('fits a synth with many copies of a function, through the command', async () => {
    const copies = 400;
    const dir = synthFixture({
      ...POSTGRES,
      mutate: (json) => {
        const [[fnId, fn]] = Object.entries(json.resource.aws_lambda_function as Json);
        const [[secretId, secretBody]] = Object.entries(json.resource.aws_secretsmanager_secret as Json);
        const [[rotationId, rotation]] = Object.entries(json.resource.aws_secretsmanager_secret_rotation as Json);
        for (let i = 0; i < copies; i++) {
          json.resource.aws_lambda_function[`${fnId}_${i}`] = { ...fn, function_name: `${fn.function_name}-${i}` };
          json.resource.aws_secretsmanager_secret[`${secretId}_${i}`] = { ...secretBody, name: `${secretBody.name}-${i}` };
          json.resource.aws_secretsmanager_secret_rotation[`${rotationId}_${i}`] = {
            ...rotation,
            secret_id: `\${aws_secretsmanager_secret.${secretId}_${i}.id}`,
            rotation_lambda_arn: `\${aws_lambda_function.${fnId}_${i}.arn}`,
          };
        }
      },
    });
    const { code, out } = await plan('--dir', dir);
    expect(code).toBe(0);
    expect(out.length).toBeLessThan(MARKDOWN_BUDGET);
    expect(out).toContain(`_The permissions of ${copies + 1} rotation functions are left out`);
    const json = await planJson('--dir', dir);
    expect(json.functions).toHaveLength(copies + 1);
  });
});
