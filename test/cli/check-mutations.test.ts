import { EXIT } from '../../cli/errors';
import { synthFixture } from '../support/cli-fixtures';
import { check, checkJson, findingLines, lineOfKey, onlyKey, stackJson } from './check-run';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutation = (json: Record<string, any>) => void;

/** The postgres-rotation stack (which passes every rule), changed as a pull request might. */
const postgres = (mutate: Mutation) => synthFixture({ stacks: ['postgres-rotation'], mutate: (json) => mutate(json) });
const only = (json: Record<string, any>, type: string, section = 'resource') => json[section][type][onlyKey(json, type, section)];

/** The address of the only block of `type` in a fixture's stack. */
const address = (dir: string, type: string, stack = 'postgres-rotation') => `${type}.${onlyKey(stackJson(dir, stack).json, type)}`;

/** Checks `dir` and expects exactly `expected` (`ruleId level address`) with the exit code, each finding at its block's line. */
async function expectFindings(dir: string, expected: string[], code: number, stack = 'postgres-rotation') {
  const { code: actual, json } = await checkJson(dir);
  expect(findingLines(json)).toEqual(expected.map((line) => `${stack} ${line}`));
  const { text } = stackJson(dir, stack);
  for (const finding of json.findings) expect(finding.line).toBe(lineOfKey(text, finding.address.split('.')[1]));
  expect(actual).toBe(code);
  return json.findings;
}

describe('secret-rotation check on a changed stack', () => {
  it('passes the unchanged stack', async () => {
    await expectFindings(postgres(() => undefined), [], EXIT.ok);
  });

  it('fails SR001 when the rotation is removed', async () => {
    const dir = postgres((json) => delete json.resource.aws_secretsmanager_secret_rotation);
    const [finding] = await expectFindings(dir, [`SR001 error ${address(dir, 'aws_secretsmanager_secret')}`], EXIT.failed);
    expect(finding.message).toBe('secret "reference/postgres/app" does not rotate');
  });

  it('fails SR002 when the secret rotates every 365 days', async () => {
    const dir = postgres((json) => (only(json, 'aws_secretsmanager_secret_rotation').rotation_rules.automatically_after_days = 365));
    const [finding] = await expectFindings(dir, [`SR002 error ${address(dir, 'aws_secretsmanager_secret_rotation')}`], EXIT.failed);
    expect(finding.message).toBe('secret "reference/postgres/app" may go 365 days between rotations (schedule "every 365 days"), more than the maximum of 90');
  });

  it('warns SR003 when the schedule cannot be bounded (a cron expression with a year field)', async () => {
    const dir = postgres((json) => (only(json, 'aws_secretsmanager_secret_rotation').rotation_rules = { schedule_expression: 'cron(0 4 1 * ? 2026-2030)' }));
    await expectFindings(dir, [`SR003 warning ${address(dir, 'aws_secretsmanager_secret_rotation')}`], EXIT.ok);
  });

  it('warns SR004 when kms_key_id is dropped, and fails at --fail-on warning', async () => {
    const dir = postgres((json) => delete only(json, 'aws_secretsmanager_secret').kms_key_id);
    await expectFindings(dir, [`SR004 warning ${address(dir, 'aws_secretsmanager_secret')}`], EXIT.ok);
    expect((await check('--dir', dir, '--fail-on', 'warning')).code).toBe(EXIT.failed);
  });

  it('fails SR005 when the role may read every secret ("*")', async () => {
    const dir = postgres((json) => {
      const key = Object.keys(json.data.aws_iam_policy_document).find((id) => id.startsWith('PostgresRotation_Policy_'))!;
      json.data.aws_iam_policy_document[key].statement.push({ sid: 'ReadEverything', actions: ['secretsmanager:GetSecretValue'], resources: ['*'] });
    });
    const [finding] = await expectFindings(dir, [`SR005 error ${address(dir, 'aws_lambda_function')}`], EXIT.failed);
    expect(finding.message).toMatch(/allows secretsmanager:GetSecretValue \(statement ReadEverything\) on every resource$/);
  });

  it('fails SR005 when a policy written with Fn.jsonencode allows secretsmanager:* on "*": it cannot be read, so it cannot pass', async () => {
    const dir = postgres((json) => {
      const role = Object.keys(json.resource.aws_iam_role)[0];
      json.resource.aws_iam_role_policy.Everything = {
        role: `\${aws_iam_role.${role}.name}`,
        policy: '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = "secretsmanager:*", "Resource" = "*"}]})}',
      };
    });
    const [finding] = await expectFindings(dir, [`SR005 error ${address(dir, 'aws_lambda_function')}`], EXIT.failed);
    expect(finding.message).toMatch(
      /^the policy aws_iam_role_policy\.Everything of the role of rotation function .+ could not be read \(an expression \(jsonencode\(…\)\)\), so it cannot be checked; write it with aws_iam_policy_document or as literal JSON$/,
    );
  });

  it('fails SR005 when the tag condition is dropped from the secrets the role may rotate (secret:*)', async () => {
    const dir = postgres((json) => {
      const key = Object.keys(json.data.aws_iam_policy_document).find((id) => id.startsWith('PostgresRotation_Policy_'))!;
      delete json.data.aws_iam_policy_document[key].statement.find((s: { sid?: string }) => s.sid === 'RotateTaggedSecrets').condition;
    });
    const [finding] = await expectFindings(dir, [`SR005 error ${address(dir, 'aws_lambda_function')}`], EXIT.failed);
    expect(finding.message).toMatch(/\(statement RotateTaggedSecrets\) on arn:\{partition\}:secretsmanager:\{region\}:\{account\}:secret:\*, a wildcard that no condition narrows$/);
  });

  it('warns SR010 when a managed policy is attached to the rotation role', async () => {
    const dir = postgres((json) => {
      const role = Object.keys(json.resource.aws_iam_role)[0];
      json.resource.aws_iam_role_policy_attachment = { ReadWrite: { role: `\${aws_iam_role.${role}.name}`, policy_arn: 'arn:aws:iam::aws:policy/SecretsManagerReadWrite' } };
    });
    const [finding] = await expectFindings(dir, [`SR010 warning ${address(dir, 'aws_lambda_function')}`], EXIT.ok);
    expect(finding.message).toMatch(/has managed policies attached that check cannot read: arn:aws:iam::aws:policy\/SecretsManagerReadWrite$/);
  });

  it('warns SR006 when the Errors alarm is removed', async () => {
    const dir = postgres((json) => delete json.resource.aws_cloudwatch_metric_alarm);
    const [finding] = await expectFindings(dir, [`SR006 warning ${address(dir, 'aws_lambda_function')}`], EXIT.ok);
    expect(finding.message).toMatch(/^rotation function .* has no CloudWatch alarm on its Errors metric$/);
  });

  it('warns SR006 when the failure rule loses its target', async () => {
    const dir = postgres((json) => delete json.resource.aws_cloudwatch_event_target);
    await expectFindings(dir, [`SR006 warning ${address(dir, 'aws_secretsmanager_secret_rotation')}`], EXIT.ok);
  });

  it('fails SR007 when the function leaves the VPC of the stack\'s database', async () => {
    const stack = 'mysql-vpc-rotation';
    const dir = synthFixture({
      stacks: [stack],
      mutate: (json) => {
        delete only(json, 'aws_lambda_function').vpc_config;
        json.resource.aws_db_instance = {
          Database: { identifier: 'app', engine: 'mysql', instance_class: 'db.t4g.micro', db_subnet_group_name: 'private', publicly_accessible: false },
        };
      },
    });
    const master = Object.keys(stackJson(dir, stack).json.resource.aws_secretsmanager_secret).find((id) => id.startsWith('MasterCredential_'));
    // The master credential's SR001 was there before; SR007 joins it.
    const findings = await expectFindings(
      dir,
      [`SR001 error aws_secretsmanager_secret.${master}`, `SR007 error ${address(dir, 'aws_lambda_function', stack)}`],
      EXIT.failed,
      stack,
    );
    expect(findings[1].message).toMatch(/\(mysql-multi-user\) runs outside any VPC, but the database aws_db_instance\.Database is in one$/);
  });

  it('notes SR009 when the resource policy stops blocking public policies', async () => {
    const dir = postgres((json) => (only(json, 'aws_secretsmanager_secret_policy').block_public_policy = false));
    await expectFindings(dir, [`SR009 note ${address(dir, 'aws_secretsmanager_secret_policy')}`], EXIT.ok);
  });

  it('fails SR008 when secret_string_wo holds a literal rather than an ephemeral variable', async () => {
    const dir = postgres((json) => (only(json, 'aws_secretsmanager_secret_version').secret_string_wo = '{"password":"Literal-Pa55word-7c1e9b"}'));
    const [finding] = await expectFindings(dir, [`SR008 error ${address(dir, 'aws_secretsmanager_secret_version')}`], EXIT.failed);
    expect(finding.message).toMatch(/\(secret_string_wo: a literal value in a write-only attribute: /);
    expect(finding.message).not.toContain('Literal-Pa55word');
  });

  describe('a literal secret_string', () => {
    const SECRET = 'Literal-Pa55word-7c1e9b';
    const dir = postgres((json) => {
      const version = only(json, 'aws_secretsmanager_secret_version');
      delete version.secret_string_wo;
      delete version.secret_string_wo_version;
      version.secret_string = JSON.stringify({ username: 'app', password: SECRET });
    });

    it('fails SR008, naming the attribute', async () => {
      const [finding] = await expectFindings(dir, [`SR008 error ${address(dir, 'aws_secretsmanager_secret_version')}`], EXIT.failed);
      expect(finding.message).toMatch(/^aws_secretsmanager_secret_version\.\w+ writes a secret value into the JSON \(secret_string: .+\)$/);
    });

    it.each(['text', 'json', 'sarif'])('never prints the value (--format %s)', async (format) => {
      const run = await check('--dir', dir, '--format', format);
      expect(run.code).toBe(EXIT.failed);
      expect(run.out).toContain('SR008');
      expect(run.out).not.toContain(SECRET);
      expect(run.err).not.toContain(SECRET);
    });
  });
});
