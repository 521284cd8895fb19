import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Emulator, startEmulator } from '../../../emulator';
import { SecretsManagerStore } from '../../../functions/shared/secret-store';
import { sdkClient } from '../../emulator/sdk';

/** SecretsManagerStore, with the real AWS SDK talking to the emulator over HTTP. */

let emulator: Emulator;
let sm: SecretsManagerClient;

beforeAll(async () => {
  emulator = await startEmulator();
  sm = sdkClient(emulator.endpoint);
});

afterAll(async () => {
  sm?.destroy();
  await emulator?.stop();
});

describe('SecretsManagerStore.unlabelledValues', () => {
  it('finds the newest versions without a label on every page of ListSecretVersionIds', async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'test/many-versions', SecretString: 'value 0' }));
    // Each AWSPENDING moves the label on and leaves the one before it unlabelled:
    // 104 versions, more than one page of 100.
    for (let n = 1; n <= 103; n += 1) {
      await sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: `value ${n}`, VersionStages: ['AWSPENDING'] }));
    }
    const store = new SecretsManagerStore(sm);
    // Sorted here: two puts within one millisecond would have the same CreatedDate.
    expect((await store.unlabelledValues(ARN!, 3)).sort()).toEqual(['value 100', 'value 101', 'value 102']);
  });
});
