import { performance } from 'node:perf_hooks';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
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

export interface RehearsalOptions {
  /** The handler bundle to load (a built handler, or an entry bundled by bundleEntry). */
  readonly bundleFile: string;
  /** The secret's value; `masterarn` / `adminSecretArn` are rewritten when a master / admin secret is given. */
  readonly secret: Record<string, unknown>;
  readonly masterSecret?: string;
  readonly adminSecret?: string;
  /** Added to the handler's environment (the --env options). */
  readonly env: Readonly<Record<string, string>>;
  /** One line of progress, as it happens. */
  readonly progress: (line: string) => void;
  /**
   * Called with the new value (AWSPENDING) once createSecret has made it and
   * before setSecret can change the target; a rejection stops the rotation.
   */
  readonly onPending?: (value: Record<string, unknown>) => Promise<void> | void;
  /** Resolves when the user asks to stop: the rotation stops before its next step. */
  readonly interrupted?: Promise<void>;
}

export interface RehearsalResult {
  readonly steps: readonly StepResult[];
  /** The handler could not be loaded; no step ran. */
  readonly loadError?: string;
  /** The user stopped the rotation (Ctrl-C) before this step. */
  readonly stoppedBefore?: StepName;
  /** The secret's value before, as stored in the emulator (with rewritten ARNs). */
  readonly before: Record<string, unknown>;
  /** AWSCURRENT at the end. */
  readonly after?: Record<string, unknown>;
  /** AWSPENDING at the end, when a failed rotation left one with a value. */
  readonly pending?: Record<string, unknown>;
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
  void options.interrupted?.then(() => {
    stopRequested = true;
    options.progress('stopping: the step that is running finishes first (Ctrl-C again stops at once, which may leave the target half changed)');
  });
  const lambdaArn = `arn:aws:lambda:${region}:123456789012:function:${LAMBDA_NAME}`;
  emulator.registerRotationFunction(lambdaArn, async (event) => {
    const step = event.Step as StepName;
    const started = performance.now();
    const done = (error?: unknown) => {
      const ms = Math.round(performance.now() - started);
      const parts = error === undefined ? undefined : errorParts(error);
      steps.set(step, { step, result: parts ? 'failed' : 'ok', ms, ...(parts ? { error: parts } : {}) });
      options.progress(`${step} ${parts ? `failed after ${ms} ms: ${parts.name}: ${parts.message}` : `ok (${ms} ms)`}`);
    };
    if (stopRequested) {
      stoppedBefore = step;
      options.progress(`${step} not started: stopped by the user`);
      throw new Error('interrupted');
    }
    options.progress(`${step} …`);
    try {
      await handler(event);
      if (step === 'createSecret' && options.onPending) {
        const pending = await valueAt(sm, created.ARN!, 'AWSPENDING');
        if (pending) await options.onPending(pending);
      }
    } catch (error) {
      done(error);
      throw error;
    }
    done();
  });

  await sm.send(new RotateSecretCommand({ SecretId: created.ARN, RotationLambdaARN: lambdaArn, RotateImmediately: true }));
  const current = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: 'AWSCURRENT' }));
  const finished = ROTATION_STEPS.every((step) => steps.get(step)?.result === 'ok');
  return result({
    after: parseObject(current.SecretString),
    pending: finished ? undefined : await valueAt(sm, created.ARN!, 'AWSPENDING'),
    ...(stoppedBefore ? { stoppedBefore } : {}),
    currentMoved: current.VersionId !== created.VersionId,
  });
}

/** The parsed value at `stage`, or undefined when no version there has a value. */
async function valueAt(sm: SecretsManagerClient, secretId: string, stage: string): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    return parseObject(out.SecretString);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** A secret string as a JSON object; undefined for anything else (a handler of your own may store other text). */
function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = text === undefined ? undefined : JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
}
