import { InvalidSecretError, LoginFailedError, TargetUnreachableError } from './errors';
import { HttpApiKeySecret, HttpCall, isKeyId, parseHttpApiKeySecret } from './http-api-key-secret';
import { checkUrl, describeUrl, HttpPolicy, HttpResponse, sendRequest } from './http-request';
import { RotationContext, RotationDefinition } from './protocol';

export interface HttpApiKeyRotationOptions {
  readonly policy: HttpPolicy;
  /**
   * The secrets an admin credential may come from (ADMIN_SECRET_ARNS, which
   * RotationFunction sets from the admin secrets it was granted). A secret
   * naming another is refused before any request. Empty: any.
   */
  readonly adminSecretArns?: readonly string[];
  /** How the grace period is waited out. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Rotates a key of a third-party HTTP API:
 * - createSecret asks the issue endpoint for a new key with the admin
 *   credential (and, for an API that honours them, the rotation's version id
 *   as an idempotency key, so a retried request gets the same key back);
 *   a key that cannot be stored is revoked when no idempotency key was sent;
 * - testSecret calls the test endpoint with the new key;
 * - finishSecret, once the new key is AWSCURRENT, revokes the key that is now
 *   AWSPREVIOUS after the secret's grace period (or, with
 *   `until-next-rotation`, the one that just lost that label), and any key of
 *   a recent abandoned version.
 * A response is read for the key and its id only; it is never logged.
 */
export function httpApiKeyRotation(options: HttpApiKeyRotationOptions): RotationDefinition<HttpApiKeySecret> {
  const { policy } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const adminCredential = async (secret: HttpApiKeySecret, context: RotationContext): Promise<string> => {
    const arn = secret.config.adminSecretArn;
    const raw = await context.readSecret(arn);
    if (raw === undefined || raw === '') throw new InvalidSecretError(`the admin secret ${arn} has no value; put the admin credential in it`);
    let credential = raw;
    if (raw.trimStart().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new InvalidSecretError(`the admin secret ${arn} looks like JSON but does not parse; store {"apiKey": "…"} or the bare credential`);
      }
      const apiKey = (parsed as { apiKey?: unknown } | null)?.apiKey;
      if (typeof apiKey !== 'string' || apiKey === '') throw new InvalidSecretError(`the admin secret ${arn} is a JSON object without a string apiKey; store {"apiKey": "…"} or the bare credential`);
      credential = apiKey;
    }
    context.logger.redact(credential);
    return credential;
  };

  const send = async (
    secret: HttpApiKeySecret,
    call: HttpCall,
    credential: string,
    fill: Record<string, string>,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpResponse> => {
    const { authHeader, authScheme } = secret.config;
    const url = checkUrl(call.url.replaceAll('{keyId}', encodeURIComponent(fill.keyId ?? '')), 'the URL', policy);
    return sendRequest(
      {
        method: call.method,
        url,
        headers: { ...extraHeaders, [authHeader]: authScheme ? `${authScheme} ${credential}` : credential },
        ...(call.body !== undefined ? { body: substitute(call.body, fill) } : {}),
      },
      policy,
    );
  };

  const revoke = async (secret: HttpApiKeySecret, target: { apiKey: string; keyId?: string }, context: RotationContext, admin?: string): Promise<void> => {
    const call = secret.config.revoke!;
    const url = call.url;
    if ((url.includes('{keyId}') || JSON.stringify(call.body ?? null).includes('{keyId}')) && !target.keyId) {
      context.logger.warn('cannot revoke a key whose version has no keyId; revoke it in the API by hand', { secretId: context.secretArn });
      return;
    }
    const credential = call.auth === 'key' ? target.apiKey : (admin ?? (await adminCredential(secret, context)));
    const response = await send(secret, call, credential, { token: context.token, keyId: target.keyId ?? '' });
    const what = `${call.method} ${describeUrl(new URL(url.replaceAll('{keyId}', encodeURIComponent(target.keyId ?? ''))))}`;
    // Gone already: an earlier run revoked it, or someone did by hand. Or
    // revoke.url is wrong: said loudly, since nothing else would show it.
    if (response.status === 404 || response.status === 410) {
      context.logger.warn('the API does not know the key (already revoked?); if this happens for every key, check revoke.url', {
        secretId: context.secretArn,
        keyId: target.keyId,
        status: response.status,
      });
      return;
    }
    if (call.auth === 'key' && response.status === 401) {
      context.logger.info('the key no longer authenticates; taking it as revoked', { secretId: context.secretArn, keyId: target.keyId });
      return;
    }
    if (response.status < 200 || response.status > 299) throw new TargetUnreachableError(`${what} answered ${response.status}; the key was not revoked`);
    context.logger.info('revoked a key', { secretId: context.secretArn, keyId: target.keyId });
  };

  return {
    parse(raw, label) {
      const secret = parseHttpApiKeySecret(raw, label, policy);
      const allowed = options.adminSecretArns ?? [];
      if (allowed.length > 0 && !allowed.includes(secret.config.adminSecretArn)) {
        throw new InvalidSecretError(
          `the ${label} secret value's adminSecretArn names ${secret.config.adminSecretArn}, which is not an admin secret of this function (ADMIN_SECRET_ARNS); pass that secret as rotation.adminSecret, or fix the ARN`,
        );
      }
      return secret;
    },
    sensitiveValues: (secret) => [secret.apiKey],
    serialize: (secret) => JSON.stringify(secret.value),

    async create(current, context) {
      const { issue } = current.config;
      const admin = await adminCredential(current, context);
      const headers: Record<string, string> = issue.idempotencyHeader ? { [issue.idempotencyHeader]: context.token } : {};
      const response = await send(current, issue, admin, { token: context.token }, headers);
      const what = `${issue.method} ${describeUrl(new URL(issue.url))}`;
      if (response.status < 200 || response.status > 299) throw new TargetUnreachableError(`${what} answered ${response.status}; no key was issued`);
      // A 2xx means the API may well have issued a key that this run cannot
      // store: say so, as nobody else will know it exists.
      const unusable = (problem: string) =>
        new TargetUnreachableError(`${what} answered ${response.status} ${problem}; the API may have issued a key that no secret holds: check its key list and revoke it by hand`);
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch {
        throw unusable('with a body that is not JSON (check issue.url)');
      }
      const apiKey = pick(body, issue.keyPath);
      if (typeof apiKey !== 'string' || apiKey === '') throw unusable(`without a string at ${issue.keyPath} (check issue.keyPath)`);
      context.logger.redact(apiKey);
      let keyId: string | undefined;
      if (issue.keyIdPath) {
        const id = pick(body, issue.keyIdPath);
        if ((typeof id !== 'string' && typeof id !== 'number') || !isKeyId(String(id))) {
          // The key itself is known: revoke it with itself if the API allows that.
          if (current.config.revoke?.auth === 'key') await revoke(current, { apiKey }, context);
          throw unusable(`without a usable id at ${issue.keyIdPath} (check issue.keyIdPath)`);
        }
        keyId = String(id);
      }
      const value: Record<string, unknown> = { ...current.value, apiKey };
      if (keyId === undefined) delete value.keyId;
      else value.keyId = keyId;
      context.logger.info('the API issued a new key', { secretId: context.secretArn, keyId });
      return { value, apiKey, ...(keyId !== undefined ? { keyId } : {}), config: current.config };
    },

    // Without an idempotency header a retry would be issued another key, so
    // this one, which no secret will hold, is revoked. With one, a retry gets
    // this very key back: revoking it would hand the retry a dead key.
    async abandon(created, context) {
      if (created.config.issue.idempotencyHeader || !created.config.revoke) return;
      await revoke(created, created, context);
    },

    async test({ pending }, context) {
      const { test } = pending.config;
      const response = await send(pending, test, pending.apiKey, { token: context.token });
      const what = `${test.method} ${describeUrl(new URL(test.url))}`;
      if (response.status === 401 || response.status === 403) throw new LoginFailedError(`${what} refused the new key (${response.status})`);
      if (response.status < 200 || response.status > 299) throw new TargetUnreachableError(`${what} answered ${response.status} to the new key`);
      context.logger.info('the new key works', { secretId: context.secretArn, keyId: pending.keyId });
    },

    async finish({ current, previous }, context) {
      const { revoke: revokeCall, gracePeriodSeconds } = current.config;
      if (!revokeCall) {
        context.logger.warn('the secret has no revoke endpoint; old keys stay valid until revoked by hand', { secretId: context.secretArn });
        return;
      }
      const keep = new Set([current.apiKey]);
      // Revocation goes by id: an old version whose id is a kept key's (an API
      // that keeps the id when it rolls a key) must not revoke that key.
      const keptIds = new Set([current.keyId]);
      const doomed: HttpApiKeySecret[] = [];
      if (gracePeriodSeconds === 'until-next-rotation') {
        if (previous) {
          keep.add(previous.apiKey);
          keptIds.add(previous.keyId);
        }
      } else if (previous && previous.apiKey !== current.apiKey) {
        if (gracePeriodSeconds > 0) {
          context.logger.info('waiting out the grace period before revoking the previous key', { secretId: context.secretArn, gracePeriodSeconds });
          await sleep(gracePeriodSeconds * 1000);
        }
        doomed.push(previous);
      }
      // Versions that lost every label: the key that was AWSPREVIOUS until
      // now, and keys of rotations abandoned after createSecret.
      for (const value of (await context.unlabelledValues()) as HttpApiKeySecret[]) {
        if (!doomed.some((d) => d.apiKey === value.apiKey)) doomed.push(value);
      }
      let admin: string | undefined;
      for (const old of doomed) {
        if (keep.has(old.apiKey)) continue;
        if (old.keyId !== undefined && keptIds.has(old.keyId)) {
          context.logger.warn('not revoking an old key whose id is the id of a key in use; revoke it by hand if it still works', { secretId: context.secretArn, keyId: old.keyId });
          continue;
        }
        if (revokeCall.auth === 'admin') admin ??= await adminCredential(current, context);
        await revoke(current, old, context, admin);
      }
    },
  };
}

/** The value at a dot-separated path of keys and array indexes, or undefined. */
function pick(body: unknown, path: string): unknown {
  let value = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** `body` with `{token}` and `{keyId}` replaced in every string. */
function substitute(body: unknown, fill: Record<string, string>): unknown {
  if (typeof body === 'string') return body.replace(/\{(token|keyId)\}/g, (match, name: string) => fill[name] ?? match);
  if (Array.isArray(body)) return body.map((item) => substitute(item, fill));
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([key, item]) => [key, substitute(item, fill)]));
  return body;
}
