import { InvalidSecretError } from './errors';
import { checkUrl, HttpPolicy } from './http-request';
import { parseSecretObject } from './secret-json';

/** A call to the third-party API, as the secret describes it. */
export interface HttpCall {
  /** May hold `{keyId}` (revoke only), replaced by the key's id, URL-encoded. */
  readonly url: string;
  readonly method: string;
  /** A JSON body; `{token}` (the rotation's version id) and `{keyId}` in its strings are replaced. */
  readonly body?: unknown;
}

export interface IssueCall extends HttpCall {
  /** Where the new key is in the JSON response: dot-separated keys and array indexes, e.g. `data.key`. */
  readonly keyPath: string;
  /** Where the new key's id is, for revoking it later. @default - no id: revoke must authenticate with the key itself */
  readonly keyIdPath?: string;
  /**
   * Header that carries the rotation's version id, for an API that honours
   * idempotency keys: a retried request then gets the same key back. Empty
   * (the default): not sent, and a key that could not be stored is revoked.
   */
  readonly idempotencyHeader: string;
}

export interface RevokeCall extends HttpCall {
  /** Which credential authenticates the revocation: the admin credential, or the key being revoked. */
  readonly auth: 'admin' | 'key';
}

/** How to reach the API, from the secret's keys (defaults filled in). */
export interface HttpApiKeyConfig {
  /** ARN of the secret holding the admin credential that may issue and revoke keys. */
  readonly adminSecretArn: string;
  /** Header that carries a credential on every call. */
  readonly authHeader: string;
  /** Written before the credential in that header, with a space (e.g. `Bearer`); empty for none. */
  readonly authScheme: string;
  readonly issue: IssueCall;
  readonly test: HttpCall;
  /** Absent: keys are never revoked by the rotation (a warning is logged). */
  readonly revoke?: RevokeCall;
  /**
   * How long the key that becomes AWSPREVIOUS stays valid: seconds from 0
   * (revoked at once by finishSecret) to 600 (finishSecret waits that long,
   * so the function's timeout must be longer), or `until-next-rotation`: the
   * next rotation revokes it, when it loses AWSPREVIOUS.
   */
  readonly gracePeriodSeconds: number | 'until-next-rotation';
}

/** A parsed http-api-key secret. */
export interface HttpApiKeySecret {
  /** The stored JSON object, as it was: a rotation changes apiKey and keyId and keeps every other key. */
  readonly value: Readonly<Record<string, unknown>>;
  /** The key that clients use. */
  readonly apiKey: string;
  /** The API's id for `apiKey`, written by the handler from `issue.keyIdPath`. */
  readonly keyId?: string;
  readonly config: HttpApiKeyConfig;
}

export const MAX_GRACE_PERIOD_SECONDS = 600;

/**
 * A key id is placed in a URL path: "." or ".." would turn the revocation of
 * one key into a call on the collection, or on its parent, with the admin
 * credential.
 */
export function isKeyId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..';
}
const EXPECTED = 'a JSON object with apiKey, adminSecretArn, issue, test and revoke (see the README, "http-api-key")';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const METHOD = /^(GET|POST|PUT|PATCH|DELETE)$/;
const PATH = /^[^.\s]+(\.[^.\s]+)*$/;

/**
 * Parses and checks an http-api-key secret, URLs included, so a secret that
 * points where the policy forbids is refused before any request is made.
 * Messages name keys and hosts, never a key or a query string.
 */
export function parseHttpApiKeySecret(secretString: string, label: string, policy: HttpPolicy): HttpApiKeySecret {
  const record = parseSecretObject(secretString, label, EXPECTED);
  const where = (key: string) => `the ${label} secret value's ${key}`;
  const string = (value: unknown, key: string, fallback?: string): string => {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string') throw new InvalidSecretError(`${where(key)} must be a string; see the README, "http-api-key"`);
    return value;
  };
  const object = (value: unknown, key: string): Record<string, unknown> => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidSecretError(`${where(key)} must be an object with url (and method, body); see the README, "http-api-key"`);
    }
    return value as Record<string, unknown>;
  };
  const call = (key: string, defaultMethod: string, placeholders: boolean): HttpCall => {
    const spec = object(record[key], key);
    const url = string(spec.url, `${key}.url`);
    // The id is filled in per key; check the URL around it.
    checkUrl(placeholders ? url.replaceAll('{keyId}', 'keyId') : url, where(`${key}.url`), policy);
    const method = string(spec.method, `${key}.method`, defaultMethod).toUpperCase();
    if (!METHOD.test(method)) throw new InvalidSecretError(`${where(`${key}.method`)} is ${JSON.stringify(method)}; use GET, POST, PUT, PATCH or DELETE`);
    return { url, method, ...(spec.body !== undefined ? { body: spec.body } : {}) };
  };
  const path = (value: unknown, key: string): string => {
    const text = string(value, key);
    if (!PATH.test(text)) throw new InvalidSecretError(`${where(key)} is ${JSON.stringify(text)}; write the path in the response as dot-separated keys, e.g. data.key`);
    return text;
  };

  if (typeof record.apiKey !== 'string' || record.apiKey === '') throw new InvalidSecretError(`${where('apiKey')} must be a non-empty string`);
  if (record.keyId !== undefined && (typeof record.keyId !== 'string' || !isKeyId(record.keyId))) {
    throw new InvalidSecretError(`${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`);
  }
  const adminSecretArn = string(record.adminSecretArn, 'adminSecretArn');
  if (!adminSecretArn.startsWith('arn:')) throw new InvalidSecretError(`${where('adminSecretArn')} is not an ARN; give the ARN of the secret that holds the admin credential (not the credential itself)`);
  const authHeader = string(record.authHeader, 'authHeader', 'Authorization');
  if (!HEADER_NAME.test(authHeader)) throw new InvalidSecretError(`${where('authHeader')} is not a header name (letters, digits and !#$%&'*+.^_\`|~-); give the name only, e.g. X-Api-Key, not the header's value`);
  const authScheme = string(record.authScheme, 'authScheme', authHeader.toLowerCase() === 'authorization' ? 'Bearer' : '');

  const issueSpec = object(record.issue, 'issue');
  const idempotencyHeader = string(issueSpec.idempotencyHeader, 'issue.idempotencyHeader', '');
  if (idempotencyHeader !== '' && !HEADER_NAME.test(idempotencyHeader)) {
    throw new InvalidSecretError(`${where('issue.idempotencyHeader')} is not a header name; give the name only, e.g. Idempotency-Key, or "" to send none`);
  }
  const issue: IssueCall = {
    ...call('issue', 'POST', false),
    keyPath: path(issueSpec.keyPath, 'issue.keyPath'),
    ...(issueSpec.keyIdPath !== undefined ? { keyIdPath: path(issueSpec.keyIdPath, 'issue.keyIdPath') } : {}),
    idempotencyHeader,
  };

  let revoke: RevokeCall | undefined;
  if (record.revoke !== undefined && record.revoke !== null) {
    const spec = object(record.revoke, 'revoke');
    const auth = string(spec.auth, 'revoke.auth', 'admin');
    if (auth !== 'admin' && auth !== 'key') throw new InvalidSecretError(`${where('revoke.auth')} is ${JSON.stringify(auth)}; use "admin" or "key"`);
    revoke = { ...call('revoke', 'DELETE', true), auth };
    const namesKey = revoke.url.includes('{keyId}') || JSON.stringify(revoke.body ?? null).includes('{keyId}');
    if (auth === 'admin' && !namesKey) {
      throw new InvalidSecretError(`${where('revoke')} does not say which key to revoke; put {keyId} in revoke.url or revoke.body, or set revoke.auth to "key" when the API revokes the key that authenticates the call`);
    }
    if (namesKey && !issue.keyIdPath) {
      throw new InvalidSecretError(`${where('revoke')} uses {keyId}, but issue.keyIdPath is not set; say where the issue response has the new key's id`);
    }
  }

  const grace = record.gracePeriodSeconds ?? 'until-next-rotation';
  if (grace !== 'until-next-rotation' && !(Number.isInteger(grace) && (grace as number) >= 0 && (grace as number) <= MAX_GRACE_PERIOD_SECONDS)) {
    throw new InvalidSecretError(
      `${where('gracePeriodSeconds')} is ${JSON.stringify(grace)}; use a whole number of seconds from 0 to ${MAX_GRACE_PERIOD_SECONDS}, or "until-next-rotation"`,
    );
  }

  return {
    value: record,
    apiKey: record.apiKey,
    ...(typeof record.keyId === 'string' ? { keyId: record.keyId } : {}),
    config: {
      adminSecretArn,
      authHeader,
      authScheme,
      issue,
      test: call('test', 'GET', false),
      ...(revoke ? { revoke } : {}),
      gracePeriodSeconds: grace as HttpApiKeyConfig['gracePeriodSeconds'],
    },
  };
}
