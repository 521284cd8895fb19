import { performance } from 'node:perf_hooks';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  GetSecretValueCommandOutput,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../../emulator';
import { ROTATION_STEPS } from '../../emulator/emulator';
import { CliError, EXIT } from '../errors';
import { errorParts, HandlerLoadError, loadHandler } from './load-handler';

export type StepName = (typeof ROTATION_STEPS)[number];

export interface StepResult {
  readonly step: StepName;
  readonly result: 'ok' | 'failed' | 'not run';
  /** Wall-clock time of the step, in milliseconds; absent when it did not run. */
  readonly ms?: number;
  /** Name and message of what the step threw (masked by the caller before printing). */
  readonly error?: { readonly name: string; readonly message: string };
}

/** One version's value, as the handler stored it. */
export interface StoredValue {
  /** The SecretString; absent when the version holds a SecretBinary instead. */
  readonly text?: string;
  /** The SecretString parsed, when it is a JSON object (a handler of your own may store other text). */
  readonly object?: Record<string, unknown>;
}

export interface RehearsalOptions {
  /** The handler bundle to load (a built handler, or an entry bundled by bundleEntry). */
  readonly bundleFile: string;
  /** The secret's value; `masterarn` / `adminSecretArn` are rewritten when a master / admin secret is given. */
  readonly secret: Record<string, unknown>;
  readonly masterSecret?: string;
  readonly adminSecret?: string;
  /** Added to the handler's environment (the --env options). */
  readonly env: Readonly<Record<string, string>>;
  /** One line of progress, as it happens (unmasked: the caller masks it). */
  readonly progress: (line: string) => void;
  /**
   * Called with every value the rotated secret holds in the emulator, whole
   * (each version's SecretString; a SecretBinary as base64 and as UTF-8),
   * after each step and before the progress line about it, so that the
   * caller can mask it in that line and in everything after.
   */
  readonly learn: (text: string) => void;
  /**
   * Called with the new value (AWSPENDING; undefined when createSecret stored
   * none) once createSecret has succeeded and before setSecret can change the
   * target. A throw stops the rotation before setSecret; its message, a whole
   * clause about the new value, says why (it becomes `notKept`).
   */
  readonly onPending?: (value: StoredValue | undefined) => Promise<void> | void;
  /** Resolves when the user asks to stop: the rotation stops before its next step. */
  readonly interrupted?: Promise<void>;
}

export interface RehearsalResult {
  readonly steps: readonly StepResult[];
  /** The handler could not be loaded; no step ran. */
  readonly loadError?: string;
  /** The rotation stopped before this step: the user asked (Ctrl-C), or onPending refused (`notKept`). */
  readonly stoppedBefore?: StepName;
  /** Why onPending refused the new value, which stopped the rotation before setSecret. */
  readonly notKept?: string;
  /** The secret's value before, as stored in the emulator (with rewritten ARNs). */
  readonly before: Record<string, unknown>;
  /** AWSCURRENT at the end. */
  readonly after?: StoredValue;
  /** AWSPENDING at the end, when an unfinished rotation left one with a value. */
  readonly pending?: StoredValue;
  /** True when AWSCURRENT moved to a new version. */
  readonly currentMoved: boolean;
  /** Every line the handler wrote to its console, unmasked: the caller masks before printing. */
  readonly logLines: readonly string[];
}

const REGION_DEFAULT = 'us-east-1';
const LAMBDA_NAME = 'secret-rotation-rehearsal';

/**
 * Runs RotateSecret once, with the local emulator as Secrets Manager and the
 * handler loaded in this process as its rotation function: the four steps
 * run against the real target named in the secret. The emulator lives only
 * as long as this call.
 */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const region = options.env.AWS_REGION ?? REGION_DEFAULT;
  const emulator = await startEmulator({ region });
  const sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' },
    // The emulator runs the rotation before it answers RotateSecret: a retry would start a second one.
    maxAttempts: 1,
  });
  try {
    return await rehearseWith(options, emulator, sm, region);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const { name, message } = errorParts(error);
    throw new CliError(`the local emulator (Secrets Manager for the rehearsal) failed: ${name}: ${message}`, EXIT.service);
  } finally {
    sm.destroy();
    await emulator.stop();
  }
}

async function rehearseWith(
  options: RehearsalOptions,
  emulator: Awaited<ReturnType<typeof startEmulator>>,
  sm: SecretsManagerClient,
  region: string,
): Promise<RehearsalResult> {
  const secret = { ...options.secret };
  const stand = async (key: 'masterarn' | 'adminSecretArn', option: string, value: string | undefined) => {
    if (value === undefined) return;
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: `rehearsal/${key}`, SecretString: value }));
    const original = secret[key];
    secret[key] = ARN!;
    options.progress(`${key} ${original === undefined ? 'set' : `rewritten from ${JSON.stringify(original)}`} to the emulator's copy of --${option} (${ARN})`);
  };
  await stand('masterarn', 'master-secret', options.masterSecret);
  await stand('adminSecretArn', 'admin-secret', options.adminSecret);
  const created = await sm.send(new CreateSecretCommand({ Name: 'rehearsal/secret', SecretString: JSON.stringify(secret) }));

  const logLines: string[] = [];
  const steps = new Map<StepName, StepResult>();
  const result = (extra: Partial<RehearsalResult> = {}): RehearsalResult => ({
    steps: ROTATION_STEPS.map((step) => steps.get(step) ?? { step, result: 'not run' }),
    before: secret,
    currentMoved: false,
    logLines,
    ...extra,
  });

  const env: Record<string, string> = {
    // Lambda gives a handler a clean environment: nothing of this shell's
    // (AWS_PROFILE, PGPASSWORD, …) leaks into the rehearsal.
    ...pick(process.env, ['PATH', 'HOME', 'LANG', 'TZ']),
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'rehearsal',
    AWS_SECRET_ACCESS_KEY: 'rehearsal',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.env,
    SECRETS_MANAGER_ENDPOINT: emulator.endpoint,
  };
  let handler;
  try {
    handler = loadHandler(options.bundleFile, env, (line) => logLines.push(line));
  } catch (error) {
    if (error instanceof HandlerLoadError) return result({ loadError: error.message });
    throw error;
  }

  let stopRequested = false;
  let stoppedBefore: StepName | undefined;
  let notKept: string | undefined;
  let emulatorFailure: { error: unknown } | undefined;
  void options.interrupted?.then(() => {
    stopRequested = true;
    options.progress('stopping: the step that is running finishes first (Ctrl-C again stops at once, which may leave the target half changed)');
  });
  const learnAll = learner(sm, created.ARN!, options.learn);
  const lambdaArn = `arn:aws:lambda:${region}:123456789012:function:${LAMBDA_NAME}`;
  emulator.registerRotationFunction(lambdaArn, async (event) => {
    const step = event.Step as StepName;
    if (stopRequested || notKept !== undefined) {
      stoppedBefore = step;
      options.progress(`${step} not started: ${notKept ?? 'stopped by the user'}`);
      throw new Error('interrupted');
    }
    options.progress(`${step} …`);
    const started = performance.now();
    let failure: { error: unknown } | undefined;
    try {
      await handler(event);
    } catch (error) {
      failure = { error };
    }
    const ms = Math.round(performance.now() - started);
    // Before the line about the step: it (an error message) may hold a value the step just stored.
    try {
      await learnAll();
    } catch (error) {
      // Without every value known, no line about this step can be masked safely: end the rehearsal as the emulator's failure.
      emulatorFailure ??= { error };
      throw error;
    }
    const parts = failure && errorParts(failure.error);
    steps.set(step, { step, result: parts ? 'failed' : 'ok', ms, ...(parts ? { error: parts } : {}) });
    options.progress(`${step} ${parts ? `failed after ${ms} ms: ${parts.name}: ${parts.message}` : `ok (${ms} ms)`}`);
    if (failure) throw failure.error;
    if (step === 'createSecret' && options.onPending) {
      try {
        await options.onPending(await valueAt(sm, created.ARN!, 'AWSPENDING'));
      } catch (error) {
        notKept = errorParts(error).message;
      }
    }
  });

  await sm.send(new RotateSecretCommand({ SecretId: created.ARN, RotationLambdaARN: lambdaArn, RotateImmediately: true }));
  if (emulatorFailure) throw emulatorFailure.error;
  const current = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: 'AWSCURRENT' }));
  const currentMoved = current.VersionId !== created.VersionId;
  // Unfinished (a step failed or did not run, or finishSecret did not move AWSCURRENT): the new value is still AWSPENDING's.
  const finished = currentMoved && ROTATION_STEPS.every((step) => steps.get(step)?.result === 'ok');
  const pending = finished ? undefined : await valueAt(sm, created.ARN!, 'AWSPENDING');
  return result({
    ...(current.SecretString !== undefined || current.SecretBinary !== undefined ? { after: stored(current) } : {}),
    ...(pending ? { pending } : {}),
    ...(stoppedBefore ? { stoppedBefore } : {}),
    ...(notKept !== undefined ? { notKept } : {}),
    currentMoved,
  });
}

/**
 * Hands `learn` every value of the secret not handed over yet: each version
 * (labelled or not) once, as versions never change.
 */
function learner(sm: SecretsManagerClient, secretId: string, learn: (text: string) => void): () => Promise<void> {
  const seen = new Set<string>();
  return async () => {
    let nextToken: string | undefined;
    do {
      const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const { VersionId } of page.Versions ?? []) {
        if (!VersionId || seen.has(VersionId)) continue;
        const version = await valueOf(sm, secretId, { VersionId });
        // No value yet (RotateSecret made the AWSPENDING version empty): look again after the next step.
        if (!version) continue;
        seen.add(VersionId);
        if (version.SecretString !== undefined) learn(version.SecretString);
        if (version.SecretBinary !== undefined) {
          const bytes = Buffer.from(version.SecretBinary);
          learn(bytes.toString('base64'));
          learn(bytes.toString('utf8'));
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
  };
}

/** The value at `stage`, or undefined when no version there has a value. */
async function valueAt(sm: SecretsManagerClient, secretId: string, stage: string): Promise<StoredValue | undefined> {
  const out = await valueOf(sm, secretId, { VersionStage: stage });
  return out && stored(out);
}

/** GetSecretValue of one version, or undefined when it has no value (or no longer exists). */
async function valueOf(sm: SecretsManagerClient, secretId: string, version: { VersionId: string } | { VersionStage: string }): Promise<GetSecretValueCommandOutput | undefined> {
  try {
    return await sm.send(new GetSecretValueCommand({ SecretId: secretId, ...version }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function stored(out: GetSecretValueCommandOutput): StoredValue {
  if (out.SecretString === undefined) return {};
  const object = parseObject(out.SecretString);
  return { text: out.SecretString, ...(object ? { object } : {}) };
}

/** A secret string as a JSON object; undefined for anything else. */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
}
