import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { ServerlessapplicationrepositoryCloudformationStack } from '@cdktf/provider-aws/lib/serverlessapplicationrepository-cloudformation-stack';
import { RotationAlarms } from './rotation-alarms';
import { onDemand } from './private/on-demand';
import { checkKeyArn, checkVpcIds, InvalidPropError, isKnown, show } from './private/validation';

/** AWS's rotation applications, by engine and strategy. */
export type HostedRotationApplication =
  | 'postgresql-single-user' | 'postgresql-multi-user'
  | 'mysql-single-user' | 'mysql-multi-user'
  | 'mariadb-single-user' | 'mariadb-multi-user'
  | 'oracle-single-user' | 'oracle-multi-user'
  | 'sqlserver-single-user' | 'sqlserver-multi-user'
  | 'redshift-single-user' | 'redshift-multi-user'
  | 'mongodb-single-user' | 'mongodb-multi-user';

/** One application in the Serverless Application Repository, at the version deployed. */
export interface HostedRotationRelease {
  /** The application's name, under AWS's publisher account. */
  readonly name: string;
  /** The semantic version this library deploys, unless `semanticVersion` says otherwise. */
  readonly version: string;
}

/**
 * AWS's rotation functions in the Serverless Application Repository, and the
 * version of each this library deploys: the one place to update them. (As
 * published in the `aws` partition; other partitions are not supported.)
 */
export const HOSTED_ROTATION_APPLICATIONS: Readonly<Record<HostedRotationApplication, HostedRotationRelease>> = {
  'postgresql-single-user': { name: 'SecretsManagerRDSPostgreSQLRotationSingleUser', version: '1.1.671' },
  'postgresql-multi-user': { name: 'SecretsManagerRDSPostgreSQLRotationMultiUser', version: '1.1.671' },
  'mysql-single-user': { name: 'SecretsManagerRDSMySQLRotationSingleUser', version: '1.1.671' },
  'mysql-multi-user': { name: 'SecretsManagerRDSMySQLRotationMultiUser', version: '1.1.671' },
  'mariadb-single-user': { name: 'SecretsManagerRDSMariaDBRotationSingleUser', version: '1.1.670' },
  'mariadb-multi-user': { name: 'SecretsManagerRDSMariaDBRotationMultiUser', version: '1.1.670' },
  'oracle-single-user': { name: 'SecretsManagerRDSOracleRotationSingleUser', version: '1.1.671' },
  'oracle-multi-user': { name: 'SecretsManagerRDSOracleRotationMultiUser', version: '1.1.671' },
  'sqlserver-single-user': { name: 'SecretsManagerRDSSQLServerRotationSingleUser', version: '1.1.670' },
  'sqlserver-multi-user': { name: 'SecretsManagerRDSSQLServerRotationMultiUser', version: '1.1.671' },
  'redshift-single-user': { name: 'SecretsManagerRedshiftRotationSingleUser', version: '1.1.671' },
  'redshift-multi-user': { name: 'SecretsManagerRedshiftRotationMultiUser', version: '1.1.671' },
  'mongodb-single-user': { name: 'SecretsManagerMongoDBRotationSingleUser', version: '1.1.671' },
  'mongodb-multi-user': { name: 'SecretsManagerMongoDBRotationMultiUser', version: '1.1.671' },
};

/** AWS's publisher of the rotation applications, in the `aws` partition. */
const PUBLISHER = 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/';

/** How AWS's rotation application is deployed (`HostedRotation.*SingleUser(options)`). */
export interface HostedRotationOptions {
  /** Name of the rotation Lambda the application creates. @default - derived from the secret's construct path */
  readonly functionName?: string;
  /** Run the function in a VPC, to reach a private database. @default - outside any VPC */
  readonly vpc?: {
    /** Subnets the function runs in: ones that reach the database and Secrets Manager. */
    readonly subnetIds: string[];
    /** Security groups of the function; the database must let them in. */
    readonly securityGroupIds: string[];
  };
  /** Secrets Manager endpoint URL the function calls. @default https://secretsmanager.<region>.amazonaws.com */
  readonly endpoint?: string;
  /** Characters generated passwords never contain. @default - the application's default */
  readonly excludeCharacters?: string;
  /** Another version of the application than this library's. @default - the version in HOSTED_ROTATION_APPLICATIONS */
  readonly semanticVersion?: string;
  /**
   * Failure alarms, as for a RotationFunction: the failure rule of a
   * RotationAlarms, and an alarm on the Errors of the function the
   * application creates (named by `functionName`). A given RotationAlarms,
   * or false for none.
   * @default - the stack's default RotationAlarms
   */
  readonly alarms?: RotationAlarms | false;
}

/** How an alternating-users application is deployed (`HostedRotation.*MultiUser(options)`): it also needs the master secret. */
export interface HostedMultiUserRotationOptions extends HostedRotationOptions {
  /** The master secret the function logs in with, which the secret's `masterarn` names. */
  readonly masterSecret: {
    /** ARN of the master secret. */
    readonly secretArn: string;
    /** ARN of the customer managed key that encrypts it. @default - the master secret uses `aws/secretsmanager` */
    readonly kmsKeyArn?: string;
  };
}

/** What a hosted rotation gives the schedule. */
export interface BoundHostedRotation {
  /** ARN of the function the application created, for the rotation schedule. */
  readonly rotationLambdaArn: string;
  /** The application's CloudFormation stack, which the schedule waits for. */
  readonly application: ServerlessapplicationrepositoryCloudformationStack;
  /** The alarm on the function's errors, unless `alarms: false`. */
  readonly errorsAlarm?: CloudwatchMetricAlarm;
}

/**
 * Rotation by AWS's own functions, deployed from the Serverless Application
 * Repository: no Lambda code of this library. The application brings its own
 * role (scoped by AWS to the secrets it rotates) and invoke permission.
 * Pass one as `rotation.hosted` of a RotatedSecret.
 */
export class HostedRotation {
  /** PostgreSQL (RDS and Aurora), one user: the function changes the secret's own user's password. */
  static postgreSqlSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('postgresql-single-user', options);
  }
  /** PostgreSQL (RDS and Aurora), alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static postgreSqlMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('postgresql-multi-user', options);
  }
  /** MySQL (RDS and Aurora), one user: the function changes the secret's own user's password. */
  static mySqlSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('mysql-single-user', options);
  }
  /** MySQL (RDS and Aurora), alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static mySqlMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('mysql-multi-user', options);
  }
  /** MariaDB (RDS), one user: the function changes the secret's own user's password. */
  static mariaDbSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('mariadb-single-user', options);
  }
  /** MariaDB (RDS), alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static mariaDbMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('mariadb-multi-user', options);
  }
  /** Oracle (RDS), one user: the function changes the secret's own user's password. */
  static oracleSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('oracle-single-user', options);
  }
  /** Oracle (RDS), alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static oracleMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('oracle-multi-user', options);
  }
  /** SQL Server (RDS), one user: the function changes the secret's own user's password. */
  static sqlServerSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('sqlserver-single-user', options);
  }
  /** SQL Server (RDS), alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static sqlServerMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('sqlserver-multi-user', options);
  }
  /** Amazon Redshift, one user: the function changes the secret's own user's password. */
  static redshiftSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('redshift-single-user', options);
  }
  /** Amazon Redshift, alternating users: the secret alternates between its user and a clone of it, which the function creates and updates with the master secret's credential. */
  static redshiftMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('redshift-multi-user', options);
  }
  /** MongoDB and Amazon DocumentDB, one user. */
  static mongoDbSingleUser(options: HostedRotationOptions = {}): HostedRotation {
    return new HostedRotation('mongodb-single-user', options);
  }
  /** MongoDB and Amazon DocumentDB, alternating users. */
  static mongoDbMultiUser(options: HostedMultiUserRotationOptions): HostedRotation {
    return new HostedRotation('mongodb-multi-user', options);
  }

  private readonly options: HostedRotationOptions & { readonly masterSecret?: HostedMultiUserRotationOptions['masterSecret'] };

  private constructor(
    /** Which of AWS's applications rotates the secret. */
    readonly application: HostedRotationApplication,
    options: HostedRotationOptions & { readonly masterSecret?: HostedMultiUserRotationOptions['masterSecret'] } | undefined,
  ) {
    // Callers from JavaScript may leave out even the required options.
    this.options = options ?? {};
    validate(application, this.options);
  }

  /** Deploys the application for `secret` (in `scope`) and returns the function's ARN. @internal */
  bind(scope: Construct, secret: { readonly secretArn: string; readonly kmsKeyArn?: string }): BoundHostedRotation {
    const { name, version } = HOSTED_ROTATION_APPLICATIONS[this.application];
    const o = this.options;
    const region = Fn.element(Fn.split(':', secret.secretArn), 3);
    const functionName = o.functionName ?? defaultName(scope.node.path, 64);
    const parameters: Record<string, string> = {
      endpoint: o.endpoint ?? `https://secretsmanager.${region}.amazonaws.com`,
      functionName,
      ...(o.vpc ? { vpcSubnetIds: Fn.join(',', o.vpc.subnetIds), vpcSecurityGroupIds: Fn.join(',', o.vpc.securityGroupIds) } : {}),
      ...(o.excludeCharacters !== undefined ? { excludeCharacters: o.excludeCharacters } : {}),
      ...(secret.kmsKeyArn !== undefined ? { kmsKeyArn: secret.kmsKeyArn } : {}),
      ...(o.masterSecret ? { masterSecretArn: o.masterSecret.secretArn } : {}),
      ...(o.masterSecret?.kmsKeyArn !== undefined ? { masterSecretKmsKeyArn: o.masterSecret.kmsKeyArn } : {}),
    };
    const application = new onDemand.ServerlessapplicationrepositoryCloudformationStack(scope, 'HostedRotation', {
      // The CloudFormation stack that SAR deploys: letters, digits, hyphens.
      name: `${defaultName(scope.node.path, 100)}-rotation`,
      applicationId: `${PUBLISHER}${name}`,
      semanticVersion: o.semanticVersion ?? version,
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_RESOURCE_POLICY'],
      parameters,
    });
    const errorsAlarm = o.alarms === false ? undefined : (o.alarms ?? RotationAlarms.of(scope)).watchFunction(scope, functionName);
    return { application, rotationLambdaArn: application.outputs.lookup('RotationLambdaARN'), errorsAlarm };
  }
}

function validate(application: HostedRotationApplication, o: HostedRotationOptions & { masterSecret?: unknown }): void {
  if (application.endsWith('-multi-user') && !o.masterSecret) {
    throw new InvalidPropError(`masterSecret is required by the ${application} hosted rotation, which logs in with it`);
  }
  if (isKnown(o.functionName) && !/^[A-Za-z0-9_-]{1,64}$/.test(o.functionName)) {
    throw new InvalidPropError(`functionName must be 1 to 64 letters, digits, hyphens or underscores, got ${show(o.functionName)}`);
  }
  if (isKnown(o.endpoint) && !/^https:\/\/[^\s/]+/.test(o.endpoint)) {
    throw new InvalidPropError(`endpoint must be an https:// URL, got ${show(o.endpoint)}`);
  }
  if (isKnown(o.semanticVersion) && !/^\d+\.\d+\.\d+$/.test(o.semanticVersion)) {
    throw new InvalidPropError(`semanticVersion must look like 1.1.671, got ${show(o.semanticVersion)}`);
  }
  checkKeyArn('masterSecret.kmsKeyArn', (o.masterSecret as { kmsKeyArn?: string } | undefined)?.kmsKeyArn);
  if (o.vpc) checkVpcIds('vpc', o.vpc);
}

/** A name from a construct path: letters, digits and hyphens, starting with a letter, shortened with a hash. */
function defaultName(path: string, max: number): string {
  const readable = `r-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
  if (readable.length <= max) return readable;
  return `${readable.slice(0, max - 9)}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}
