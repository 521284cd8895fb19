import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { loadHandlerWithEnv } from './handler-loader';
import { secretsIn } from './leak-check';
import { DatabaseTarget, EngineKind } from './targets';

export type Strategy = 'single-user' | 'multi-user';
export type Handler = (event: unknown) => Promise<void>;
export type Step = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const STEPS: readonly Step[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Every built-in database handler: the engine it rotates and its strategy. */
export const DATABASE_HANDLERS: ReadonlyArray<{ readonly name: string; readonly kind: EngineKind; readonly strategy: Strategy }> = [
  { name: 'postgres-single-user', kind: 'postgres', strategy: 'single-user' },
  { name: 'postgres-multi-user', kind: 'postgres', strategy: 'multi-user' },
  { name: 'mysql-single-user', kind: 'mysql', strategy: 'single-user' },
  { name: 'mysql-multi-user', kind: 'mysql', strategy: 'multi-user' },
  { name: 'redshift-single-user', kind: 'redshift', strategy: 'single-user' },
  { name: 'redshift-multi-user', kind: 'redshift', strategy: 'multi-user' },
];

/**
 * The emulator, a Secrets Manager client for the test, and the built handler
 * bundles, loaded as Lambda loads them. Every log line the handlers print
 * and every error they throw is kept, for the check that no secret leaks.
 */
export interface RotationHarness {
  readonly emulator: Emulator;
  readonly sm: SecretsManagerClient;
  readonly logLines: string[];
  readonly errors: Error[];
  /** The bundle of `name`, loaded once with the base environment. */
  handler(name: string): Handler;
  /** The bundle of `name`, loaded afresh with extra environment variables. */
  handlerWithEnv(name: string, env: Record<string, string>): Handler;
  /** Runs one step; a thrown error is kept and rethrown. */
  invoke(handler: Handler, step: Step, secretId: string, token: string): Promise<void>;
  /** Creates a secret holding a database credential for `target`. */
  createDatabaseSecret(target: DatabaseTarget, value: Record<string, unknown>): Promise<{ arn: string; versionId: string }>;
  /** The parsed value at a stage, or undefined. */
  valueAt(secretId: string, stage: string): Promise<Record<string, unknown> | undefined>;
  /** Version id to stages, including versions without a label. */
  stages(secretId: string): Promise<Record<string, string[]>>;
  /** Every password any version of any listed secret ever held. */
  allPasswords(secretIds: string[]): Promise<string[]>;
  stop(): Promise<void>;
}

let counter = 0;
/** A name unique within the run. */
export const unique = (prefix: string) => `${prefix}${++counter}`;

export async function startRotationHarness(): Promise<RotationHarness> {
  const emulator = await startEmulator();
  const baseEnv = {
    SECRETS_MANAGER_ENDPOINT: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test-access-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
  };
  Object.assign(process.env, baseEnv);
  const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const logLines: string[] = [];
  const errors: Error[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logLines.push(args.map(String).join(' ')));
  const loaded = new Map<string, Handler>();

  const harness: RotationHarness = {
    emulator,
    sm,
    logLines,
    errors,
    handler(name) {
      if (!loaded.has(name)) loaded.set(name, loadHandlerWithEnv(name, {}));
      return loaded.get(name)!;
    },
    handlerWithEnv: (name, env) => loadHandlerWithEnv(name, env),
    async invoke(handler, step, secretId, token) {
      try {
        await handler({ Step: step, SecretId: secretId, ClientRequestToken: token });
      } catch (error) {
        errors.push(error as Error);
        throw error;
      }
    },
    async createDatabaseSecret(target, value) {
      const secret = { engine: target.kind, host: target.host, port: target.port, dbname: target.dbname, ...value };
      const out = await sm.send(new CreateSecretCommand({ Name: unique('test/db/'), SecretString: JSON.stringify(secret) }));
      return { arn: out.ARN!, versionId: out.VersionId! };
    },
    async valueAt(secretId, stage) {
      try {
        const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
        return JSON.parse(out.SecretString!);
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async stages(secretId) {
      const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
      return Object.fromEntries((out.Versions ?? []).map((v) => [v.VersionId!, [...(v.VersionStages ?? [])].sort()]));
    },
    async allPasswords(secretIds) {
      const passwords = new Set<string>();
      for (const secretId of secretIds) {
        for (const versionId of Object.keys(await harness.stages(secretId))) {
          try {
            const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
            const password = JSON.parse(out.SecretString!).password;
            if (typeof password === 'string') passwords.add(password);
          } catch {
            // A version that never got a value.
          }
        }
      }
      return [...passwords];
    },
    async stop() {
      spy.mockRestore();
      sm.destroy();
      await emulator.stop();
    },
  };
  return harness;
}

/**
 * Fails unless someone can log in with what Secrets Manager holds: with the
 * alternating-users strategy, AWSCURRENT always; with one user, AWSCURRENT or
 * (between setSecret and finishSecret) AWSPENDING.
 */
export async function expectNobodyLockedOut(harness: RotationHarness, target: DatabaseTarget, secretId: string, strategy: Strategy, moment: string): Promise<void> {
  const current = await harness.valueAt(secretId, 'AWSCURRENT');
  const pending = await harness.valueAt(secretId, 'AWSPENDING');
  const works = async (value?: Record<string, unknown>) => !!value && (await target.canLogIn(value.username as string, value.password as string));
  const currentWorks = await works(current);
  const ok = strategy === 'multi-user' ? currentWorks : currentWorks || (await works(pending));
  if (!ok) throw new Error(`locked out ${moment}: ${strategy === 'multi-user' ? 'AWSCURRENT' : 'neither AWSCURRENT nor AWSPENDING'} logs in`);
}

/**
 * Fails if any of `secrets` appears in a log line or an error message or
 * stack, as it is or escaped (JSON, SQL literals).
 */
export function expectNoSecretLeaked(harness: RotationHarness, secrets: readonly string[]): void {
  const text = [...harness.logLines, ...harness.errors.map((e) => `${e.message}\n${e.stack}`)].join('\n');
  const leaked = secretsIn(text, secrets);
  if (leaked.length > 0) {
    throw new Error(`${leaked.length} secret(s), of ${leaked.map((s) => s.length).join(', ')} characters, appear in the handlers' logs or errors`);
  }
}
