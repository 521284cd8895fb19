import { Construct } from 'constructs';
import { Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RotatedSecret, RotationFunction } from '../modules';

/**
 * A MySQL credential rotated by alternating users (`app` / `app_clone`),
 * with the function placed in the database's VPC and an interface endpoint
 * for Secrets Manager, for private subnets without a route out. The master
 * credential is a second secret that the function may only read.
 */
export class MysqlVpcRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    this.addOverride('terraform.required_version', '>= 1.11.0');

    const variable = (name: string, type: string, description: string, defaultValue?: unknown) =>
      new TerraformVariable(this, name, { type, description, ...(defaultValue !== undefined ? { default: defaultValue } : {}) });
    const region = variable('region', 'string', 'AWS region of the secrets and the rotation function', 'eu-west-1');
    new AwsProvider(this, 'aws', { region: region.stringValue });
    const vpcId = variable('vpc_id', 'string', 'VPC of the database', 'vpc-0123456789abcdef0');
    const subnetIds = variable('subnet_ids', 'list(string)', 'Private subnets of the rotation function', ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']);
    const securityGroupIds = variable('security_group_ids', 'list(string)', 'Security groups of the rotation function; the database must let them in', [
      'sg-0123456789abcdef0',
    ]);
    const host = variable('db_host', 'string', 'Host name of the MySQL server', 'mysql.internal.example');
    const secrets = ['master_password', 'app_password'].map((name) => {
      const v = new TerraformVariable(this, name, { type: 'string', sensitive: true, description: `Current ${name.replace('_', ' ')}; written once, never in state` });
      v.addOverride('ephemeral', true);
      return v;
    });
    const [masterPassword, appPassword] = secrets;

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
      initialValue: credential('admin', masterPassword.stringValue),
    });
    const app = new RotatedSecret(this, 'AppCredential', {
      name: 'reference/mysql/app',
      description: 'MySQL credential of the app, alternating between app and app_clone',
      initialValue: credential('app', appPassword.stringValue, { masterarn: master.secretArn }),
      rotation: { function: rotation, masterSecret: master, automaticallyAfterDays: 30, duration: '4h' },
    });

    new TerraformOutput(this, 'secret_arn', { value: app.secretArn });
    new TerraformOutput(this, 'rotation_function_arn', { value: rotation.functionArn });
  }
}
