import { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

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
