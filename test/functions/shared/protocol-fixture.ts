/** Shared set-up for the protocol tests: a fake store, a logger that captures lines, and mock hooks. */
import { InvalidSecretError } from '../../../functions/shared/errors';
import { Logger } from '../../../functions/shared/logger';
import { createRotationHandler, RotationContext, RotationDefinition, RotationVersions } from '../../../functions/shared/protocol';
import { FakeSecretStore } from '../../support/fake-secret-store';

/** A minimal kind of secret, so these tests exercise the protocol and nothing else. */
export interface KeySecret {
  readonly user: string;
  readonly apiKey: string;
  readonly [key: string]: unknown;
}

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export const CURRENT_KEY = 'current-key-0123456789';
export const PREVIOUS_KEY = 'previous-key-0123456789';
export const SETTINGS = { passwordLength: 40, excludeCharacters: 'abcXYZ' };

export const keySecret = (apiKey: string, extra: Record<string, unknown> = {}) => JSON.stringify({ user: 'svc', apiKey, ...extra });

/** The hooks as mocks, to inspect; setup() may override some of them in the definition it runs. */
export function definition() {
  return {
    parse: jest.fn((secretString: string, label: string): KeySecret => {
      const value = JSON.parse(secretString) as KeySecret;
      if (typeof value.apiKey !== 'string') throw new InvalidSecretError(`the ${label} secret value lacks apiKey`);
      return value;
    }),
    sensitiveValues: (value: KeySecret) => [value.apiKey],
    create: jest.fn(async (current: KeySecret, context: RotationContext): Promise<KeySecret> => ({ ...current, apiKey: await context.randomPassword() })),
    set: jest.fn(async (_versions: RotationVersions<KeySecret>, _context: RotationContext) => undefined),
    test: jest.fn(async (_versions: RotationVersions<KeySecret>, _context: RotationContext) => undefined),
    finish: jest.fn(async (_versions: { readonly current: KeySecret; readonly previous?: KeySecret }, _context: RotationContext) => undefined),
  };
}

/** A secret with AWSPREVIOUS and AWSCURRENT values and a rotation begun, as RotateSecret leaves it. */
export function setup(overrides: Partial<RotationDefinition<KeySecret>> = {}) {
  const store = new FakeSecretStore({ name: 'test/api-key' });
  const previousVersion = store.addCurrent(keySecret(PREVIOUS_KEY));
  const currentVersion = store.addCurrent(keySecret(CURRENT_KEY, { region: 'eu-west-1' }));
  const token = store.beginRotation();
  const lines: string[] = [];
  const logger = new Logger({ level: 'debug', sink: (line) => lines.push(line) });
  const def = definition();
  const handler = createRotationHandler<KeySecret>({ ...def, ...overrides }, { store, settings: SETTINGS, logger });
  const run = (step: string, clientRequestToken = token) => handler({ Step: step, SecretId: store.name, ClientRequestToken: clientRequestToken });
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { store, previousVersion, currentVersion, token, lines, logged, def, run };
}

export async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

export const pendingKey = (store: FakeSecretStore, token: string) => (JSON.parse(store.valueOf(token)!) as KeySecret).apiKey;

