import { ConfigurationError } from '../../../functions/shared/errors';
import { DEFAULT_EXCLUDE_CHARACTERS, settingsFromEnvironment } from '../../../functions/shared/settings';

function settingsError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    settingsFromEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).name).toBe('ConfigurationError');
    return error as ConfigurationError;
  }
  throw new Error('expected settingsFromEnvironment to throw');
}

describe('settingsFromEnvironment', () => {
  it('defaults to 32-character passwords without characters that need escaping', () => {
    expect(settingsFromEnvironment({})).toEqual({ passwordLength: 32, excludeCharacters: DEFAULT_EXCLUDE_CHARACTERS });
  });

  it('leaves only letters, digits and -._~ by default', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const allowed = printable.filter((c) => !DEFAULT_EXCLUDE_CHARACTERS.includes(c)).join('');
    expect(allowed).toBe('-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~');
  });

  it('reads process.env when no environment is given', () => {
    const saved = { PASSWORD_LENGTH: process.env.PASSWORD_LENGTH, EXCLUDE_CHARACTERS: process.env.EXCLUDE_CHARACTERS };
    try {
      process.env.PASSWORD_LENGTH = '48';
      process.env.EXCLUDE_CHARACTERS = 'xyz';
      expect(settingsFromEnvironment()).toEqual({ passwordLength: 48, excludeCharacters: 'xyz' });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it.each([
    ['8', 8],
    ['64', 64],
    ['4096', 4096],
    [' 20 ', 20],
  ])('reads PASSWORD_LENGTH %j as %d', (value, expected) => {
    expect(settingsFromEnvironment({ PASSWORD_LENGTH: value }).passwordLength).toBe(expected);
  });

  it.each(['', '   '])('uses the default length when PASSWORD_LENGTH is %j', (value) => {
    expect(settingsFromEnvironment({ PASSWORD_LENGTH: value }).passwordLength).toBe(32);
  });

  it.each(['7', '0', '-12', '4097', '100000'])('fails when PASSWORD_LENGTH is %s, out of range', (value) => {
    expect(settingsError({ PASSWORD_LENGTH: value }).message).toBe(
      `PASSWORD_LENGTH must be a whole number from 8 to 4096, got "${value}"; fix the function's environment`,
    );
  });

  it.each(['abc', '16.5', '32px', 'NaN', 'Infinity', 'thirty-two', '0x20', '1e2'])('fails when PASSWORD_LENGTH is %s, not a whole number', (value) => {
    expect(settingsError({ PASSWORD_LENGTH: value }).message).toBe(
      `PASSWORD_LENGTH must be a whole number from 8 to 4096, got "${value}"; fix the function's environment`,
    );
  });

  it('names the trimmed value it got', () => {
    expect(settingsError({ PASSWORD_LENGTH: '  5 ' }).message).toContain('got "5"');
  });

  it('takes EXCLUDE_CHARACTERS as it is', () => {
    expect(settingsFromEnvironment({ EXCLUDE_CHARACTERS: ' /@"\'\\' }).excludeCharacters).toBe(' /@"\'\\');
  });

  it('takes an empty EXCLUDE_CHARACTERS as "exclude nothing", not as the default', () => {
    expect(settingsFromEnvironment({ EXCLUDE_CHARACTERS: '' }).excludeCharacters).toBe('');
  });
});
