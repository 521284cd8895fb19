import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** What the next matching request gets instead of a proper answer. */
export type FailureMode =
  /** HTTP 500. */
  | 'error'
  /** No answer at all (the handler's timeout must fire). */
  | 'hang'
  /** Does the work (issues, revokes), then never answers: a crash or timeout after the API acted. */
  | 'act-then-hang'
  /** HTTP 200 with a body that is not JSON. */
  | 'garbage'
  /** A redirect to another host. */
  | 'redirect-away';

export type Endpoint = 'issue' | 'register' | 'test' | 'revoke';

export interface IssuedKey {
  readonly id: string;
  readonly key: string;
  revoked: boolean;
  /** The Idempotency-Key it was issued under, if any. */
  readonly idempotencyKey?: string;
}

export interface RecordedRequest {
  readonly endpoint: Endpoint | 'other';
  readonly method: string;
  readonly path: string;
  readonly at: number;
}

/**
 * A third-party API that issues, checks and revokes keys, on a loopback
 * port: what the http-api-key handler talks to in tests.
 * - POST /v1/keys with the admin key issues a key: {"data":{"id","secret"}};
 *   a repeated Idempotency-Key returns the key issued under it;
 * - GET /v1/me answers 200 to a valid key, 401 otherwise;
 * - PUT /v1/keys/<id> with the admin key and {"secret"} registers a key the
 *   client chose (again with the same secret: 200; with another: 409);
 * - DELETE /v1/keys/<id> with the admin key revokes it (404 if unknown or already revoked).
 * `failNext` makes requests to an endpoint fail in a chosen way.
 */
export class FakeKeyApi {
  readonly keys: IssuedKey[] = [];
  readonly requests: RecordedRequest[] = [];
  private failures: Array<{ endpoint: Endpoint; mode: FailureMode; remaining: number }> = [];
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  constructor(readonly adminKey = `admin-${randomBytes(16).toString('hex')}`) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Issues a key directly, as an operator would for a secret's first value. */
  issueDirectly(): IssuedKey {
    const key: IssuedKey = { id: `key_${this.keys.length + 1}`, key: `live-${randomBytes(24).toString('base64url')}`, revoked: false };
    this.keys.push(key);
    return key;
  }

  /** The next `times` requests to `endpoint` fail as `mode` says. */
  failNext(endpoint: Endpoint, mode: FailureMode, times = 1): void {
    this.failures.push({ endpoint, mode, remaining: times });
  }

  /** Keys that still authenticate. */
  validKeys(): string[] {
    return this.keys.filter((k) => !k.revoked).map((k) => k.key);
  }

  isValid(key: string | undefined): boolean {
    return this.keys.some((k) => k.key === key && !k.revoked);
  }

  count(endpoint: Endpoint): number {
    return this.requests.filter((r) => r.endpoint === endpoint).length;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const endpoint: Endpoint | 'other' =
      req.method === 'POST' && path === '/v1/keys' ? 'issue' : req.method === 'GET' && path === '/v1/me' ? 'test' : req.method === 'DELETE' && path.startsWith('/v1/keys/') ? 'revoke'
      : req.method === 'PUT' && path.startsWith('/v1/keys/') ? 'register' : 'other';
    this.requests.push({ endpoint, method: req.method ?? '', path, at: Date.now() });
    const failure = endpoint === 'other' ? undefined : this.failures.find((f) => f.endpoint === endpoint && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      this.failures = this.failures.filter((f) => f.remaining > 0);
      if (failure.mode === 'hang') return; // never answered; the socket is destroyed at stop()
      if (failure.mode === 'error') return void this.send(res, 500, { error: 'internal error' });
      if (failure.mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html>Service Unavailable</html>');
      }
      if (failure.mode === 'redirect-away') {
        res.writeHead(307, { location: `http://localhost:${this.port}${path}` });
        return void res.end();
      }
      // act-then-hang: fall through, do the work, answer nothing.
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const answer = (status: number, body?: unknown) => (failure?.mode === 'act-then-hang' ? undefined : this.send(res, status, body));

    if (endpoint === 'issue') {
      if (bearer !== this.adminKey) return answer(401, { error: 'unauthorized' });
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      const earlier = idempotencyKey ? this.keys.find((k) => k.idempotencyKey === idempotencyKey) : undefined;
      const key = earlier ?? { ...this.issueDirectly(), ...(idempotencyKey ? { idempotencyKey } : {}) };
      if (!earlier) this.keys[this.keys.length - 1] = key;
      return answer(201, { data: { id: key.id, secret: key.key } });
    }
    if (endpoint === 'register') {
      if (bearer !== this.adminKey) return answer(401, { error: 'unauthorized' });
      let secret: unknown;
      try {
        secret = JSON.parse(Buffer.concat(chunks).toString('utf8')).secret;
      } catch {
        return answer(400, { error: 'body is not JSON' });
      }
      if (typeof secret !== 'string' || secret.length < 16) return answer(400, { error: 'secret must be a string of 16 characters or more' });
      const id = decodeURIComponent(path.slice('/v1/keys/'.length));
      const existing = this.keys.find((k) => k.id === id);
      if (existing) return existing.key === secret && !existing.revoked ? answer(200, { data: { id } }) : answer(409, { error: 'conflict' });
      this.keys.push({ id, key: secret, revoked: false });
      return answer(201, { data: { id } });
    }
    if (endpoint === 'test') return answer(this.isValid(bearer) ? 200 : 401, { ok: this.isValid(bearer) });
    if (endpoint === 'revoke') {
      if (bearer !== this.adminKey) return answer(401, { error: 'unauthorized' });
      const key = this.keys.find((k) => k.id === decodeURIComponent(path.slice('/v1/keys/'.length)));
      if (!key || key.revoked) return answer(404, { error: 'no such key' });
      key.revoked = true;
      return answer(204);
    }
    this.send(res, 404, { error: 'not found' });
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

/** The http-api-key secret value for a key of `api`, with `overrides` merged in. */
export function apiKeySecret(api: FakeKeyApi, key: IssuedKey, adminSecretArn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiKey: key.key,
    keyId: key.id,
    adminSecretArn,
    issue: { url: `${api.origin}/v1/keys`, body: { name: 'rotation {token}' }, keyPath: 'data.secret', keyIdPath: 'data.id' },
    test: { url: `${api.origin}/v1/me` },
    revoke: { url: `${api.origin}/v1/keys/{keyId}` },
    gracePeriodSeconds: 0,
    ...overrides,
  };
}
