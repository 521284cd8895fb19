import { Construct } from 'constructs';
import { Fn, TerraformVariable } from 'cdktf';
import { RotatedSecret, RotationFunction } from '../modules';
import { ReferenceStack } from './reference-stack';

/** A MySQL (or MariaDB, Aurora MySQL) credential whose user's password changes in place every 30 days. */
export class MysqlRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const host = new TerraformVariable(this, 'db_host', { type: 'string', default: 'mysql.example.com', description: 'Host name of the MySQL server' });
    const password = this.password('db_password', 'Current password');

    new RotatedSecret(this, 'AppCredential', {
      name: 'reference/mysql/app-single-user',
      initialValue: Fn.jsonencode({ engine: 'mysql', host: host.stringValue, port: 3306, username: 'app', password }),
      rotation: { function: RotationFunction.mysqlSingleUser(this, 'MysqlRotation', { passwordLength: 40 }), automaticallyAfterDays: 30 },
    });
  }
}
