import { Construct } from 'constructs';
import { LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';

/**
 * What every reference stack starts with: a local backend at a relative path
 * (cdktf's default is absolute, which would make cdk.tf.json differ between
 * checkouts; this one names the same file, seen from cdktf.out/stacks/<id>),
 * Terraform 1.11 for write-only attributes and ephemeral variables, and an
 * AWS provider for the `region` variable.
 */
export class ReferenceStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    this.addOverride('terraform.required_version', '>= 1.11.0');
    const region = new TerraformVariable(this, 'region', { type: 'string', default: 'eu-west-1', description: 'AWS region of the stack' });
    new AwsProvider(this, 'aws', { region: region.stringValue });
  }

  /** A plain input variable with a default. */
  protected input(name: string, type: string, description: string, defaultValue: unknown): TerraformVariable {
    return new TerraformVariable(this, name, { type, description, default: defaultValue });
  }

  /** A password input: sensitive and ephemeral, so Terraform keeps it out of plans and state. Returns its value. */
  protected password(name: string, description: string): string {
    const variable = new TerraformVariable(this, name, { type: 'string', sensitive: true, description: `${description}; written once, never in state` });
    variable.addOverride('ephemeral', true);
    return variable.stringValue;
  }
}
