import { Construct } from 'constructs';
import { Fn, TerraformVariable } from 'cdktf';
import { RotatedSecret, RotationFunction } from '../modules';
import { ReferenceStack } from './reference-stack';

/**
 * Two PostgreSQL application credentials, each rotated by alternating users
 * (`app` / `app_clone`, `reporting` / `reporting_clone`) by one shared
 * function, which logs in with a master secret it may only read.
 */
export class PostgresMultiUserRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const host = new TerraformVariable(this, 'db_host', { type: 'string', default: 'postgres.internal.example', description: 'Host name of the PostgreSQL server' });
    const password = (name: string) => this.password(name, `Current ${name.replace(/_/g, ' ')}`);
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
