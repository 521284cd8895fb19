import { KmsKeyModel, RotationModel, SecretModel } from './model';
import { errorsAlarmFunctionName } from './read-functions';
import { readSchedule } from './read-schedule';
import { asBody, Block, bodies, byAddress, constructPath, flag, nested, sorted, TerraformJson, text, textList } from './terraform-json';

/**
 * Where a service keeps the secret it owns: the resource types, the argument
 * that turns it on, the attribute holding the secret, and the KMS key argument.
 */
const SERVICE_SECRETS = [
  { types: ['aws_db_instance', 'aws_rds_cluster'], enabled: 'manage_master_user_password', attribute: 'master_user_secret', kmsKey: 'master_user_secret_kms_key_id', defaultDays: 7 },
  { types: ['aws_docdb_cluster'], enabled: 'manage_master_user_password', attribute: 'master_user_secret', kmsKey: 'master_user_secret_kms_key_id', defaultDays: 7 },
  { types: ['aws_redshift_cluster'], enabled: 'manage_master_password', attribute: 'master_password_secret_arn', kmsKey: 'master_password_secret_kms_key_id', defaultDays: undefined },
] as const;

/** Every secret of the stack: its own aws_secretsmanager_secret resources, and the secrets that a service manages for it. */
export function readSecrets(tf: TerraformJson): SecretModel[] {
  const rotations = tf.resources('aws_secretsmanager_secret_rotation');
  const ownSecrets = tf.resources('aws_secretsmanager_secret').map((secret): SecretModel => {
    const rotation = rotations.find((r) => tf.referenceTo(r.body.secret_id, 'aws_secretsmanager_secret') === secret);
    const policy = tf.resources('aws_secretsmanager_secret_policy').find((p) => tf.referenceTo(p.body.secret_arn, 'aws_secretsmanager_secret') === secret);
    const path = constructPath(secret);
    const name = text(secret.body.name) ?? (text(secret.body.name_prefix) !== undefined ? `${text(secret.body.name_prefix)}…` : undefined);
    return {
      address: secret.address,
      ...(path ? { constructPath: path } : {}),
      ...(name !== undefined ? { name } : {}),
      owner: 'stack',
      kmsKey: readKmsKey(tf, secret.body.kms_key_id),
      ...(rotation ? { rotation: readRotation(tf, rotation) } : {}),
      ...(policy ? { resourcePolicy: { address: policy.address, blockPublicPolicy: flag(policy.body.block_public_policy, false) } } : {}),
      replicaRegions: sorted(bodies(secret.body.replica).flatMap((replica) => textList(replica.region))),
    };
  });
  return [...ownSecrets, ...serviceSecrets(tf, rotations)].sort(byAddress);
}

/**
 * Secrets a service owns (RDS, Aurora, DocumentDB, Redshift managing a
 * master password): one per database that turns it on, and one per rotation
 * whose secret_id points at an attribute of another resource of the stack
 * (`aws_db_instance.Db.master_user_secret[0].secret_arn`), even of a
 * service this reader does not know by name.
 */
function serviceSecrets(tf: TerraformJson, rotations: Block[]): SecretModel[] {
  const secrets: SecretModel[] = [];
  const claimed = new Set<Block>();
  const add = (owner: Block, attribute: string, kmsKeyId: unknown, rotation: Block | undefined, defaultDays: number | undefined) => {
    if (rotation) claimed.add(rotation);
    const path = constructPath(owner);
    secrets.push({
      address: `${owner.address}.${attribute}`,
      ...(path ? { constructPath: path } : {}),
      owner: 'service',
      kmsKey: readKmsKey(tf, kmsKeyId),
      ...(rotation ? { rotation: readRotation(tf, rotation) } : defaultDays ? { rotation: serviceDefault(owner, defaultDays) } : {}),
      replicaRegions: [],
    });
  };
  for (const kind of SERVICE_SECRETS) {
    for (const database of tf.resourcesOf(kind.types)) {
      const rotation = rotations.find((r) => attributeReferenced(tf, r.body.secret_id, database) === kind.attribute);
      if (rotation || flag(database.body[kind.enabled], false)) add(database, kind.attribute, database.body[kind.kmsKey], rotation, kind.defaultDays);
    }
  }
  for (const rotation of rotations) {
    if (claimed.has(rotation) || tf.referenceTo(rotation.body.secret_id, 'aws_secretsmanager_secret')) continue;
    const owner = tf.references(rotation.body.secret_id).find((block) => !block.address.startsWith('data.'));
    const attribute = owner && attributeReferenced(tf, rotation.body.secret_id, owner);
    if (!owner || !attribute) continue;
    const kmsKeyId = Object.entries(owner.body).find(([argument]) => argument.endsWith('_secret_kms_key_id'))?.[1];
    add(owner, attribute, kmsKeyId, rotation, undefined);
  }
  return secrets;
}

/** The attribute of `owner` that `secret_id` reads, e.g. `master_user_secret` in `${aws_db_instance.Db.master_user_secret[0].secret_arn}`. */
function attributeReferenced(tf: TerraformJson, secretId: unknown, owner: Block): string | undefined {
  const value = text(secretId) ?? '';
  if (!tf.refersTo(value, owner)) return undefined;
  return new RegExp(`${owner.address.replace(/[.]/g, '\\.')}\\.(\\w+)`).exec(value)?.[1];
}

/** RDS and its kin rotate a managed master password every 7 days when nothing says otherwise. */
function serviceDefault(database: Block, days: number): RotationModel {
  return {
    address: database.address,
    kind: 'service',
    schedule: { automaticallyAfterDays: days, maxIntervalDays: days },
    rotateImmediately: false,
    serviceDefault: true,
  };
}

/** What encrypts a secret, from its kms_key_id (a key of this stack, directly or through an alias; a key from outside; or none). */
export function readKmsKey(tf: TerraformJson, kmsKeyId: unknown): KmsKeyModel {
  const value = text(kmsKeyId);
  if (value === undefined || value === '' || value === 'alias/aws/secretsmanager') return { kind: 'aws-managed' };
  const alias = tf.referenceTo(value, 'aws_kms_alias');
  const key = tf.referenceTo(value, 'aws_kms_key') ?? (alias ? tf.referenceTo(alias.body.target_key_id, 'aws_kms_key') : undefined);
  if (key) return { kind: 'stack', address: key.address, keyRotation: flag(key.body.enable_key_rotation, false) };
  return { kind: 'external', arn: value };
}

/** An aws_secretsmanager_secret_rotation: who rotates (from rotation_lambda_arn), on what schedule. */
export function readRotation(tf: TerraformJson, rotation: Block): RotationModel {
  const body = rotation.body;
  const base = {
    address: rotation.address,
    schedule: readSchedule(nested(body.rotation_rules)),
    rotateImmediately: flag(body.rotate_immediately, true),
  };
  const lambdaArn = text(body.rotation_lambda_arn);
  if (lambdaArn === undefined || lambdaArn === '') return { ...base, kind: 'service' };
  const alias = tf.referenceTo(lambdaArn, 'aws_lambda_alias');
  const fn = tf.referenceTo(lambdaArn, 'aws_lambda_function') ?? (alias ? tf.referenceTo(alias.body.function_name, 'aws_lambda_function') : undefined);
  if (fn) return { ...base, kind: 'function', functionAddress: fn.address };
  const application = tf.referenceTo(lambdaArn, 'aws_serverlessapplicationrepository_cloudformation_stack');
  if (application) {
    const parameters = asBody(application.body.parameters);
    const semanticVersion = text(application.body.semantic_version);
    const functionName = parameters.functionName;
    const errorsAlarm = functionName === undefined ? undefined : tf.resources('aws_cloudwatch_metric_alarm').find((alarm) => errorsAlarmFunctionName(alarm) === functionName);
    return {
      ...base,
      kind: 'hosted',
      hosted: {
        address: application.address,
        applicationId: text(application.body.application_id) ?? '',
        ...(semanticVersion !== undefined ? { semanticVersion } : {}),
        inVpc: [parameters.vpcSubnetIds, parameters.vpcSecurityGroupIds].some((v) => (text(v) ?? '') !== ''),
      },
      ...(errorsAlarm ? { errorsAlarm: errorsAlarm.address } : {}),
    };
  }
  return { ...base, kind: 'external', lambdaArn };
}
