import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { AssetType, Fn, Lazy, TerraformAsset, Token } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { RotationAlarms } from './rotation-alarms';
import { basename } from 'node:path';
import { bundleEntry } from './private/bundle-entry';
import { checkEnvironmentProps, functionEnvironment } from './private/function-environment';
import { builtInHandlerPackage, packageHandler } from './private/handler-package';
import { onDemand } from './private/on-demand';
import { ROTATION_TAG_KEY, RotationGrants } from './private/rotation-grants';
import { checkInteger, checkKeyArn, checkVpcIds, InvalidPropError, isKnown, show } from './private/validation';

/** The rotation handlers built into this library (see functions/). */
export const BUILT_IN_HANDLERS = [
  'postgres-single-user',
  'postgres-multi-user',
  'mysql-single-user',
  'mysql-multi-user',
  'redshift-single-user',
  'redshift-multi-user',
  'http-api-key',
] as const;
/** The name of a built-in handler: its folder under `dist/functions/`. */
export type BuiltInHandler = (typeof BUILT_IN_HANDLERS)[number];

/** Retention periods CloudWatch Logs accepts, in days (0 = never expire). */
const LOG_RETENTION_DAYS = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Where the function runs in a VPC, to reach a database that is not public. */
export interface RotationFunctionVpcOptions {
  /** Private subnets with a route to the database (and to Secrets Manager, or an endpoint for it). */
  readonly subnetIds: string[];
  /** Security groups of the function: the database's must let them in. */
  readonly securityGroupIds: string[];
  /**
   * Create an interface endpoint for Secrets Manager in this VPC and point the
   * function at it (SECRETS_MANAGER_ENDPOINT), for subnets without a route
   * to the internet.
   * @default - no endpoint: the subnets reach Secrets Manager otherwise
   */
  readonly secretsManagerEndpoint?: {
    /** The VPC to create the endpoint in: the one the subnets belong to. */
    readonly vpcId: string;
    /** Subnets of the endpoint's network interfaces. @default the function's subnets */
    readonly subnetIds?: string[];
    /** Must let the function's security groups in on 443. @default the function's security groups */
    readonly securityGroupIds?: string[];
  };
}

/** Everything but the handler: what the per-handler factories (`RotationFunction.postgresSingleUser()`, ...) take. */
export type RotationFunctionOptions = Omit<RotationFunctionProps, 'handler'>;

/** Props of a `RotationFunction`: give `handler` (a built-in one) or `entry` (your own), exactly one. */
export interface RotationFunctionProps {
  /**
   * Which built-in handler to deploy. The factories
   * (`RotationFunction.postgresSingleUser()`, ...) set it for you. Give this
   * or `entry`.
   */
  readonly handler?: BuiltInHandler;
  /**
   * Path (absolute, or relative to the working directory of the synth) of
   * your own handler, a TypeScript or JavaScript file that exports
   * `handler`, e.g. one written with `rotationHandler` from
   * functions/rotation.ts (see stacks/handlers/vendor-token.ts). It is
   * bundled with esbuild at synth time, as the built-in handlers are, into
   * the same deterministic archive. Give this or `handler`.
   */
  readonly entry?: string;
  /**
   * The Lambda function's name: letters, digits, `-` and `_`, at most 64.
   * @default - derived from the construct path, unique within the account and region as long as the path is
   */
  readonly functionName?: string;
  /** Memory in MiB, 128 to 10240. @default 256 */
  readonly memorySize?: number;
  /**
   * Timeout of one step in seconds, 1 to 900. For http-api-key, it must
   * exceed the `gracePeriodSeconds` of every secret the function rotates
   * (when that is a number: finishSecret waits that long before revoking the
   * old key), with room for the requests; and it must exceed `httpTimeoutMs`.
   * @default 30
   */
  readonly timeout?: number;
  /** Length of generated passwords (PASSWORD_LENGTH), 8 to 4096. @default 32 */
  readonly passwordLength?: number;
  /**
   * Characters generated passwords never contain (EXCLUDE_CHARACTERS).
   * @default - every punctuation character except `-._~`, and space: safe in URLs, connection strings and shells
   */
  readonly excludeCharacters?: string;
  /** How long CloudWatch keeps the function's logs, in days (a value CloudWatch accepts; 0 = forever). @default 365 */
  readonly logRetentionInDays?: number;
  /** KMS key ARN that encrypts the log group. @default - CloudWatch's own encryption */
  readonly logKmsKeyArn?: string;
  /** Instruction set. The handlers are plain JavaScript, so arm64 is cheaper at no cost. @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Run the function in a VPC. @default - outside any VPC: it reaches only public databases */
  readonly vpc?: RotationFunctionVpcOptions;
  /**
   * Failure alarms: the stack's default RotationAlarms (a new SNS topic), a
   * given RotationAlarms, or false for none.
   * @default - the stack's default RotationAlarms
   */
  readonly alarms?: RotationAlarms | false;
  /**
   * URL of a Secrets Manager endpoint to use (SECRETS_MANAGER_ENDPOINT), e.g.
   * an existing interface endpoint's. Not with `vpc.secretsManagerEndpoint`.
   * @default - the regional endpoint, or the endpoint created for `vpc`
   */
  readonly secretsManagerEndpoint?: string;
  /**
   * Hosts the secrets' URLs may point at (ALLOWED_HOSTS): exact host names
   * (`api.vendor.example`) or `*.domain` for any subdomain, without scheme,
   * port or path. A secret whose URL names another host is refused before
   * any request is made, so a secret edited by mistake (or by someone who
   * may write it but not deploy) cannot send the admin credential elsewhere.
   * Only for http-api-key and your own handler (`entry`, which reads it
   * with `httpPolicyFromEnvironment()` from functions/rotation.ts).
   * @default - any host, over https only
   */
  readonly allowedHosts?: string[];
  /**
   * Time allowed for one HTTP request, response included, in milliseconds
   * (HTTP_TIMEOUT_MS), 100 to 120000; less than `timeout`. Only for
   * http-api-key and your own handler (`entry`).
   * @default 10000, the handlers' own default
   */
  readonly httpTimeoutMs?: number;
  /**
   * Further environment variables, for your own handler (`entry`) only.
   * Names are letters, digits and `_`; not AWS_* or LAMBDA_* (Lambda's), nor
   * one the construct sets from a prop (PASSWORD_LENGTH, EXCLUDE_CHARACTERS,
   * SECRETS_MANAGER_ENDPOINT, ALLOWED_HOSTS, HTTP_TIMEOUT_MS). The values are
   * plain configuration, visible in cdk.tf.json, in plans and in state:
   * never put a secret here; keep it in a secret and read it with
   * `context.readSecret()`.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** A secret this function may read (`grantRead`). */
export interface ReadableSecret {
  /** The secret's ARN. */
  readonly secretArn: string;
  /** The customer managed KMS key that encrypts the secret. @default - the secret uses `aws/secretsmanager` */
  readonly kmsKeyArn?: string;
}

/**
 * A secret this function may rotate: its ARN, and the key that encrypts it.
 * A `RotatedSecret`, or a secret made elsewhere, given by its ARNs.
 */
export type RotatableSecret = ReadableSecret;

/**
 * A Lambda function running a rotation handler, with its log group and an
 * IAM role that can touch only the secrets granted with `grantRotation()`.
 * One function can rotate many secrets.
 */
export class RotationFunction extends Construct {
  /** The `aws_lambda_function`. */
  readonly resource: LambdaFunction;
  /** The function's execution role. */
  readonly role: IamRole;
  /** The role's ARN (the same token for every secret that names it). */
  readonly roleArn: string;
  /** The function's log group, `/aws/lambda/<name>`, created before the function. */
  readonly logGroup: CloudwatchLogGroup;
  /** The Secrets Manager endpoint created when `vpc.secretsManagerEndpoint` is given. */
  readonly endpoint?: VpcEndpoint;
  /** The alarm on this function's errors, unless `alarms: false`. */
  readonly errorsAlarm?: CloudwatchMetricAlarm;
  /** The function's ARN: the schedule's `rotation_lambda_arn`. */
  readonly functionArn: string;
  /** The function's name (`functionName`, or one derived from the construct path). */
  readonly functionName: string;
  /** The built-in handler this function runs, or 'custom' for an `entry`. */
  readonly handler: BuiltInHandler | 'custom';
  /** The tag that RotatedSecret puts on the secrets (and keys) this function rotates. */
  readonly rotationTag: {
    /** `SecretRotationFunction`. */
    readonly key: string;
    /** The function's name. */
    readonly value: string;
  };
  private readonly grants: RotationGrants;
  private invokePermission?: LambdaPermission;

  /** PostgreSQL and Aurora PostgreSQL, one user whose password changes. */
  static postgresSingleUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'postgres-single-user' });
  }
  /** PostgreSQL and Aurora PostgreSQL, alternating users; give each secret a `masterSecret`. */
  static postgresMultiUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'postgres-multi-user' });
  }
  /** MySQL, MariaDB and Aurora MySQL, one user. */
  static mysqlSingleUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'mysql-single-user' });
  }
  /** MySQL, MariaDB and Aurora MySQL, alternating users; give each secret a `masterSecret`. */
  static mysqlMultiUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'mysql-multi-user' });
  }
  /** Amazon Redshift, one user. */
  static redshiftSingleUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'redshift-single-user' });
  }
  /** Amazon Redshift, alternating users; give each secret a `masterSecret`. */
  static redshiftMultiUser(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'redshift-multi-user' });
  }
  /**
   * A key of a third-party HTTP API that issues and revokes keys; give each
   * secret an `adminSecret`, and the function `allowedHosts`. With a numeric
   * `gracePeriodSeconds` in a secret, `timeout` must exceed it.
   */
  static httpApiKey(scope: Construct, id: string, props: RotationFunctionOptions = {}): RotationFunction {
    return new RotationFunction(scope, id, { ...props, handler: 'http-api-key' });
  }

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    validateProps(props);
    const functionName = props.functionName ?? defaultFunctionName(this);
    this.handler = props.handler ?? 'custom';
    this.rotationTag = { key: ROTATION_TAG_KEY, value: functionName };
    const pkg = props.handler
      ? builtInHandlerPackage(props.handler)
      : packageHandler(functionName, bundleEntry(props.entry!));
    const description = props.handler ?? `custom: ${basename(props.entry!)}`;

    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionInDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });

    this.role = new IamRole(this, 'ExecutionRole', {
      // Role names are global to the account: a prefix lets Terraform add a
      // unique suffix, so the same stack deploys to several regions.
      namePrefix: `${functionName.slice(0, 37)}-`,
      description: `Runs the ${description} rotation function ${functionName}`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'AssumeRolePolicy', {
        statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
      }).json,
    });
    this.roleArn = this.role.arn;

    this.grants = new RotationGrants(functionName, this.logGroup.arn);
    // Statements are produced at synth time, after every grantRotation() call.
    const policy = new DataAwsIamPolicyDocument(this, 'Policy', {
      statement: Lazy.anyValue({ produce: () => this.grants.statements() }),
    });
    const rolePolicy = new IamRolePolicy(this, 'ExecutionPolicy', {
      name: 'rotation',
      role: this.role.id,
      policy: policy.json,
    });

    const vpc = props.vpc;
    if (vpc) this.grants.addNetwork(vpc);
    if (vpc?.secretsManagerEndpoint) {
      const options = vpc.secretsManagerEndpoint;
      this.endpoint = new onDemand.VpcEndpoint(this, 'SecretsManagerEndpoint', {
        vpcId: options.vpcId,
        serviceName: `com.amazonaws.${this.grants.region}.secretsmanager`,
        vpcEndpointType: 'Interface',
        subnetIds: options.subnetIds ?? vpc.subnetIds,
        securityGroupIds: options.securityGroupIds ?? vpc.securityGroupIds,
        privateDnsEnabled: true,
      });
    }
    const endpointUrl =
      props.secretsManagerEndpoint ??
      (this.endpoint ? `https://${Fn.lookup(Fn.element(this.endpoint.dnsEntry, 0), 'dns_name', '')}` : undefined);

    let environment = functionEnvironment(props, endpointUrl);
    if (props.handler === 'http-api-key') {
      // The only secrets the handler may take an admin credential from (those
      // granted with grantRead, e.g. rotation.adminSecret): otherwise a
      // secret's value could name another secret the role may read, one it
      // rotates, as its admin secret, and have that key sent to its issue URL.
      environment = { ...environment, ADMIN_SECRET_ARNS: Lazy.stringValue({ produce: () => this.grants.readableSecretArns().join(',') }) };
    }
    const asset = new TerraformAsset(this, 'Code', { path: pkg.zipPath, type: AssetType.FILE });
    this.resource = new LambdaFunction(this, 'Resource', {
      functionName,
      description: `Rotates Secrets Manager secrets (${description})`,
      role: this.roleArn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      filename: asset.path,
      sourceCodeHash: pkg.sourceCodeHash,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? 30,
      ...(environment ? { environment: { variables: environment } } : {}),
      ...(vpc ? { vpcConfig: { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds } } : {}),
      // The log group and permissions exist before the first invocation.
      dependsOn: [this.logGroup, rolePolicy],
    });
    this.functionArn = this.resource.arn;
    this.functionName = this.resource.functionName;
    if (props.alarms !== false) this.errorsAlarm = (props.alarms ?? RotationAlarms.of(this)).watchFunction(this, functionName);
  }

  /** True for the alternating-users handlers, which log in with a master secret. */
  get needsMasterSecret(): boolean {
    return this.handler.endsWith('-multi-user');
  }

  /** Whether a master secret may be granted: to the alternating-users handlers, and to your own. */
  get acceptsMasterSecret(): boolean {
    return this.needsMasterSecret || this.handler === 'custom';
  }

  /** True for http-api-key, which issues and revokes keys with an admin credential. */
  get needsAdminSecret(): boolean {
    return this.handler === 'http-api-key';
  }

  /** Whether an admin secret may be granted: to http-api-key, and to your own handler. */
  get acceptsAdminSecret(): boolean {
    return this.needsAdminSecret || this.handler === 'custom';
  }

  /**
   * Lets this function rotate `secret`: the role may read and stage its
   * versions (and use its KMS key through Secrets Manager only), and Secrets
   * Manager may invoke the function. A secret that carries `rotationTag`
   * (RotatedSecret tags its secret and key) is covered by one tag-conditioned
   * statement; any other is listed by ARN. Returns the invoke permission,
   * which rotation must wait for.
   *
   * @param secret The secret's ARN, and its customer managed key when it has one.
   * @param options.tagged The secret carries this function's `rotationTag`,
   * so the tag-conditioned statement covers it and its ARN is not listed.
   * RotatedSecret sets it; leave it out for a secret made elsewhere.
   * @param options.keyTagged Its key carries the tag too (only with `tagged`).
   */
  grantRotation(secret: RotatableSecret, options: { readonly tagged?: boolean; readonly keyTagged?: boolean } = {}): LambdaPermission {
    checkKeyArn('the kmsKeyArn of a secret to rotate', secret.kmsKeyArn);
    this.grants.addSecret({ secretArn: secret.secretArn, kmsKeyArn: secret.kmsKeyArn, ...options });
    return this.allowSecretsManagerToInvoke();
  }

  /**
   * RotatedSecret's grant, made before its resources exist: the secret (and
   * the key made for it, unless `customerKeyArn` names the key it was given)
   * carries `rotationTag`. Returns the invoke permission. @internal
   */
  grantTaggedSecret(customerKeyArn: string | undefined): LambdaPermission {
    checkKeyArn('the kmsKeyArn of a secret to rotate', customerKeyArn);
    this.grants.addTaggedSecret(customerKeyArn);
    return this.allowSecretsManagerToInvoke();
  }

  private allowSecretsManagerToInvoke(): LambdaPermission {
    // One permission for every secret of this account and region: a
    // statement per secret would pass Lambda's 20 KB policy limit at about
    // 60 secrets. The role still reaches only the granted secrets.
    this.invokePermission ??= new LambdaPermission(this, 'InvokePermission', {
      statementId: 'SecretsManagerRotation',
      action: 'lambda:InvokeFunction',
      functionName: this.resource.functionName,
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: this.grants.secretArnPattern,
      sourceAccount: this.grants.account,
    });
    return this.invokePermission;
  }

  /**
   * Lets this function read one secret that it does not rotate, e.g. the
   * admin credential of an API or a database's master credential:
   * GetSecretValue on that secret only, and kms:Decrypt on its customer
   * managed key (when given) through Secrets Manager only.
   */
  grantRead(secret: ReadableSecret): void {
    this.addReadable(secret, 'the kmsKeyArn of a secret to read');
  }

  /** Lets this function read a master secret (alternating users); see `grantRead`. */
  grantReadMasterSecret(secret: ReadableSecret): void {
    this.addReadable(secret, 'the kmsKeyArn of a master secret');
  }

  private addReadable(secret: ReadableSecret, what: string): void {
    checkKeyArn(what, secret.kmsKeyArn);
    this.grants.addReadableSecret(secret);
  }
}

function validateProps(props: RotationFunctionProps): void {
  if ((props.handler === undefined) === (props.entry === undefined)) {
    throw new InvalidPropError('give handler (a built-in handler) or entry (the path of your own), exactly one');
  }
  if (props.handler !== undefined && !(BUILT_IN_HANDLERS as readonly string[]).includes(props.handler)) {
    throw new InvalidPropError(`handler must be one of ${BUILT_IN_HANDLERS.join(', ')}, got ${show(props.handler)}`);
  }
  if (isKnown(props.functionName) && !FUNCTION_NAME.test(props.functionName)) {
    throw new InvalidPropError(`functionName must be 1 to 64 letters, digits, hyphens or underscores, got ${show(props.functionName)}`);
  }
  checkInteger('memorySize', props.memorySize, 128, 10240);
  checkInteger('timeout', props.timeout, 1, 900);
  checkInteger('passwordLength', props.passwordLength, 8, 4096);
  if (isKnown(props.logRetentionInDays) && !LOG_RETENTION_DAYS.includes(props.logRetentionInDays)) {
    throw new InvalidPropError(`logRetentionInDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${show(props.logRetentionInDays)}`);
  }
  checkKeyArn('logKmsKeyArn', props.logKmsKeyArn);
  if (props.vpc) {
    checkVpcIds('vpc', props.vpc);
    if (props.vpc.secretsManagerEndpoint && props.secretsManagerEndpoint !== undefined) {
      throw new InvalidPropError('give secretsManagerEndpoint or vpc.secretsManagerEndpoint, not both: the first names an endpoint, the second creates one');
    }
  }
  if (isKnown(props.secretsManagerEndpoint) && !/^https:\/\/[^\s/]+/.test(props.secretsManagerEndpoint)) {
    throw new InvalidPropError(`secretsManagerEndpoint must be an https:// URL, got ${show(props.secretsManagerEndpoint)}`);
  }
  if (isKnown(props.architecture) && props.architecture !== 'arm64' && props.architecture !== 'x86_64') {
    throw new InvalidPropError(`architecture must be "arm64" or "x86_64", got ${show(props.architecture)}`);
  }
  checkEnvironmentProps(props);
}

/** A name from the construct path, shortened with a hash of the full path when it would pass 64 characters. */
function defaultFunctionName(scope: Construct): string {
  const path = scope.node.path;
  const readable = path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (readable.length <= 64 && !Token.isUnresolved(readable)) return readable;
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
  return `${readable.slice(0, 55)}-${hash}`;
}
