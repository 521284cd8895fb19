import { DatabaseSecret } from './database-secret';
import {
  databaseSecretParser,
  DatabaseEngine,
  DatabaseRotationOptions,
  login,
  refusal,
  testPending,
  withConnection,
} from './database-rotation';
import { InvalidSecretError, LoginFailedError, SecretValueMissingError } from './errors';
import { RotationContext, RotationDefinition } from './protocol';

/** The suffix of the alternate user, as AWS's own multi-user templates name it. */
export const CLONE_SUFFIX = '_clone';

export interface MultiUserRotationOptions extends DatabaseRotationOptions {
  /** Longest user name allowed, in the engine's unit. @default the engine's limit (USERNAME_CHARACTER_LIMIT overrides it in the handlers) */
  readonly usernameLimit?: number;
}

/**
 * How an engine counts a user name against `maxUsernameLength`. PostgreSQL
 * and Redshift count UTF-8 bytes ("é" is two) and silently truncate a longer
 * name, so the alternate user would be created under another name; MySQL
 * counts characters.
 */
export interface UsernameLengthUnit {
  /** @default 'bytes', which is never more lenient than the server */
  readonly usernameLengthUnit?: 'bytes' | 'characters';
}

const usernameLength = (username: string, unit: 'bytes' | 'characters') =>
  unit === 'characters' ? [...username].length : Buffer.byteLength(username, 'utf8');

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
export function multiUserRotation<C>(engine: DatabaseEngine<C> & UsernameLengthUnit, options: MultiUserRotationOptions = {}): RotationDefinition<DatabaseSecret> {
  const { tls } = options;
  const limit = options.usernameLimit ?? engine.maxUsernameLength;
  const unit = engine.usernameLengthUnit ?? 'bytes';
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
      const length = usernameLength(username, unit);
      if (length > limit) {
        throw new InvalidSecretError(
          `the alternate user of ${JSON.stringify(current.username)} would be ${JSON.stringify(username)}, ${length} ${unit}, longer than the ${limit} ${unit} that ${engine.name} allows; use a user name of at most ${limit - CLONE_SUFFIX.length} ${unit}`,
        );
      }
      return { ...current, username, password: await context.randomPassword() };
    },
    async set({ pending, current }, context) {
      if (pending.username === current.username) {
        throw new InvalidSecretError(`the pending and current versions both name user ${JSON.stringify(pending.username)}; the alternating-users strategy needs two users`);
      }
      const master = await readMaster(pending, context);
      // Changing the master user's password would lock out the master secret,
      // and with it every later rotation: `admin_clone`'s alternate is `admin`.
      // Names are compared ignoring case, as Redshift compares them.
      const masterUser = [pending.username, current.username].find((u) => u.toLowerCase() === master.username.toLowerCase());
      if (masterUser !== undefined) {
        throw new InvalidSecretError(
          `the rotated users ${JSON.stringify(current.username)} and ${JSON.stringify(pending.username)} include ${JSON.stringify(masterUser)}, the user of the master secret ${pending.masterarn}; alternating would change the master password. Rotate the master secret with the single-user strategy, and give this secret a user of its own`,
        );
      }
      // No "the pending password already logs in" shortcut, as the single-user
      // strategy has: setAlternateUser is safe to run again, and a retry after
      // a crash part-way (MySQL sets one account per host) must finish the job.
      const connection = await login(engine, master, context, tls);
      if (!connection) {
        const { where, advice } = refusal(engine, master, context, 'fix the master secret');
        throw new LoginFailedError(`the master secret ${pending.masterarn} cannot log in to ${where}; ${advice}`);
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
    // Secrets Manager answers ResourceNotFoundException alike for a secret that does not exist and one without an AWSCURRENT value.
    if (raw === undefined) {
      throw new SecretValueMissingError(`the master secret ${arn} does not exist or has no AWSCURRENT value; make masterarn name the secret that holds the master credential`);
    }
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
