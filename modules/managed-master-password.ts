import { Construct } from 'constructs';
import type { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import type { DocdbCluster } from '@cdktf/provider-aws/lib/docdb-cluster';
import type { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import type { RedshiftCluster } from '@cdktf/provider-aws/lib/redshift-cluster';
import { RotationAlarms } from './rotation-alarms';
import { RotationSchedule, RotationScheduleOptions, validateSchedule } from './rotation-schedule';
import { InvalidPropError } from './private/validation';

/** A database whose service can own its master password in Secrets Manager. */
export type ManagedPasswordTarget = DbInstance | RdsCluster | RedshiftCluster | DocdbCluster;

/** Props of a `ManagedMasterPassword`: the database, the key of the service's secret, and when that secret rotates. */
export interface ManagedMasterPasswordProps extends RotationScheduleOptions {
  /** The RDS instance, Aurora (or Multi-AZ) cluster, Redshift cluster or DocumentDB cluster. It must set no password. */
  readonly target: ManagedPasswordTarget;
  /**
   * Key that encrypts the secret the service creates (not for DocumentDB,
   * which has no such setting).
   * @default - Secrets Manager's managed key, aws/secretsmanager
   */
  readonly kmsKeyArn?: string;
  /**
   * Failure alarms: the stack's RotationAlarms, whose EventBridge rule
   * matches Secrets Manager's rotation failure events of every secret in the
   * account and region; a given RotationAlarms; or false for none. There is
   * no function to watch: the service rotates.
   * @default - the stack's default RotationAlarms
   */
  readonly alarms?: RotationAlarms | false;
}

/**
 * Lets the database service own its master password: RDS and Aurora
 * (`manage_master_user_password`), Redshift (`manage_master_password`) and
 * DocumentDB generate it, keep it in a secret of their own and rotate it
 * themselves, so it is never in configuration or state. This construct
 * turns that on for `target` and sets the rotation schedule of the service's
 * secret (no Lambda: the service rotates).
 */
export class ManagedMasterPassword extends Construct {
  /** ARN of the secret the service owns. */
  readonly secretArn: string;
  /** The rotation schedule of the service's secret. */
  readonly rotationSchedule: RotationSchedule;
  /** The alarms that catch the secret's failed rotations, unless `alarms: false`. */
  readonly alarms?: RotationAlarms;

  constructor(scope: Construct, id: string, props: ManagedMasterPasswordProps) {
    super(scope, id);
    validateSchedule(props);
    const target = props.target;
    if (is(target, 'aws_db_instance') || is(target, 'aws_rds_cluster') || is(target, 'aws_docdb_cluster')) {
      const configured = is(target, 'aws_db_instance') ? (target.passwordInput ?? target.passwordWoInput) : (target.masterPasswordInput ?? target.masterPasswordWoInput);
      if (configured !== undefined) throw passwordSet(target.node.path);
      if (is(target, 'aws_docdb_cluster') && props.kmsKeyArn !== undefined) {
        throw new InvalidPropError('kmsKeyArn cannot be set for a DocumentDB cluster, whose managed secret always uses aws/secretsmanager; remove it');
      }
      target.manageMasterUserPassword = true;
      if (props.kmsKeyArn !== undefined && !is(target, 'aws_docdb_cluster')) target.masterUserSecretKmsKeyId = props.kmsKeyArn;
      this.secretArn = target.masterUserSecret.get(0).secretArn;
    } else if (is(target, 'aws_redshift_cluster')) {
      if ((target.masterPasswordInput ?? target.masterPasswordWoInput) !== undefined) throw passwordSet(target.node.path);
      target.manageMasterPassword = true;
      if (props.kmsKeyArn !== undefined) target.masterPasswordSecretKmsKeyId = props.kmsKeyArn;
      this.secretArn = target.masterPasswordSecretArn;
    } else {
      throw new InvalidPropError('target must be a DbInstance, RdsCluster, RedshiftCluster or DocdbCluster from @cdktf/provider-aws');
    }
    this.rotationSchedule = new RotationSchedule(this, 'Rotation', {
      automaticallyAfterDays: props.automaticallyAfterDays,
      scheduleExpression: props.scheduleExpression,
      duration: props.duration,
      // The service just made the password: the first rotation can wait for the schedule.
      rotateImmediately: props.rotateImmediately ?? false,
      secretId: this.secretArn,
    });
    if (props.alarms !== false) this.alarms = props.alarms ?? RotationAlarms.of(this);
  }
}

interface TargetTypes {
  aws_db_instance: DbInstance;
  aws_rds_cluster: RdsCluster;
  aws_docdb_cluster: DocdbCluster;
  aws_redshift_cluster: RedshiftCluster;
}

/**
 * Tells the targets apart by their Terraform type rather than by class, so
 * the four (large) classes are not loaded by every app that imports this
 * library, and a target made with another copy of the provider package works.
 */
function is<T extends keyof TargetTypes>(target: unknown, type: T): target is TargetTypes[T] {
  return typeof target === 'object' && target !== null && (target as { terraformResourceType?: unknown }).terraformResourceType === type;
}

function passwordSet(path: string): InvalidPropError {
  return new InvalidPropError(`the target ${path} sets a master password; remove it: with a managed password the service generates it and keeps it out of configuration and state`);
}
