import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ConfigurationError, InvalidSecretError, TargetUnreachableError } from '../../../functions/shared/errors';
import { checkUrl, describeUrl, HttpPolicy, httpPolicyFromEnvironment, sendRequest } from '../../../functions/shared/http-request';

function policyError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    httpPolicyFromEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).name).toBe('ConfigurationError');
    return error as ConfigurationError;
  }
  throw new Error('expected httpPolicyFromEnvironment to throw');
}

describe('httpPolicyFromEnvironment', () => {
  it('allows any host and waits 10 s by default', () => {
    expect(httpPolicyFromEnvironment({})).toEqual({ allowedHosts: [], timeoutMs: 10_000, allowLoopback: true });
  });

  it('treats empty or blank values as unset', () => {
    expect(httpPolicyFromEnvironment({ ALLOWED_HOSTS: '', HTTP_TIMEOUT_MS: '' })).toEqual({ allowedHosts: [], timeoutMs: 10_000, allowLoopback: true });
    expect(httpPolicyFromEnvironment({ ALLOWED_HOSTS: ' , ,', HTTP_TIMEOUT_MS: '   ' })).toEqual({ allowedHosts: [], timeoutMs: 10_000, allowLoopback: true });
  });

  it('reads ALLOWED_HOSTS as a comma-separated list, trimmed, in lower case, without empty entries', () => {
    const { allowedHosts } = httpPolicyFromEnvironment({ ALLOWED_HOSTS: ' API.Vendor.Example , ,*.Other.Example,,localhost,127.0.0.1,[::1], ' });
    expect(allowedHosts).toEqual(['api.vendor.example', '*.other.example', 'localhost', '127.0.0.1', '[::1]']);
  });

  it.each(['https://api.vendor.example', 'api.vendor.example:443', 'api.vendor.example/v1', '*', '*.', '**.vendor.example', 'api.*.example', 'a..b', '-api.example', 'api-.example', 'api_vendor.example', 'user@api.example', '.vendor.example'])(
    'fails when ALLOWED_HOSTS holds %s',
    (host) => {
      const error = policyError({ ALLOWED_HOSTS: `api.vendor.example, ${host}` });
      expect(error.message).toBe(
        `ALLOWED_HOSTS holds ${JSON.stringify(host)}, which is not a host name (or *.domain); list host names only, without scheme, port or path`,
      );
    },
  );

  it('names a bad ALLOWED_HOSTS entry as it was read: trimmed, in lower case', () => {
    expect(policyError({ ALLOWED_HOSTS: '  HTTPS://API.Vendor.Example  ' }).message).toMatch(/^ALLOWED_HOSTS holds "https:\/\/api\.vendor\.example", /);
  });

  it.each([
    ['100', 100],
    ['250', 250],
    [' 5000 ', 5000],
    ['120000', 120_000],
  ])('reads HTTP_TIMEOUT_MS %j as %j ms', (raw, expected) => {
    expect(httpPolicyFromEnvironment({ HTTP_TIMEOUT_MS: raw }).timeoutMs).toBe(expected);
  });

  it.each(['99', '0', '120001', '-5', '1.5', '1e3', '0x100', 'abc', '10s', '5 000'])('fails when HTTP_TIMEOUT_MS is %j', (raw) => {
    const error = policyError({ HTTP_TIMEOUT_MS: raw });
    expect(error.message).toBe(`HTTP_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, got ${JSON.stringify(raw)}; fix the function's environment`);
  });

  it('refuses loopback on Lambda, where it is the Runtime API, and allows it elsewhere', () => {
    const onLambda = httpPolicyFromEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'rotate-keys' });
    expect(onLambda.allowLoopback).toBe(false);
    for (const url of ['http://127.0.0.1:9001/2018-06-01/runtime/invocation/next', 'https://localhost/v1/keys', 'http://[::1]/x']) {
      expect(() => checkUrl(url, 'issue.url', onLambda)).toThrow(/this machine's own address, which is refused on Lambda/);
    }
    expect(checkUrl('http://127.0.0.1:8080/v1/keys', 'issue.url', httpPolicyFromEnvironment({})).port).toBe('8080');
  });

  it.each(['https://169.254.169.254/latest/meta-data/', 'http://169.254.170.2/v2/credentials', 'https://[fe80::1]/x'])('refuses the link-local address of %s', (url) => {
    expect(() => checkUrl(url, 'issue.url', httpPolicyFromEnvironment({}))).toThrow(/a link-local address \(metadata services live there\)/);
  });

  it('reads process.env when no environment is given', () => {
    const saved = { ALLOWED_HOSTS: process.env.ALLOWED_HOSTS, HTTP_TIMEOUT_MS: process.env.HTTP_TIMEOUT_MS };
    try {
      process.env.ALLOWED_HOSTS = 'api.vendor.example';
      process.env.HTTP_TIMEOUT_MS = '1500';
      expect(httpPolicyFromEnvironment()).toEqual({ allowedHosts: ['api.vendor.example'], timeoutMs: 1500, allowLoopback: true });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('describeUrl', () => {
  it('keeps scheme, host, port and path, and drops the query, the fragment and any user information', () => {
    expect(describeUrl(new URL('https://admin:hunter2@api.vendor.example:8443/v1/keys?token=SECRET&a=1#frag'))).toBe('https://api.vendor.example:8443/v1/keys');
  });

  it('omits a default port', () => {
    expect(describeUrl(new URL('https://api.vendor.example:443/v1/me?key=SECRET'))).toBe('https://api.vendor.example/v1/me');
  });
});

describe('checkUrl', () => {
  const policy: HttpPolicy = { allowedHosts: [], timeoutMs: 1000 };

  it('returns the parsed URL, query included', () => {
    expect(checkUrl('https://api.vendor.example/v1/keys?x=1', 'the URL', policy).href).toBe('https://api.vendor.example/v1/keys?x=1');
  });

  it.each([undefined, null, 42, '', { url: 'https://api.vendor.example' }])('fails when the URL is %j', (raw) => {
    expect(() => checkUrl(raw, 'the URL', policy)).toThrow(new InvalidSecretError('the URL must be a URL string'));
  });
});

/** What the test server received. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Route = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

/** A plain HTTP server on a loopback port, answering each request with `route`. */
async function startServer(route: Route): Promise<{ server: Server; origin: string; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      route(req, res, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, port, received };
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

// Generous, so that a loaded machine cannot turn a test of something else into a timeout.
const POLICY: HttpPolicy = { allowedHosts: [], timeoutMs: 10_000 };
/** For the tests of the timeout itself. */
const SHORT: HttpPolicy = { allowedHosts: [], timeoutMs: 200 };

async function sendError(promise: Promise<unknown>): Promise<TargetUnreachableError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TargetUnreachableError);
  expect((error as Error).name).toBe('TargetUnreachableError');
  return error as TargetUnreachableError;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('sendRequest', () => {
  it('sends the method, the headers and a JSON body, and returns the status and the text', async () => {
    const { origin, received } = await startServer((_req, res) => json(res, 201, { data: { id: 'key_2' } }));
    const response = await sendRequest(
      { method: 'POST', url: new URL(`${origin}/v1/keys?scope=all`), headers: { Authorization: 'Bearer admin-key', 'Idempotency-Key': 'token-1' }, body: { name: 'rotation token-1', n: [1, 2] } },
      POLICY,
    );
    expect(response).toEqual({ status: 201, text: '{"data":{"id":"key_2"}}' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/keys?scope=all', body: '{"name":"rotation token-1","n":[1,2]}' });
    expect(received[0].headers).toMatchObject({
      authorization: 'Bearer admin-key',
      'idempotency-key': 'token-1',
      'content-type': 'application/json',
      accept: 'application/json',
    });
  });

  it('sends no body and no content-type without a body', async () => {
    const { origin, received } = await startServer((_req, res) => json(res, 200, {}));
    await sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`), headers: { 'X-Api-Key': 'k' } }, POLICY);
    expect(received[0]).toMatchObject({ method: 'GET', body: '' });
    expect(received[0].headers['content-type']).toBeUndefined();
    expect(received[0].headers['x-api-key']).toBe('k');
  });

  it('returns an error status as a response, for the caller to judge', async () => {
    const { origin } = await startServer((_req, res) => json(res, 404, { error: 'not found' }));
    expect(await sendRequest({ method: 'DELETE', url: new URL(`${origin}/v1/keys/key_9`) }, POLICY)).toEqual({ status: 404, text: '{"error":"not found"}' });
  });

  it('returns an empty text for an empty body', async () => {
    const { origin } = await startServer((_req, res) => res.writeHead(204).end());
    expect(await sendRequest({ method: 'DELETE', url: new URL(`${origin}/v1/keys/key_9`) }, POLICY)).toEqual({ status: 204, text: '' });
  });

  describe('redirects', () => {
    it.each([307, 308])('follows a same-origin %d, repeating the method, the body and the headers', async (status) => {
      const { origin, received } = await startServer((req, res) => {
        if (req.url === '/v1/keys') res.writeHead(status, { location: '/v2/keys?moved=1' }).end();
        else json(res, 201, { ok: true });
      });
      const response = await sendRequest({ method: 'POST', url: new URL(`${origin}/v1/keys`), headers: { Authorization: 'Bearer admin-key' }, body: { name: 'n' } }, POLICY);
      expect(response).toEqual({ status: 201, text: '{"ok":true}' });
      expect(received.map((r) => [r.method, r.url, r.body])).toEqual([
        ['POST', '/v1/keys', '{"name":"n"}'],
        ['POST', '/v2/keys?moved=1', '{"name":"n"}'],
      ]);
      expect(received[1].headers).toMatchObject({ authorization: 'Bearer admin-key', 'content-type': 'application/json' });
    });

    it.each([301, 302, 303])('follows a same-origin %d as a GET without the body', async (status) => {
      const { origin, received } = await startServer((req, res) => {
        if (req.url === '/v1/keys') res.writeHead(status, { location: `${origin}/v1/keys/key_2` }).end();
        else json(res, 200, { ok: true });
      });
      const response = await sendRequest({ method: 'POST', url: new URL(`${origin}/v1/keys`), headers: { Authorization: 'Bearer admin-key' }, body: { name: 'n' } }, POLICY);
      expect(response.status).toBe(200);
      expect(received.map((r) => [r.method, r.url, r.body])).toEqual([
        ['POST', '/v1/keys', '{"name":"n"}'],
        ['GET', '/v1/keys/key_2', ''],
      ]);
      expect(received[1].headers['content-type']).toBeUndefined();
      expect(received[1].headers.authorization).toBe('Bearer admin-key');
    });

    it('follows three same-origin redirects', async () => {
      const { origin, received } = await startServer((req, res) => {
        const hop = Number(req.url!.slice(2));
        if (hop < 3) res.writeHead(302, { location: `/r${hop + 1}` }).end();
        else json(res, 200, { hop });
      });
      expect(await sendRequest({ method: 'GET', url: new URL(`${origin}/r0`) }, POLICY)).toEqual({ status: 200, text: '{"hop":3}' });
      expect(received.map((r) => r.url)).toEqual(['/r0', '/r1', '/r2', '/r3']);
    });

    it('refuses a fourth redirect', async () => {
      const { origin, port, received } = await startServer((req, res) => {
        const hop = Number(req.url!.slice(2, 3));
        res.writeHead(307, { location: `/r${hop + 1}?token=SECRET-IN-QUERY` }).end();
      });
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/r0?token=SECRET-IN-QUERY`) }, POLICY));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/r3 redirected more than 3 times; point the secret at the final URL`);
      expect(received).toHaveLength(4);
    });

    it('does not follow a redirect to another host name, even for the same address', async () => {
      const { origin, port, received } = await startServer((_req, res) => res.writeHead(307, { location: `http://localhost:${port}/v1/keys?token=SECRET-IN-QUERY` }).end());
      const error = await sendError(sendRequest({ method: 'POST', url: new URL(`${origin}/v1/keys?key=SECRET-IN-QUERY`), body: {} }, POLICY));
      expect(error.message).toBe(
        `POST http://127.0.0.1:${port}/v1/keys redirected to http://localhost:${port}; redirects to another origin are not followed (they would carry the credential there); point the secret at the final URL`,
      );
      expect(error.message).not.toContain('SECRET-IN-QUERY');
      expect(received).toHaveLength(1);
    });

    it('does not follow a redirect to another port', async () => {
      const other = await startServer((_req, res) => json(res, 200, {}));
      const { origin, port } = await startServer((_req, res) => res.writeHead(302, { location: `${other.origin}/v1/me` }).end());
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`), headers: { Authorization: 'Bearer k' } }, POLICY));
      expect(error.message).toBe(
        `GET http://127.0.0.1:${port}/v1/me redirected to http://127.0.0.1:${other.port}; redirects to another origin are not followed (they would carry the credential there); point the secret at the final URL`,
      );
      expect(other.received).toEqual([]);
    });

    it('does not follow a redirect to another scheme on the same host', async () => {
      const { origin, port } = await startServer((_req, res) => res.writeHead(301, { location: `https://127.0.0.1:${port}/v1/me` }).end());
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, POLICY));
      expect(error.message).toMatch(new RegExp(`redirected to https://127\\.0\\.0\\.1:${port}; redirects to another origin are not followed`));
    });

    it('fails on a redirect without a Location', async () => {
      const { origin, port } = await startServer((_req, res) => res.writeHead(302).end());
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me?token=SECRET-IN-QUERY`) }, POLICY));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/v1/me answered 302 without a Location`);
    });

    it('returns a 304 as it is', async () => {
      const { origin } = await startServer((_req, res) => res.writeHead(304).end());
      expect(await sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, POLICY)).toEqual({ status: 304, text: '' });
    });
  });

  describe('failures', () => {
    it('gives up when no answer comes within the timeout', async () => {
      const { origin, port } = await startServer(() => undefined);
      const started = Date.now();
      const error = await sendError(sendRequest({ method: 'POST', url: new URL(`${origin}/v1/keys?token=SECRET-IN-QUERY`), body: {} }, SHORT));
      expect(error.message).toBe(`POST http://127.0.0.1:${port}/v1/keys did not answer within 200 ms (HTTP_TIMEOUT_MS)`);
      // Not a speed check: far below anything but the 200 ms given (the default is 10 s).
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('counts the body in the timeout', async () => {
      const { origin, port } = await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":');
      });
      const started = Date.now();
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, SHORT));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/v1/me did not answer within 200 ms (HTTP_TIMEOUT_MS)`);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('counts redirects in the timeout', async () => {
      const { origin, port } = await startServer((req, res) => {
        // Each hop alone is within the timeout; both together are not.
        if (req.url === '/v1/keys') setTimeout(() => res.writeHead(307, { location: '/v2/keys' }).end(), 100);
        else setTimeout(() => json(res, 200, {}), 150);
      });
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/keys`) }, SHORT));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/v2/keys did not answer within 200 ms (HTTP_TIMEOUT_MS)`);
    });

    it('names the system error when the connection is refused, without the query string', async () => {
      const { server, port } = await startServer(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const error = await sendError(sendRequest({ method: 'POST', url: new URL(`http://127.0.0.1:${port}/v1/keys?token=SECRET-IN-QUERY`), body: {} }, POLICY));
      expect(error.message).toBe(`POST http://127.0.0.1:${port}/v1/keys failed (ECONNREFUSED)`);
      expect(error.message).not.toContain('SECRET-IN-QUERY');
    });

    it('names the failure when the server drops the connection', async () => {
      const { origin, port } = await startServer((req) => req.socket.destroy());
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, POLICY));
      expect(error.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/v1/me failed \\([A-Za-z_]+\\)$`));
    });

    it('refuses a response over 1 MiB', async () => {
      const { origin, port } = await startServer((_req, res) => res.writeHead(200).end('x'.repeat(1024 * 1024 + 1)));
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me?token=SECRET-IN-QUERY`) }, POLICY));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/v1/me answered with more than 1048576 bytes; a key API's answer is small, so this is not one`);
    });

    it('accepts a response of exactly 1 MiB', async () => {
      const { origin } = await startServer((_req, res) => res.writeHead(200).end('x'.repeat(1024 * 1024)));
      const response = await sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, POLICY);
      expect(response.text).toHaveLength(1024 * 1024);
    });

    it('refuses an endless response without waiting for its end', async () => {
      const chunk = 'x'.repeat(64 * 1024);
      const { origin, port } = await startServer((_req, res) => {
        res.writeHead(200);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      });
      const error = await sendError(sendRequest({ method: 'GET', url: new URL(`${origin}/v1/me`) }, { allowedHosts: [], timeoutMs: 5000 }));
      expect(error.message).toBe(`GET http://127.0.0.1:${port}/v1/me answered with more than 1048576 bytes; a key API's answer is small, so this is not one`);
    });
  });
});
