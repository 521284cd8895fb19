import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Testing, TerraformStack } from 'cdktf';
import { unzipSync } from 'fflate';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { startEmulator } from '../../emulator';
import { RotatedSecret, RotationFunction } from '../../modules';
import { bundleEntry } from '../../modules/private/bundle-entry';
import { only, synth } from '../support/synth';

const ENTRY = join(__dirname, '..', 'fixtures', 'token-rotation', 'index.ts');
const work = mkdtempSync(join(tmpdir(), 'entry-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const custom = (entry = ENTRY) => synth((scope) => new RotationFunction(scope, 'Rotation', { entry, functionName: 'rotate-tokens' }));

/** The bundle inside the synthesized zip of a function built from ENTRY. */
function bundledCode(): Buffer {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new RotationFunction(stack, 'Rotation', { entry: ENTRY, functionName: 'rotate-tokens' });
  const outdir = Testing.fullSynth(stack);
  const lambda = only(readFileSync(join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8'), 'aws_lambda_function');
  const zip = readFileSync(join(outdir, 'stacks', 'test', lambda.filename as string));
  expect(lambda.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
  const files = unzipSync(zip);
  expect(Object.keys(files)).toEqual(['index.js']);
  return Buffer.from(files['index.js']);
}

describe('RotationFunction with your own entry', () => {
  it('bundles the entry at synth into the same kind of archive, the same bytes every time', () => {
    const first = only(custom(), 'aws_lambda_function');
    const second = only(custom(), 'aws_lambda_function');
    expect(first.filename).toMatch(/\/rotate-tokens\.zip$/);
    expect(first.source_code_hash).toBe(second.source_code_hash);
    expect(first).toMatchObject({ handler: 'index.handler', runtime: 'nodejs22.x', description: 'Rotates Secrets Manager secrets (custom: index.ts)' });
  });

  it('bundles the AWS SDK from its ES module builds, as the built-in handlers are bundled: only what the handler reaches, and no import()', () => {
    const code = bundledCode().toString();
    // Strings of @smithy/core's CBOR codec and of bowser, a browser
    // user-agent parser, which the SDK's CommonJS client brings along.
    expect(code).not.toContain('AwsSmithyRpcV2CborProtocol');
    expect(code).not.toContain('Bowser');
    expect(code).toContain('AwsJson1_1Protocol');
    expect(code.match(/\bimport\(/g) ?? []).toEqual([]);
    expect(code).toContain('require("node:http")');
  });

  it('bundles with the options of the built-in handlers: http-api-key\'s source gives its built bundle, byte for byte', () => {
    // scripts/build-functions.mjs and bundleEntry each write esbuild's
    // options; http-api-key reaches no package that the build script's
    // plugins change, so the two must agree on everything else.
    const root = join(__dirname, '..', '..');
    const bundled = readFileSync(join(bundleEntry(join(root, 'functions', 'http-api-key', 'index.ts')), 'index.js'));
    expect(bundled.equals(readFileSync(join(root, 'dist', 'functions', 'http-api-key', 'index.js')))).toBe(true);
  });

  it('gives another archive when the entry changes', () => {
    const changed = join(work, 'changed.ts');
    writeFileSync(changed, `${readFileSync(ENTRY, 'utf8').replace(/\.\.\/\.\.\/\.\.\/functions/g, join(__dirname, '..', '..', 'functions'))}\nexport const version = 2;\n`);
    expect(only(custom(changed), 'aws_lambda_function').source_code_hash).not.toBe(only(custom(), 'aws_lambda_function').source_code_hash);
  });

  it('deploys a handler that really rotates a secret', async () => {
    const emulator = await startEmulator();
    const saved = { ...process.env };
    Object.assign(process.env, { SECRETS_MANAGER_ENDPOINT: emulator.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
    const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const file = join(work, 'bundle.js');
      writeFileSync(file, bundledCode());
      let handler: ((event: unknown) => Promise<void>) | undefined;
      jest.spyOn(console, 'log').mockImplementation(() => undefined);
      jest.isolateModules(() => {
        handler = require(file).handler;
      });
      const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'tokens/one', SecretString: JSON.stringify({ token: 'first-token-0123456789' }) }));
      const token = await emulator.beginRotation(ARN!);
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await handler!({ Step, SecretId: ARN, ClientRequestToken: token });
      const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString!);
      expect(current.token).toHaveLength(32);
      expect(current.token).not.toBe('first-token-0123456789');
    } finally {
      jest.restoreAllMocks();
      process.env = saved;
      sm.destroy();
      await emulator.stop();
    }
  });

  it('accepts a master secret and an admin secret, which it may read', () => {
    const json = synth((scope) => {
      const fn = new RotationFunction(scope, 'Rotation', { entry: ENTRY });
      new RotatedSecret(scope, 'Db', { rotation: { function: fn, masterSecret: { secretArn: 'arn:master' }, adminSecret: { secretArn: 'arn:admin' } } });
    });
    const statements = Object.values(JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: Array<{ sid?: string }> }>).flatMap((d) => d.statement);
    expect(statements.find((s) => s.sid === 'ReadSecrets')).toEqual({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: ['arn:master', 'arn:admin'] });
  });

  it('fails when the entry does not exist', () => {
    expect(() => custom('no/such/handler.ts')).toThrow(
      /^entry "no\/such\/handler\.ts" does not exist \(resolved from .*\); give the path of a \.ts or \.js file that exports handler$/,
    );
  });

  it('fails when the entry does not build, saying where', () => {
    const broken = join(work, 'broken.ts');
    writeFileSync(broken, 'export const handler = async (event: unknown) => {\n  return event +;\n};\n');
    expect(() => custom(broken)).toThrow(/^entry ".*broken\.ts" does not build: broken\.ts:2:\d+: .+; fix the file and synthesize again$/);
  });

  it('takes an SDK package from its ES module build only where esbuild would find that package: a tsconfig paths alias still wins', () => {
    const project = join(work, 'aliased');
    const pkg = join(project, 'node_modules', '@smithy', 'aliased');
    for (const dir of [join(project, 'shim'), join(pkg, 'dist-es'), join(pkg, 'dist-cjs')]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@smithy/aliased': ['shim/aliased.ts'] } } }));
    writeFileSync(join(project, 'shim', 'aliased.ts'), "export const from = 'the-shim';\n");
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@smithy/aliased', main: 'dist-cjs/index.js', module: 'dist-es/index.js' }));
    writeFileSync(join(pkg, 'dist-es', 'index.js'), "export const from = 'the-es-build';\n");
    writeFileSync(join(pkg, 'dist-cjs', 'index.js'), "exports.from = 'the-commonjs-build';\n");
    writeFileSync(join(project, 'index.ts'), "import { from } from '@smithy/aliased';\nexport const handler = async () => from;\n");
    const aliased = readFileSync(join(bundleEntry(join(project, 'index.ts')), 'index.js'), 'utf8');
    expect(aliased).toContain('the-shim');
    // Without the alias, the package's ES module build.
    rmSync(join(project, 'tsconfig.json'));
    const plain = readFileSync(join(bundleEntry(join(project, 'index.ts')), 'index.js'), 'utf8');
    expect([plain.includes('the-es-build'), plain.includes('the-commonjs-build')]).toEqual([true, false]);
  });

  it('fails saying so when esbuild itself fails, and bundles again once it works', () => {
    const broken = join(work, 'broken-esbuild.js');
    writeFileSync(broken, "throw new Error('this esbuild cannot load');\n");
    expect(() => bundleEntry(ENTRY, broken)).toThrow(/^entry ".*index\.ts" could not be bundled: esbuild failed: this esbuild cannot load$/);
    // The bundling thread is started again for the next entry.
    expect(readFileSync(join(bundleEntry(ENTRY), 'index.js')).length).toBeGreaterThan(100_000);
  });

  it('fails when given both a built-in handler and an entry, or neither', () => {
    expect(() => synth((scope) => new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', entry: ENTRY }))).toThrow(
      'give handler (a built-in handler) or entry (the path of your own), exactly one',
    );
    expect(() => synth((scope) => new RotationFunction(scope, 'Rotation', {}))).toThrow('give handler (a built-in handler) or entry');
  });
});
