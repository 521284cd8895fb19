import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors';

export interface RandomPasswordRequest {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/** GetRandomPassword, with AWS's defaults: 32 characters, each included type at least once. */
export function randomPassword(request: RandomPasswordRequest): string {
  const length = request.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw invalidParameter('PasswordLength must be between 1 and 4096.');
  }
  const excluded = new Set(request.ExcludeCharacters ?? '');
  const pools = [
    request.ExcludeLowercase ? '' : CLASSES.lowercase,
    request.ExcludeUppercase ? '' : CLASSES.uppercase,
    request.ExcludeNumbers ? '' : CLASSES.numbers,
    request.ExcludePunctuation ? '' : CLASSES.punctuation,
    request.IncludeSpace ? ' ' : '',
  ]
    .map((pool) => [...pool].filter((ch) => !excluded.has(ch)).join(''))
    .filter((pool) => pool.length > 0);
  if (pools.length === 0) throw invalidParameter('The password has no characters left to choose from.');
  const requireEach = request.RequireEachIncludedType ?? true;
  if (requireEach && pools.length > length) {
    throw invalidParameter('PasswordLength is too short to include every character type.');
  }
  const all = pools.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)]);
  if (requireEach) {
    // Put one character of each type at distinct random positions.
    const positions = [...Array(length).keys()];
    for (const pool of pools) {
      const at = positions.splice(randomInt(positions.length), 1)[0];
      chars[at] = pool[randomInt(pool.length)];
    }
  }
  return chars.join('');
}
