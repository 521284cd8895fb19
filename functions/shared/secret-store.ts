import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  ListSecretVersionIdsCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretVersionsListEntry,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

/** Pages of ListSecretVersionIds read at most: 100 versions each, and a secret keeps about 100. */
const MAX_VERSION_PAGES = 5;

/** The staging label of the version in use. */
export const AWSCURRENT = 'AWSCURRENT';
/** The staging label of the version a rotation is moving to. */
export const AWSPENDING = 'AWSPENDING';
/** The staging label of the version in use before the last rotation. */
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** What DescribeSecret says that the protocol's guard needs. */
export interface SecretMetadata {
  /** The secret's ARN. */
  readonly arn: string;
  /** Whether rotation is turned on for the secret. */
  readonly rotationEnabled: boolean;
  /** Version id to its staging labels, for versions that have at least one. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

/** GetRandomPassword's options. */
export interface PasswordOptions {
  /** Length of the password. */
  readonly length: number;
  /** Characters the password never contains. */
  readonly excludeCharacters: string;
}

/**
 * What the rotation protocol needs from Secrets Manager. The real
 * implementation is `SecretsManagerStore`; tests of the protocol's branches
 * may pass a fake.
 */
export interface SecretStore {
  /** The secret's ARN, whether rotation is on, and its versions' labels (DescribeSecret). */
  describe(secretId: string): Promise<SecretMetadata>;
  /** The value of a version, or undefined when that version or stage has no value. */
  getValue(secretId: string, stage: string, versionId?: string): Promise<string | undefined>;
  /** Stores `value` as version `versionId`, labelled AWSPENDING (PutSecretValue). */
  putPending(secretId: string, versionId: string, value: string): Promise<void>;
  /** Moves AWSCURRENT to `versionId`; Secrets Manager labels the old one AWSPREVIOUS. */
  promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void>;
  /** A new password from GetRandomPassword. */
  randomPassword(options: PasswordOptions): Promise<string>;
  /** Values of the most recent versions that have no staging label, newest first (at most `limit`). */
  unlabelledValues(secretId: string, limit: number): Promise<string[]>;
}

/**
 * Builds the Secrets Manager client the way AWS's rotation templates do:
 * SECRETS_MANAGER_ENDPOINT overrides the endpoint (a VPC endpoint, or the
 * local emulator), AWS_REGION picks the region.
 */
export function secretsManagerClientFromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretsManagerClient {
  const endpoint = env.SECRETS_MANAGER_ENDPOINT?.trim();
  return new SecretsManagerClient({ ...(endpoint ? { endpoint } : {}) });
}

/** `SecretStore` on the AWS SDK's Secrets Manager client (which the emulator also answers). */
export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretMetadata> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { arn: out.ARN ?? secretId, rotationEnabled: out.RotationEnabled === true, versions: out.VersionIdsToStages ?? {} };
  }

  async getValue(secretId: string, stage: string, versionId?: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      return out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async putPending(secretId: string, versionId: string, value: string): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: value, VersionStages: [AWSPENDING] }),
    );
  }

  async promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: AWSCURRENT,
        MoveToVersionId: versionId,
        ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
      }),
    );
  }

  async unlabelledValues(secretId: string, limit: number): Promise<string[]> {
    // Every page: a secret keeps up to 100 versions without a label besides
    // the labelled ones, in an order the API does not promise, so the newest
    // may be on the second page.
    const versions: SecretVersionsListEntry[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_VERSION_PAGES; page += 1) {
      const out = await this.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, MaxResults: 100, NextToken }));
      versions.push(...(out.Versions ?? []));
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
    const unlabelled = versions
      .filter((v) => v.VersionId && (v.VersionStages ?? []).length === 0)
      .sort((a, b) => (b.CreatedDate?.getTime() ?? 0) - (a.CreatedDate?.getTime() ?? 0))
      .slice(0, limit);
    const values: string[] = [];
    for (const version of unlabelled) {
      try {
        const value = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: version.VersionId }));
        if (value.SecretString !== undefined) values.push(value.SecretString);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }
    return values;
  }

  async randomPassword(options: PasswordOptions): Promise<string> {
    const out = await this.client.send(
      new GetRandomPasswordCommand({ PasswordLength: options.length, ExcludeCharacters: options.excludeCharacters || undefined }),
    );
    if (!out.RandomPassword) throw new Error('GetRandomPassword returned no password');
    return out.RandomPassword;
  }
}
