import { InvalidSecretError, LoginFailedError, TargetUnreachableError } from './errors';
import { HttpApiKeySecret, HttpCall, parseHttpApiKeySecret } from './http-api-key-secret';
import { checkUrl, describeUrl, HttpPolicy, HttpResponse, sendRequest } from './http-request';
import { RotationContext, RotationDefinition } from './protocol';

export interface HttpApiKeyRotationOptions {
  readonly policy: HttpPolicy;
  /** How the grace period is waited out. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Rotates a key of a third-party HTTP API:
 * - createSecret asks the issue endpoint for a new key, with the admin
 *   credential and the rotation's version id as an idempotency key, so a
 *   retried request gets the same key back instead of a second one;
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
    // Gone already: an earlier run revoked it, or someone did by hand.
    if (response.status === 404 || response.status === 410) {
      context.logger.info('the key was already revoked', { secretId: context.secretArn, keyId: target.keyId });
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
    parse: (raw, label) => parseHttpApiKeySecret(raw, label, policy),
    sensitiveValues: (secret) => [secret.apiKey],
    serialize: (secret) => JSON.stringify(secret.value),

    async create(current, context) {
      const { issue } = current.config;
      const admin = await adminCredential(current, context);
      const headers: Record<string, string> = issue.idempotencyHeader ? { [issue.idempotencyHeader]: context.token } : {};
      const response = await send(current, issue, admin, { token: context.token }, headers);
      const what = `${issue.method} ${describeUrl(new URL(issue.url))}`;
      if (response.status < 200 || response.status > 299) throw new TargetUnreachableError(`${what} answered ${response.status}; no key was issued`);
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch {
        throw new TargetUnreachableError(`${what} answered ${response.status} with a body that is not JSON; check issue.url`);
      }
      const apiKey = pick(body, issue.keyPath);
      if (typeof apiKey !== 'string' || apiKey === '') throw new TargetUnreachableError(`${what} answered without a string at ${issue.keyPath} (issue.keyPath); check the path`);
      context.logger.redact(apiKey);
      let keyId: string | undefined;
      if (issue.keyIdPath) {
        const id = pick(body, issue.keyIdPath);
        if (typeof id !== 'string' && typeof id !== 'number') {
          throw new TargetUnreachableError(`${what} answered without an id at ${issue.keyIdPath} (issue.keyIdPath); check the path`);
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
      const doomed: HttpApiKeySecret[] = [];
      if (gracePeriodSeconds === 'until-next-rotation') {
        if (previous) keep.add(previous.apiKey);
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
