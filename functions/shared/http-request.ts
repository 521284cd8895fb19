import { ConfigurationError, InvalidSecretError, TargetUnreachableError } from './errors';

/**
 * Where a handler may send HTTP requests, and how long it waits: the rules
 * every call to a third-party API goes through.
 */
export interface HttpPolicy {
  /**
   * Host names requests may go to (ALLOWED_HOSTS): exact names, or
   * `*.example.com` for any subdomain of example.com. Empty: any host.
   */
  readonly allowedHosts: readonly string[];
  /** Time allowed for one request, response body included (HTTP_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /**
   * Whether this machine's own addresses may be called (plain http is
   * allowed only to them). False on Lambda, where loopback is the Runtime
   * API and extensions, never a third-party API. @default true
   */
  readonly allowLoopback?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Same-origin redirects followed per request; one to another origin is never followed. */
const MAX_REDIRECTS = 3;
/** A key-issuing API answers with a small JSON document; more is an error, not something to buffer. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;

/**
 * Reads ALLOWED_HOSTS (comma-separated) and HTTP_TIMEOUT_MS, failing clearly
 * on bad values. Loopback is allowed only off Lambda (no
 * AWS_LAMBDA_FUNCTION_NAME): in tests, and in a local rehearsal.
 */
export function httpPolicyFromEnvironment(env: NodeJS.ProcessEnv = process.env): HttpPolicy {
  const allowedHosts = (env.ALLOWED_HOSTS ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '');
  for (const host of allowedHosts) {
    if (!HOST_PATTERN.test(host)) {
      throw new ConfigurationError(`ALLOWED_HOSTS holds ${JSON.stringify(host)}, which is not a host name (or *.domain); list host names only, without scheme, port or path`);
    }
  }
  const raw = env.HTTP_TIMEOUT_MS?.trim();
  const timeoutMs = !raw ? DEFAULT_TIMEOUT_MS : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new ConfigurationError(`HTTP_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, got ${JSON.stringify(raw)}; fix the function's environment`);
  }
  return { allowedHosts, timeoutMs, allowLoopback: !env.AWS_LAMBDA_FUNCTION_NAME };
}

/** True for the host names that can only mean this machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Link-local addresses: instance and container metadata services, never a third-party API. */
function isLinkLocal(hostname: string): boolean {
  return /^169\.254\.\d{1,3}\.\d{1,3}$/.test(hostname) || /^\[fe[89ab][0-9a-f]:/i.test(hostname);
}

function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return true;
  return allowedHosts.some((allowed) => (allowed.startsWith('*.') ? hostname.endsWith(allowed.slice(1)) : hostname === allowed));
}

/**
 * What is safe to print about a URL: scheme, host, port and path. The query
 * string and any user information may carry credentials, so they never
 * appear in a log line or an error.
 */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Checks a URL from a secret against the policy, before any request: only
 * https (plain http to loopback only, for tests), no credentials in the URL,
 * and a host on the allow-list when there is one. `where` names the secret
 * key, for the message.
 */
export function checkUrl(raw: unknown, where: string, policy: HttpPolicy): URL {
  if (typeof raw !== 'string' || raw === '') throw new InvalidSecretError(`${where} must be a URL string`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidSecretError(`${where} is not an absolute URL; write it as https://host/path`);
  }
  if (url.username || url.password) {
    throw new InvalidSecretError(`${where} carries credentials in the URL; keep the admin credential in its own secret, not in a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidSecretError(`${where} uses the scheme ${url.protocol.replace(':', '')}; only https:// is allowed (plain http:// only to localhost, for tests)`);
  }
  if (isLinkLocal(url.hostname)) {
    throw new InvalidSecretError(`${where} points at ${url.hostname}, a link-local address (metadata services live there); point it at the API's host`);
  }
  if (isLoopback(url.hostname) && policy.allowLoopback === false) {
    throw new InvalidSecretError(`${where} points at ${url.hostname}, this machine's own address, which is refused on Lambda (its Runtime API and extensions listen there); point it at the API's host`);
  }
  if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    throw new InvalidSecretError(`${where} uses ${url.protocol.replace(':', '')}:// on ${url.hostname}; only https:// is allowed (plain http:// only to localhost, for tests)`);
  }
  if (!hostAllowed(url.hostname, policy.allowedHosts)) {
    throw new InvalidSecretError(`${where} points at ${url.hostname}, which ALLOWED_HOSTS (${policy.allowedHosts.join(', ')}) does not list; add the host to the function's allowedHosts, or fix the URL`);
  }
  return url;
}

/** A request for `sendRequest`. */
export interface HttpRequest {
  /** `GET`, `POST`, `PUT`, `DELETE`, ... */
  readonly method: string;
  /** The URL, checked with `checkUrl` first. */
  readonly url: URL;
  /** Request headers, e.g. `authorization`; never logged. @default - none but content-type for a body */
  readonly headers?: Record<string, string>;
  /** A JSON body. @default - no body */
  readonly body?: unknown;
}

/** What `sendRequest` answers. */
export interface HttpResponse {
  /** The HTTP status of the last response (after same-origin redirects). */
  readonly status: number;
  /** The body, unread by anything but the caller: never log it, it may hold a key. */
  readonly text: string;
}

/**
 * Sends a request under the policy: a timeout covering the whole exchange,
 * same-origin redirects only (at most three), a bounded response body. The
 * errors name the method, the URL without its query, and what went wrong,
 * never a header or a body.
 */
export async function sendRequest(request: HttpRequest, policy: HttpPolicy): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let { method, url } = request;
  let body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const what = () => `${method} ${describeUrl(url)}`;
  try {
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
        body,
        redirect: 'manual',
        signal,
      });
      if (response.status < 300 || response.status >= 400 || response.status === 304) {
        return { status: response.status, text: await readBounded(response, what()) };
      }
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new TargetUnreachableError(`${what()} answered ${response.status} without a Location`);
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        throw new TargetUnreachableError(`${what()} redirected to ${next.protocol}//${next.host}; redirects to another origin are not followed (they would carry the credential there); point the secret at the final URL`);
      }
      if (redirects + 1 > MAX_REDIRECTS) throw new TargetUnreachableError(`${what()} redirected more than ${MAX_REDIRECTS} times; point the secret at the final URL`);
      // As browsers do: 307 and 308 repeat the request, the others turn it into a GET.
      if (response.status !== 307 && response.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  } catch (error) {
    if (error instanceof TargetUnreachableError) throw error;
    const name = (error as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new TargetUnreachableError(`${what()} did not answer within ${policy.timeoutMs} ms (HTTP_TIMEOUT_MS)`);
    }
    // fetch's TypeError says only "fetch failed"; the cause has the system error.
    const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
    const code = typeof cause?.code === 'string' ? cause.code : name ?? 'error';
    throw new TargetUnreachableError(`${what()} failed (${code})`);
  }
}

async function readBounded(response: Response, what: string): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new TargetUnreachableError(`${what} answered with more than ${MAX_RESPONSE_BYTES} bytes; a key API's answer is small, so this is not one`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
