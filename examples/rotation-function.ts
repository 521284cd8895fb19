import { App, Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RotatedSecret, RotationFunction } from 'cdktf-secret-rotation';

/**
 * One function in the database's private subnets rotates two MySQL
 * credentials by alternating users (`app` / `app_clone`), logging in with a
 * master credential it may only read. Secrets Manager is reached through an
 * interface endpoint, so the subnets need no route out.
 */
class MysqlRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const secretInput = (name: string) => {
      const variable = new TerraformVariable(this, name, { type: 'string', sensitive: true });
      variable.addOverride('ephemeral', true);
      return variable.stringValue;
    };
    const credential = (username: string, password: string, extra: Record<string, string> = {}) =>
      Fn.jsonencode({ engine: 'mysql', host: 'orders-db.internal.example', port: 3306, username, password, ...extra });

    const rotation = new RotationFunction(this, 'MysqlRotation', {
      handler: 'mysql-multi-user',
      vpc: {
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        securityGroupIds: ['sg-0123456789abcdef0'], // the database must let this group in
        secretsManagerEndpoint: { vpcId: 'vpc-0123456789abcdef0' },
      },
      timeout: 60,
      passwordLength: 40,
      logRetentionInDays: 90,
    });

    const master = new RotatedSecret(this, 'MasterCredential', {
      name: 'prod/orders/mysql-master',
      initialValue: credential('admin', secretInput('master_password')),
    });
    for (const user of ['orders', 'reports']) {
      new RotatedSecret(this, `${user}-credential`, {
        name: `prod/orders/mysql-${user}`,
        initialValue: credential(user, secretInput(`${user}_password`), { masterarn: master.secretArn }),
        rotation: { function: rotation, masterSecret: master, scheduleExpression: 'rate(7 days)', duration: '4h' },
      });
    }
  }
}

const app = new App();
new MysqlRotationStack(app, 'orders-mysql');
app.synth();
