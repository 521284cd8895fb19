import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from 'sarif';
import { toCheckJson } from '../../cli/check/check-json';
import { defaultConfig } from '../../cli/check/config';
import { FINGERPRINT_KEY, fingerprint, formatSarif } from '../../cli/check/format-sarif';
import { formatText } from '../../cli/check/format-text';
import { RULES } from '../../cli/check/rules';
import { runChecks, stackFile } from '../../cli/check/run-checks';
import { artifactLocation, repositoryRoot } from '../../cli/check/sarif-location';
import { lineOfAddress } from '../../cli/check/source-lines';
import { model, rotationFunction, secret, stack } from './check-model';
import { sarifValidator, schemaErrors } from './check-sarif-schema';

// Two stacks, given out of order: one that fails SR001 and SR004, one that fails SR006 and SR009.
const broken = model(
  stack({ name: 'zeta', file: 'stacks/zeta/cdk.tf.json', secrets: [secret({ rotation: undefined, kmsKey: { kind: 'aws-managed' } })] }),
  stack({
    name: 'alpha',
    file: 'stacks/alpha/cdk.tf.json',
    functions: [rotationFunction({ errorsAlarm: undefined })],
    secrets: [secret({ resourcePolicy: { address: 'aws_secretsmanager_secret_policy.Db_Policy_1', blockPublicPolicy: false } })],
  }),
);
const lines: Record<string, number> = { 'aws_secretsmanager_secret.Db_Resource_1': 12, 'aws_lambda_function.Rotation_Resource_1': 40 };
const report = runChecks(broken, defaultConfig(), (_stack, address) => lines[address] ?? 1);

describe('runChecks', () => {
  it('sorts findings by stack, rule id and address, each with its level, file, line and fix', () => {
    expect(report.findings.map((f) => `${f.stack} ${f.ruleId} ${f.level} ${f.address} ${f.file}:${f.line}`)).toEqual([
      'alpha SR006 warning aws_lambda_function.Rotation_Resource_1 cdktf.out/stacks/alpha/cdk.tf.json:40',
      'alpha SR009 note aws_secretsmanager_secret_policy.Db_Policy_1 cdktf.out/stacks/alpha/cdk.tf.json:1',
      'zeta SR001 error aws_secretsmanager_secret.Db_Resource_1 cdktf.out/stacks/zeta/cdk.tf.json:12',
      'zeta SR004 warning aws_secretsmanager_secret.Db_Resource_1 cdktf.out/stacks/zeta/cdk.tf.json:12',
    ]);
    expect(report.findings[0].fix).toBe(RULES.find((r) => r.id === 'SR006')!.fix);
    expect(report).toMatchObject({ stacks: 2, secrets: 2, failed: true });
  });

  it('gives a rule the level of the rules file, skips rules that are off, and fails at --fail-on', () => {
    const levels = { ...defaultConfig().levels, SR001: 'off' as const, SR009: 'error' as const };
    const tuned = runChecks(broken, { ...defaultConfig(), levels });
    expect(tuned.findings.map((f) => `${f.ruleId} ${f.level}`)).toEqual(['SR006 warning', 'SR009 error', 'SR004 warning']);
    expect(tuned.failed).toBe(true);
    const warningsOnly = { ...defaultConfig(), levels: { ...levels, SR009: 'off' as const } };
    expect(runChecks(broken, warningsOnly).failed).toBe(false);
    expect(runChecks(broken, { ...warningsOnly, failOn: 'warning' }).failed).toBe(true);
    expect(runChecks(broken, { ...defaultConfig(), failOn: 'none' }).failed).toBe(false);
  });

  it('writes the stack file from --dir as given, with forward slashes', () => {
    expect(stackFile('./out\\synth/', stack())).toBe('out/synth/stacks/app/cdk.tf.json');
    expect(stackFile('/tmp/x', stack())).toBe('/tmp/x/stacks/app/cdk.tf.json');
  });
});

describe('lineOfAddress', () => {
  const json = JSON.stringify(
    {
      data: { aws_iam_policy_document: { Policy: { statement: [] } } },
      resource: {
        aws_kms_key: { Key: { description: 'x' } },
        aws_secretsmanager_secret: { Other: { name: 'Db' }, Db: { name: 'y' } },
      },
      variable: { password: { type: 'string' } },
    },
    null,
    2,
  );
  const lineOf = (key: string) => json.split('\n').findIndex((line) => line.trim().startsWith(`"${key}":`)) + 1;

  it('finds the line where a resource, data source or variable opens', () => {
    expect(lineOfAddress(json, 'aws_secretsmanager_secret.Db')).toBe(json.split('\n').findIndex((line) => line === '      "Db": {') + 1);
    expect(lineOfAddress(json, 'data.aws_iam_policy_document.Policy')).toBe(lineOf('Policy'));
    expect(lineOfAddress(json, 'variable.password')).toBe(lineOf('password'));
  });

  it('falls back to the deepest part it finds, then to line 1', () => {
    expect(lineOfAddress(json, 'aws_kms_key.Missing')).toBe(lineOf('aws_kms_key'));
    expect(lineOfAddress(json, 'aws_db_instance.Database')).toBe(lineOf('resource'));
    expect(lineOfAddress('', 'aws_kms_key.Key')).toBe(1);
  });
});

describe('--format text', () => {
  it('prints one line per finding, the fix of each rule that failed, and a summary', () => {
    const text = formatText(report).split('\n');
    expect(text.slice(0, 4)).toEqual([
      'warning SR006 alpha aws_lambda_function.Rotation_Resource_1: rotation function rotation has no CloudWatch alarm on its Errors metric',
      'note    SR009 alpha aws_secretsmanager_secret_policy.Db_Policy_1: the resource policy of secret "prod/app/db" does not set block_public_policy',
      'error   SR001 zeta aws_secretsmanager_secret.Db_Resource_1: secret "prod/app/db" does not rotate',
      'warning SR004 zeta aws_secretsmanager_secret.Db_Resource_1: secret "prod/app/db" is encrypted with the AWS managed key aws/secretsmanager',
    ]);
    expect(text).toContain(`  SR001 secret-rotates: ${RULES[0].fix}`);
    expect(text.filter((line) => line.startsWith('  SR'))).toHaveLength(4);
    expect(text.at(-1)).toBe('2 stacks, 2 secrets: 4 findings (1 error, 2 warnings, 1 note); FAILED (--fail-on error)');
  });

  it('says when nothing was found, and which rules were off', () => {
    const clean = runChecks(model(stack()), { ...defaultConfig(), levels: { ...defaultConfig().levels, SR003: 'off' } });
    expect(formatText(clean)).toBe('1 stack, 1 secret: no findings; passed (--fail-on error); rules off: SR003');
  });
});

describe('--format json', () => {
  it('is schemaVersion 1 with the settings, a summary, every rule and the sorted findings', () => {
    const json = toCheckJson(report);
    expect(json).toMatchObject({
      schemaVersion: 1,
      dir: 'cdktf.out',
      config: { maxRotationDays: 90, failOn: 'error' },
      failed: true,
      summary: { stacks: 2, secrets: 2, findings: 4, error: 1, warning: 2, note: 1 },
    });
    expect(json.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(json.rules[0]).toEqual({ id: 'SR001', name: 'secret-rotates', level: 'error', defaultLevel: 'error', summary: RULES[0].summary, fix: RULES[0].fix });
    expect(json.findings[2]).toEqual({
      ruleId: 'SR001',
      ruleName: 'secret-rotates',
      level: 'error',
      stack: 'zeta',
      file: 'cdktf.out/stacks/zeta/cdk.tf.json',
      line: 12,
      address: 'aws_secretsmanager_secret.Db_Resource_1',
      message: 'secret "prod/app/db" does not rotate',
    });
  });
});

describe('--format sarif', () => {
  const validate = sarifValidator();
  const root = process.cwd();
  const log = formatSarif(report, root);

  it('is a valid SARIF 2.1.0 log', () => {
    expect([validate(log), schemaErrors(validate)]).toEqual([true, '']);
  });

  it('is checked by a validator that rejects broken logs', () => {
    const tampered = JSON.parse(JSON.stringify(log)) as Log;
    const result = tampered.runs[0].results![0];
    (result as unknown as Record<string, unknown>).level = 'fatal';
    result.locations![0].physicalLocation!.region!.startLine = 0;
    expect(validate(tampered)).toBe(false);
    expect(schemaErrors(validate)).toMatch(/level must be equal to one of the allowed values/);
    expect(schemaErrors(validate)).toMatch(/startLine must be >= 1/);
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const extra = JSON.parse(JSON.stringify(log)) as Log;
    (extra.runs[0].results![0] as unknown as Record<string, unknown>).severity = 'high';
    expect(validate(extra)).toBe(false);
    expect(schemaErrors(validate)).toMatch(/must NOT have additional properties/);
    const badUri = JSON.parse(JSON.stringify(log)) as Log;
    badUri.runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri = 'not a uri';
    expect(validate(badUri)).toBe(false);
  });

  it('describes every rule for code scanning, with its level, fix and severity', () => {
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('secret-rotation');
    // Optional in SARIF 2.1.0, and the package has no public page: no link that leads nowhere.
    expect(driver).not.toHaveProperty('informationUri');
    expect(driver.rules!.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(driver.rules![0]).toEqual({
      id: 'SR001',
      name: 'secret-rotates',
      shortDescription: { text: RULES[0].summary },
      fullDescription: { text: RULES[0].description },
      help: { text: RULES[0].fix, markdown: `**Fix:** ${RULES[0].fix}` },
      defaultConfiguration: { level: 'error', enabled: true },
      properties: { tags: ['security', 'secrets'], precision: 'very-high', 'security-severity': '7.5' },
    });
  });

  it('locates each result at its line of the stack file, with the address and a stable fingerprint', () => {
    const results = log.runs[0].results!;
    expect(results).toHaveLength(4);
    const sr001 = results[2];
    expect(sr001).toEqual({
      ruleId: 'SR001',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'secret "prod/app/db" does not rotate' },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'cdktf.out/stacks/zeta/cdk.tf.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 12 } },
          logicalLocations: [{ name: 'aws_secretsmanager_secret.Db_Resource_1', fullyQualifiedName: 'zeta/aws_secretsmanager_secret.Db_Resource_1', kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint({ ruleId: 'SR001', stack: 'zeta', address: 'aws_secretsmanager_secret.Db_Resource_1' }) },
      properties: { stack: 'zeta', fix: RULES[0].fix },
    });
    for (const result of results) expect(log.runs[0].tool.driver.rules![result.ruleIndex!].id).toBe(result.ruleId);
    expect(log.runs[0].originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(root).href}/` } });
  });

  it('keeps a fingerprint when the line or message moves, and changes it with the rule, stack or address', () => {
    const base = { ruleId: 'SR001', stack: 'zeta', address: 'aws_secretsmanager_secret.Db' };
    expect(fingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint(base)).toBe(fingerprint({ ...base }));
    for (const change of [{ ruleId: 'SR004' }, { stack: 'zet' }, { address: 'aws_secretsmanager_secret.D' }]) {
      expect(fingerprint({ ...base, ...change })).not.toBe(fingerprint(base));
    }
    // The parts are separated: "ab"+"c" is not "a"+"bc".
    expect(fingerprint({ ...base, stack: 'ab', address: 'c' })).not.toBe(fingerprint({ ...base, stack: 'a', address: 'bc' }));
  });

  it('marks rules that are off as disabled', () => {
    const off = formatSarif(runChecks(broken, { ...defaultConfig(), levels: { ...defaultConfig().levels, SR009: 'off' } }), root);
    expect(off.runs[0].tool.driver.rules![8].defaultConfiguration).toEqual({ level: 'note', enabled: false });
    expect(off.runs[0].results).toHaveLength(3);
  });
});

describe('SARIF locations', () => {
  const work = mkdtempSync(join(tmpdir(), 'sarif-location-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const repo = join(work, 'repo');
  const out = join(repo, 'infra', 'cdktf.out');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(out, { recursive: true });
  const file = 'stacks/app/cdk.tf.json';

  it('makes a path inside the repository relative to its root, with %SRCROOT%, from an absolute --dir', () => {
    expect(artifactLocation(`${out}/${file}`, repo, '/elsewhere')).toEqual({ uri: 'infra/cdktf.out/stacks/app/cdk.tf.json', uriBaseId: '%SRCROOT%' });
  });

  it('makes a path given from ../ relative to the root, not to the working directory', () => {
    const cwd = join(repo, 'tools');
    expect(artifactLocation(`../infra/cdktf.out/${file}`, repo, cwd)).toEqual({ uri: 'infra/cdktf.out/stacks/app/cdk.tf.json', uriBaseId: '%SRCROOT%' });
  });

  it('gives a path outside the root as an absolute file:// URI', () => {
    const outside = join(work, 'other', 'cdktf.out', file);
    expect(artifactLocation(outside, repo)).toEqual({ uri: pathToFileURL(outside).href });
    expect(artifactLocation(`../other/cdktf.out/${file}`, repo, repo)).toEqual({ uri: pathToFileURL(outside).href });
  });

  it('escapes characters a URI cannot hold', () => {
    expect(artifactLocation(join(repo, 'my out#1', file), repo)).toEqual({ uri: 'my%20out%231/stacks/app/cdk.tf.json', uriBaseId: '%SRCROOT%' });
  });

  it('takes the root from GITHUB_WORKSPACE, else the nearest .git above --dir, else the working directory', () => {
    expect(repositoryRoot('cdktf.out', { GITHUB_WORKSPACE: '/github/workspace' }, repo)).toBe('/github/workspace');
    expect(repositoryRoot(out, {}, '/')).toBe(repo);
    expect(repositoryRoot('infra/cdktf.out', {}, repo)).toBe(repo);
    const bare = join(work, 'no-repo', 'cdktf.out');
    mkdirSync(bare, { recursive: true });
    expect(repositoryRoot(bare, {}, join(work, 'no-repo'))).toBe(join(work, 'no-repo'));
  });

  it('finds a worktree, whose .git is a file', () => {
    const worktree = join(work, 'worktree');
    mkdirSync(join(worktree, 'cdktf.out'), { recursive: true });
    writeFileSync(join(worktree, '.git'), 'gitdir: /somewhere/.git/worktrees/x\n');
    expect(repositoryRoot(join(worktree, 'cdktf.out'), {}, '/')).toBe(worktree);
  });
});
