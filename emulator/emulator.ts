import { AddressInfo } from 'node:net';
import { EmulatorError } from './errors';
import { Faults } from './faults';
import { createEmulatorServer, operationsFor } from './server';
import { SecretsState } from './store';

/** A rotation function the emulator can invoke: the Lambda handler itself. */
export type RotationInvoker = (event: { Step: string; SecretId: string; ClientRequestToken: string }) => Promise<unknown>;

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** Options of `startEmulator`; all optional. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** Region in ARNs. @default 'us-east-1' */
  readonly region?: string;
  /** Account id in ARNs. @default '123456789012' */
  readonly accountId?: string;
  /** Rotation functions by Lambda ARN, invoked by RotateSecret. @default none */
  readonly rotationFunctions?: Record<string, RotationInvoker>;
}

/** What one RotateSecret invocation did, for tests and rehearsals. */
export interface RotationRecord {
  /** The secret rotated. */
  readonly secretArn: string;
  /** The version rotated to (ClientRequestToken). */
  readonly token: string;
  /** The steps invoked, in order; the first that failed is the last. */
  readonly steps: Array<{
    /** `createSecret`, `setSecret`, `testSecret` or `finishSecret`. */
    step: string;
    /** The error the step threw, if it failed. */
    error?: {
      /** The error's name. */
      name: string;
      /** The error's message. */
      message: string;
    };
  }>;
  /** Whether every step succeeded. */
  readonly succeeded: boolean;
}

/** A running emulator, from `startEmulator`. */
export interface Emulator {
  /** Base URL to give the AWS SDK as `endpoint`, or SECRETS_MANAGER_ENDPOINT. */
  readonly endpoint: string;
  /** The TCP port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Failures to inject into its answers (`inject`, `throttle`, `clear`). */
  readonly faults: Faults;
  /** Every rotation RotateSecret ran, oldest first. */
  readonly rotations: readonly RotationRecord[];
  /** Makes RotateSecret invoke `invoker` for rotations that name `lambdaArn`. */
  registerRotationFunction(lambdaArn: string, invoker: RotationInvoker): void;
  /**
   * Does what RotateSecret does before it invokes the function (turns rotation
   * on, creates the AWSPENDING version) without invoking it, so a test can
   * drive each step itself. Resolves to the new version's token.
   */
  beginRotation(secretId: string, options?: { lambdaArn?: string; token?: string }): Promise<string>;
  /** Stops serving and closes open connections. */
  stop(): Promise<void>;
}

/**
 * Starts a local Secrets Manager on 127.0.0.1 that the real
 * `@aws-sdk/client-secrets-manager` client talks to unchanged.
 *
 * RotateSecret runs the registered rotation function through the four steps
 * before it answers (AWS invokes it asynchronously); like AWS, it answers
 * success even when a step fails, and the failure is in `rotations`. With
 * RotateImmediately false it runs only testSecret, on a temporary AWSPENDING
 * version without a value that it then removes, as AWS documents.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new SecretsState(options.region ?? 'us-east-1', options.accountId ?? '123456789012');
  const faults = new Faults();
  const functions = new Map(Object.entries(options.rotationFunctions ?? {}));
  const rotations: RotationRecord[] = [];

  const rotate = (request: Record<string, unknown>) => {
    const configured = state.DescribeSecret({ SecretId: request.SecretId }).RotationLambdaARN as string | undefined;
    const lambdaArn = (request.RotationLambdaARN as string | undefined) ?? configured;
    if (lambdaArn && !functions.has(lambdaArn)) {
      throw new EmulatorError(
        'AccessDeniedException',
        'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
      );
    }
    const started = state.beginRotation(request);
    const answer = { ARN: started.arn, Name: state.DescribeSecret({ SecretId: started.arn }).Name, VersionId: started.token };
    const invoker = functions.get(started.lambdaArn!)!;
    if (!started.immediately) {
      return runRotation(invoker, started.arn, started.token, ['testSecret']).then((record) => {
        state.endRotationCheck(started.arn, started.token);
        rotations.push(record);
        return { ARN: answer.ARN, Name: answer.Name };
      });
    }
    return runRotation(invoker, started.arn, started.token, ROTATION_STEPS).then((record) => {
      rotations.push(record);
      return answer;
    });
  };

  const server = createEmulatorServer(operationsFor(state, rotate), faults);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    faults,
    rotations,
    registerRotationFunction: (arn, invoker) => void functions.set(arn, invoker),
    beginRotation: async (secretId, opts = {}) =>
      state.beginRotation({
        SecretId: secretId,
        RotationLambdaARN: opts.lambdaArn ?? 'arn:aws:lambda:us-east-1:123456789012:function:emulated-rotation',
        ClientRequestToken: opts.token,
      }).token,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function runRotation(invoker: RotationInvoker, secretArn: string, token: string, stepsToRun: readonly string[]): Promise<RotationRecord> {
  const steps: RotationRecord['steps'] = [];
  for (const step of stepsToRun) {
    try {
      await invoker({ Step: step, SecretId: secretArn, ClientRequestToken: token });
      steps.push({ step });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      steps.push({ step, error: { name: e.name, message: e.message } });
      return { secretArn, token, steps, succeeded: false };
    }
  }
  return { secretArn, token, steps, succeeded: true };
}
