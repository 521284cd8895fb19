import { App, Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RotatedSecret, RotationFunction } from 'cdktf-secret-rotation';

/** A PostgreSQL credential in its own KMS-encrypted secret, rotated every 30 days by changing the user's password. */
class AppDatabaseStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.addOverride('terraform.required_version', '>= 1.11.0'); // write-only attributes, ephemeral variables
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });

    // The current password, given once (TF_VAR_db_password); ephemeral: never in a plan or state.
    const password = new TerraformVariable(this, 'db_password', { type: 'string', sensitive: true });
    password.addOverride('ephemeral', true);

    const rotation = RotationFunction.postgresSingleUser(this, 'PostgresRotation');
    const secret = new RotatedSecret(this, 'AppCredential', {
      name: 'prod/app/postgres',
      description: 'PostgreSQL credential of the app',
      initialValue: Fn.jsonencode({
        engine: 'postgres', host: 'app-db.internal.example', port: 5432, dbname: 'app',
        username: 'app', password: password.stringValue,
      }),
      rotation: { function: rotation, automaticallyAfterDays: 30 },
      deletionAllowedFor: ['arn:aws:iam::123456789012:role/terraform-deploy'],
      tags: { team: 'payments' },
    });

    new TerraformOutput(this, 'secret_arn', { value: secret.secretArn });
    new TerraformOutput(this, 'kms_key_arn', { value: secret.kmsKeyArn });
  }
}

const app = new App();
new AppDatabaseStack(app, 'app-database');
app.synth();
