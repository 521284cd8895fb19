import { alternateUsername } from '../../functions/shared/multi-user-rotation';
import { usageError } from '../errors';
import { HandlerChoice } from './handlers';

/** Where the new credential goes, by the options the user chose: every rehearsal needs one. */
export type Keeping = { readonly kind: 'output'; readonly file: string } | { readonly kind: 'discard' };

/**
 * The user whose password a multi-user handler sets: the alternate of the
 * secret's user, named as the handlers name it. Undefined when the secret
 * has no user name (the handler then fails in createSecret).
 */
export function alternateUser(secret: Readonly<Record<string, unknown>>): string | undefined {
  return typeof secret.username === 'string' && secret.username !== '' ? alternateUsername(secret.username) : undefined;
}

/**
 * What the rehearsal is about to change on the real target, said before
 * anything runs. A multi-user handler changes the alternate user, which is
 * the one the real secret's AWSPREVIOUS holds once it has been rotated
 * (`app_clone` after an even number of rotations, `app` after an odd one).
 */
export function plannedChange(handler: HandlerChoice, secret: Readonly<Record<string, unknown>>): string {
  const where = typeof secret.host === 'string' ? ` on ${secret.host}${secret.port === undefined ? '' : `:${String(secret.port)}`}` : ' on the host your secret file names';
  const user = typeof secret.username === 'string' ? JSON.stringify(secret.username) : undefined;
  switch (handler.kind) {
    case 'single-user':
      return `${handler.label} will change the password of ${user ? `user ${user}${where}, the user in your secret file` : `the user in your secret file${where}`}: the password in that file stops working there`;
    case 'multi-user': {
      const alternate = alternateUser(secret);
      if (!alternate) return `${handler.label} will set the password of the alternate user of the user in your secret file${where}`;
      return `${handler.label} will set the password of user ${JSON.stringify(alternate)} (creating it if it does not exist)${where}: the alternate of ${user}, the user in your secret file, which keeps working. Once the real secret has been rotated, its AWSPREVIOUS holds ${JSON.stringify(alternate)}: clients still using AWSPREVIOUS stop logging in`;
    }
    case 'api-key':
      return `${handler.label} will have the API${apiOrigin(secret)} issue a new key; the key in your secret file is revoked or kept as its gracePeriodSeconds says`;
    case 'entry':
      return `your handler (${handler.label}) will run its four steps against whatever your secret file names; rehearse cannot tell what it changes`;
  }
}

/**
 * The keeping the options ask for (the command refuses both at once
 * earlier, before reading any file). Refuses, before anything runs, a
 * rehearsal without one: whatever the handler, the new credential would
 * exist nowhere once it ends, and the target (or, for a multi-user handler,
 * its alternate user) would accept only that credential.
 */
export function requireKeeping(handler: HandlerChoice, secret: Readonly<Record<string, unknown>>, output: string | undefined, discard: boolean): Keeping {
  if (output !== undefined) return { kind: 'output', file: output };
  if (discard) return { kind: 'discard' };
  const alternate = alternateUser(secret);
  const what = {
    'single-user': `${handler.label} changes the password of the user in your secret file on the real target`,
    'multi-user': `${handler.label} sets the password of ${alternate ? `user ${JSON.stringify(alternate)}` : 'the alternate user'} on the real target (the alternate of ${typeof secret.username === 'string' ? JSON.stringify(secret.username) : 'the user in your secret file'}), the user the real secret's AWSPREVIOUS holds once it has been rotated`,
    'api-key': 'http-api-key has the real API issue a new key (and may revoke the old one)',
    entry: `your handler (${handler.label}) may change the real target, and rehearse cannot tell how`,
  }[handler.kind];
  throw usageError(
    `${what}, and the new value would exist only in the emulator, which stops when rehearse ends: nobody would have the credential the target now accepts. Pass --output <new file> to keep it (mode 0600), or --discard to accept losing it (see \`secret-rotation rehearse --help\`)`,
  );
}

/** " at https://api.example.com", from the secret's issue URL, or nothing. */
function apiOrigin(secret: Readonly<Record<string, unknown>>): string {
  const url = (secret.issue as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' && URL.canParse(url) ? ` at ${new URL(url).origin}` : '';
}
