import { join } from 'node:path';
import { TerraformVariable } from 'cdktf';
import { RotationFunction, RotationFunctionProps } from '../../modules';
import { httpPolicyFromEnvironment } from '../../functions/shared/http-request';
import { only, synth } from '../support/synth';

const ENTRY = join(__dirname, '..', 'fixtures', 'token-rotation', 'index.ts');

/**
 * The function's environment variables, or undefined when it has none;
 * without the empty ADMIN_SECRET_ARNS of an http-api-key function granted no
 * admin secret (tested on its own below).
 */
const variables = (props: Partial<RotationFunctionProps>): Record<string, string> | undefined => {
  const json = synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'http-api-key', ...props } as RotationFunctionProps));
  const { ADMIN_SECRET_ARNS, ...rest } = (only(json, 'aws_lambda_function').environment as { variables: Record<string, string> } | undefined)?.variables ?? {};
  if (props.entry === undefined) expect(ADMIN_SECRET_ARNS).toBe('');
  return Object.keys(rest).length > 0 ? rest : undefined;
};

describe('RotationFunction for HTTP APIs: allowedHosts and httpTimeoutMs', () => {
  it('lets an http-api-key function call any host, with the handler\'s own 10 s timeout, by default', () => {
    expect(variables({})).toBeUndefined();
  });

  it('sets ALLOWED_HOSTS and HTTP_TIMEOUT_MS from allowedHosts and httpTimeoutMs', () => {
    expect(variables({ allowedHosts: ['api.vendor.example', '*.keys.vendor.example'], httpTimeoutMs: 5000 })).toEqual({
      ALLOWED_HOSTS: 'api.vendor.example,*.keys.vendor.example',
      HTTP_TIMEOUT_MS: '5000',
    });
  });

  it('lists the secrets an http-api-key function may take its admin credential from in ADMIN_SECRET_ARNS, as they are granted', () => {
    const json = synth((scope) => {
      const fn = RotationFunction.httpApiKey(scope, 'Rotation');
      fn.grantRead({ secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:vendor/admin-AbCdEf' });
      fn.grantRead({ secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:other/admin-GhIjKl' });
    });
    expect((only(json, 'aws_lambda_function').environment as { variables: Record<string, string> }).variables).toEqual({
      ADMIN_SECRET_ARNS: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:vendor/admin-AbCdEf,arn:aws:secretsmanager:eu-west-1:111122223333:secret:other/admin-GhIjKl',
    });
  });

  it('joins a list that only Terraform knows (a variable) in Terraform', () => {
    const json = synth((scope) => {
      const hosts = new TerraformVariable(scope, 'hosts', { type: 'list(string)' });
      RotationFunction.httpApiKey(scope, 'Rotation', { allowedHosts: hosts.listValue });
    });
    expect((only(json, 'aws_lambda_function').environment as { variables: Record<string, string> }).variables).toEqual({ ALLOWED_HOSTS: '${join(",", var.hosts)}', ADMIN_SECRET_ARNS: '' });
  });

  it('takes both for your own handler (entry) too', () => {
    expect(variables({ handler: undefined, entry: ENTRY, allowedHosts: ['tokens.vendor.example'], httpTimeoutMs: 2000 })).toEqual({
      ALLOWED_HOSTS: 'tokens.vendor.example',
      HTTP_TIMEOUT_MS: '2000',
    });
  });

  it('accepts exactly the host lists that the handlers accept', () => {
    const accepted = ['api.vendor.example', '*.vendor.example', 'API.Vendor.Example', 'localhost', '127.0.0.1', '[::1]'];
    expect(variables({ allowedHosts: accepted })).toEqual({ ALLOWED_HOSTS: accepted.join(',') });
    expect(httpPolicyFromEnvironment({ ALLOWED_HOSTS: accepted.join(',') }).allowedHosts).toHaveLength(accepted.length);
    for (const refused of REFUSED_HOSTS) expect(() => httpPolicyFromEnvironment({ ALLOWED_HOSTS: refused })).toThrow('is not a host name');
  });

  const REFUSED_HOSTS = ['https://api.vendor.example', 'api.vendor.example:443', 'api.vendor.example/v1', 'api vendor', '*', 'api.*.example', '-api.example'];

  it.each(REFUSED_HOSTS)('fails when allowedHosts holds %j', (host) => {
    expect(() => variables({ allowedHosts: ['api.vendor.example', host] })).toThrow(
      `allowedHosts must hold host names such as "api.example.com" or "*.example.com", without scheme, port or path, got ${JSON.stringify(host)}`,
    );
  });

  it.each([
    [{ allowedHosts: [] }, 'allowedHosts must name at least one host, got []; leave it out to let the secret point at any host (over https)'],
    [{ httpTimeoutMs: 99 }, 'httpTimeoutMs must be a whole number from 100 to 120000, got 99'],
    [{ httpTimeoutMs: 120001, timeout: 900 }, 'httpTimeoutMs must be a whole number from 100 to 120000, got 120001'],
    [{ httpTimeoutMs: 1500.5 }, 'httpTimeoutMs must be a whole number from 100 to 120000, got 1500.5'],
    [{ httpTimeoutMs: 30000 }, "httpTimeoutMs must be less than the function's timeout (30 s), got 30000; raise timeout or lower httpTimeoutMs"],
    [{ httpTimeoutMs: 10000, timeout: 10 }, "httpTimeoutMs must be less than the function's timeout (10 s), got 10000"],
    [{ handler: 'postgres-single-user', allowedHosts: ['api.vendor.example'] }, 'allowedHosts is read only by the http-api-key handler and by your own (entry); the postgres-single-user handler makes no HTTP calls, so leave allowedHosts out'],
    [{ handler: 'mysql-multi-user', httpTimeoutMs: 5000 }, 'httpTimeoutMs is read only by the http-api-key handler and by your own (entry); the mysql-multi-user handler makes no HTTP calls'],
  ] as Array<[Partial<RotationFunctionProps>, string]>)('fails when given %j', (props, message) => {
    expect(() => variables(props)).toThrow(message);
  });

  it('takes a longer timeout for a longer httpTimeoutMs', () => {
    expect(variables({ httpTimeoutMs: 60000, timeout: 90 })).toEqual({ HTTP_TIMEOUT_MS: '60000' });
  });
});

describe('RotationFunction environment, for your own handler', () => {
  const custom = (environment: Record<string, string>, props: Partial<RotationFunctionProps> = {}) => variables({ handler: undefined, entry: ENTRY, environment, ...props });

  it('adds the given variables to the ones the construct sets', () => {
    const env = custom({ LOG_LEVEL: 'debug', VENDOR_REGION: 'eu' }, { passwordLength: 40, allowedHosts: ['tokens.vendor.example'] });
    expect(env).toEqual({ LOG_LEVEL: 'debug', VENDOR_REGION: 'eu', PASSWORD_LENGTH: '40', ALLOWED_HOSTS: 'tokens.vendor.example' });
  });

  it('merges a map that only Terraform knows (a variable) in Terraform, the construct\'s variables last', () => {
    const json = synth((scope) => {
      const extra = new TerraformVariable(scope, 'extra', { type: 'map(string)' });
      new RotationFunction(scope, 'Rotation', { entry: ENTRY, environment: extra.value, passwordLength: 40 });
    });
    expect((only(json, 'aws_lambda_function').environment as { variables: unknown }).variables).toBe('${merge(var.extra, {"PASSWORD_LENGTH" = "40"})}');
  });

  it.each([
    [{ X: '1' }, 'environment names must be letters, digits and underscores, starting with a letter and at least two characters long, got "X"'],
    [{ '1ST': '1' }, 'got "1ST"'],
    [{ 'VENDOR-REGION': 'eu' }, 'got "VENDOR-REGION"'],
    [{ _HANDLER: 'x' }, 'got "_HANDLER"'],
    [{ PASSWORD_LENGTH: '12' }, 'environment may not set PASSWORD_LENGTH, which the construct sets from passwordLength; use that prop'],
    [{ ALLOWED_HOSTS: 'evil.example' }, 'environment may not set ALLOWED_HOSTS, which the construct sets from allowedHosts; use that prop'],
    [{ SECRETS_MANAGER_ENDPOINT: 'https://x' }, 'environment may not set SECRETS_MANAGER_ENDPOINT, which the construct sets from secretsManagerEndpoint'],
    [{ AWS_REGION: 'eu-west-1' }, 'environment may not set AWS_REGION: Lambda sets or reserves the AWS_* and LAMBDA_* variables'],
    [{ LAMBDA_TASK_ROOT: '/tmp' }, 'environment may not set LAMBDA_TASK_ROOT: Lambda sets or reserves'],
  ])('fails when environment is %j', (environment, message) => {
    expect(() => custom(environment)).toThrow(message);
  });

  it('fails when environment is given to a built-in handler', () => {
    expect(() => variables({ environment: { LOG_LEVEL: 'debug' } })).toThrow(
      'environment is for your own handler (entry); the http-api-key handler reads only the variables that its props set',
    );
  });
});
