import { createHash } from 'node:crypto';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, PasswordOptions, SecretMetadata, SecretStore } from '../../functions/shared/secret-store';

/** An error shaped like the AWS SDK's service exceptions: `name` is the exception type. */
export class FakeSecretsManagerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type StoreMethod = 'describe' | 'getValue' | 'putPending' | 'promote' | 'randomPassword' | 'unlabelledValues';

export interface StoreCall {
  readonly method: StoreMethod;
  readonly args: readonly unknown[];
}

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

export interface FakeSecretStoreOptions {
  /** @default 'test/secret' */
  readonly name?: string;
  /** @default true */
  readonly rotationEnabled?: boolean;
}

/** AWS's GetRandomPassword alphabet: printable ASCII without the space. */
const PASSWORD_ALPHABET = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

/**
 * An in-memory Secrets Manager secret behind the `SecretStore` interface,
 * following the stage rules the rotation protocol relies on: a staging label
 * sits on one version at a time; moving AWSCURRENT needs RemoveFromVersionId
 * naming its holder and hands that holder AWSPREVIOUS; a version may carry
 * AWSPENDING before it has a value (as RotateSecret leaves it); an existing
 * value cannot be changed; versions without labels drop out of describe().
 * Every call is recorded, and any method can be made to fail.
 */
export class FakeSecretStore implements SecretStore {
  readonly name: string;
  readonly arn: string;
  rotationEnabled: boolean;
  readonly calls: StoreCall[] = [];
  /** The options of every GetRandomPassword call. */
  readonly passwordRequests: PasswordOptions[] = [];

  private readonly versions = new Map<string, Version>();
  private readonly failures = new Map<StoreMethod, Error>();
  private readonly queuedPasswords: string[] = [];
  private versionCounter = 0;
  private passwordCounter = 0;

  constructor(options: FakeSecretStoreOptions = {}) {
    this.name = options.name ?? 'test/secret';
    this.arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${this.name}-AbCdEf`;
    this.rotationEnabled = options.rotationEnabled ?? true;
  }

  /** Adds a version with a value and labels (moving the labels from other versions); returns its id. */
  addVersion(value: string | undefined, stages: readonly string[], versionId = this.nextVersionId()): string {
    const version: Version = { value, stages: new Set() };
    this.versions.set(versionId, version);
    for (const stage of stages) this.attach(stage, versionId);
    return versionId;
  }

  /** What CreateSecret does with a SecretString: a first version labelled AWSCURRENT. */
  addCurrent(value: string): string {
    return this.addVersion(value, [AWSCURRENT]);
  }

  /** What RotateSecret does before it invokes the function: a value-less version labelled AWSPENDING. */
  beginRotation(token = this.nextVersionId()): string {
    this.rotationEnabled = true;
    return this.addVersion(undefined, [AWSPENDING], token);
  }

  /** Makes every later call of `method` reject with `error`. */
  failOn(method: StoreMethod, error: Error): void {
    this.failures.set(method, error);
  }

  /** Passwords that randomPassword() returns, in order, before it generates its own. */
  queuePasswords(...passwords: string[]): void {
    this.queuedPasswords.push(...passwords);
  }

  /** Labels by version id, sorted, for versions that have any (DescribeSecret's view). */
  stages(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, version] of this.versions) if (version.stages.size > 0) out[id] = [...version.stages].sort();
    return out;
  }

  /** The value under a label, or of a version; read without recording a call. */
  valueAt(stage: string): string | undefined {
    const holder = this.holder(stage);
    return holder === undefined ? undefined : this.versions.get(holder)?.value;
  }

  valueOf(versionId: string): string | undefined {
    return this.versions.get(versionId)?.value;
  }

  /** Calls that change the secret. */
  get writes(): StoreCall[] {
    return this.calls.filter((call) => call.method === 'putPending' || call.method === 'promote');
  }

  async describe(secretId: string): Promise<SecretMetadata> {
    this.record('describe', secretId);
    return { arn: this.arn, rotationEnabled: this.rotationEnabled, versions: this.stages() };
  }

  async getValue(secretId: string, stage: string, versionId?: string): Promise<string | undefined> {
    this.record('getValue', secretId, stage, versionId);
    const id = versionId ?? this.holder(stage);
    const version = id === undefined ? undefined : this.versions.get(id);
    // GetSecretValue with both a VersionId and a VersionStage finds nothing when that version lacks the label.
    if (!version || !version.stages.has(stage)) return undefined;
    return version.value;
  }

  async putPending(secretId: string, versionId: string, value: string): Promise<void> {
    this.record('putPending', secretId, versionId, value);
    const existing = this.versions.get(versionId);
    if (existing?.value !== undefined) {
      if (existing.value === value) return;
      throw new FakeSecretsManagerError('ResourceExistsException', 'You can’t modify an existing version, you can only create a new version.');
    }
    if (existing) existing.value = value;
    else this.versions.set(versionId, { value, stages: new Set() });
    this.attach(AWSPENDING, versionId);
  }

  async promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void> {
    this.record('promote', secretId, versionId, fromVersionId);
    const holder = this.holder(AWSCURRENT);
    if (fromVersionId !== undefined && holder !== fromVersionId) {
      throw new FakeSecretsManagerError('InvalidParameterException', `The staging label AWSCURRENT is not attached to version ${fromVersionId}.`);
    }
    if (!this.versions.has(versionId)) {
      throw new FakeSecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${versionId}`);
    }
    if (holder !== undefined && holder !== versionId && fromVersionId === undefined) {
      throw new FakeSecretsManagerError(
        'InvalidParameterException',
        `The staging label AWSCURRENT is currently attached to version ${holder}. Specify RemoveFromVersionId to move it to version ${versionId}.`,
      );
    }
    this.attach(AWSCURRENT, versionId);
  }

  async unlabelledValues(secretId: string, limit: number): Promise<string[]> {
    this.record('unlabelledValues', secretId, limit);
    return [...this.versions.values()]
      .filter((v) => v.stages.size === 0 && v.value !== undefined)
      .reverse()
      .slice(0, limit)
      .map((v) => v.value!);
  }

  async randomPassword(options: PasswordOptions): Promise<string> {
    this.record('randomPassword', options);
    this.passwordRequests.push({ ...options });
    const queued = this.queuedPasswords.shift();
    if (queued !== undefined) return queued;
    if (!Number.isInteger(options.length) || options.length < 1 || options.length > 4096) {
      throw new FakeSecretsManagerError('InvalidParameterException', `PasswordLength must be from 1 to 4096, got ${options.length}`);
    }
    const alphabet = [...PASSWORD_ALPHABET].filter((c) => !options.excludeCharacters.includes(c));
    if (alphabet.length === 0) throw new FakeSecretsManagerError('InvalidParameterException', 'ExcludeCharacters leaves no characters');
    // Deterministic, but different on every call and spread over the whole alphabet.
    this.passwordCounter += 1;
    let out = '';
    for (let block = 0; out.length < options.length; block += 1) {
      for (const byte of createHash('sha256').update(`${this.passwordCounter}:${block}`).digest()) {
        if (out.length < options.length) out += alphabet[byte % alphabet.length];
      }
    }
    return out;
  }

  private record(method: StoreMethod, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) throw failure;
    if (method !== 'randomPassword' && args[0] !== this.arn && args[0] !== this.name) {
      throw new FakeSecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${String(args[0])}`);
    }
  }

  private holder(stage: string): string | undefined {
    for (const [id, version] of this.versions) if (version.stages.has(stage)) return id;
    return undefined;
  }

  /** Puts `stage` on `versionId` alone; moving AWSCURRENT gives the old holder AWSPREVIOUS. */
  private attach(stage: string, versionId: string): void {
    const holder = this.holder(stage);
    if (holder === versionId) return;
    if (holder !== undefined) this.versions.get(holder)!.stages.delete(stage);
    this.versions.get(versionId)!.stages.add(stage);
    if (stage === AWSCURRENT && holder !== undefined) this.attach(AWSPREVIOUS, holder);
  }

  private nextVersionId(): string {
    this.versionCounter += 1;
    return `00000000-0000-4000-8000-${String(this.versionCounter).padStart(12, '0')}`;
  }
}
