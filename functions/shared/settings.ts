import { readFileSync } from 'node:fs';
import { TLS_MODES, TlsSettings } from './database-secret';
import { ConfigurationError } from './errors';

/**
 * Characters left out of generated passwords unless EXCLUDE_CHARACTERS says
 * otherwise. What remains (letters, digits and `-._~`) needs no escaping in a
 * URL, a libpq/JDBC/ODBC connection string, a shell or a JSON document.
 */
export const DEFAULT_EXCLUDE_CHARACTERS = ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}';

/** How passwords are generated (PASSWORD_LENGTH, EXCLUDE_CHARACTERS). */
export interface RotationSettings {
  /** Length of generated passwords. */
  readonly passwordLength: number;
  /** Characters that generated passwords never contain. */
  readonly excludeCharacters: string;
}

/** Reads PASSWORD_LENGTH and EXCLUDE_CHARACTERS, failing clearly on bad values. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): RotationSettings {
  const rawLength = env.PASSWORD_LENGTH?.trim();
  // Digits only: Number() would also read "0x20" and "1e2".
  const passwordLength = !rawLength ? 32 : /^\d+$/.test(rawLength) ? Number(rawLength) : NaN;
  if (!Number.isInteger(passwordLength) || passwordLength < 8 || passwordLength > 4096) {
    throw new ConfigurationError(
      `PASSWORD_LENGTH must be a whole number from 8 to 4096, got ${JSON.stringify(rawLength)}; fix the function's environment`,
    );
  }
  return { passwordLength, excludeCharacters: env.EXCLUDE_CHARACTERS ?? DEFAULT_EXCLUDE_CHARACTERS };
}

/** Reads DB_TLS_MODE and DB_TLS_CA_FILE (see TlsSettings), failing clearly on bad values. */
export function tlsSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): TlsSettings {
  const mode = (env.DB_TLS_MODE?.trim().toLowerCase() || 'prefer') as TlsSettings['mode'];
  if (!TLS_MODES.includes(mode)) {
    throw new ConfigurationError(`DB_TLS_MODE must be one of ${TLS_MODES.join(', ')}, got ${JSON.stringify(env.DB_TLS_MODE)}; fix the function's environment`);
  }
  const file = env.DB_TLS_CA_FILE?.trim();
  if (!file) return { mode };
  try {
    return { mode, ca: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new ConfigurationError(`DB_TLS_CA_FILE names ${JSON.stringify(file)}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); ship the CA bundle with the function or fix the path`);
  }
}
