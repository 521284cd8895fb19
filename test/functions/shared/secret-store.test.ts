import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStore } from '../../../functions/shared/secret-store';
import { useEmulator } from '../../emulator/sdk';

/** SecretsManagerStore, with the real AWS SDK talking to the emulator over HTTP. */

const e = useEmulator();

describe('SecretsManagerStore.unlabelledValues', () => {
  it('finds the newest versions without a label on every page of ListSecretVersionIds', async () => {
    const { ARN } = await e.sm.send(new CreateSecretCommand({ Name: 'test/many-versions', SecretString: 'value 0' }));
    // Each AWSPENDING moves the label on and leaves the one before it unlabelled:
    // 104 versions, more than one page of 100.
    for (let n = 1; n <= 103; n += 1) {
      await e.sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: `value ${n}`, VersionStages: ['AWSPENDING'] }));
    }
    const store = new SecretsManagerStore(e.sm);
    // Sorted here: two puts within one millisecond would have the same CreatedDate.
    expect((await store.unlabelledValues(ARN!, 3)).sort()).toEqual(['value 100', 'value 101', 'value 102']);
  });
});
