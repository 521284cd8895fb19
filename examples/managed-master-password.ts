import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { ManagedMasterPassword } from 'cdktf-secret-rotation';

/** An RDS PostgreSQL instance whose master password RDS generates, keeps in a secret of its own and rotates weekly. */
class ManagedPasswordStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const key = new KmsKey(this, 'MasterSecretKey', { description: 'Encrypts the RDS master secret', enableKeyRotation: true });
    const database = new DbInstance(this, 'Database', {
      identifier: 'inventory',
      engine: 'postgres',
      engineVersion: '16',
      instanceClass: 'db.t4g.micro',
      allocatedStorage: 20,
      storageEncrypted: true,
      username: 'inventory_admin', // no password: RDS owns it
      skipFinalSnapshot: true,
    });
    const managed = new ManagedMasterPassword(this, 'MasterPassword', { target: database, kmsKeyArn: key.arn, automaticallyAfterDays: 7 });
    new TerraformOutput(this, 'master_secret_arn', { value: managed.secretArn });
  }
}

const app = new App();
new ManagedPasswordStack(app, 'inventory-database');
app.synth();
