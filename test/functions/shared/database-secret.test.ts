import { DatabaseSecret, parseDatabaseSecret, tlsAttempts } from '../../../functions/shared/database-secret';
import { InvalidSecretError } from '../../../functions/shared/errors';

const PASSWORD = 'pa$$-w0rd-"quoted"';
const BASE = { engine: 'postgres', host: 'db.example.internal', port: 5432, username: 'app', password: PASSWORD, dbname: 'app' };

const parse = (value: unknown) => parseDatabaseSecret(typeof value === 'string' ? value : JSON.stringify(value), 'AWSCURRENT');

function parseError(value: unknown): InvalidSecretError {
  try {
    parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).name).toBe('InvalidSecretError');
    return error as InvalidSecretError;
  }
  throw new Error('expected parseDatabaseSecret to throw');
}

describe('parseDatabaseSecret', () => {
  it('reads AWS’s documented structure', () => {
    expect(parse(BASE)).toEqual(BASE);
  });

  it('needs only host, username and password', () => {
    expect(parse({ host: 'h', username: 'u', password: 'p' })).toEqual({ host: 'h', username: 'u', password: 'p' });
  });

  it('keeps keys it does not know, so a rotation carries them over', () => {
    const secret = parse({ ...BASE, dbClusterIdentifier: 'cluster-1', proxy: { endpoint: 'p' }, ssl: 'true' });
    expect(secret).toMatchObject({ dbClusterIdentifier: 'cluster-1', proxy: { endpoint: 'p' }, ssl: 'true' });
  });

  it('accepts an empty password, which the rotation replaces', () => {
    expect(parse({ ...BASE, password: '' }).password).toBe('');
  });

  it.each([
    [5432, 5432],
    ['5432', 5432],
    [' 3306 ', 3306],
    [1, 1],
    [65535, 65535],
  ])('reads port %j as the number %j', (port, expected) => {
    expect(parse({ ...BASE, port }).port).toBe(expected);
  });

  it.each([undefined, null, ''])('treats port %j as absent, leaving the engine its default', (port) => {
    const secret = parse({ ...BASE, port });
    expect(secret.port).toBeUndefined();
    expect(Object.keys(secret)).not.toContain('port');
  });

  it('keeps the keys in their stored order', () => {
    expect(Object.keys(parse({ ...BASE, port: '5432' }))).toEqual(Object.keys(BASE));
  });

  it.each([0, 65536, -1, 5432.5, 'abc', '54 32', '0x1538', '1e3', true, [5432], { n: 1 }])('fails when the port is %j', (port) => {
    const error = parseError({ ...BASE, port });
    expect(error.message).toBe(`the AWSCURRENT secret value has port ${JSON.stringify(port)}; it must be a whole number from 1 to 65535`);
  });

  it.each(['host', 'username', 'password'])('fails when %s is missing, naming it', (key) => {
    const value: Record<string, unknown> = { ...BASE };
    delete value[key];
    const error = parseError(value);
    expect(error.message).toBe(`the AWSCURRENT secret value lacks ${key} (each must be a non-empty string); add it to the secret`);
  });

  it('fails when several keys are missing or mistyped, naming them all', () => {
    const error = parseError({ host: '', username: 42, password: PASSWORD });
    expect(error.message).toBe('the AWSCURRENT secret value lacks host, username (each must be a non-empty string); add them to the secret');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('fails when the password is not a string, without printing it', () => {
    const error = parseError({ ...BASE, password: 123456789 });
    expect(error.message).toMatch(/lacks password/);
    expect(error.message).not.toContain('123456789');
  });

  it.each(['dbname', 'engine', 'masterarn'])('fails when %s is not a string', (key) => {
    const error = parseError({ ...BASE, [key]: 7 });
    expect(error.message).toBe(`the AWSCURRENT secret value has a ${key} that is not a string`);
  });

  it.each([
    ['an array', [BASE]],
    ['a string', 'just a string'],
    ['a number', 42],
    ['null', null],
    ['true', true],
  ])('fails when the value is %s rather than an object', (_what, value) => {
    const error = parseError(JSON.stringify(value));
    expect(error.message).toBe('the AWSCURRENT secret value is not a JSON object; store a JSON object with host, username, password');
  });

  it.each([
    ['truncated JSON', `{"host": "h", "username": "u", "password": "${PASSWORD}"`],
    ['a bare password', 'Sup3r-S3cret-Passw0rd'],
    ['single-quoted keys', `{'password': 'Sup3r-S3cret-Passw0rd'}`],
    ['empty text', ''],
  ])('fails on %s without quoting any of the input', (_what, text) => {
    const error = parseError(text);
    expect(error.message).toBe('the AWSCURRENT secret value is not valid JSON; store a JSON object with host, username, password');
    for (const fragment of ['Sup3r', 'S3cret', 'Passw0rd', 'pa$$', '"host"']) expect(error.message).not.toContain(fragment);
  });

  it('names the version it parses in every message', () => {
    expect(() => parseDatabaseSecret('{', 'AWSPENDING version 1234')).toThrow(/^the AWSPENDING version 1234 secret value is not valid JSON/);
  });
});

describe('tlsAttempts', () => {
  const withSsl = (ssl: unknown): DatabaseSecret => ({ host: 'h', username: 'u', password: 'p', ...(ssl === undefined ? {} : { ssl }) }) as DatabaseSecret;

  it('tries TLS, then plain, when ssl is absent', () => {
    expect(tlsAttempts(withSsl(undefined))).toEqual([{ tls: true, verify: true }, { tls: false }]);
  });

  it.each([true, 'true', 'TRUE', 'True'])('requires TLS when ssl is %j', (ssl) => {
    expect(tlsAttempts(withSsl(ssl))).toEqual([{ tls: true, verify: true }]);
  });

  it.each([false, 'false', 'FALSE', 'False'])('never uses TLS when ssl is %j', (ssl) => {
    expect(tlsAttempts(withSsl(ssl))).toEqual([{ tls: false }]);
  });

  it('lets DB_TLS_MODE=require add TLS, unverified, but never lower the secret’s ssl: true', () => {
    expect(tlsAttempts(withSsl(undefined), { mode: 'require' })).toEqual([{ tls: true, verify: false }]);
    expect(tlsAttempts(withSsl(false), { mode: 'require' })).toEqual([{ tls: true, verify: false }]);
    expect(tlsAttempts(withSsl('true'), { mode: 'require', ca: 'PEM' })).toEqual([{ tls: true, verify: true, ca: 'PEM' }]);
  });

  // AWS's get_ssl_config: an invalid type or value behaves like an absent key.
  it.each(['require', 'yes', '', null, 1, 0])('tries TLS, then plain, when ssl is the unrecognised %j', (ssl) => {
    expect(tlsAttempts(withSsl(ssl))).toEqual([{ tls: true, verify: true }, { tls: false }]);
  });
});
