import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TerraformSetup =
  | { readonly available: true; readonly providerVersion: string; readonly env: NodeJS.ProcessEnv }
  | { readonly available: false; readonly reason: string };

/**
 * Finds Terraform and the offline mirror of the hashicorp/aws provider
 * (TF_PROVIDER_MIRROR, default /opt/tf-plugins). When both are there, returns
 * the environment that makes `terraform init` use the mirror only; otherwise
 * says why not, for the test to report itself skipped.
 */
export function findTerraform(workDir: string): TerraformSetup {
  const mirror = process.env.TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
  try {
    execFileSync('terraform', ['version'], { stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  } catch {
    return { available: false, reason: 'terraform is not on the PATH' };
  }
  const providerDir = join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');
  const versions = existsSync(providerDir) ? readdirSync(providerDir) : [];
  if (versions.length === 0) {
    return { available: false, reason: `no hashicorp/aws provider in the mirror ${mirror} (set TF_PROVIDER_MIRROR)` };
  }
  const config = join(workDir, 'terraform.rc');
  writeFileSync(
    config,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
  );
  return {
    available: true,
    providerVersion: versions.sort().reverse()[0],
    env: { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
  };
}
