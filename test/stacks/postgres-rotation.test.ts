import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresRotationStack } from '../../stacks/postgres-rotation';

const STACK = 'postgres-rotation';
const work = mkdtempSync(join(tmpdir(), 'stack-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Synthesizes this stack alone into a new folder. */
function synthApp(name: string): string {
  const outdir = join(work, name);
  const app = new App({ outdir });
  new PostgresRotationStack(app, STACK);
  app.synth();
  return outdir;
}

const stackJson = (outdir: string) => JSON.parse(readFileSync(join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8'));

describe('the postgres-rotation reference stack', () => {
  it('holds a KMS-encrypted PostgreSQL secret rotated every 30 days by postgres-single-user, with role, permission, log group and failure alarms', () => {
    const resource = stackJson(synthApp('contents')).resource;
    expect(Object.keys(resource).sort()).toEqual([
      'aws_cloudwatch_event_rule',
      'aws_cloudwatch_event_target',
      'aws_cloudwatch_log_group',
      'aws_cloudwatch_metric_alarm',
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_kms_key',
      'aws_kms_key_policy',
      'aws_lambda_function',
      'aws_lambda_permission',
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret_policy',
      'aws_secretsmanager_secret_rotation',
      'aws_secretsmanager_secret_version',
      'aws_sns_topic',
      'aws_sns_topic_policy',
    ]);
    const [rotation] = Object.values(resource.aws_secretsmanager_secret_rotation) as Array<Record<string, unknown>>;
    expect(rotation.rotation_rules).toEqual({ automatically_after_days: 30 });
    const [lambda] = Object.values(resource.aws_lambda_function) as Array<Record<string, unknown>>;
    expect(lambda.filename).toMatch(/\/postgres-single-user\.zip$/);
    const [secret] = Object.values(resource.aws_secretsmanager_secret) as Array<Record<string, unknown>>;
    expect(secret.kms_key_id).toMatch(/^\$\{aws_kms_key\.\w+\.arn\}$/);
  });

  it('writes the credential write-only from an ephemeral variable, so no secret value is in the JSON', () => {
    const json = stackJson(synthApp('secrets'));
    expect(json.variable.db_password).toMatchObject({ sensitive: true, ephemeral: true });
    expect(json.variable.db_password.default).toBeUndefined();
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"secret_string"|"secret_binary"/);
    const [version] = Object.values(json.resource.aws_secretsmanager_secret_version) as Array<Record<string, string>>;
    expect(version.secret_string_wo).toContain('"password" = var.db_password');
  });
});
