import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries';

/** What a server needs to offer TLS: a certificate and its private key, in PEM. */
export interface ServerCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed certificate made for one test file. It is its own CA, so
 * `certFile` is the bundle a client verifies it against (DB_TLS_CA_FILE).
 */
export interface SelfSignedCertificate extends ServerCertificate {
  readonly certFile: string;
  /** Deletes the files. */
  remove(): void;
}

/** How a test client connects to a database server. */
export interface LoginOptions {
  /**
   * 'encrypt': TLS without checking the certificate (libpq's sslmode=require);
   * 'verify': TLS, checking the chain against `ca` and the host name.
   * @default plain TCP
   */
  readonly tls?: 'encrypt' | 'verify';
  /** PEM bundle for 'verify'. @default Node's bundled CAs */
  readonly ca?: string;
}

export interface SelfSignedCertificateOptions {
  /** @default 'localhost' */
  readonly commonName?: string;
  /** subjectAltName entries, in openssl's syntax. @default ['IP:127.0.0.1', 'DNS:localhost'] */
  readonly altNames?: readonly string[];
}

/**
 * Makes a certificate and key with the `openssl` CLI, valid for two days
 * from now. The default names are those the throwaway servers are reached
 * by, so a client that verifies the host name accepts them.
 */
export function makeSelfSignedCertificate(options: SelfSignedCertificateOptions = {}): SelfSignedCertificate {
  const { commonName = 'localhost', altNames = ['IP:127.0.0.1', 'DNS:localhost'] } = options;
  const dir = mkdtempSync(join(tmpdir(), 'rotation-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      findBinary('openssl', 'install openssl (apt-get install -y openssl)'),
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${altNames.join(',')}`, '-keyout', keyFile, '-out', certFile],
      { stdio: 'pipe' },
    );
    return {
      cert: readFileSync(certFile, 'utf8'),
      key: readFileSync(keyFile, 'utf8'),
      certFile,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes a server's certificate and key into `dir` as server.crt and
 * server.key, the key readable by its owner only (PostgreSQL refuses a key
 * that others can read), both owned by `owner` when given.
 */
export function writeServerCertificate(dir: string, certificate: ServerCertificate, owner?: { uid: number; gid: number }): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  writeFileSync(certFile, certificate.cert, { mode: 0o644 });
  writeFileSync(keyFile, certificate.key, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file, and the umask may narrow it; be explicit.
  chmodSync(keyFile, 0o600);
  if (owner) {
    chownSync(certFile, owner.uid, owner.gid);
    chownSync(keyFile, owner.uid, owner.gid);
  }
  return { certFile, keyFile };
}
