import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ManagedMasterPassword } from '../modules';
import { ReferenceStack } from './reference-stack';

/**
 * An RDS PostgreSQL instance whose master password RDS owns: RDS generates
 * it, keeps it in a secret of its own (encrypted with a customer managed
 * key) and rotates it every 7 days. No password in configuration or state,
 * and no Lambda.
 */
export class RdsManagedPasswordStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new KmsKey(this, 'MasterSecretKey', { description: 'Encrypts the RDS-managed master secret', enableKeyRotation: true, deletionWindowInDays: 30 });
    const database = new DbInstance(this, 'Database', {
      identifier: 'reference-managed-password',
      engine: 'postgres',
      engineVersion: '16',
      instanceClass: 'db.t4g.micro',
      allocatedStorage: 20,
      storageEncrypted: true,
      username: 'app_admin',
      skipFinalSnapshot: true,
    });
    const managed = new ManagedMasterPassword(this, 'MasterPassword', { target: database, kmsKeyArn: key.arn, automaticallyAfterDays: 7 });
    new TerraformOutput(this, 'master_secret_arn', { value: managed.secretArn });
  }
}
