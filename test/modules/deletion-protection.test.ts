import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatedSecret } from '../../modules';
import { resources, synth } from '../support/synth';
import { findTerraform } from '../support/terraform';

/**
 * `deletionAllowedFor: []` (the default) must stop `terraform destroy`, which
 * deletes the resource policy, and with it the deny, before the secret. The
 * synthesized lifecycle is checked here, and Terraform itself is asked to plan
 * destroying secrets that exist in a state file.
 */

const json = synth((scope) => {
  new RotatedSecret(scope, 'Protected', { name: 'protected' });
  new RotatedSecret(scope, 'Deployer', { name: 'deployer', deletionAllowedFor: ['arn:aws:iam::123456789012:role/terraform-deploy'] });
  new RotatedSecret(scope, 'Unprotected', { name: 'unprotected', deletionAllowedFor: false });
});

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
const idOf = (type: string, prefix: string) => Object.keys(resources(json, type)).find((id) => id.startsWith(prefix))!;

describe('deletion protection of RotatedSecret', () => {
  it('sets prevent_destroy on the secret and its key when nobody may delete, and only then', () => {
    const lifecycles = Object.fromEntries(
      ['Protected', 'Deployer', 'Unprotected'].map((name) => [
        name,
        {
          secret: resources(json, 'aws_secretsmanager_secret')[idOf('aws_secretsmanager_secret', name)].lifecycle,
          key: resources(json, 'aws_kms_key')[idOf('aws_kms_key', name)].lifecycle,
        },
      ]),
    );
    expect(lifecycles).toEqual({
      Protected: { secret: { prevent_destroy: true }, key: { prevent_destroy: true } },
      Deployer: { secret: undefined, key: undefined },
      Unprotected: { secret: undefined, key: undefined },
    });
  });

  const terraform = findTerraform(mkdtempSync(join(tmpdir(), 'tf-rc-')));
  const run = terraform.available ? it : it.skip;
  const title = terraform.available ? '' : ` [SKIPPED: ${terraform.reason}]`;

  run(`makes terraform refuse to plan destroying the protected secret and key, and not the others${title}`, () => {
    if (!terraform.available) return;
    const dir = mkdtempSync(join(tmpdir(), 'deletion-protection-'));
    try {
      const config = JSON.parse(json);
      config.terraform = { required_providers: { aws: { source: 'hashicorp/aws', version: terraform.providerVersion } } };
      config.provider = {
        aws: [{ region: 'us-east-1', access_key: 'test', secret_key: 'test', skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true }],
      };
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
      // Every secret and key as if applied before: just enough attributes for a plan without refresh.
      const instance = (type: string, name: string, attributes: Record<string, string>) => ({
        mode: 'managed',
        type,
        name,
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [{ schema_version: 0, attributes }],
      });
      const state = {
        version: 4,
        terraform_version: '1.11.4',
        serial: 1,
        lineage: '9a0f6c1e-0000-4000-8000-000000000000',
        outputs: {},
        resources: ['Protected', 'Deployer', 'Unprotected'].flatMap((name, n) => {
          const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name.toLowerCase()}-AbCdE${n}`;
          const key = `0000000${n}-0000-4000-8000-000000000000`;
          return [
            instance('aws_secretsmanager_secret', idOf('aws_secretsmanager_secret', name), { id: arn, arn, name: name.toLowerCase() }),
            instance('aws_kms_key', idOf('aws_kms_key', name), { id: key, key_id: key, arn: `arn:aws:kms:us-east-1:123456789012:key/${key}` }),
          ];
        }),
      };
      writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(state));
      const tf = (...args: string[]) => {
        try {
          return { ok: true, output: execFileSync('terraform', args, { cwd: dir, env: terraform.env, stdio: 'pipe' }).toString() };
        } catch (error) {
          const { stdout, stderr } = error as { stdout: Buffer; stderr: Buffer };
          return { ok: false, output: `${stdout}${stderr}` };
        }
      };
      expect(tf('init', '-input=false', '-no-color')).toMatchObject({ ok: true });

      const everything = tf('plan', '-destroy', '-refresh=false', '-input=false', '-lock=false', '-no-color');
      const refused = [...everything.output.matchAll(/Resource (\S+)\s+has\s+lifecycle\.prevent_destroy\s+set/g)].map((m) => m[1]).sort();
      expect({ ok: everything.ok, refused }).toEqual({
        ok: false,
        refused: [`aws_kms_key.${idOf('aws_kms_key', 'Protected')}`, `aws_secretsmanager_secret.${idOf('aws_secretsmanager_secret', 'Protected')}`],
      });

      // The others can go: a plan that destroys only them succeeds.
      const targets = ['Deployer', 'Unprotected'].flatMap((name) => [
        `-target=aws_secretsmanager_secret.${idOf('aws_secretsmanager_secret', name)}`,
        `-target=aws_kms_key.${idOf('aws_kms_key', name)}`,
      ]);
      const others = tf('plan', '-destroy', '-refresh=false', '-input=false', '-lock=false', '-no-color', ...targets);
      expect({ ok: others.ok, summary: /Plan: 0 to add, 0 to change, (\d+) to destroy/.exec(others.output)?.[1] }).toEqual({ ok: true, summary: '4' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
