import { Fn, Token } from 'cdktf';
import { checkInteger, InvalidPropError, isKnown, show } from './validation';

/** The props that become environment variables, and what decides which of them apply. */
export interface EnvironmentProps {
  readonly handler?: string;
  readonly entry?: string;
  readonly timeout?: number;
  readonly passwordLength?: number;
  readonly excludeCharacters?: string;
  readonly allowedHosts?: string[];
  readonly httpTimeoutMs?: number;
  readonly environment?: Record<string, string>;
}

/** The variables the construct sets itself, each from its prop: `environment` may not set them. */
const OWN_VARIABLES: Record<string, string> = {
  PASSWORD_LENGTH: 'passwordLength',
  EXCLUDE_CHARACTERS: 'excludeCharacters',
  SECRETS_MANAGER_ENDPOINT: 'secretsManagerEndpoint',
  ALLOWED_HOSTS: 'allowedHosts',
  HTTP_TIMEOUT_MS: 'httpTimeoutMs',
  ADMIN_SECRET_ARNS: 'rotation.adminSecret (http-api-key)',
};

/** Lambda's rule for a variable name. */
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]+$/;
/** Names Lambda sets (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, LAMBDA_TASK_ROOT, ...) or reserves. */
const RESERVED_NAME = /^(AWS|LAMBDA)_/;
/**
 * A host name or `*.domain` (or a bracketed IPv6 address), as the handlers
 * read ALLOWED_HOSTS (functions/shared/http-request.ts): keep the two in step,
 * so a list the construct accepts never fails the function at load time.
 */
const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/i;
const DEFAULT_TIMEOUT_SECONDS = 30;

/** Fails on an environment prop that is invalid, or that the chosen handler would never read. */
export function checkEnvironmentProps(props: EnvironmentProps): void {
  const makesHttpCalls = props.handler === 'http-api-key' || props.entry !== undefined;
  for (const prop of ['allowedHosts', 'httpTimeoutMs'] as const) {
    if (props[prop] !== undefined && !makesHttpCalls) {
      throw new InvalidPropError(`${prop} is read only by the http-api-key handler and by your own (entry); the ${props.handler} handler makes no HTTP calls, so leave ${prop} out`);
    }
  }
  const hosts = props.allowedHosts;
  if (isKnown(hosts)) {
    if (hosts.length === 0) throw new InvalidPropError('allowedHosts must name at least one host, got []; leave it out to let the secret point at any host (over https)');
    const bad = hosts.find((host) => isKnown(host) && !HOST.test(host));
    if (bad !== undefined) {
      throw new InvalidPropError(`allowedHosts must hold host names such as "api.example.com" or "*.example.com", without scheme, port or path, got ${show(bad)}`);
    }
  }
  checkInteger('httpTimeoutMs', props.httpTimeoutMs, 100, 120_000);
  const timeout = props.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (isKnown(props.httpTimeoutMs) && isKnown(timeout) && props.httpTimeoutMs >= timeout * 1000) {
    throw new InvalidPropError(
      `httpTimeoutMs must be less than the function's timeout (${timeout} s), got ${show(props.httpTimeoutMs)}; raise timeout or lower httpTimeoutMs, so that a slow request fails with its own error before Lambda stops the step`,
    );
  }
  checkUserEnvironment(props);
}

function checkUserEnvironment(props: EnvironmentProps): void {
  const environment = props.environment;
  if (environment === undefined) return;
  if (props.entry === undefined) {
    throw new InvalidPropError(`environment is for your own handler (entry); the ${props.handler} handler reads only the variables that its props set`);
  }
  if (Token.isUnresolved(environment)) return;
  for (const name of Object.keys(environment)) {
    if (!VARIABLE_NAME.test(name)) {
      throw new InvalidPropError(`environment names must be letters, digits and underscores, starting with a letter and at least two characters long, got ${show(name)}`);
    }
    if (Object.hasOwn(OWN_VARIABLES, name)) {
      throw new InvalidPropError(`environment may not set ${name}, which the construct sets from ${OWN_VARIABLES[name]}; use that prop`);
    }
    if (RESERVED_NAME.test(name)) throw new InvalidPropError(`environment may not set ${name}: Lambda sets or reserves the AWS_* and LAMBDA_* variables`);
  }
}

/**
 * The function's variables: the user's own and those the construct sets
 * (which the checks keep apart). Undefined when there are none, so that no
 * empty block is written.
 */
export function functionEnvironment(props: EnvironmentProps, secretsManagerEndpoint: string | undefined): Record<string, string> | undefined {
  const hosts = props.allowedHosts;
  const own: Record<string, string> = {
    ...(props.passwordLength !== undefined ? { PASSWORD_LENGTH: String(props.passwordLength) } : {}),
    ...(props.excludeCharacters !== undefined ? { EXCLUDE_CHARACTERS: props.excludeCharacters } : {}),
    ...(secretsManagerEndpoint !== undefined ? { SECRETS_MANAGER_ENDPOINT: secretsManagerEndpoint } : {}),
    ...(hosts !== undefined ? { ALLOWED_HOSTS: Token.isUnresolved(hosts) ? Fn.join(',', hosts) : hosts.join(',') } : {}),
    ...(props.httpTimeoutMs !== undefined ? { HTTP_TIMEOUT_MS: String(props.httpTimeoutMs) } : {}),
  };
  const user = props.environment;
  // A map known only to Terraform (a variable) is merged there; ours come last and win.
  if (user !== undefined && Token.isUnresolved(user)) return Fn.merge([user, own]) as unknown as Record<string, string>;
  const variables = { ...user, ...own };
  return Object.keys(variables).length > 0 ? variables : undefined;
}
