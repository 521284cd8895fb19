import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inputError } from '../errors';

/**
 * What a rehearsal of the handler does to its target, which decides what
 * the command requires:
 * - `single-user`: changes the password of the secret's own user; the old one stops working;
 * - `multi-user`: sets the password of the alternate user; the secret's own user keeps working;
 * - `api-key`: has the API issue a new key (and revoke the old one, per gracePeriodSeconds);
 * - `entry`: a user's own handler; rehearse cannot know, so it assumes the worst.
 */
export type HandlerKind = 'single-user' | 'multi-user' | 'api-key' | 'entry';

export interface HandlerChoice {
  /** The built-in name, or the entry path as given. */
  readonly label: string;
  readonly kind: HandlerKind;
  /** True for a built-in handler, false for an entry file to bundle. */
  readonly builtIn: boolean;
}

// The modules below load cdktf and esbuild: only a rehearsal that runs pays for them, not every command's --help.

/** A built-in name, or else the path of an existing file; anything else is an input error listing the names. */
export async function chooseHandler(value: string): Promise<HandlerChoice> {
  const { BUILT_IN_HANDLERS } = await import('../../modules/rotation-function');
  if ((BUILT_IN_HANDLERS as readonly string[]).includes(value)) {
    const kind: HandlerKind = value === 'http-api-key' ? 'api-key' : value.endsWith('-multi-user') ? 'multi-user' : 'single-user';
    return { label: value, kind, builtIn: true };
  }
  const path = resolve(value);
  if (existsSync(path) && statSync(path).isFile()) return { label: value, kind: 'entry', builtIn: false };
  throw inputError(
    `--handler ${JSON.stringify(value)} is neither a built-in handler nor an existing file; give one of ${BUILT_IN_HANDLERS.join(', ')}, or the path of your own handler's entry file (.ts or .js exporting handler)`,
  );
}

/**
 * The bundle to load: a built-in handler's from dist/functions (an input
 * error saying to build when it is missing), or the user's entry bundled with
 * esbuild as RotationFunction({ entry }) bundles it.
 */
export async function handlerBundle(handler: HandlerChoice): Promise<string> {
  try {
    if (handler.builtIn) {
      const { builtInHandlerDir } = await import('../../modules/private/handler-package');
      return join(builtInHandlerDir(handler.label), 'index.js');
    }
    const { bundleEntry } = await import('../../modules/private/bundle-entry');
    return join(bundleEntry(handler.label), 'index.js');
  } catch (error) {
    if ((error as Error).name !== 'InvalidPropError') throw error;
    throw inputError((error as Error).message.replace(/synthesize again$/, 'rehearse again'));
  }
}
