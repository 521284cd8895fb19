import { createConnection } from 'mysql2/promise';
import { DatabaseSecret } from '../../../functions/shared/database-secret';
import { mysqlEngine } from '../../../functions/shared/mysql-engine';

jest.mock('mysql2/promise', () => ({
  ...jest.requireActual('mysql2/promise'),
  createConnection: jest.fn(async () => ({ on: jest.fn(), query: jest.fn(async () => [[]]), destroy: jest.fn(), end: jest.fn(async () => undefined) })),
}));

const SECRET: DatabaseSecret = { host: 'db.example.internal', username: 'app', password: 'not-used-here' };
const sslOf = (call: number) => (createConnection as jest.Mock).mock.calls[call][0].ssl;

describe('mysqlEngine.connect', () => {
  beforeEach(() => (createConnection as jest.Mock).mockClear());

  it('passes mysql2 one ssl options object per CA bundle, so mysql2 builds its secure context once and can resume TLS sessions', async () => {
    await mysqlEngine.connect(SECRET, { tls: true, verify: true, ca: 'BUNDLE A' });
    await mysqlEngine.connect({ ...SECRET, username: 'other' }, { tls: true, verify: true, ca: 'BUNDLE A' });
    await mysqlEngine.connect(SECRET, { tls: true, verify: true, ca: 'BUNDLE B' });
    await mysqlEngine.connect(SECRET, { tls: true, verify: true });
    expect(sslOf(0)).toEqual({ rejectUnauthorized: true, verifyIdentity: true, ca: 'BUNDLE A' });
    expect(sslOf(1)).toBe(sslOf(0));
    expect(sslOf(2)).toEqual({ rejectUnauthorized: true, verifyIdentity: true, ca: 'BUNDLE B' });
    expect(sslOf(3)).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
  });

  it('keeps unverified TLS apart from verified TLS, and sends no ssl options for plain TCP', async () => {
    await mysqlEngine.connect(SECRET, { tls: true, verify: false });
    await mysqlEngine.connect(SECRET, { tls: true, verify: true });
    await mysqlEngine.connect(SECRET, { tls: false });
    expect(sslOf(0)).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(sslOf(1)).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
    expect(sslOf(2)).toBeUndefined();
  });
});
