import { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';

/**
 * The real SDK client, pointed at the emulator. One attempt by default, so a
 * retry never hides an error a test expects; fault tests set maxAttempts.
 */
export function sdkClient(endpoint: string, config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' },
    maxAttempts: 1,
    ...config,
  });
}

/** The error `call` rejects with; fails the test if it resolves. */
export async function rejection(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  return call.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (error: Error) => error,
  );
}

let counter = 0;

/** A secret name no other test in the run uses. */
export function uniqueName(label: string): string {
  counter += 1;
  return `test/emulator/${label}-${process.pid}-${counter}`;
}

/** An emulator and an SDK client for it, started before a file's tests and stopped after them. */
export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly sm: SecretsManagerClient;
}

/** Starts the emulator before the file's tests; the returned object is filled in by beforeAll: use it inside tests only. */
export function useEmulator(): EmulatorFixture {
  const holder = {} as { emulator: Emulator; sm: SecretsManagerClient };
  beforeAll(async () => {
    holder.emulator = await startEmulator();
    holder.sm = sdkClient(holder.emulator.endpoint);
  });
  afterAll(async () => {
    holder.sm?.destroy();
    await holder.emulator?.stop();
  });
  return holder;
}
