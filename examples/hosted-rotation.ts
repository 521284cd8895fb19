import { App, Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { HostedRotation, RotatedSecret } from 'cdktf-secret-rotation';

/** A PostgreSQL credential rotated by AWS's own function (from the Serverless Application Repository), in the database's VPC. */
class HostedRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const password = new TerraformVariable(this, 'db_password', { type: 'string', sensitive: true });
    password.addOverride('ephemeral', true);

    new RotatedSecret(this, 'AppCredential', {
      name: 'prod/billing/postgres',
      initialValue: Fn.jsonencode({
        engine: 'postgres', host: 'billing-db.internal.example', port: 5432, dbname: 'billing',
        username: 'billing', password: password.stringValue,
      }),
      rotation: {
        hosted: HostedRotation.postgreSqlSingleUser({
          functionName: 'billing-postgres-rotation',
          vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
        }),
        automaticallyAfterDays: 30,
      },
    });
  }
}

const app = new App();
new HostedRotationStack(app, 'billing-hosted');
app.synth();
