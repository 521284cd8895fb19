import { DatabaseSecret, TlsAttempt } from '../../../functions/shared/database-secret';
import { AlternateUser, DatabaseEngine } from '../../../functions/shared/database-rotation';

/** What a server says when it refuses a credential (PostgreSQL's invalid_password). */
export class FakeAuthError extends Error {
  readonly code = '28P01';
  constructor(username: string) {
    super(`password authentication failed for user "${username}"`);
    this.name = 'FakeAuthError';
  }
}

export interface FakeConnection {
  readonly id: number;
  readonly username: string;
  /** The password this connection logged in with. */
  readonly password: string;
  readonly tls: boolean;
  closed: boolean;
}

export interface ConnectAttempt {
  readonly username: string;
  readonly password: string;
  readonly tls: boolean;
  readonly outcome: 'connected' | 'refused' | 'unreachable' | 'tls-failed';
}

/**
 * A database with one user whose accepted password the test controls. It can
 * be made unreachable, or unable to speak TLS, and any operation can fail;
 * it records every attempt and connection so a test can check that all of
 * them were closed.
 */
export class FakeDatabaseEngine implements DatabaseEngine<FakeConnection> {
  readonly name = 'FakeDB';
  readonly engines = ['fakedb'];
  readonly maxUsernameLength = 32;
  /** When set, every connection attempt fails with this, before authentication. */
  unreachable?: Error;
  /** When set, attempts with TLS fail with this, before authentication. */
  tlsFailure?: Error;
  setPasswordFailure?: Error;
  checkFailure?: Error;
  closeFailure?: Error;
  /** check() reports this user as the one logged in, instead of the connection's. */
  loggedInAs?: string;

  readonly attempts: ConnectAttempt[] = [];
  readonly connections: FakeConnection[] = [];
  readonly passwordChanges: Array<{ readonly username: string; readonly password: string; readonly loggedInWith: string }> = [];
  readonly checks: Array<{ readonly username: string }> = [];
  readonly alternateUsers: AlternateUser[] = [];

  constructor(
    public username: string,
    /** The password the server currently accepts for `username`. */
    public password: string,
  ) {}

  get openConnections(): FakeConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  async connect(secret: DatabaseSecret, attempt: TlsAttempt): Promise<FakeConnection> {
    const record = (outcome: ConnectAttempt['outcome']) =>
      this.attempts.push({ username: secret.username, password: secret.password, tls: attempt.tls, outcome });
    if (this.unreachable) {
      record('unreachable');
      throw this.unreachable;
    }
    if (attempt.tls && this.tlsFailure) {
      record('tls-failed');
      throw this.tlsFailure;
    }
    if (secret.username !== this.username || secret.password !== this.password) {
      record('refused');
      throw new FakeAuthError(secret.username);
    }
    record('connected');
    const connection: FakeConnection = {
      id: this.connections.length + 1,
      username: secret.username,
      password: secret.password,
      tls: attempt.tls,
      closed: false,
    };
    this.connections.push(connection);
    return connection;
  }

  isTlsUnavailable(): boolean {
    return false;
  }

  isAuthenticationFailure(error: unknown): boolean {
    return error instanceof FakeAuthError;
  }

  async setPassword(connection: FakeConnection, username: string, password: string): Promise<void> {
    this.assertOpen(connection);
    if (this.setPasswordFailure) throw this.setPasswordFailure;
    this.passwordChanges.push({ username, password, loggedInWith: connection.password });
    this.password = password;
  }

  /** Records the call; this fake serves one user, so the alternate user cannot log in afterwards. */
  async setAlternateUser(connection: FakeConnection, user: AlternateUser): Promise<void> {
    this.assertOpen(connection);
    this.alternateUsers.push(user);
  }

  async check(connection: FakeConnection, secret: DatabaseSecret): Promise<void> {
    this.assertOpen(connection);
    this.checks.push({ username: secret.username });
    if (this.checkFailure) throw this.checkFailure;
    const user = this.loggedInAs ?? connection.username;
    if (user !== secret.username) throw new Error(`logged in as ${user} instead of ${secret.username}`);
  }

  async close(connection: FakeConnection): Promise<void> {
    connection.closed = true;
    if (this.closeFailure) throw this.closeFailure;
  }

  private assertOpen(connection: FakeConnection): void {
    if (connection.closed) throw new Error(`connection ${connection.id} is already closed`);
  }
}
