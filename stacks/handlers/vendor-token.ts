/**
 * The README's example of a user's own rotation handler, deployed by the
 * custom-rotation reference stack with `RotationFunction({ entry })`. It
 * rotates a token of an API where the client chooses the token and
 * registers it with an admin credential:
 *   createSecret  a random token, under the id `rotation-<version id>`;
 *   setSecret     PUT {apiBase}/v1/keys/{keyId} {"secret": token}, admin auth (again: 200);
 *   testSecret    GET {apiBase}/v1/me with the new token must answer 2xx;
 *   finishSecret  DELETE {apiBase}/v1/keys/{old keyId}, admin auth (404: already gone).
 * Secret: {"apiKey", "keyId", "apiBase", "adminSecretArn"}; the admin secret
 * holds {"apiKey"} or the bare credential. It imports only the public
 * authoring API (`cdktf-secret-rotation/rotation` once installed), so the
 * protocol (guard, stages, idempotency, redacting logger) is the built-in
 * handlers' own, and ALLOWED_HOSTS / HTTP_TIMEOUT_MS apply to every call.
 */
import {
  checkUrl,
  describeUrl,
  httpPolicyFromEnvironment,
  InvalidSecretError,
  LoginFailedError,
  parseSecretObject,
  RotationContext,
  RotationDefinition,
  rotationHandler,
  sendRequest,
  TargetUnreachableError,
} from '../../functions/rotation';

interface VendorToken {
  readonly apiKey: string;
  readonly keyId: string;
  readonly apiBase: string;
  readonly adminSecretArn: string;
}

const EXPECTED = 'a JSON object with apiKey, keyId, apiBase and adminSecretArn';
const policy = httpPolicyFromEnvironment();

/** A URL under the secret's apiBase, checked against the policy like apiBase itself. */
const urlOf = (secret: VendorToken, path: string): URL => checkUrl(`${secret.apiBase.replace(/\/+$/, '')}${path}`, 'apiBase', policy);
const keyUrl = (secret: VendorToken, keyId: string): URL => urlOf(secret, `/v1/keys/${encodeURIComponent(keyId)}`);

async function adminAuth(secret: VendorToken, context: RotationContext): Promise<Record<string, string>> {
  const raw = await context.readSecret(secret.adminSecretArn);
  let credential = raw;
  if (raw?.trimStart().startsWith('{')) {
    try {
      credential = (JSON.parse(raw) as { apiKey?: string }).apiKey;
    } catch {
      credential = undefined;
    }
  }
  if (typeof credential !== 'string' || credential === '') {
    throw new InvalidSecretError(`the admin secret ${secret.adminSecretArn} holds no credential; store {"apiKey": "…"} or the bare credential`);
  }
  context.logger.redact(credential);
  return { authorization: `Bearer ${credential}` };
}

const vendorToken: RotationDefinition<VendorToken> = {
  parse(raw, label) {
    const value = parseSecretObject(raw, label, EXPECTED);
    for (const key of ['apiKey', 'keyId', 'apiBase', 'adminSecretArn']) {
      if (typeof value[key] !== 'string' || value[key] === '') throw new InvalidSecretError(`the ${label} secret value's ${key} must be a non-empty string; store ${EXPECTED}`);
    }
    // Refused here, before any request: a URL that is not https, or not on ALLOWED_HOSTS.
    checkUrl(value.apiBase, `the ${label} secret value's apiBase`, policy);
    return value as unknown as VendorToken;
  },
  sensitiveValues: (secret) => [secret.apiKey],

  // Nothing is sent yet: the same version id always names the same key id, so setSecret can be retried.
  create: async (current, context) => ({ ...current, apiKey: await context.randomPassword(), keyId: `rotation-${context.token}` }),

  async set({ pending }, context) {
    const url = keyUrl(pending, pending.keyId);
    const response = await sendRequest({ method: 'PUT', url, headers: await adminAuth(pending, context), body: { secret: pending.apiKey } }, policy);
    if (response.status !== 200 && response.status !== 201) throw new TargetUnreachableError(`PUT ${describeUrl(url)} answered ${response.status}; the new token is not registered`);
    context.logger.info('registered the new token', { secretId: context.secretArn, keyId: pending.keyId });
  },

  async test({ pending }, context) {
    const url = urlOf(pending, '/v1/me');
    const { status } = await sendRequest({ method: 'GET', url, headers: { authorization: `Bearer ${pending.apiKey}` } }, policy);
    if (status === 401 || status === 403) throw new LoginFailedError(`GET ${describeUrl(url)} refused the new token (${status})`);
    if (status < 200 || status > 299) throw new TargetUnreachableError(`GET ${describeUrl(url)} answered ${status} to the new token`);
    context.logger.info('the new token works', { secretId: context.secretArn, keyId: pending.keyId });
  },

  // Runs again when finishSecret is retried: a token already revoked answers 404.
  async finish({ current, previous }, context) {
    if (!previous || previous.keyId === current.keyId) return;
    const url = keyUrl(current, previous.keyId);
    const { status } = await sendRequest({ method: 'DELETE', url, headers: await adminAuth(current, context) }, policy);
    if (status !== 404 && (status < 200 || status > 299)) throw new TargetUnreachableError(`DELETE ${describeUrl(url)} answered ${status}; the old token was not revoked`);
    context.logger.info('revoked the previous token', { secretId: context.secretArn, keyId: previous.keyId });
  },
};

export const handler = rotationHandler(vendorToken, { name: 'vendor-token' });
