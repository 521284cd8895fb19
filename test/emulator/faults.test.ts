import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../emulator';
import { rejection, sdkClient, uniqueName } from './sdk';

let emulator: Emulator;
// Fault tests build their own clients with an explicit maxAttempts; this one
// makes a single attempt and sets up secrets before any fault is injected.
let sm: SecretsManagerClient;
const clients: SecretsManagerClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  sm = sdkClient(emulator.endpoint);
});

afterEach(() => emulator.faults.clear());

afterAll(async () => {
  for (const client of [sm, ...clients]) client?.destroy();
  await emulator?.stop();
});

function clientWithAttempts(maxAttempts: number): SecretsManagerClient {
  const client = sdkClient(emulator.endpoint, { maxAttempts });
  clients.push(client);
  return client;
}

async function newSecret(label: string): Promise<string> {
  return (await sm.send(new CreateSecretCommand({ Name: uniqueName(label), SecretString: 'value' }))).ARN!;
}

describe('fault injection', () => {
  it('lets the SDK retry a throttled call until it succeeds', async () => {
    const arn = await newSecret('throttled');
    emulator.faults.throttle(2, 'GetSecretValue');
    const out = await clientWithAttempts(3).send(new GetSecretValueCommand({ SecretId: arn }));
    expect(out.SecretString).toBe('value');
    expect(out.$metadata.attempts).toBe(3);
  });

  it('stores exactly one new version when the SDK retries a throttled PutSecretValue', async () => {
    const arn = await newSecret('throttled-put');
    emulator.faults.throttle(1, 'PutSecretValue');
    const out = await clientWithAttempts(2).send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second' }));
    expect(out.$metadata.attempts).toBe(2);
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
    expect(versions.Versions).toHaveLength(2);
  });

  it('fails with ThrottlingException when throttling outlasts the retries', async () => {
    const arn = await newSecret('throttled-out');
    emulator.faults.throttle(3, 'GetSecretValue');
    const error = await rejection(clientWithAttempts(2).send(new GetSecretValueCommand({ SecretId: arn })));
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata?.attempts).toBe(2);
  });

  it('fails with InternalServiceError (HTTP 500) when an injected error outlasts the retries', async () => {
    const arn = await newSecret('internal');
    emulator.faults.inject({ operation: 'DescribeSecret', times: 5, error: 'InternalServiceError' });
    const error = await rejection(clientWithAttempts(2).send(new DescribeSecretCommand({ SecretId: arn })));
    expect(error).toBeInstanceOf(InternalServiceError);
    expect(error.message).toBe('Fault injected by the emulator into DescribeSecret.');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 2 });
  });

  it('lets `after` calls through before failing, then recovers after `times` failures', async () => {
    const arn = await newSecret('after');
    emulator.faults.inject({ operation: 'GetSecretValue', after: 2, times: 1 });
    const once = clientWithAttempts(1);
    const results = [];
    for (let i = 0; i < 4; i += 1) {
      results.push(await once.send(new GetSecretValueCommand({ SecretId: arn })).then(() => 'ok', (e: Error) => e.name));
    }
    expect(results).toEqual(['ok', 'ok', 'InternalServiceError', 'ok']);
  });

  it('fails only the named operation', async () => {
    const arn = await newSecret('named');
    emulator.faults.inject({ operation: 'PutSecretValue', times: 1, error: 'InvalidRequestException', message: 'injected' });
    const once = clientWithAttempts(1);
    await once.send(new GetSecretValueCommand({ SecretId: arn }));
    await once.send(new DescribeSecretCommand({ SecretId: arn }));
    const error = await rejection(once.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'new' })));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toBe('injected');
    await once.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'new' }));
  });

  it('delays a call by delayMs without failing it when no error is given', async () => {
    const arn = await newSecret('slow');
    emulator.faults.inject({ operation: 'GetSecretValue', delayMs: 300 });
    const started = Date.now();
    const out = await clientWithAttempts(1).send(new GetSecretValueCommand({ SecretId: arn }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(out.SecretString).toBe('value');
  });
});
