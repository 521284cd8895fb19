import { DatabaseSecret, parseDatabaseSecret, TlsAttempt, tlsAttempts } from './database-secret';
import { InvalidSecretError, LoginFailedError, TargetUnreachableError } from './errors';
import { describeError } from './logger';
import { RotationContext, RotationDefinition, RotationVersions } from './protocol';

/** What differs between database engines. Everything else is shared. */
export interface DatabaseEngine<Connection> {
  /** Name for messages, e.g. "PostgreSQL". */
  readonly name: string;
  /** Opens a connection; rejects on any failure. */
  connect(secret: DatabaseSecret, attempt: TlsAttempt): Promise<Connection>;
  /** True when the error means the server refused these credentials. */
  isAuthenticationFailure(error: unknown): boolean;
  /** Sets `username`'s password using the open connection. */
  setPassword(connection: Connection, username: string, password: string): Promise<void>;
  /** Runs a query proving the connection works as the expected user. */
  check(connection: Connection, secret: DatabaseSecret): Promise<void>;
  close(connection: Connection): Promise<void>;
}

/**
 * Logs in with one credential, trying TLS as the secret's `ssl` key says.
 * Resolves undefined when the server refuses the credential; rejects with
 * TargetUnreachableError when the server cannot be reached at all.
 */
export async function login<C>(engine: DatabaseEngine<C>, secret: DatabaseSecret, context: RotationContext): Promise<C | undefined> {
  let lastError: unknown;
  for (const attempt of tlsAttempts(secret)) {
    try {
      return await engine.connect(secret, attempt);
    } catch (error) {
      if (engine.isAuthenticationFailure(error)) return undefined;
      lastError = error;
      context.logger.debug('connection attempt failed', { tls: attempt.tls, error: describeError(error) });
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new TargetUnreachableError(
    `could not connect to ${engine.name} at ${secret.host}:${secret.port ?? 'default port'}: ${context.logger.scrub(reason)}; check the host, port, network path and TLS settings`,
  );
}

async function withConnection<C>(engine: DatabaseEngine<C>, connection: C, work: (c: C) => Promise<void>): Promise<void> {
  try {
    await work(connection);
  } finally {
    await engine.close(connection).catch(() => undefined);
  }
}

/**
 * The single-user strategy: one database user whose password changes. Between
 * setSecret and finishSecret the pending password is the one that logs in, so
 * one of AWSCURRENT and AWSPENDING always works.
 */
export function singleUserRotation<C>(engine: DatabaseEngine<C>): RotationDefinition<DatabaseSecret> {
  return {
    parse: parseDatabaseSecret,
    sensitiveValues: (secret) => [secret.password],
    async create(current, context) {
      return { ...current, password: await context.randomPassword() };
    },
    async set({ pending, current, previous }: RotationVersions<DatabaseSecret>, context) {
      if (pending.username !== current.username) {
        throw new InvalidSecretError(
          `the pending version names user ${JSON.stringify(pending.username)} but AWSCURRENT names ${JSON.stringify(current.username)}; the single-user strategy rotates one user`,
        );
      }
      const already = await login(engine, pending, context);
      if (already) {
        await engine.close(already).catch(() => undefined);
        context.logger.info('pending password already logs in; nothing to set', { secretId: context.secretArn });
        return;
      }
      // The password in the database may be AWSCURRENT's or, after an
      // interrupted earlier rotation, AWSPREVIOUS's.
      for (const [label, candidate] of [['AWSCURRENT', current], ['AWSPREVIOUS', previous]] as const) {
        if (!candidate || candidate.username !== pending.username) continue;
        const connection = await login(engine, { ...pending, password: candidate.password }, context);
        if (!connection) continue;
        await withConnection(engine, connection, (c) => engine.setPassword(c, pending.username, pending.password));
        context.logger.info('set the pending password', { secretId: context.secretArn, loggedInWith: label });
        return;
      }
      throw new LoginFailedError(
        `could not log in to ${engine.name} at ${pending.host} as ${JSON.stringify(pending.username)} with the pending, current or previous password; set the database password to the AWSCURRENT value and retry the rotation`,
      );
    },
    async test({ pending }, context) {
      const connection = await login(engine, pending, context);
      if (!connection) {
        throw new LoginFailedError(
          `the pending password does not log in to ${engine.name} at ${pending.host} as ${JSON.stringify(pending.username)}; setSecret has not taken effect`,
        );
      }
      await withConnection(engine, connection, (c) => engine.check(c, pending));
    },
  };
}
