import { Construct } from 'constructs';
import { Fn, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RotatedSecret, RotationFunction } from '../modules';

/**
 * Two PostgreSQL application credentials, each rotated by alternating users
 * (`app` / `app_clone`, `reporting` / `reporting_clone`) by one shared
 * function, which logs in with a master secret it may only read.
 */
export class PostgresMultiUserRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    this.addOverride('terraform.required_version', '>= 1.11.0');
    const region = new TerraformVariable(this, 'region', { type: 'string', default: 'eu-west-1', description: 'AWS region of the secrets' });
    new AwsProvider(this, 'aws', { region: region.stringValue });
    const host = new TerraformVariable(this, 'db_host', { type: 'string', default: 'postgres.internal.example', description: 'Host name of the PostgreSQL server' });
    const password = (name: string) => {
      const v = new TerraformVariable(this, name, { type: 'string', sensitive: true, description: `Current ${name.replace(/_/g, ' ')}; written once, never in state` });
      v.addOverride('ephemeral', true);
      return v.stringValue;
    };
    const credential = (username: string, pw: string, extra: Record<string, string> = {}) =>
      Fn.jsonencode({ engine: 'postgres', host: host.stringValue, port: 5432, dbname: 'app', username, password: pw, ...extra });

    const rotation = RotationFunction.postgresMultiUser(this, 'PostgresRotation');
    const master = new RotatedSecret(this, 'MasterCredential', {
      name: 'reference/postgres-multi/master',
      initialValue: credential('postgres', password('master_password')),
    });
    for (const user of ['app', 'reporting']) {
      new RotatedSecret(this, `${user[0].toUpperCase()}${user.slice(1)}Credential`, {
        name: `reference/postgres-multi/${user}`,
        initialValue: credential(user, password(`${user}_password`), { masterarn: master.secretArn }),
        rotation: { function: rotation, masterSecret: master, scheduleExpression: 'rate(10 days)' },
      });
    }
  }
}
