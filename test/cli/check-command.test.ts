import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from 'sarif';
import { RULES } from '../../cli/check/rules';
import { EXIT } from '../../cli/errors';
import { HELP } from '../../cli/main';
import { synthFixture } from '../support/cli-fixtures';
import { check, checkJson, findingLines, lineOfKey, stackJson } from './check-run';
import { sarifValidator, schemaErrors } from './check-sarif-schema';

const scratch = mkdtempSync(join(tmpdir(), 'check-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const rulesFile = (name: string, content: unknown) => {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/**
 * What check finds in the reference stacks with the default rules, each true:
 * - the admin keys of custom-rotation and the master credentials of the
 *   multi-user stacks are read by a rotation function, never rotated (SR001).
 * Hosted rotation and RDS's managed rotation bring the stack's RotationAlarms
 * by default, so SR006 finds nothing.
 */
const REFERENCE_FINDINGS = [
  /^custom-rotation SR001 error aws_secretsmanager_secret\.TokenAdminKey_[0-9A-F]{8}$/,
  /^custom-rotation SR001 error aws_secretsmanager_secret\.VendorAdminKey_[0-9A-F]{8}$/,
  /^mysql-vpc-rotation SR001 error aws_secretsmanager_secret\.MasterCredential_[0-9A-F]{8}$/,
  /^postgres-multi-user-rotation SR001 error aws_secretsmanager_secret\.MasterCredential_[0-9A-F]{8}$/,
];

describe('secret-rotation check on the reference stacks', () => {
  const dir = synthFixture();

  it('finds only what is true of them, and fails on the unrotated secrets', async () => {
    const { code, json } = await checkJson(dir);
    const lines = findingLines(json);
    expect(lines).toHaveLength(REFERENCE_FINDINGS.length);
    lines.forEach((line, i) => expect(line).toMatch(REFERENCE_FINDINGS[i]));
    expect(json.summary).toEqual({ stacks: 7, secrets: json.summary.secrets, findings: 4, error: 4, warning: 0, note: 0 });
    expect(json.failed).toBe(true);
    expect(code).toBe(EXIT.failed);
  });

  it('locates each finding at the line of its resource in the stack file', async () => {
    const { json } = await checkJson(dir);
    for (const finding of json.findings) {
      const { text } = stackJson(dir, finding.stack);
      expect([finding.address, finding.line]).toEqual([finding.address, lineOfKey(text, finding.address.split('.')[1])]);
      expect(finding.file).toBe(`${dir}/stacks/${finding.stack}/cdk.tf.json`);
    }
  });

  it('passes when the rules file lowers SR001 to a warning, or with --fail-on none', async () => {
    expect((await checkJson(dir, '--config', rulesFile('lower.json', { rules: { SR001: 'warning' } }))).code).toBe(EXIT.ok);
    expect((await checkJson(dir, '--fail-on', 'none')).code).toBe(EXIT.ok);
  });

  it('lets --fail-on override the rules file', async () => {
    const strict = rulesFile('strict.json', { rules: { SR001: 'warning' }, failOn: 'warning' });
    expect((await checkJson(dir, '--config', strict)).code).toBe(EXIT.failed);
    expect((await checkJson(dir, '--config', strict, '--fail-on', 'error')).code).toBe(EXIT.ok);
  });

  it('prints text: one line per finding, the fixes and a summary', async () => {
    const run = await check('--dir', dir);
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(/^error {3}SR001 custom-rotation aws_secretsmanager_secret\.TokenAdminKey_[0-9A-F]{8}: secret "reference\/custom\/token-admin-key" does not rotate$/);
    expect(lines).toContain(`  SR001 secret-rotates: ${RULES[0].fix}`);
    expect(lines.at(-1)).toMatch(/^7 stacks, \d+ secrets: 4 findings \(4 errors, 0 warnings, 0 notes\); FAILED \(--fail-on error\)$/);
    expect([run.code, run.err]).toEqual([EXIT.failed, '']);
  });

  it('gives the same report for the same synth, run after run', async () => {
    const again = synthFixture();
    const first = (await checkJson(dir)).json;
    const second = (await checkJson(again)).json;
    expect({ ...second, dir: first.dir, findings: second.findings.map((f) => ({ ...f, file: f.file.replace(again, dir) })) }).toEqual(first);
  });

  describe('--format sarif', () => {
    // A repository with the synth inside it, as a project that runs check in CI would have.
    const repo = join(scratch, 'repo');
    const inRepo = join(repo, 'infra', 'cdktf.out');
    mkdirSync(join(repo, '.git'), { recursive: true });
    cpSync(dir, inRepo, { recursive: true });
    const workspace = process.env.GITHUB_WORKSPACE;
    beforeEach(() => delete process.env.GITHUB_WORKSPACE);
    afterAll(() => (workspace === undefined ? delete process.env.GITHUB_WORKSPACE : (process.env.GITHUB_WORKSPACE = workspace)));

    async function sarif(from: string): Promise<Log> {
      const run = await check('--dir', from, '--format', 'sarif');
      expect([run.code, run.err]).toEqual([EXIT.failed, '']);
      const log = JSON.parse(run.out) as Log;
      const validate = sarifValidator();
      expect([validate(log), schemaErrors(validate)]).toEqual([true, '']);
      return log;
    }
    const firstLocation = (log: Log) => log.runs[0].results![0].locations![0].physicalLocation!;

    it('writes SARIF 2.1.0 that the schema accepts, each result at the line of its resource', async () => {
      const log = await sarif(inRepo);
      const [result] = log.runs[0].results!;
      const { text } = stackJson(dir, 'custom-rotation');
      const key = result.locations![0].logicalLocations![0].name!.split('.')[1];
      expect(firstLocation(log).region).toEqual({ startLine: lineOfKey(text, key) });
      expect(Object.keys(result.partialFingerprints!)).toEqual(['secretRotationFinding/v1']);
      expect(log.runs[0].results!.map((r) => r.ruleId)).toEqual(['SR001', 'SR001', 'SR001', 'SR001']);
    });

    it('locates the files from the root of the repository that holds an absolute --dir', async () => {
      const log = await sarif(inRepo);
      expect(firstLocation(log).artifactLocation).toEqual({ uri: 'infra/cdktf.out/stacks/custom-rotation/cdk.tf.json', uriBaseId: '%SRCROOT%' });
      expect(log.runs[0].originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(repo).href}/` } });
    });

    it('locates the files from GITHUB_WORKSPACE when --dir starts with ../', async () => {
      process.env.GITHUB_WORKSPACE = repo;
      const fromHere = relative(process.cwd(), inRepo).split('\\').join('/');
      expect(fromHere).toMatch(/^\.\.\//);
      const log = await sarif(fromHere);
      expect(firstLocation(log).artifactLocation).toEqual({ uri: 'infra/cdktf.out/stacks/custom-rotation/cdk.tf.json', uriBaseId: '%SRCROOT%' });
    });

    it('gives an absolute file:// URI for a synth outside the repository', async () => {
      process.env.GITHUB_WORKSPACE = repo;
      const log = await sarif(dir);
      expect(firstLocation(log).artifactLocation).toEqual({ uri: pathToFileURL(join(dir, 'stacks', 'custom-rotation', 'cdk.tf.json')).href });
    });
  });
});

describe('secret-rotation check --help', () => {
  it('lists the options, every rule with its level, and the exit codes', async () => {
    const run = await check('--help');
    expect(run.code).toBe(EXIT.ok);
    for (const option of ['--dir', '--config', '--format', '--fail-on']) expect(run.out).toContain(option);
    for (const rule of RULES) expect(run.out).toContain(`  ${rule.id}  ${rule.level.padEnd(7)}  ${rule.name}: ${rule.summary}`);
    expect(run.out).toContain('ec2:DescribeNetworkInterfaces');
    expect(run.out).toMatch(/arn:aws:secretsmanager:\*:\*:secret:\*[\s\S]*kms:ViaService, ec2:Subnet\nor ec2:Vpc\. It fails a policy it cannot read/);
    expect(run.out).toContain('  SR010  warning  no-managed-policy: ');
    expect(run.out).toMatch(/Exit codes: 0 .*; 1 .*\n2 bad command line; 3 unreadable cdktf.out or rules file/);
  });

  it('is listed by secret-rotation --help', () => {
    expect(HELP()).toMatch(/\n {2}check {6}hold the synthesized secrets to policy rules/);
  });
});

describe('secret-rotation check on bad input', () => {
  const oneLine = (run: { err: string }) => expect(run.err.split('\n')).toHaveLength(1);

  it.each([
    [['--format', 'html'], '--format must be one of text, json, sarif, got "html"'],
    [['--fail-on', 'critical'], '--fail-on must be one of error, warning, note, none, got "critical"'],
    [['--strict'], "Unknown option '--strict'"],
    [['--dir'], "Option '--dir <value>' argument missing"],
  ])('exits 2 for %j, saying what is wrong', async (args, message) => {
    const run = await check(...args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toContain(message);
    expect(run.err).toContain('secret-rotation check --help');
    oneLine(run);
  });

  it('exits 3 when the cdktf.out folder is missing', async () => {
    const run = await check('--dir', join(scratch, 'no-such-folder'));
    expect([run.code, run.out]).toEqual([EXIT.input, '']);
    expect(run.err).toMatch(/^secret-rotation check: no folder .*no-such-folder/);
    oneLine(run);
  });

  it('exits 3 when a stack file is not JSON', async () => {
    const dir = synthFixture({ stacks: ['postgres-rotation'] });
    writeFileSync(join(dir, 'stacks', 'postgres-rotation', 'cdk.tf.json'), '{ "resource": ');
    const run = await check('--dir', dir);
    expect([run.code, run.out]).toEqual([EXIT.input, '']);
    expect(run.err).toMatch(/^secret-rotation check: .*postgres-rotation.*cdk\.tf\.json/);
    oneLine(run);
  });

  it.each([
    ['not JSON', 'truncated.json', '{ "rules": ', /truncated\.json is not valid JSON: line 1, column 12: expected a value \(the file ends early\); pass a JSON rules file with --config$/],
    ['an unknown key', 'key.json', { failOnn: 'error' }, /the rules file .*key\.json: unknown key "failOnn"; the keys are maxRotationDays, rules, allowWildcardActions, failOn$/],
    ['an unknown rule', 'rule.json', { rules: { SR042: 'off' } }, /rules has no rule "SR042"; the rules are SR001, .*, SR010$/],
    ['a bad level', 'level.json', { rules: { SR001: 'fatal' } }, /rules\.SR001 must be one of off, error, warning, note, got "fatal"$/],
  ])('exits 3 when the rules file holds %s, in one line naming it', async (_what, name, content, message) => {
    const run = await check('--dir', synthFixture({ stacks: ['mysql-rotation'] }), '--config', rulesFile(name, content));
    expect([run.code, run.out]).toEqual([EXIT.input, '']);
    expect(run.err).toMatch(/^secret-rotation check: /);
    expect(run.err).toMatch(message);
    oneLine(run);
  });

  it('exits 3 when the rules file is missing', async () => {
    const run = await check('--dir', synthFixture({ stacks: ['mysql-rotation'] }), '--config', join(scratch, 'missing.json'));
    expect(run.code).toBe(EXIT.input);
    expect(run.err).toBe(`secret-rotation check: ${join(scratch, 'missing.json')} is missing; pass a JSON rules file with --config`);
  });
});
