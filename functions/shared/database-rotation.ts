import { DatabaseSecret, parseDatabaseSecret, TlsAttempt, tlsAttempts, TlsSettings } from './database-secret';
import { InvalidSecretError, LoginFailedError, TargetUnreachableError } from './errors';
import { describeError } from './logger';
import { RotationContext, RotationDefinition, RotationVersions } from './protocol';

/** A user to create or update through a master connection, for the alternating-users strategy. */
export interface AlternateUser {
  readonly username: string;
  readonly password: string;
  /** The user whose privileges the alternate user gets. */
  readonly template: string;
}

/** What differs between database engines. Everything else is shared. */
export interface DatabaseEngine<Connection> {
  /** Name for messages, e.g. "PostgreSQL". */
  readonly name: string;
  /** Values of the secret's `engine` key this engine accepts (absent is accepted too). */
  readonly engines: readonly string[];
  /** Longest user name the server accepts, for the alternating-users suffix. */
  readonly maxUsernameLength: number;
  /** Opens a connection; rejects on any failure. */
  connect(secret: DatabaseSecret, attempt: TlsAttempt): Promise<Connection>;
  /** True when the error means the server refused these credentials. */
  isAuthenticationFailure(error: unknown): boolean;
  /** True when a TLS attempt failed because the server offers no TLS at all (so it cannot require it). */
  isTlsUnavailable(error: unknown): boolean;
  /** Sets the logged-in user's own password. */
  setPassword(connection: Connection, username: string, password: string): Promise<void>;
  /**
   * On a master connection: creates `user.username` with the privileges of
   * `user.template` if it does not exist, and sets its password. Must be
   * safe to run again.
   */
  setAlternateUser(master: Connection, user: AlternateUser): Promise<void>;
  /** Runs a query proving the connection works as the expected user. */
  check(connection: Connection, secret: DatabaseSecret): Promise<void>;
  close(connection: Connection): Promise<void>;
}

/** Function-wide options of the database strategies, from the environment. */
export interface DatabaseRotationOptions {
  readonly tls?: TlsSettings;
}

/** Parses a database secret and checks that its `engine` key, if any, is one this engine handles. */
export function databaseSecretParser(engine: Pick<DatabaseEngine<unknown>, 'name' | 'engines'>) {
  return (secretString: string, label: string): DatabaseSecret => {
    const secret = parseDatabaseSecret(secretString, label);
    if (secret.engine !== undefined && !engine.engines.includes(secret.engine.toLowerCase())) {
      throw new InvalidSecretError(
        `the ${label} secret value has engine ${JSON.stringify(secret.engine)}, but this function rotates ${engine.name} (engine ${engine.engines.map((e) => JSON.stringify(e)).join(', ')}); use the handler for that engine`,
      );
    }
    return secret;
  };
}

/**
 * Logs in with one credential, trying TLS as the secret's `ssl` key and the
 * TLS settings say. Resolves undefined when the server refuses the
 * credential; rejects with TargetUnreachableError when the server cannot be
 * reached at all.
 */
export async function login<C>(engine: DatabaseEngine<C>, secret: DatabaseSecret, context: RotationContext, tls?: TlsSettings): Promise<C | undefined> {
  const failures: string[] = [];
  let tlsFailure: string | undefined;
  for (const attempt of tlsAttempts(secret, tls)) {
    const how = attempt.tls ? (attempt.verify === false ? 'TLS' : 'verified TLS') : 'plain TCP';
    try {
      const connection = await engine.connect(secret, attempt);
      if (!attempt.tls && tlsFailure) {
        // Not a server without TLS: one whose certificate did not verify (or
        // a handshake that broke), which may as well be someone in the middle.
        context.logger.warn('TLS failed, so the credential went over plain TCP; set DB_TLS_CA_FILE to the CA bundle of the server (or DB_TLS_MODE), or ssl: false in the secret to go without TLS on purpose', {
          secretId: context.secretArn,
          host: secret.host,
          tlsFailure,
        });
      }
      return connection;
    } catch (error) {
      if (engine.isAuthenticationFailure(error)) {
        // A server that requires TLS may refuse the plain fallback as if the
        // password were wrong (MariaDB does): keep the TLS failure for the message.
        if (tlsFailure) tlsFailuresBeforeRefusal.set(context, tlsFailure);
        return undefined;
      }
      failures.push(`${how}: ${context.logger.scrub(error instanceof Error ? error.message : String(error))}`);
      if (attempt.tls && !engine.isTlsUnavailable(error)) tlsFailure ??= failures[failures.length - 1];
      context.logger.debug('connection attempt failed', { tls: attempt.tls, error: describeError(error) });
    }
  }
  throw new TargetUnreachableError(
    `could not connect to ${engine.name} at ${secret.host}:${secret.port ?? 'default port'} (${failures.join('; ')}); check the host, port, network path and TLS settings`,
  );
}

const tlsFailuresBeforeRefusal = new WeakMap<RotationContext, string>();

/**
 * What a "could not log in" message needs: where, and what to do. When a TLS
 * attempt failed before the server refused the plain one, the server may
 * require TLS rather than reject the password, and the advice says so.
 */
export function refusal(engine: { name: string }, secret: DatabaseSecret, context: RotationContext, otherwise: string): { where: string; advice: string } {
  const where = `${engine.name} at ${secret.host}:${secret.port ?? 'default port'} as ${JSON.stringify(secret.username)}`;
  const tls = tlsFailuresBeforeRefusal.get(context);
  return {
    where,
    advice: tls
      ? `the TLS attempt failed first (${tls}), so the server may require TLS: fix DB_TLS_MODE, DB_TLS_CA_FILE or the secret's ssl key`
      : otherwise,
  };
}

/** Runs `work` on a connection, then closes it whatever happened. */
export async function withConnection<C>(engine: DatabaseEngine<C>, connection: C, work: (c: C) => Promise<void>): Promise<void> {
  try {
    await work(connection);
  } finally {
    await engine.close(connection).catch(() => undefined);
  }
}

/** testSecret for both strategies: the pending credential logs in and is who it says. */
export async function testPending<C>(engine: DatabaseEngine<C>, pending: DatabaseSecret, context: RotationContext, tls?: TlsSettings): Promise<void> {
  const connection = await login(engine, pending, context, tls);
  if (!connection) {
    const { where, advice } = refusal(engine, pending, context, 'setSecret has not taken effect');
    throw new LoginFailedError(`the pending password does not log in to ${where}; ${advice}`);
  }
  await withConnection(engine, connection, (c) => engine.check(c, pending));
}

/** True when `secret` already logs in (a retry after the password was set). */
export async function alreadyWorks<C>(engine: DatabaseEngine<C>, secret: DatabaseSecret, context: RotationContext, tls?: TlsSettings): Promise<boolean> {
  const connection = await login(engine, secret, context, tls);
  if (!connection) return false;
  await engine.close(connection).catch(() => undefined);
  context.logger.info('pending password already logs in; nothing to set', { secretId: context.secretArn });
  return true;
}

/**
 * The single-user strategy: one database user whose password changes. Between
 * setSecret and finishSecret the pending password is the one that logs in, so
 * one of AWSCURRENT and AWSPENDING always works.
 */
export function singleUserRotation<C>(engine: DatabaseEngine<C>, options: DatabaseRotationOptions = {}): RotationDefinition<DatabaseSecret> {
  const { tls } = options;
  return {
    parse: databaseSecretParser(engine),
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
      // One password logs in at a time, and until this step changes it that is
      // AWSCURRENT's: trying it first makes the usual rotation one login, not a
      // refused login with the pending password and then another.
      const tryCandidates = async (candidates: ReadonlyArray<readonly [string, DatabaseSecret | undefined]>) => {
        for (const [label, candidate] of candidates) {
          if (!candidate || candidate.username !== pending.username) continue;
          const connection = await login(engine, { ...pending, password: candidate.password }, context, tls);
          if (!connection) continue;
          await withConnection(engine, connection, (c) => engine.setPassword(c, pending.username, pending.password));
          context.logger.info('set the pending password', { secretId: context.secretArn, loggedInWith: label });
          return true;
        }
        return false;
      };
      if (await tryCandidates([['AWSCURRENT', current]])) return;
      // Refused: a retry after the change (the pending password already logs
      // in) ends here. Otherwise the password in the database is AWSPREVIOUS's,
      // after an interrupted earlier rotation, or, after a rotation that was
      // abandoned between setSecret and finishSecret (its AWSPENDING label
      // removed), that of a version that has no label any more.
      if (await alreadyWorks(engine, pending, context, tls)) return;
      if (await tryCandidates([['AWSPREVIOUS', previous]])) return;
      const unlabelled = (await context.unlabelledValues()) as DatabaseSecret[];
      if (await tryCandidates(unlabelled.map((value) => ['an unlabelled version', value] as const))) return;
      const { where, advice } = refusal(engine, pending, context, 'set the database password to the AWSCURRENT value and retry the rotation');
      throw new LoginFailedError(`could not log in to ${where} with the pending, current, previous or a recent unlabelled password; ${advice}`);
    },
    async test({ pending }, context) {
      await testPending(engine, pending, context, tls);
    },
  };
}
