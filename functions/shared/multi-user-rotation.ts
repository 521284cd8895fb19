import { DatabaseSecret } from './database-secret';
import {
  alreadyWorks,
  databaseSecretParser,
  DatabaseEngine,
  DatabaseRotationOptions,
  login,
  testPending,
  withConnection,
} from './database-rotation';
import { InvalidSecretError, LoginFailedError, SecretValueMissingError } from './errors';
import { RotationContext, RotationDefinition } from './protocol';

/** The suffix of the alternate user, as AWS's own multi-user templates name it. */
export const CLONE_SUFFIX = '_clone';

export interface MultiUserRotationOptions extends DatabaseRotationOptions {
  /** Longest user name allowed. @default the engine's limit (USERNAME_CHARACTER_LIMIT overrides it in the handlers) */
  readonly usernameLimit?: number;
}

/** The other user of the pair: `app` alternates with `app_clone`. */
export function alternateUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) && username.length > CLONE_SUFFIX.length
    ? username.slice(0, -CLONE_SUFFIX.length)
    : `${username}${CLONE_SUFFIX}`;
}

/**
 * The alternating-users strategy: two users, `<username>` and
 * `<username>_clone`, take turns. Each rotation sets the password of the user
 * that is not AWSCURRENT (creating it with the current user's privileges the
 * first time), logged in with the master secret named by `masterarn`. The
 * credential labelled AWSCURRENT is never touched, so it logs in at every
 * moment of a rotation.
 */
export function multiUserRotation<C>(engine: DatabaseEngine<C>, options: MultiUserRotationOptions = {}): RotationDefinition<DatabaseSecret> {
  const { tls } = options;
  const limit = options.usernameLimit ?? engine.maxUsernameLength;
  const parseSecret = databaseSecretParser(engine);
  return {
    parse(secretString, label) {
      const secret = parseSecret(secretString, label);
      if (!secret.masterarn) {
        throw new InvalidSecretError(`the ${label} secret value lacks masterarn; the alternating-users strategy needs the ARN of a master secret that can create and alter users`);
      }
      return secret;
    },
    sensitiveValues: (secret) => [secret.password],
    async create(current, context) {
      const username = alternateUsername(current.username);
      if (username.length > limit) {
        throw new InvalidSecretError(
          `the alternate user of ${JSON.stringify(current.username)} would be ${JSON.stringify(username)}, ${username.length} characters, longer than the ${limit} that ${engine.name} allows; use a user name of at most ${limit - CLONE_SUFFIX.length} characters`,
        );
      }
      return { ...current, username, password: await context.randomPassword() };
    },
    async set({ pending, current }, context) {
      if (pending.username === current.username) {
        throw new InvalidSecretError(`the pending and current versions both name user ${JSON.stringify(pending.username)}; the alternating-users strategy needs two users`);
      }
      if (await alreadyWorks(engine, pending, context, tls)) return;
      const master = await readMaster(pending, context);
      const connection = await login(engine, master, context, tls);
      if (!connection) {
        throw new LoginFailedError(`the master secret ${pending.masterarn} cannot log in to ${engine.name} at ${master.host} as ${JSON.stringify(master.username)}; fix the master secret`);
      }
      await withConnection(engine, connection, (c) =>
        engine.setAlternateUser(c, { username: pending.username, password: pending.password, template: current.username }),
      );
      context.logger.info('set the password of the alternate user', { secretId: context.secretArn, username: pending.username });
    },
    async test({ pending }, context) {
      await testPending(engine, pending, context, tls);
    },
  };

  async function readMaster(pending: DatabaseSecret, context: RotationContext): Promise<DatabaseSecret> {
    const arn = pending.masterarn!;
    const raw = await context.readSecret(arn);
    if (raw === undefined) throw new SecretValueMissingError(`the master secret ${arn} has no AWSCURRENT value; put the master credential in it`);
    const master = parseSecret(raw, `master secret ${arn}`);
    context.logger.redact(master.password);
    if (master.host !== pending.host) {
      throw new InvalidSecretError(
        `the master secret ${arn} is for host ${JSON.stringify(master.host)}, but the rotated secret is for ${JSON.stringify(pending.host)}; masterarn must name a credential of the same server`,
      );
    }
    return master;
  }
}
