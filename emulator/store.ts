import { randomBytes, randomUUID } from 'node:crypto';
import { EmulatorError, invalidParameter, invalidRequest, notFound } from './errors';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** How many versions without a label a secret keeps, as Secrets Manager does. */
const MAX_DEPRECATED_VERSIONS = 100;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

interface Version {
  readonly id: string;
  /** Absent for the version RotateSecret creates before createSecret fills it. */
  secretString?: string;
  secretBinary?: string;
  readonly stages: Set<string>;
  readonly createdDate: Date;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Array<{ Key: string; Value: string }>;
  readonly versions: Map<string, Version>;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastRotatedDate?: Date;
  deletedDate?: Date;
}

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

/**
 * The state of an emulated Secrets Manager and its operations, following
 * AWS's documented version-stage rules: a label sits on one version only;
 * moving AWSCURRENT gives the old version AWSPREVIOUS; a version left
 * without labels is deprecated and drops out of DescribeSecret.
 */
export class SecretsState {
  private readonly secrets = new Map<string, Secret>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  CreateSecret(req: Request): Response {
    const name = requireString(req, 'Name');
    if (!NAME_PATTERN.test(name)) {
      throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const existing = this.byName(name);
    if (existing?.deletedDate) {
      throw invalidRequest(`You can't create this secret because a secret with this name is already scheduled for deletion.`);
    }
    if (existing) throw new EmulatorError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    oneValueAtMost(req);
    const now = new Date();
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`,
      name,
      description: optionalString(req, 'Description'),
      kmsKeyId: optionalString(req, 'KmsKeyId'),
      tags: (req.Tags as Secret['tags']) ?? [],
      versions: new Map(),
      rotationEnabled: false,
      createdDate: now,
      lastChangedDate: now,
    };
    this.secrets.set(secret.arn, secret);
    const out: Response = { ARN: secret.arn, Name: name };
    if (req.SecretString !== undefined || req.SecretBinary !== undefined) {
      const id = optionalString(req, 'ClientRequestToken') ?? randomUUID();
      this.addVersion(secret, id, req, [AWSCURRENT]);
      out.VersionId = id;
    }
    return out;
  }

  DescribeSecret(req: Request): Response {
    const s = this.find(req, { allowDeleted: true });
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of s.versions.values()) if (v.stages.size > 0) versionIdsToStages[v.id] = [...v.stages];
    return {
      ARN: s.arn,
      Name: s.name,
      Description: s.description,
      KmsKeyId: s.kmsKeyId,
      RotationEnabled: s.rotationEnabled,
      RotationLambdaARN: s.rotationLambdaArn,
      RotationRules: s.rotationRules,
      LastRotatedDate: seconds(s.lastRotatedDate),
      LastChangedDate: seconds(s.lastChangedDate),
      DeletedDate: seconds(s.deletedDate),
      CreatedDate: seconds(s.createdDate),
      Tags: s.tags.length ? s.tags : undefined,
      VersionIdsToStages: versionIdsToStages,
    };
  }

  GetSecretValue(req: Request): Response {
    const s = this.find(req);
    const versionId = optionalString(req, 'VersionId');
    const stage = optionalString(req, 'VersionStage') ?? (versionId ? undefined : AWSCURRENT);
    let version = versionId ? s.versions.get(versionId) : this.holder(s, stage!);
    if (version && stage && !version.stages.has(stage)) version = undefined;
    if (!version || (version.secretString === undefined && version.secretBinary === undefined)) {
      throw notFound(`secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`);
    }
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: version.id,
      SecretString: version.secretString,
      SecretBinary: version.secretBinary,
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.createdDate),
    };
  }

  PutSecretValue(req: Request): Response {
    const s = this.find(req);
    oneValueAtMost(req);
    if (req.SecretString === undefined && req.SecretBinary === undefined) {
      throw invalidParameter('You must provide either SecretString or SecretBinary.');
    }
    const id = optionalString(req, 'ClientRequestToken') ?? randomUUID();
    const stages = (req.VersionStages as string[] | undefined) ?? [AWSCURRENT];
    const existing = s.versions.get(id);
    if (existing && (existing.secretString !== undefined || existing.secretBinary !== undefined)) {
      if (existing.secretString === req.SecretString && existing.secretBinary === req.SecretBinary) {
        return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: [...existing.stages] };
      }
      throw new EmulatorError(
        'ResourceExistsException',
        'You can’t modify an existing version, you can only create a new version.',
      );
    }
    const version = existing ?? this.addVersion(s, id, req, []);
    if (existing) {
      existing.secretString = req.SecretString as string | undefined;
      existing.secretBinary = req.SecretBinary as string | undefined;
    }
    for (const stage of stages) this.attach(s, stage, version);
    this.prune(s);
    s.lastChangedDate = new Date();
    return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: [...version.stages] };
  }

  UpdateSecretVersionStage(req: Request): Response {
    const s = this.find(req);
    const stage = requireString(req, 'VersionStage');
    const moveTo = optionalString(req, 'MoveToVersionId');
    const removeFrom = optionalString(req, 'RemoveFromVersionId');
    const holder = this.holder(s, stage);
    if (removeFrom !== undefined && holder?.id !== removeFrom) {
      throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (moveTo === undefined) {
      if (removeFrom === undefined) throw invalidParameter('You must specify MoveToVersionId or RemoveFromVersionId.');
      if (stage === AWSCURRENT) throw invalidParameter('You can’t remove the AWSCURRENT staging label; move it to another version instead.');
      holder!.stages.delete(stage);
    } else {
      const target = s.versions.get(moveTo);
      if (!target) throw notFound(`version: ${moveTo}`);
      if (holder && holder !== target && removeFrom === undefined) {
        throw invalidParameter(
          `The staging label ${stage} is currently attached to version ${holder.id}. Specify RemoveFromVersionId to move it to version ${moveTo}.`,
        );
      }
      this.attach(s, stage, target);
      if (stage === AWSCURRENT && holder !== target) s.lastRotatedDate = new Date();
    }
    this.prune(s);
    s.lastChangedDate = new Date();
    return { ARN: s.arn, Name: s.name };
  }

  ListSecretVersionIds(req: Request): Response {
    const s = this.find(req, { allowDeleted: true });
    const all = [...s.versions.values()].filter((v) => req.IncludeDeprecated === true || v.stages.size > 0);
    const start = req.NextToken === undefined ? 0 : Number(req.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > all.length) {
      throw new EmulatorError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    const max = (req.MaxResults as number | undefined) ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidParameter('MaxResults must be between 1 and 100.');
    const page = all.slice(start, start + max);
    return {
      ARN: s.arn,
      Name: s.name,
      Versions: page.map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: seconds(v.createdDate) })),
      NextToken: start + max < all.length ? String(start + max) : undefined,
    };
  }

  DeleteSecret(req: Request): Response {
    const force = req.ForceDeleteWithoutRecovery === true;
    const windowDays = req.RecoveryWindowInDays as number | undefined;
    if (force && windowDays !== undefined) {
      throw invalidParameter('You can’t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.');
    }
    if (windowDays !== undefined && (!Number.isInteger(windowDays) || windowDays < 7 || windowDays > 30)) {
      throw invalidParameter('RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const now = new Date();
    if (force) {
      // AWS documents that forcing deletion of an already deleted or nonexistent
      // secret does not fail, so a retried delete (or one racing a scheduled
      // deletion) is safe.
      const id = requireString(req, 'SecretId');
      const s = this.secrets.get(id) ?? this.byName(id);
      if (s) this.secrets.delete(s.arn);
      const named = s ? { ARN: s.arn, Name: s.name } : id.startsWith('arn:') ? { ARN: id } : { Name: id };
      return { ...named, DeletionDate: seconds(now) };
    }
    const s = this.find(req);
    s.deletedDate = now;
    return { ARN: s.arn, Name: s.name, DeletionDate: seconds(new Date(now.getTime() + (windowDays ?? 30) * 86_400_000)) };
  }

  /**
   * RotateSecret's bookkeeping before it invokes the rotation function:
   * stores the rotation settings, turns rotation on and creates the AWSPENDING
   * version (without a value) that createSecret fills.
   */
  beginRotation(req: Request): { arn: string; token: string; lambdaArn?: string; immediately: boolean } {
    const s = this.find(req);
    const lambdaArn = optionalString(req, 'RotationLambdaARN') ?? s.rotationLambdaArn;
    if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    if (!this.holder(s, AWSCURRENT)) throw invalidRequest('The secret has no AWSCURRENT version to rotate.');
    const rules = req.RotationRules as RotationRules | undefined;
    if (rules?.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
      throw invalidParameter('You can’t specify both AutomaticallyAfterDays and ScheduleExpression.');
    }
    const immediately = req.RotateImmediately !== false;
    const token = optionalString(req, 'ClientRequestToken') ?? randomUUID();
    const pending = this.holder(s, AWSPENDING);
    // Checked before anything changes: a refused call leaves the settings as they were.
    if (pending && pending.id !== token && !pending.stages.has(AWSCURRENT)) {
      throw invalidRequest('A previous rotation isn’t complete. That rotation will be reattempted.');
    }
    s.rotationLambdaArn = lambdaArn;
    if (rules) s.rotationRules = rules;
    s.rotationEnabled = true;
    // Without an immediate rotation, AWS still checks the configuration by
    // running testSecret on a temporary AWSPENDING version (endRotationCheck
    // removes it).
    if (!s.versions.has(token)) this.addVersion(s, token, {}, [AWSPENDING]);
    this.prune(s);
    return { arn: s.arn, token, lambdaArn, immediately };
  }

  /** Removes the temporary version of a configuration check (RotateImmediately false). */
  endRotationCheck(secretArn: string, token: string): void {
    const s = this.secrets.get(secretArn);
    const version = s?.versions.get(token);
    if (!s || !version || version.secretString !== undefined || version.secretBinary !== undefined) return;
    s.versions.delete(token);
  }

  private addVersion(s: Secret, id: string, req: Request, stages: string[]): Version {
    const version: Version = {
      id,
      secretString: req.SecretString as string | undefined,
      secretBinary: req.SecretBinary as string | undefined,
      stages: new Set(),
      createdDate: new Date(),
    };
    s.versions.set(id, version);
    for (const stage of stages) this.attach(s, stage, version);
    return version;
  }

  /** Puts `stage` on `target` alone; moving AWSCURRENT hands AWSPREVIOUS to the old holder. */
  private attach(s: Secret, stage: string, target: Version): void {
    const holder = this.holder(s, stage);
    if (holder === target) return;
    holder?.stages.delete(stage);
    target.stages.add(stage);
    if (stage === AWSCURRENT && holder) this.attach(s, AWSPREVIOUS, holder);
  }

  private holder(s: Secret, stage: string): Version | undefined {
    for (const v of s.versions.values()) if (v.stages.has(stage)) return v;
    return undefined;
  }

  private prune(s: Secret): void {
    const deprecated = [...s.versions.values()].filter((v) => v.stages.size === 0);
    for (const v of deprecated.slice(0, Math.max(0, deprecated.length - MAX_DEPRECATED_VERSIONS))) s.versions.delete(v.id);
  }

  private byName(name: string): Secret | undefined {
    for (const s of this.secrets.values()) if (s.name === name) return s;
    return undefined;
  }

  private find(req: Request, options: { allowDeleted?: boolean } = {}): Secret {
    const id = requireString(req, 'SecretId');
    const s = this.secrets.get(id) ?? this.byName(id);
    if (!s) throw notFound();
    if (s.deletedDate && !options.allowDeleted) {
      throw invalidRequest('You can’t perform this operation on the secret because it was marked for deletion.');
    }
    return s;
  }
}

function requireString(req: Request, key: string): string {
  const value = req[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidParameter(`You must provide a value for the ${key} parameter.`);
  }
  return value;
}

function optionalString(req: Request, key: string): string | undefined {
  const value = req[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`The ${key} parameter must be a string.`);
  return value;
}

function oneValueAtMost(req: Request): void {
  if (req.SecretString !== undefined && req.SecretBinary !== undefined) {
    throw invalidParameter('You can’t specify both SecretString and SecretBinary.');
  }
}
