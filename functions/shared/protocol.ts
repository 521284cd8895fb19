import { describeError, Logger } from './logger';
import {
  InvalidSecretError,
  RotationError,
  RotationNotEnabledError,
  SecretValueMissingError,
  UnknownVersionError,
  VersionNotPendingError,
} from './errors';
import { parseRotationEvent, RotationEvent } from './event';
import { RotationSettings } from './settings';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, SecretStore } from './secret-store';

/** What a step can use besides the secret values. */
export interface RotationContext {
  /** The secret's ARN, as DescribeSecret returned it. */
  readonly secretArn: string;
  /** The version being rotated to (the event's ClientRequestToken). */
  readonly token: string;
  /** The invocation's redacting logger: it masks every value this invocation read. Log through it, not through a logger of your own. */
  readonly logger: Logger;
  /** A new password from GetRandomPassword, with the configured length and exclusions; already redacted. */
  randomPassword(): Promise<string>;
  /**
   * The AWSCURRENT value of another secret (e.g. a master credential), or
   * undefined when it has none. The whole value is registered for redaction;
   * register the parts too with `logger.redact`.
   */
  readSecret(secretId: string): Promise<string | undefined>;
  /**
   * Recent versions of this secret that lost every staging label (e.g. a
   * rotation abandoned after setSecret), parsed, newest first; values that do
   * not parse are skipped. The last resort of a single-user setSecret.
   */
  unlabelledValues(): Promise<unknown[]>;
}

/** The versions a step works with. `previous` is absent on a secret's first rotation. */
export interface RotationVersions<T> {
  /** The value being rotated to (the version labelled AWSPENDING with the event's token). */
  readonly pending: T;
  /** The value in use (AWSCURRENT). */
  readonly current: T;
  /** The value in use before the last rotation (AWSPREVIOUS), when there is one and it parses. */
  readonly previous?: T;
}

/**
 * Everything that is specific to one kind of target. The protocol around it
 * (guard, stages, idempotency, logging) is the same for every handler.
 */
export interface RotationDefinition<T> {
  /**
   * Parses and validates a stored secret string. Throws InvalidSecretError
   * naming what is wrong, never echoing the value. `label` says which
   * version is parsed, for the message.
   */
  parse(secretString: string, label: string): T;
  /** The strings within a value that must never be logged (passwords, keys). */
  sensitiveValues(value: T): Array<string | undefined>;
  /** createSecret: the value to store as AWSPENDING, derived from AWSCURRENT. */
  create(current: T, context: RotationContext): Promise<T>;
  /** setSecret: make the target accept `pending`. Must be safe to run again. @default nothing to do */
  set?(versions: RotationVersions<T>, context: RotationContext): Promise<void>;
  /** testSecret: prove that `pending` works against the target. */
  test(versions: RotationVersions<T>, context: RotationContext): Promise<void>;
  /**
   * finishSecret, after AWSCURRENT moved: e.g. revoke what is now AWSPREVIOUS.
   * Runs again when finishSecret is retried after the move (the last run may
   * have died halfway), so it must be safe to repeat. @default nothing to do
   */
  finish?(versions: { readonly current: T; readonly previous?: T }, context: RotationContext): Promise<void>;
  /**
   * createSecret made `created` but could not store it as AWSPENDING (the
   * store failed, or a concurrent run stored another value for this token):
   * undo what `create` did outside Secrets Manager, e.g. revoke the key it was
   * issued, so nothing valid is left that no secret holds. Best effort: its
   * own failure is logged, and the store's error is what the step throws.
   * @default nothing to undo
   */
  abandon?(created: T, context: RotationContext): Promise<void>;
  /** Serializes a value for PutSecretValue. @default JSON.stringify */
  serialize?(value: T): string;
}

/** How many unlabelled versions a single-user setSecret may try, newest first. */
const UNLABELLED_VERSIONS_TRIED = 5;

/**
 * The error to rethrow from a failed step, with every secret this rotation
 * read or made masked. Lambda logs the message, the stack and every
 * enumerable property of what a handler throws, so an error from elsewhere (a
 * driver, the SDK) is replaced by a plain Error with only its name, code and
 * masked message and stack; this protocol's own errors carry nothing else.
 */
export function safeError(error: unknown, logger: Logger): Error {
  if (error instanceof RotationError) {
    error.message = logger.scrub(error.message);
    if (typeof error.stack === 'string') error.stack = logger.scrub(error.stack);
    return error;
  }
  const original = error instanceof Error ? error : undefined;
  const safe = new Error(logger.scrub(original ? original.message : `a value of type ${typeof error} was thrown`));
  safe.name = original?.name ?? 'Error';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') Object.assign(safe, { code });
  // The stack is read once here, and renders the message as it was: mask it too.
  if (original?.stack) safe.stack = logger.scrub(original.stack);
  return safe;
}

/** What `createRotationHandler` takes injected (`rotationHandler` builds them from the environment). */
export interface RotationDependencies {
  /** Secrets Manager, or a fake of it in a unit test. */
  readonly store: SecretStore;
  /** Generated passwords' length and excluded characters. */
  readonly settings: RotationSettings;
  /** The logger each invocation's scoped logger derives from. */
  readonly logger: Logger;
}

/** A Lambda handler for Secrets Manager's rotation event `{ Step, SecretId, ClientRequestToken }`. */
export type RotationHandler = (event: unknown) => Promise<void>;

/**
 * Runs one rotation step: the guard that every step starts with, then the
 * step. Each step is idempotent, so Secrets Manager's retries are harmless.
 */
export function createRotationHandler<T>(definition: RotationDefinition<T>, deps: RotationDependencies): RotationHandler {
  return async (rawEvent: unknown) => {
    const started = Date.now();
    // What this invocation reads is masked in its own lines and errors, and
    // forgotten when it ends.
    // (A logger that is not this library's, e.g. a test's stand-in, is used as it is.)
    const logger = typeof deps.logger.scoped === 'function' ? deps.logger.scoped() : deps.logger;
    let event: RotationEvent;
    try {
      event = parseRotationEvent(rawEvent);
    } catch (error) {
      logger.error('rejected an event that is not a rotation event', { error: describeError(error) });
      throw error;
    }
    const fields = { step: event.Step, secretId: event.SecretId, versionId: event.ClientRequestToken };
    try {
      await runStep(definition, { ...deps, logger }, event);
      logger.info('rotation step finished', { ...fields, durationMs: Date.now() - started });
    } catch (error) {
      logger.error('rotation step failed', { ...fields, durationMs: Date.now() - started, error: describeError(error) });
      throw safeError(error, logger);
    }
  };
}

/**
 * The value of `versionId`, or undefined when it has none or cannot be read
 * now. Not knowing counts as not stored: undoing a value that did land
 * leaves a dead AWSPENDING (testSecret fails, the alarm fires, AWSCURRENT is
 * untouched), while keeping one that did not would leave a live credential
 * that no secret holds.
 */
async function storedValue(store: SecretStore, arn: string, versionId: string): Promise<string | undefined> {
  try {
    return await store.getValue(arn, AWSPENDING, versionId);
  } catch {
    return undefined;
  }
}

/**
 * Waits for reads started together (one round trip to Secrets Manager
 * instead of one per read) and fails as reading them one after the other
 * would have: with the error of the first, in argument order, that failed,
 * whichever failed first in time. Only reads go through here: no write
 * happens before every read it depends on has succeeded.
 */
async function inOrder<A extends unknown[]>(...reads: { [K in keyof A]: Promise<A[K]> }): Promise<A> {
  const settled = await Promise.allSettled(reads);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as A;
}

async function runStep<T>(definition: RotationDefinition<T>, deps: RotationDependencies, event: RotationEvent): Promise<void> {
  const { store, logger, settings } = deps;
  const token = event.ClientRequestToken;
  const metadata = await store.describe(event.SecretId);
  const arn = metadata.arn;
  if (!metadata.rotationEnabled) {
    throw new RotationNotEnabledError(`secret ${arn} does not have rotation enabled; enable rotation on it before invoking its rotation function`);
  }
  // Own keys only: a token such as "constructor" must not find Object.prototype's members.
  const stages = Object.hasOwn(metadata.versions, token) ? metadata.versions[token] : undefined;
  if (!stages) {
    throw new UnknownVersionError(`version ${token} is not a version of secret ${arn}; the event names a token that RotateSecret did not create for this secret`);
  }
  // Already AWSCURRENT: the rotation got this far before. Only the finish
  // hook may still be owed (a crash after the stage move, before the hook
  // finished, e.g. revoking the old key), so finishSecret runs it again.
  const alreadyCurrent = stages.includes(AWSCURRENT);
  if (alreadyCurrent && !(event.Step === 'finishSecret' && definition.finish)) {
    logger.info('version is already AWSCURRENT; nothing to do', { step: event.Step, secretId: arn, versionId: token });
    return;
  }
  if (!alreadyCurrent && !stages.includes(AWSPENDING)) {
    throw new VersionNotPendingError(`version ${token} of secret ${arn} is not staged AWSPENDING (it has ${stages.join(', ') || 'no stage'}); start a new rotation`);
  }

  const context: RotationContext = {
    secretArn: arn,
    token,
    logger,
    randomPassword: async () => {
      const password = await store.randomPassword({ length: settings.passwordLength, excludeCharacters: settings.excludeCharacters });
      logger.redact(password);
      return password;
    },
    readSecret: async (secretId) => {
      const value = await store.getValue(secretId, AWSCURRENT);
      logger.redact(value);
      return value;
    },
    unlabelledValues: async () => {
      const parsed: T[] = [];
      for (const raw of await store.unlabelledValues(arn, UNLABELLED_VERSIONS_TRIED)) {
        logger.redact(raw);
        try {
          const value = definition.parse(raw, 'unlabelled');
          logger.redact(...definition.sensitiveValues(value));
          parsed.push(value);
        } catch {
          // An old value in another format: not a candidate.
        }
      }
      return parsed;
    },
  };
  const read = async (stage: string, versionId?: string): Promise<T | undefined> => {
    const raw = await store.getValue(arn, stage, versionId);
    if (raw === undefined) return undefined;
    logger.redact(raw);
    const value = definition.parse(raw, versionId ? `${stage} version ${versionId}` : stage);
    logger.redact(...definition.sensitiveValues(value));
    return value;
  };
  const require = async (stage: string, versionId?: string): Promise<T> => {
    const value = await read(stage, versionId);
    if (value === undefined) {
      throw new SecretValueMissingError(`secret ${arn} has no ${stage} value${versionId ? ` for version ${versionId}` : ''}; ${stage === AWSPENDING ? 'createSecret must run first' : 'put a value in the secret first'}`);
    }
    return value;
  };
  // AWSPREVIOUS is only a fallback: a value that no longer parses (say, from
  // before the secret held JSON) must not block every future rotation.
  const readPrevious = async (): Promise<T | undefined> => {
    try {
      return await read(AWSPREVIOUS);
    } catch (error) {
      if (!(error instanceof InvalidSecretError)) throw error;
      logger.warn('ignoring the AWSPREVIOUS value, which does not parse', { secretId: arn, error: describeError(error) });
      return undefined;
    }
  };
  const versions = async (): Promise<RotationVersions<T>> => {
    const [pending, current, previous] = await inOrder(require(AWSPENDING, token), require(AWSCURRENT), readPrevious());
    return { pending, current, previous };
  };

  switch (event.Step) {
    case 'createSecret': {
      const [current, existing] = await inOrder(require(AWSCURRENT), read(AWSPENDING, token));
      if (existing !== undefined) {
        logger.info('pending value already exists; keeping it', { secretId: arn, versionId: token });
        return;
      }
      const pending = await definition.create(current, context);
      logger.redact(...definition.sensitiveValues(pending));
      const serialized = (definition.serialize ?? JSON.stringify)(pending);
      try {
        await store.putPending(arn, token, serialized);
      } catch (error) {
        // The write may have landed with only its answer lost: then the value
        // is stored, and undoing its creation would leave AWSPENDING dead.
        if (definition.abandon && (await storedValue(store, arn, token)) === serialized) {
          logger.info('created pending value (the store failed to answer, but holds it)', { secretId: arn, versionId: token });
          return;
        }
        if (definition.abandon) {
          try {
            await definition.abandon(pending, context);
            logger.warn('could not store the pending value; undid its creation', { secretId: arn, versionId: token });
          } catch (undoError) {
            logger.error('could not store the pending value, nor undo its creation', { secretId: arn, versionId: token, error: describeError(undoError) });
          }
        }
        throw error;
      }
      logger.info('created pending value', { secretId: arn, versionId: token });
      return;
    }
    case 'setSecret':
      if (definition.set) await definition.set(await versions(), context);
      return;
    case 'testSecret': {
      // When a schedule is set without rotating at once, Secrets Manager checks
      // the configuration by running testSecret on a temporary AWSPENDING
      // version, which may hold no value: then test what AWSCURRENT holds.
      const [current, pending, previous] = await inOrder(require(AWSCURRENT), read(AWSPENDING, token), readPrevious());
      if (pending === undefined) logger.info('the pending version has no value; testing AWSCURRENT instead', { secretId: arn, versionId: token });
      await definition.test({ pending: pending ?? current, current, previous }, context);
      return;
    }
    case 'finishSecret': {
      if (!alreadyCurrent) {
        // Promoting a version without a value would leave AWSCURRENT empty: nobody could log in.
        await require(AWSPENDING, token);
        const currentVersion = Object.keys(metadata.versions).find((id) => metadata.versions[id].includes(AWSCURRENT));
        await store.promote(arn, token, currentVersion);
        logger.info('moved AWSCURRENT to the new version', { secretId: arn, versionId: token, previousVersionId: currentVersion });
      }
      if (definition.finish) {
        const [current, previous] = await inOrder(require(AWSCURRENT), readPrevious());
        await definition.finish({ current, previous }, context);
      }
      return;
    }
  }
}
