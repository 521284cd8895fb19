import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { passwordForServer, postgresEngine } from '../../../functions/shared/postgres-engine';

describe('postgresEngine', () => {
  it('counts only a wrong password (28P01) as a refused credential, not a pg_hba refusal (28000)', () => {
    expect(postgresEngine.isAuthenticationFailure({ code: '28P01' })).toBe(true);
    expect(postgresEngine.isAuthenticationFailure({ code: '28000' })).toBe(false);
    expect(postgresEngine.isAuthenticationFailure(new Error('ECONNREFUSED'))).toBe(false);
    expect(postgresEngine.isAuthenticationFailure(undefined)).toBe(false);
  });
});

describe('passwordForServer', () => {
  it('makes a SCRAM-SHA-256 verifier that proves the password, with a new salt each time', () => {
    const password = 'correct-horse.battery~staple';
    const verifier = passwordForServer(password, 'app');
    const match = /^SCRAM-SHA-256\$4096:([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(verifier);
    expect(match).not.toBeNull();
    const [, salt, storedKey, serverKey] = match!;
    const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    expect(createHash('sha256').update(clientKey).digest('base64')).toBe(storedKey);
    expect(createHmac('sha256', salted).update('Server Key').digest('base64')).toBe(serverKey);
    expect(verifier).not.toContain(password);
    expect(passwordForServer(password, 'app')).not.toBe(verifier);
  });

  it('sends a non-ASCII password as it is, for the server to normalize and hash', () => {
    expect(passwordForServer('pässwörd-€', 'app')).toBe('pässwörd-€');
  });

  it("makes the MD5 form, md5(password + user name), when the server's password_encryption is md5 (on before PostgreSQL 10)", () => {
    // The MD5 of "secretapp", as PostgreSQL stores it (the test against a real server compares with the server's own).
    const expected = 'md56a422f785c9e20873908ce25d1736ae2';
    expect(passwordForServer('secret', 'app', 'md5')).toBe(expected);
    expect(passwordForServer('secret', 'app', 'on')).toBe(expected);
    expect(passwordForServer('pässwörd', 'app', 'md5')).toBe(`md5${createHash('md5').update('pässwördapp', 'utf8').digest('hex')}`);
  });

  it('sends the password as it is when password_encryption is something else, for the server to store as configured', () => {
    expect(passwordForServer('secret', 'app', 'off')).toBe('secret');
  });
});
