import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DocdbCluster } from '@cdktf/provider-aws/lib/docdb-cluster';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RedshiftCluster } from '@cdktf/provider-aws/lib/redshift-cluster';
import { Construct } from 'constructs';
import { ManagedMasterPassword, ManagedMasterPasswordProps, RotationAlarms } from '../../modules';
import { only, resources, synth } from '../support/synth';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k';
const instance = (scope: Construct, extra: Record<string, unknown> = {}) =>
  new DbInstance(scope, 'Db', { engine: 'postgres', instanceClass: 'db.t4g.micro', allocatedStorage: 20, username: 'admin_user', ...extra });

function managed(make: (scope: Construct) => ManagedMasterPasswordProps['target'], props: Partial<ManagedMasterPasswordProps> = {}) {
  return synth((scope) => new ManagedMasterPassword(scope, 'Managed', { target: make(scope), ...props }));
}

describe('ManagedMasterPassword', () => {
  it('lets RDS own an instance\'s password and schedules the rotation of its secret, without a Lambda, not at once by default', () => {
    const json = managed((scope) => instance(scope));
    const db = only(json, 'aws_db_instance');
    expect(db.manage_master_user_password).toBe(true);
    expect(db.password).toBeUndefined();
    expect(db.master_user_secret_kms_key_id).toBeUndefined();
    expect(only(json, 'aws_secretsmanager_secret_rotation')).toEqual(
      expect.objectContaining({
        secret_id: '${aws_db_instance.Db.master_user_secret[0].secret_arn}',
        rotation_rules: { automatically_after_days: 30 },
        rotate_immediately: false,
      }),
    );
    expect(only(json, 'aws_secretsmanager_secret_rotation').rotation_lambda_arn).toBeUndefined();
  });

  it("catches the secret's failed rotations with the stack's failure rule by default, a given RotationAlarms, or none", () => {
    const json = managed((scope) => instance(scope));
    const topic = Object.keys(resources(json, 'aws_sns_topic'))[0];
    expect(JSON.parse(only(json, 'aws_cloudwatch_event_rule').event_pattern as string).detail.eventName).toEqual(['RotationFailed', 'RotationAbandoned', 'TestRotationFailed']);
    expect(only(json, 'aws_cloudwatch_event_target')).toMatchObject({ arn: `\${aws_sns_topic.${topic}.arn}` });
    // The service rotates: no function, so no errors alarm.
    expect(resources(json, 'aws_cloudwatch_metric_alarm')).toEqual({});

    const given = synth((scope) => {
      const alarms = new RotationAlarms(scope, 'Alarms', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });
      new ManagedMasterPassword(scope, 'Managed', { target: instance(scope), alarms });
    });
    expect(only(given, 'aws_cloudwatch_event_target')).toMatchObject({ arn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });
    const none = managed((scope) => instance(scope), { alarms: false });
    for (const type of ['aws_cloudwatch_event_rule', 'aws_sns_topic']) expect(resources(none, type)).toEqual({});
  });

  it('takes a key and a schedule', () => {
    const json = managed((scope) => instance(scope), { kmsKeyArn: KEY, scheduleExpression: 'rate(7 days)', rotateImmediately: true });
    expect(only(json, 'aws_db_instance').master_user_secret_kms_key_id).toBe(KEY);
    expect(only(json, 'aws_secretsmanager_secret_rotation')).toMatchObject({ rotation_rules: { schedule_expression: 'rate(7 days)' }, rotate_immediately: true });
  });

  it('works for Aurora clusters, Redshift clusters and DocumentDB clusters', () => {
    const aurora = managed((scope) => new RdsCluster(scope, 'Db', { engine: 'aurora-postgresql', masterUsername: 'admin_user' }), { kmsKeyArn: KEY });
    expect(only(aurora, 'aws_rds_cluster')).toMatchObject({ manage_master_user_password: true, master_user_secret_kms_key_id: KEY });
    expect(only(aurora, 'aws_secretsmanager_secret_rotation').secret_id).toBe('${aws_rds_cluster.Db.master_user_secret[0].secret_arn}');

    const redshift = managed((scope) => new RedshiftCluster(scope, 'Db', { clusterIdentifier: 'dw', nodeType: 'ra3.xlplus', masterUsername: 'admin_user' }), { kmsKeyArn: KEY });
    expect(only(redshift, 'aws_redshift_cluster')).toMatchObject({ manage_master_password: true, master_password_secret_kms_key_id: KEY });
    expect(only(redshift, 'aws_secretsmanager_secret_rotation').secret_id).toBe('${aws_redshift_cluster.Db.master_password_secret_arn}');

    const docdb = managed((scope) => new DocdbCluster(scope, 'Db', { masterUsername: 'admin_user' }));
    expect(only(docdb, 'aws_docdb_cluster').manage_master_user_password).toBe(true);
    expect(only(docdb, 'aws_secretsmanager_secret_rotation').secret_id).toBe('${aws_docdb_cluster.Db.master_user_secret[0].secret_arn}');
  });

  it('fails when the database sets a password itself', () => {
    expect(() => managed((scope) => instance(scope, { password: 'from-config' }))).toThrow(
      'the target test/Db sets a master password; remove it: with a managed password the service generates it and keeps it out of configuration and state',
    );
    expect(() => managed((scope) => instance(scope, { passwordWo: 'from-config' }))).toThrow('sets a master password');
    expect(() => managed((scope) => new RdsCluster(scope, 'Db', { engine: 'aurora-mysql', masterPassword: 'from-config' }))).toThrow('sets a master password');
    expect(() => managed((scope) => new RedshiftCluster(scope, 'Db', { clusterIdentifier: 'dw', nodeType: 'ra3.xlplus', masterPasswordWo: 'x' }))).toThrow('sets a master password');
  });

  it('fails when a DocumentDB cluster is given a key', () => {
    expect(() => managed((scope) => new DocdbCluster(scope, 'Db', {}), { kmsKeyArn: KEY })).toThrow('kmsKeyArn cannot be set for a DocumentDB cluster');
  });

  it('fails when the schedule is out of range, before changing the database', () => {
    let db: DbInstance | undefined;
    expect(() => managed((scope) => (db = instance(scope)), { automaticallyAfterDays: 0 })).toThrow('automaticallyAfterDays must be a whole number from 1 to 1000, got 0');
    expect(db!.manageMasterUserPasswordInput).toBeUndefined();
  });
});
