import { Construct } from 'constructs';
import { Fn, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RotatedSecret, RotationFunction } from '../modules';

/** A MySQL (or MariaDB, Aurora MySQL) credential whose user's password changes in place every 30 days. */
export class MysqlRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    this.addOverride('terraform.required_version', '>= 1.11.0');
    const region = new TerraformVariable(this, 'region', { type: 'string', default: 'eu-west-1', description: 'AWS region of the secret' });
    new AwsProvider(this, 'aws', { region: region.stringValue });
    const host = new TerraformVariable(this, 'db_host', { type: 'string', default: 'mysql.example.com', description: 'Host name of the MySQL server' });
    const password = new TerraformVariable(this, 'db_password', { type: 'string', sensitive: true, description: 'Current password; written once, never in state' });
    password.addOverride('ephemeral', true);

    new RotatedSecret(this, 'AppCredential', {
      name: 'reference/mysql/app-single-user',
      initialValue: Fn.jsonencode({ engine: 'mysql', host: host.stringValue, port: 3306, username: 'app', password: password.stringValue }),
      rotation: { function: RotationFunction.mysqlSingleUser(this, 'MysqlRotation', { passwordLength: 40 }), automaticallyAfterDays: 30 },
    });
  }
}
