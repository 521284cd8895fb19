import { App, Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RotatedSecret, RotationAlarms, RotationFunction } from 'cdktf-secret-rotation';

/**
 * Rotation failures go to the team's existing pager topic: one EventBridge
 * rule for the account's failed and abandoned rotations, and an Errors
 * alarm for each function that uses these alarms.
 */
class PagedRotationStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const pagerTopicArn = new TerraformVariable(this, 'pager_topic_arn', { type: 'string', description: 'SNS topic your pager subscribes to' });
    const credential = (name: string, engine: string, host: string) => {
      const password = new TerraformVariable(this, `${name}_password`, { type: 'string', sensitive: true });
      password.addOverride('ephemeral', true);
      return Fn.jsonencode({ engine, host, username: name, password: password.stringValue });
    };

    const alarms = new RotationAlarms(this, 'PagerAlarms', { topicArn: pagerTopicArn.stringValue, errorThreshold: 1, periodMinutes: 15 });
    const postgres = RotationFunction.postgresSingleUser(this, 'PostgresRotation', { alarms });
    const mysql = RotationFunction.mysqlSingleUser(this, 'MysqlRotation', { alarms });

    new RotatedSecret(this, 'Ledger', {
      name: 'prod/ledger/postgres',
      initialValue: credential('ledger', 'postgres', 'ledger-db.internal.example'),
      rotation: { function: postgres, automaticallyAfterDays: 30 },
    });
    new RotatedSecret(this, 'Catalog', {
      name: 'prod/catalog/mysql',
      initialValue: credential('catalog', 'mysql', 'catalog-db.internal.example'),
      rotation: { function: mysql, automaticallyAfterDays: 30 },
    });
  }
}

const app = new App();
new PagedRotationStack(app, 'paged-rotation');
app.synth();
