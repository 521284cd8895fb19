import { createSecureContext, SecureContext } from 'node:tls';

/**
 * One value per CA bundle (`undefined`: Node's bundled roots), made on first
 * use and kept for the life of the process. A TLS secure context parses
 * every certificate of its CA bundle when it is built: for a bundle the size
 * of RDS's, tens of milliseconds, which building it per connection attempt
 * would spend several times per rotation step. What is cached holds only
 * public certificates, never a credential.
 */
export function perCaBundle<T>(make: (ca: string | undefined) => T): (ca: string | undefined) => T {
  // Keyed by the bundle's text: one DB_TLS_CA_FILE gives one string per process.
  const made = new Map<string | undefined, T>();
  return (ca) => {
    if (!made.has(ca)) made.set(ca, make(ca));
    return made.get(ca)!;
  };
}

/**
 * The secure context that verifies against `ca`, as tls.connect would build
 * it from `{ ca }`, built once per bundle. Verification still happens on
 * every connection (rejectUnauthorized, the host name check): only the
 * parsed certificate store is shared.
 */
export const secureContextFor: (ca: string | undefined) => SecureContext = perCaBundle((ca) => createSecureContext(ca ? { ca } : {}));
