import { Construct } from 'constructs';
import { Fn, TerraformOutput } from 'cdktf';
import { RotatedSecret, RotationFunction } from '../modules';
import { ReferenceStack } from './reference-stack';

/**
 * A MySQL credential rotated by alternating users (`app` / `app_clone`),
 * with the function placed in the database's VPC and an interface endpoint
 * for Secrets Manager, for private subnets without a route out. The master
 * credential is a second secret that the function may only read.
 */
export class MysqlVpcRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const vpcId = this.input('vpc_id', 'string', 'VPC of the database', 'vpc-0123456789abcdef0');
    const subnetIds = this.input('subnet_ids', 'list(string)', 'Private subnets of the rotation function', ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']);
    const securityGroupIds = this.input('security_group_ids', 'list(string)', 'Security groups of the rotation function; the database must let them in', [
      'sg-0123456789abcdef0',
    ]);
    const host = this.input('db_host', 'string', 'Host name of the MySQL server', 'mysql.internal.example');
    const masterPassword = this.password('master_password', 'Current master password');
    const appPassword = this.password('app_password', 'Current app password');

    const rotation = new RotationFunction(this, 'MysqlRotation', {
      handler: 'mysql-multi-user',
      vpc: {
        subnetIds: subnetIds.listValue,
        securityGroupIds: securityGroupIds.listValue,
        secretsManagerEndpoint: { vpcId: vpcId.stringValue },
      },
    });
    const credential = (username: string, password: string, extra: Record<string, string> = {}) =>
      Fn.jsonencode({ engine: 'mysql', host: host.stringValue, port: 3306, username, password, ...extra });
    const master = new RotatedSecret(this, 'MasterCredential', {
      name: 'reference/mysql/master',
      description: 'MySQL master credential, read by the rotation function',
      initialValue: credential('admin', masterPassword),
    });
    const app = new RotatedSecret(this, 'AppCredential', {
      name: 'reference/mysql/app',
      description: 'MySQL credential of the app, alternating between app and app_clone',
      initialValue: credential('app', appPassword, { masterarn: master.secretArn }),
      rotation: { function: rotation, masterSecret: master, automaticallyAfterDays: 30, duration: '4h' },
    });

    new TerraformOutput(this, 'secret_arn', { value: app.secretArn });
    new TerraformOutput(this, 'rotation_function_arn', { value: rotation.functionArn });
  }
}
