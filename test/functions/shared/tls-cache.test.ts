import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { perCaBundle, secureContextFor } from '../../../functions/shared/tls-cache';
import { makeSelfSignedCertificate, SelfSignedCertificate } from '../../support/tls';

describe('perCaBundle', () => {
  it('makes one value per CA bundle, and one for Node’s bundled roots, on first use', () => {
    const make = jest.fn((ca: string | undefined) => ({ ca }));
    const forBundle = perCaBundle(make);
    expect(make).not.toHaveBeenCalled();
    expect(forBundle('bundle A')).toBe(forBundle('bundle A'));
    expect(forBundle(undefined)).toBe(forBundle(undefined));
    expect(forBundle('bundle B')).not.toBe(forBundle('bundle A'));
    expect(make.mock.calls).toEqual([['bundle A'], [undefined], ['bundle B']]);
  });
});

describe('secureContextFor', () => {
  let certificate: SelfSignedCertificate;
  beforeAll(() => {
    certificate = makeSelfSignedCertificate();
  });
  afterAll(() => certificate.remove());

  /** A TLS handshake with a server holding the self-signed certificate; resolves the error, if any. */
  async function handshake(ca: string | undefined): Promise<Error | undefined> {
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: true, secureContext: secureContextFor(ca) });
      // events.once rejects on 'error', which is the outcome wanted here.
      const outcome = await once(socket, 'secureConnect').then(() => undefined, (error: Error) => error);
      socket.destroy();
      return outcome;
    } finally {
      server.close();
    }
  }

  it('returns the same context for the same bundle, another for another', () => {
    expect(secureContextFor(certificate.cert)).toBe(secureContextFor(certificate.cert));
    expect(secureContextFor(undefined)).toBe(secureContextFor(undefined));
    expect(secureContextFor(certificate.cert)).not.toBe(secureContextFor(undefined));
  });

  it('trusts the certificates of its bundle, and verification still runs on every connection', async () => {
    expect(await handshake(certificate.cert)).toBeUndefined();
    expect(await handshake(certificate.cert)).toBeUndefined();
    expect((await handshake(undefined))?.message).toMatch(/self[- ]signed certificate/);
  });
});
