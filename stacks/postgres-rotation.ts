import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import { RotatedSecret, RotationFunction } from '../modules';
import { ReferenceStack } from './reference-stack';

/**
 * A PostgreSQL credential in a KMS-encrypted secret, rotated every 30 days by
 * the postgres-single-user function. The password comes from an ephemeral
 * variable and is written with secret_string_wo, so it is in neither the
 * synthesized JSON nor the state.
 */
export class PostgresRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const host = new TerraformVariable(this, 'db_host', {
      type: 'string',
      description: 'Host name of the PostgreSQL server',
    });
    const username = new TerraformVariable(this, 'db_username', {
      type: 'string',
      default: 'app',
      description: 'The PostgreSQL user whose password rotates',
    });
    const password = this.password('db_password', "The user's current password");

    const rotation = new RotationFunction(this, 'PostgresRotation', { handler: 'postgres-single-user' });
    const secret = new RotatedSecret(this, 'DatabaseCredential', {
      name: 'reference/postgres/app',
      description: 'PostgreSQL credential of the app user',
      initialValue: Fn.jsonencode({
        engine: 'postgres',
        host: host.stringValue,
        port: 5432,
        username: username.stringValue,
        password,
        dbname: 'app',
      }),
      rotation: { function: rotation, automaticallyAfterDays: 30 },
    });

    new TerraformOutput(this, 'secret_arn', { value: secret.secretArn });
    new TerraformOutput(this, 'rotation_function_arn', { value: rotation.functionArn });
  }
}
