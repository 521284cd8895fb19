import { Construct } from 'constructs';
import { Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RotatedSecret, RotationFunction } from '../modules';

/**
 * A PostgreSQL credential in a KMS-encrypted secret, rotated every 30 days by
 * the postgres-single-user function. The password comes from an ephemeral
 * variable and is written with secret_string_wo, so it is in neither the
 * synthesized JSON nor the state.
 */
export class PostgresRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // cdktf's default local backend records an absolute path, which would make
    // cdk.tf.json differ between checkouts. This relative one names the same
    // file, seen from cdktf.out/stacks/<stack> where Terraform runs.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    // Write-only attributes (secret_string_wo) and ephemeral variables.
    this.addOverride('terraform.required_version', '>= 1.11.0');

    const region = new TerraformVariable(this, 'region', {
      type: 'string',
      default: 'eu-west-1',
      description: 'AWS region of the secret and its rotation function',
    });
    new AwsProvider(this, 'aws', { region: region.stringValue });

    const host = new TerraformVariable(this, 'db_host', {
      type: 'string',
      description: 'Host name of the PostgreSQL server',
    });
    const username = new TerraformVariable(this, 'db_username', {
      type: 'string',
      default: 'app',
      description: 'The PostgreSQL user whose password rotates',
    });
    const password = new TerraformVariable(this, 'db_password', {
      type: 'string',
      sensitive: true,
      description: 'The user\'s current password; used once to fill the secret, never stored in state',
    });
    // Ephemeral: Terraform keeps the value out of plans and state.
    password.addOverride('ephemeral', true);

    const rotation = new RotationFunction(this, 'PostgresRotation', { handler: 'postgres-single-user' });
    const secret = new RotatedSecret(this, 'DatabaseCredential', {
      name: 'reference/postgres/app',
      description: 'PostgreSQL credential of the app user',
      initialValue: Fn.jsonencode({
        engine: 'postgres',
        host: host.stringValue,
        port: 5432,
        username: username.stringValue,
        password: password.stringValue,
        dbname: 'app',
      }),
      rotation: { function: rotation, automaticallyAfterDays: 30 },
    });

    new TerraformOutput(this, 'secret_arn', { value: secret.secretArn });
    new TerraformOutput(this, 'rotation_function_arn', { value: rotation.functionArn });
  }
}
