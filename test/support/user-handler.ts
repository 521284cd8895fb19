/**
 * The source of a small rotation handler written the way a user writes one,
 * against the package's authoring API (`<package>/rotation`): a token
 * replaced by a random password. Tests that install the package type-check,
 * bundle and run it.
 */
export const USER_HANDLER = `
import { InvalidSecretError, parseSecretObject, RotationDefinition, rotationHandler } from 'cdktf-secret-rotation/rotation';

interface Token { readonly token: string; readonly owner?: string }

const definition: RotationDefinition<Token> = {
  parse(raw, label) {
    const value = parseSecretObject(raw, label, 'a JSON object with token');
    if (typeof value.token !== 'string') throw new InvalidSecretError(\`the \${label} secret value lacks token\`);
    return value as unknown as Token;
  },
  sensitiveValues: (secret) => [secret.token],
  create: async (current, context) => ({ ...current, token: await context.randomPassword() }),
  test: async ({ pending }) => {
    if (pending.token.length < 16) throw new Error('too short');
  },
};

export const handler = rotationHandler(definition, { name: 'user-token' });
`;
