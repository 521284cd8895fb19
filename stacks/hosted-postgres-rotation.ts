import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import { HostedRotation, RotatedSecret } from '../modules';
import { ReferenceStack } from './reference-stack';

/**
 * A PostgreSQL credential rotated by AWS's own function (hosted rotation),
 * deployed from the Serverless Application Repository into the database's
 * VPC: no Lambda code of this library.
 */
export class HostedPostgresRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const subnetIds = new TerraformVariable(this, 'subnet_ids', {
      type: 'list(string)',
      default: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      description: 'Private subnets of the rotation function',
    });
    const securityGroupIds = new TerraformVariable(this, 'security_group_ids', {
      type: 'list(string)',
      default: ['sg-0123456789abcdef0'],
      description: 'Security groups of the rotation function',
    });
    const host = new TerraformVariable(this, 'db_host', { type: 'string', default: 'postgres.internal.example', description: 'Host name of the database' });
    const password = this.password('db_password', 'Current password');

    const secret = new RotatedSecret(this, 'DatabaseCredential', {
      name: 'reference/hosted/postgres',
      description: 'PostgreSQL credential rotated by AWS\'s hosted rotation',
      initialValue: Fn.jsonencode({ engine: 'postgres', host: host.stringValue, port: 5432, username: 'app', password, dbname: 'app' }),
      rotation: {
        hosted: HostedRotation.postgreSqlSingleUser({ vpc: { subnetIds: subnetIds.listValue, securityGroupIds: securityGroupIds.listValue } }),
        automaticallyAfterDays: 30,
      },
    });
    new TerraformOutput(this, 'secret_arn', { value: secret.secretArn });
  }
}
