import { InvalidSecretError } from '../../../functions/shared/errors';
import { HttpApiKeySecret, parseHttpApiKeySecret } from '../../../functions/shared/http-api-key-secret';
import { HttpPolicy } from '../../../functions/shared/http-request';

const API_KEY = 'sk-live-9f8e7d6c5b4a-API-KEY-VALUE';
const ADMIN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:vendor/admin-AbCdEf';
const BASE: Record<string, unknown> = {
  apiKey: API_KEY,
  keyId: 'key_1',
  adminSecretArn: ADMIN_ARN,
  issue: { url: 'https://api.vendor.example/v1/keys', body: { name: 'rotation {token}' }, keyPath: 'data.secret', keyIdPath: 'data.id' },
  test: { url: 'https://api.vendor.example/v1/me' },
  revoke: { url: 'https://api.vendor.example/v1/keys/{keyId}' },
  gracePeriodSeconds: 0,
};
const ANY_HOST: HttpPolicy = { allowedHosts: [], timeoutMs: 1000 };
const EXPECTED = 'a JSON object with apiKey, adminSecretArn, issue, test and revoke (see the README, "http-api-key")';
const SEE_README = 'see the README, "http-api-key"';
const where = (key: string) => `the AWSCURRENT secret value's ${key}`;

/** BASE with some keys replaced; `undefined` removes a key, and a nested object replaces the whole call. */
function secret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const value: Record<string, unknown> = { ...BASE, ...overrides };
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

/** BASE with some keys of one call (issue, test, revoke) replaced; `undefined` removes a key. */
function withCall(call: 'issue' | 'test' | 'revoke', overrides: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...(BASE[call] as Record<string, unknown>), ...overrides };
  for (const key of Object.keys(spec)) if (spec[key] === undefined) delete spec[key];
  return secret({ [call]: spec });
}

const parse = (value: unknown, policy = ANY_HOST): HttpApiKeySecret =>
  parseHttpApiKeySecret(typeof value === 'string' ? value : JSON.stringify(value), 'AWSCURRENT', policy);

function parseError(value: unknown, policy = ANY_HOST): InvalidSecretError {
  try {
    parse(value, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).name).toBe('InvalidSecretError');
    return error as InvalidSecretError;
  }
  throw new Error('expected parseHttpApiKeySecret to throw');
}

const GRACE_MESSAGE = (value: unknown) =>
  `${where('gracePeriodSeconds')} is ${JSON.stringify(value)}; use a whole number of seconds from 0 to 600, or "until-next-rotation"`;
const URL_SCHEME_MESSAGE = (key: string, scheme: string, host: string) =>
  `${where(key)} uses ${scheme}:// on ${host}; only https:// is allowed (plain http:// only to localhost, for tests)`;

/** [what is wrong, the secret (a string is stored as it is), the exact message]. */
const FAILURES: Array<[string, unknown, string]> = [
  ['the value is not JSON', `{"apiKey": "${API_KEY}", `, `the AWSCURRENT secret value is not valid JSON; store ${EXPECTED}`],
  ['the value is a JSON array', JSON.stringify([API_KEY]), `the AWSCURRENT secret value is not a JSON object; store ${EXPECTED}`],
  ['the value is a JSON string', JSON.stringify(API_KEY), `the AWSCURRENT secret value is not a JSON object; store ${EXPECTED}`],
  ['the value is JSON null', 'null', `the AWSCURRENT secret value is not a JSON object; store ${EXPECTED}`],
  ['apiKey is missing', secret({ apiKey: undefined }), `${where('apiKey')} must be a non-empty string`],
  ['apiKey is empty', secret({ apiKey: '' }), `${where('apiKey')} must be a non-empty string`],
  ['apiKey is a number', secret({ apiKey: 123456789 }), `${where('apiKey')} must be a non-empty string`],
  ['keyId is a number', secret({ keyId: 42 }), `${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`],
  ['keyId is null', secret({ keyId: null }), `${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`],
  ['keyId is empty', secret({ keyId: '' }), `${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`],
  ['keyId is ..', secret({ keyId: '..' }), `${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`],
  ['keyId is .', secret({ keyId: '.' }), `${where('keyId')} must be a non-empty string other than "." and ".." (it goes into the revoke URL)`],
  ['adminSecretArn is missing', secret({ adminSecretArn: undefined }), `${where('adminSecretArn')} must be a string; ${SEE_README}`],
  [
    'adminSecretArn is a name, not an ARN',
    secret({ adminSecretArn: 'vendor/admin' }),
    `${where('adminSecretArn')} is not an ARN; give the ARN of the secret that holds the admin credential (not the credential itself)`,
  ],
  ['authHeader holds a space', secret({ authHeader: 'X Api Key' }), `${where('authHeader')} is not a header name (letters, digits and !#$%&'*+.^_\`|~-); give the name only, e.g. X-Api-Key, not the header's value`],
  ['authHeader holds a colon', secret({ authHeader: 'X-Api-Key:' }), `${where('authHeader')} is not a header name (letters, digits and !#$%&'*+.^_\`|~-); give the name only, e.g. X-Api-Key, not the header's value`],
  ['authHeader is empty', secret({ authHeader: '' }), `${where('authHeader')} is not a header name (letters, digits and !#$%&'*+.^_\`|~-); give the name only, e.g. X-Api-Key, not the header's value`],
  ['authHeader is a number', secret({ authHeader: 1 }), `${where('authHeader')} must be a string; ${SEE_README}`],
  ['authScheme is not a string', secret({ authScheme: true }), `${where('authScheme')} must be a string; ${SEE_README}`],
  ['issue is missing', secret({ issue: undefined }), `${where('issue')} must be an object with url (and method, body); ${SEE_README}`],
  ['issue is a URL string', secret({ issue: 'https://api.vendor.example/v1/keys' }), `${where('issue')} must be an object with url (and method, body); ${SEE_README}`],
  ['issue is an array', secret({ issue: [] }), `${where('issue')} must be an object with url (and method, body); ${SEE_README}`],
  ['issue is null', secret({ issue: null }), `${where('issue')} must be an object with url (and method, body); ${SEE_README}`],
  ['issue.url is missing', withCall('issue', { url: undefined }), `${where('issue.url')} must be a string; ${SEE_README}`],
  ['issue.url is empty', withCall('issue', { url: '' }), `${where('issue.url')} must be a URL string`],
  ['issue.url is relative', withCall('issue', { url: '/v1/keys' }), `${where('issue.url')} is not an absolute URL; write it as https://host/path`],
  ['issue.url has no scheme', withCall('issue', { url: 'api.vendor.example/v1/keys' }), `${where('issue.url')} is not an absolute URL; write it as https://host/path`],
  ['issue.url is ftp://', withCall('issue', { url: 'ftp://api.vendor.example/v1/keys' }), `${where('issue.url')} uses the scheme ftp; only https:// is allowed (plain http:// only to localhost, for tests)`],
  ['issue.url is mailto:', withCall('issue', { url: 'mailto:keys@vendor.example' }), `${where('issue.url')} uses the scheme mailto; only https:// is allowed (plain http:// only to localhost, for tests)`],
  ['issue.url is http:// to another host', withCall('issue', { url: 'http://api.vendor.example/v1/keys' }), URL_SCHEME_MESSAGE('issue.url', 'http', 'api.vendor.example')],
  ['issue.url is http:// to a private address', withCall('issue', { url: 'http://10.0.0.1/v1/keys' }), URL_SCHEME_MESSAGE('issue.url', 'http', '10.0.0.1')],
  ['issue.url is http:// to a host named like loopback', withCall('issue', { url: 'http://127.0.0.1.nip.io/v1/keys' }), URL_SCHEME_MESSAGE('issue.url', 'http', '127.0.0.1.nip.io')],
  [
    'issue.url carries user:pass',
    withCall('issue', { url: 'https://admin:hunter2-password@api.vendor.example/v1/keys' }),
    `${where('issue.url')} carries credentials in the URL; keep the admin credential in its own secret, not in a URL`,
  ],
  [
    'issue.url carries a user only',
    withCall('issue', { url: 'https://admin@api.vendor.example/v1/keys' }),
    `${where('issue.url')} carries credentials in the URL; keep the admin credential in its own secret, not in a URL`,
  ],
  [
    'issue.url hides a host behind userinfo that looks like loopback',
    withCall('issue', { url: 'http://127.0.0.1@evil.example/v1/keys' }),
    `${where('issue.url')} carries credentials in the URL; keep the admin credential in its own secret, not in a URL`,
  ],
  ['issue.method is not an HTTP method', withCall('issue', { method: 'FETCH' }), `${where('issue.method')} is "FETCH"; use GET, POST, PUT, PATCH or DELETE`],
  ['issue.method is HEAD', withCall('issue', { method: 'head' }), `${where('issue.method')} is "HEAD"; use GET, POST, PUT, PATCH or DELETE`],
  ['issue.method is a number', withCall('issue', { method: 1 }), `${where('issue.method')} must be a string; ${SEE_README}`],
  ['issue.keyPath is missing', withCall('issue', { keyPath: undefined }), `${where('issue.keyPath')} must be a string; ${SEE_README}`],
  [
    'issue.keyPath has an empty segment',
    withCall('issue', { keyPath: 'data..secret' }),
    `${where('issue.keyPath')} is "data..secret"; write the path in the response as dot-separated keys, e.g. data.key`,
  ],
  ['issue.keyPath starts with a dot', withCall('issue', { keyPath: '.data' }), `${where('issue.keyPath')} is ".data"; write the path in the response as dot-separated keys, e.g. data.key`],
  ['issue.keyPath is empty', withCall('issue', { keyPath: '' }), `${where('issue.keyPath')} is ""; write the path in the response as dot-separated keys, e.g. data.key`],
  ['issue.keyPath holds a space', withCall('issue', { keyPath: 'data secret' }), `${where('issue.keyPath')} is "data secret"; write the path in the response as dot-separated keys, e.g. data.key`],
  ['issue.keyIdPath ends with a dot', withCall('issue', { keyIdPath: 'data.' }), `${where('issue.keyIdPath')} is "data."; write the path in the response as dot-separated keys, e.g. data.key`],
  ['issue.keyIdPath is a number', withCall('issue', { keyIdPath: 0 }), `${where('issue.keyIdPath')} must be a string; ${SEE_README}`],
  [
    'issue.idempotencyHeader holds a space',
    withCall('issue', { idempotencyHeader: 'Idempotency Key' }),
    `${where('issue.idempotencyHeader')} is not a header name; give the name only, e.g. Idempotency-Key, or "" to send none`,
  ],
  ['issue.idempotencyHeader is null', withCall('issue', { idempotencyHeader: null }), `${where('issue.idempotencyHeader')} must be a string; ${SEE_README}`],
  ['test is missing', secret({ test: undefined }), `${where('test')} must be an object with url (and method, body); ${SEE_README}`],
  ['test.url is relative', withCall('test', { url: 'v1/me' }), `${where('test.url')} is not an absolute URL; write it as https://host/path`],
  ['test.method is not an HTTP method', withCall('test', { method: 'OPTIONS' }), `${where('test.method')} is "OPTIONS"; use GET, POST, PUT, PATCH or DELETE`],
  ['revoke is a string', secret({ revoke: 'https://api.vendor.example/v1/keys/{keyId}' }), `${where('revoke')} must be an object with url (and method, body); ${SEE_README}`],
  ['revoke.url is http:// to another host', withCall('revoke', { url: 'http://api.vendor.example/v1/keys/{keyId}' }), URL_SCHEME_MESSAGE('revoke.url', 'http', 'api.vendor.example')],
  ['revoke.auth is neither admin nor key', withCall('revoke', { auth: 'user' }), `${where('revoke.auth')} is "user"; use "admin" or "key"`],
  ['revoke.auth is a boolean', withCall('revoke', { auth: true }), `${where('revoke.auth')} must be a string; ${SEE_README}`],
  [
    'revoke authenticates as admin without naming {keyId}',
    withCall('revoke', { url: 'https://api.vendor.example/v1/keys/current' }),
    `${where('revoke')} does not say which key to revoke; put {keyId} in revoke.url or revoke.body, or set revoke.auth to "key" when the API revokes the key that authenticates the call`,
  ],
  [
    'revoke uses {keyId} in its URL but issue.keyIdPath is not set',
    withCall('issue', { keyIdPath: undefined }),
    `${where('revoke')} uses {keyId}, but issue.keyIdPath is not set; say where the issue response has the new key's id`,
  ],
  [
    'revoke uses {keyId} in its body but issue.keyIdPath is not set',
    secret({
      issue: { url: 'https://api.vendor.example/v1/keys', keyPath: 'data.secret' },
      revoke: { url: 'https://api.vendor.example/v1/keys/revoke', method: 'POST', body: { ids: ['{keyId}'] } },
    }),
    `${where('revoke')} uses {keyId}, but issue.keyIdPath is not set; say where the issue response has the new key's id`,
  ],
  [
    'revoke authenticates with the key, uses {keyId}, but issue.keyIdPath is not set',
    secret({ issue: { url: 'https://api.vendor.example/v1/keys', keyPath: 'data.secret' }, revoke: { url: 'https://api.vendor.example/v1/keys/{keyId}', auth: 'key' } }),
    `${where('revoke')} uses {keyId}, but issue.keyIdPath is not set; say where the issue response has the new key's id`,
  ],
  ['gracePeriodSeconds is negative', secret({ gracePeriodSeconds: -1 }), GRACE_MESSAGE(-1)],
  ['gracePeriodSeconds is over 600', secret({ gracePeriodSeconds: 601 }), GRACE_MESSAGE(601)],
  ['gracePeriodSeconds is fractional', secret({ gracePeriodSeconds: 1.5 }), GRACE_MESSAGE(1.5)],
  ['gracePeriodSeconds is another string', secret({ gracePeriodSeconds: 'until-next-week' }), GRACE_MESSAGE('until-next-week')],
  ['gracePeriodSeconds is a number in a string', secret({ gracePeriodSeconds: '60' }), GRACE_MESSAGE('60')],
  ['gracePeriodSeconds is a boolean', secret({ gracePeriodSeconds: true }), GRACE_MESSAGE(true)],
];

describe('parseHttpApiKeySecret', () => {
  it('reads a complete secret', () => {
    expect(parse(BASE)).toEqual({
      value: BASE,
      apiKey: API_KEY,
      keyId: 'key_1',
      config: {
        adminSecretArn: ADMIN_ARN,
        authHeader: 'Authorization',
        authScheme: 'Bearer',
        issue: {
          url: 'https://api.vendor.example/v1/keys',
          method: 'POST',
          body: { name: 'rotation {token}' },
          keyPath: 'data.secret',
          keyIdPath: 'data.id',
          idempotencyHeader: '',
        },
        test: { url: 'https://api.vendor.example/v1/me', method: 'GET' },
        revoke: { url: 'https://api.vendor.example/v1/keys/{keyId}', method: 'DELETE', auth: 'admin' },
        gracePeriodSeconds: 0,
      },
    });
  });

  it.each(FAILURES)('fails when %s', (_what, value, message) => {
    const error = parseError(value);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain(API_KEY);
  });

  it('fails when a host is not on the allow-list, listing it', () => {
    const policy: HttpPolicy = { allowedHosts: ['api.vendor.example', '*.other.example'], timeoutMs: 1000 };
    const error = parseError(withCall('test', { url: 'https://evil.example/v1/me' }), policy);
    expect(error.message).toBe(
      `${where('test.url')} points at evil.example, which ALLOWED_HOSTS (api.vendor.example, *.other.example) does not list; add the host to the function's allowedHosts, or fix the URL`,
    );
  });

  describe('never prints the key or a URL’s query string', () => {
    const QUERY_SECRET = 'QUERY-SECRET-VALUE-42';
    const PASSWORD = 'URL-PASSWORD-VALUE-17';
    const q = (url: string) => `${url}?token=${QUERY_SECRET}&x=1#${QUERY_SECRET}`;
    const leaky = (overrides: Record<string, unknown>) =>
      secret({
        issue: { url: q('https://api.vendor.example/v1/keys'), keyPath: 'data.secret', keyIdPath: 'data.id' },
        test: { url: q('https://api.vendor.example/v1/me') },
        revoke: { url: q('https://api.vendor.example/v1/keys/{keyId}') },
        ...overrides,
      });
    const onlyApi: HttpPolicy = { allowedHosts: ['api.vendor.example'], timeoutMs: 1000 };
    it.each<[string, Record<string, unknown>]>([
      ['an ftp:// URL', { test: { url: q('ftp://api.vendor.example/v1/me') } }],
      ['an http:// URL to another host', { test: { url: q('http://api.vendor.example/v1/me') } }],
      ['a relative URL', { test: { url: q('/v1/me') } }],
      ['a URL with user:pass', { test: { url: q(`https://admin:${PASSWORD}@api.vendor.example/v1/me`) } }],
      ['a URL that does not parse', { test: { url: q('https://api vendor example/v1/me') } }],
      ['a host not on the allow-list', { test: { url: q('https://evil.example/v1/me') } }],
      ['a bad method', { test: { url: q('https://api.vendor.example/v1/me'), method: 'TRACE' } }],
      ['a bad key path', { issue: { url: q('https://api.vendor.example/v1/keys'), keyPath: 'data..secret' } }],
      ['a revoke that names no key', { revoke: { url: q('https://api.vendor.example/v1/keys/current') } }],
      ['{keyId} without issue.keyIdPath', { issue: { url: q('https://api.vendor.example/v1/keys'), keyPath: 'data.secret' } }],
      ['a bad grace period', { gracePeriodSeconds: -5 }],
      ['a missing adminSecretArn', { adminSecretArn: undefined }],
    ])('with %s', (_what, overrides) => {
      const error = parseError(leaky(overrides), onlyApi);
      for (const secretText of [API_KEY, QUERY_SECRET, PASSWORD, '?token', '#']) expect(error.message).not.toContain(secretText);
    });

    it('with JSON that does not parse around the key', () => {
      const error = parseError(`{"apiKey":"${API_KEY}","issue":{"url":"${q('https://api.vendor.example/v1/keys')}"`);
      expect(error.message).not.toContain(API_KEY);
      expect(error.message).not.toContain(QUERY_SECRET);
    });

    it('but accepts a URL with a query string when nothing else is wrong', () => {
      expect(parse(leaky({}), onlyApi).config.test.url).toBe(q('https://api.vendor.example/v1/me'));
    });
  });

  describe('defaults', () => {
    it('sends the credential as "Authorization: Bearer" by default', () => {
      const { config } = parse(secret({ authHeader: undefined, authScheme: undefined }));
      expect(config.authHeader).toBe('Authorization');
      expect(config.authScheme).toBe('Bearer');
    });

    it('uses Bearer for an authorization header in any case', () => {
      expect(parse(secret({ authHeader: 'authorization' })).config.authScheme).toBe('Bearer');
    });

    it('sends the bare credential in a custom header', () => {
      const { config } = parse(secret({ authHeader: 'X-Api-Key' }));
      expect(config.authHeader).toBe('X-Api-Key');
      expect(config.authScheme).toBe('');
    });

    it('keeps a given scheme, or an empty one, in any header', () => {
      expect(parse(secret({ authHeader: 'X-Api-Key', authScheme: 'Token' })).config.authScheme).toBe('Token');
      expect(parse(secret({ authScheme: '' })).config.authScheme).toBe('');
      expect(parse(secret({ authScheme: 'Basic' })).config.authScheme).toBe('Basic');
    });

    it('issues with POST, tests with GET, revokes with DELETE as admin', () => {
      const { config } = parse(BASE);
      expect(config.issue.method).toBe('POST');
      expect(config.test.method).toBe('GET');
      expect(config.revoke).toMatchObject({ method: 'DELETE', auth: 'admin' });
    });

    it('takes methods in any case, as upper case', () => {
      const { config } = parse(secret({ issue: { ...(BASE.issue as object), method: 'put' }, test: { url: 'https://api.vendor.example/v1/me', method: 'Post' } }));
      expect(config.issue.method).toBe('PUT');
      expect(config.test.method).toBe('POST');
    });

    it('sends no idempotency header by default', () => {
      expect(parse(BASE).config.issue.idempotencyHeader).toBe('');
    });

    it('keeps another idempotency header, or "" for none', () => {
      expect(parse(withCall('issue', { idempotencyHeader: 'X-Request-Id' })).config.issue.idempotencyHeader).toBe('X-Request-Id');
      expect(parse(withCall('issue', { idempotencyHeader: '' })).config.issue.idempotencyHeader).toBe('');
    });

    it('keeps the old key until the next rotation by default', () => {
      expect(parse(secret({ gracePeriodSeconds: undefined })).config.gracePeriodSeconds).toBe('until-next-rotation');
      expect(parse(secret({ gracePeriodSeconds: null })).config.gracePeriodSeconds).toBe('until-next-rotation');
    });

    it.each([0, 1, 600, 'until-next-rotation'])('accepts gracePeriodSeconds %j', (grace) => {
      expect(parse(secret({ gracePeriodSeconds: grace })).config.gracePeriodSeconds).toBe(grace);
    });

    it('leaves revoke out when the secret has none, or null', () => {
      expect(parse(secret({ revoke: undefined })).config).not.toHaveProperty('revoke');
      expect(parse(secret({ revoke: null })).config).not.toHaveProperty('revoke');
    });

    it('leaves keyId and issue.keyIdPath out when the secret has none', () => {
      const parsed = parse(secret({ keyId: undefined, issue: { url: 'https://api.vendor.example/v1/keys', keyPath: 'data.secret' }, revoke: undefined }));
      expect(parsed).not.toHaveProperty('keyId');
      expect(parsed.config.issue).not.toHaveProperty('keyIdPath');
      expect(parsed.config.issue).not.toHaveProperty('body');
    });

    it('accepts a revoke that authenticates with the key itself and names no key', () => {
      const parsed = parse(secret({ issue: { url: 'https://api.vendor.example/v1/keys', keyPath: 'key' }, revoke: { url: 'https://api.vendor.example/v1/me', method: 'delete', auth: 'key' } }));
      expect(parsed.config.revoke).toEqual({ url: 'https://api.vendor.example/v1/me', method: 'DELETE', auth: 'key' });
    });

    it('accepts {keyId} in the revoke body instead of the URL', () => {
      const body = { ids: ['{keyId}'] };
      const parsed = parse(withCall('revoke', { url: 'https://api.vendor.example/v1/keys/revoke', method: 'POST', body }));
      expect(parsed.config.revoke).toEqual({ url: 'https://api.vendor.example/v1/keys/revoke', method: 'POST', body, auth: 'admin' });
    });

    it('keeps every key it does not know in value, unchanged', () => {
      const stored = secret({ owner: 'payments-team', labels: { env: 'prod', tier: [1, 2] }, note: null, rotatedBy: 42 });
      const parsed = parse(stored);
      expect(parsed.value).toEqual(stored);
      expect(Object.keys(parsed.value)).toEqual(Object.keys(stored));
    });
  });

  describe('URLs', () => {
    it.each(['http://localhost:8080/v1/keys', 'http://127.0.0.1:9/v1/keys', 'http://127.0.0.5/v1/keys', 'http://[::1]:8443/v1/keys', 'http://LOCALHOST/v1/keys'])(
      'allows plain http:// to loopback: %s',
      (url) => {
        expect(parse(withCall('issue', { url })).config.issue.url).toBe(url);
      },
    );

    it('checks a revoke URL with {keyId} around the placeholder', () => {
      expect(parse(withCall('revoke', { url: 'https://api.vendor.example/v1/keys/{keyId}/revoke?force=true' })).config.revoke?.url).toBe(
        'https://api.vendor.example/v1/keys/{keyId}/revoke?force=true',
      );
    });

    describe('with ALLOWED_HOSTS holding *.vendor.example', () => {
      const policy: HttpPolicy = { allowedHosts: ['*.vendor.example'], timeoutMs: 1000 };
      const refused = (host: string) =>
        `${where('issue.url')} points at ${host}, which ALLOWED_HOSTS (*.vendor.example) does not list; add the host to the function's allowedHosts, or fix the URL`;

      it.each(['a.vendor.example', 'api.eu.vendor.example', 'API.Vendor.Example'])('allows %s', (host) => {
        expect(() => parse(secret({ issue: { url: `https://${host}/v1/keys`, keyPath: 'k' }, revoke: undefined }), policy)).not.toThrow();
      });

      it.each(['vendor.example', 'evilvendor.example', 'a.vendor.example.evil.example', 'vendor.example.evil.example'])('refuses %s', (host) => {
        const error = parseError(secret({ issue: { url: `https://${host}/v1/keys`, keyPath: 'k' }, revoke: undefined }), policy);
        expect(error.message).toBe(refused(host));
      });
    });

    it('refuses loopback over http:// when the allow-list does not name it', () => {
      const error = parseError(withCall('issue', { url: 'http://localhost:8080/v1/keys' }), { allowedHosts: ['api.vendor.example'], timeoutMs: 1000 });
      expect(error.message).toBe(
        `${where('issue.url')} points at localhost, which ALLOWED_HOSTS (api.vendor.example) does not list; add the host to the function's allowedHosts, or fix the URL`,
      );
    });

    it('checks every call’s URL against the allow-list', () => {
      const policy: HttpPolicy = { allowedHosts: ['api.vendor.example'], timeoutMs: 1000 };
      expect(parseError(withCall('revoke', { url: 'https://other.example/v1/keys/{keyId}' }), policy).message).toContain(`${where('revoke.url')} points at other.example`);
      expect(parseError(withCall('test', { url: 'https://other.example/v1/me' }), policy).message).toContain(`${where('test.url')} points at other.example`);
    });
  });

  it('names the version it parses in every message', () => {
    expect(() => parseHttpApiKeySecret(JSON.stringify(secret({ apiKey: '' })), 'AWSPENDING version v-1', ANY_HOST)).toThrow(
      "the AWSPENDING version v-1 secret value's apiKey must be a non-empty string",
    );
  });
});
