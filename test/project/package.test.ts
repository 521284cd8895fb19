import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { packageHandler } from '../../modules/private/handler-package';
import { USER_HANDLER } from '../support/user-handler';

/**
 * The package as a Terraform shop gets it from a registry. `npm pack` runs in
 * a copy of the sources (its `prepack` cleans and builds, as `npm publish`
 * would), and the tarball is installed into a fresh cdktf app together with
 * the lowest version of each peer dependency's range, from the npm registry
 * (through npm's cache): nothing comes from this checkout's node_modules. The
 * app is type-checked against the installed typings, synthesized, and
 * checked with the installed CLI. This catches a file missing from `files`,
 * a wrong path to the built handlers, and a dependency that is only a
 * devDependency.
 */
const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'package-test-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', manifest.name);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Top-level entries of the checkout that are not sources of the package (and would be left out of a clean clone's pack anyway). */
const NOT_SOURCES = new Set(['.git', 'node_modules', 'dist', 'cdktf.out', 'test', 'bench', 'coverage', '.scratch', 'docs']);

/** The lowest version a range admits: the first version in it (`^21.0.0`, `>=0.25.0 <1.0.0`). */
function floor(range: string): string {
  const version = /\d+\.\d+\.\d+/.exec(range);
  if (!version) throw new Error(`cannot tell the lowest version of the range ${range}`);
  return version[0];
}

/** The version package-lock.json pins for a package this checkout installs. */
function locked(name: string): string {
  return JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages[`node_modules/${name}`].version;
}

/** The environment of npm and node children: no lifecycle variables of the `npm test` that runs Jest. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle|config_(global|prefix|local_prefix))/i.test(key)));
  return { ...env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, env: cleanEnv(), encoding: 'utf8', stdio: 'pipe' });
}

/** Runs a command in the app; its status and both outputs, whatever the status. */
function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: app, env: cleanEnv(), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Type-checks and compiles the app's TypeScript with the installed typings only: strict, and no skipLibCheck. */
function compile(...files: string[]): void {
  const result = run(process.execPath, [tsc, '--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'ES2022', '--outDir', 'out', ...files]);
  if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
}

const STACK = `
import { App, Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RotatedSecret, RotationFunction } from '${manifest.name}';

class Database extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const password = new TerraformVariable(this, 'db_password', { type: 'string', sensitive: true });
    password.addOverride('ephemeral', true);
    const rotation = RotationFunction.postgresSingleUser(this, 'PostgresRotation');
    new RotatedSecret(this, 'AppCredential', {
      name: 'prod/app/postgres',
      initialValue: Fn.jsonencode({ engine: 'postgres', host: 'db.internal', port: 5432, dbname: 'app', username: 'app', password: password.stringValue }),
      rotation: { function: rotation, automaticallyAfterDays: 30 },
    });
  }
}

const app = new App({ outdir: 'main.out' });
new Database(app, 'database');
app.synth();
`;

const ENTRY_STACK = `
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { RotationFunction } = require('${manifest.name}');
const app = new App({ outdir: 'entry.out' });
const stack = new TerraformStack(app, 'entry');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new RotationFunction(stack, 'Token', { entry: 'rotation/token.ts' });
app.synth();
`;

/** The README's complete examples (examples/*.ts), each a cdktf app of one stack. */
const EXAMPLES = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.ts')).sort();

interface PackedFile {
  readonly path: string;
}
let packed: PackedFile[];
let tarball: string;

beforeAll(() => {
  const sources = join(work, 'sources');
  mkdirSync(sources);
  for (const entry of readdirSync(root)) if (!NOT_SOURCES.has(entry)) cpSync(join(root, entry), join(sources, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(sources, 'node_modules'), 'dir');
  // prepack's build writes its progress to stdout too; npm's JSON report is the last thing printed.
  const output = npm(['pack', '--json', '--pack-destination', work], sources);
  const [report] = JSON.parse(output.slice(output.search(/^\[/m)));
  packed = report.files;
  tarball = join(work, report.filename);

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  const peers = ['cdktf', 'constructs', '@cdktf/provider-aws'].map((name) => `${name}@${floor(manifest.peerDependencies[name])}`);
  npm(['install', tarball, ...peers], app);
  writeFileSync(join(app, 'main.ts'), STACK);
  cpSync(join(root, 'examples'), join(app, 'examples'), { recursive: true });
}, 240_000);

describe('the packed package', () => {
  const paths = () => packed.map((file) => file.path);

  it('holds the built library, every built-in handler, the CLI, the emulator and the documents', () => {
    expect(paths()).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md',
      'dist/lib/modules/index.js', 'dist/lib/modules/index.d.ts', 'dist/lib/functions/rotation.js', 'dist/lib/functions/rotation.d.ts',
      'dist/lib/emulator/index.js', 'dist/lib/emulator/index.d.ts', 'dist/lib/cli/main.js',
      'dist/THIRD-PARTY-NOTICES.md',
      ...readdirSync(join(root, 'functions')).filter((name) => name !== 'shared' && !name.endsWith('.ts')).map((name) => `dist/functions/${name}/index.js`),
    ]));
    for (const target of [manifest.main, manifest.types, ...Object.values(manifest.bin as Record<string, string>)]) expect(paths()).toContain(target);
  });

  it('names the third-party packages bundled into the handlers, with their versions and licenses', () => {
    const notices = readFileSync(join(installed, 'dist', 'THIRD-PARTY-NOTICES.md'), 'utf8');
    for (const name of ['pg', 'mysql2', '@aws-sdk/client-secrets-manager', '@smithy/core']) {
      expect(notices).toMatch(new RegExp(`^\\| ${name.replace(/[/@]/g, '\\$&')} \\| ${locked(name).replace(/\./g, '\\.')} \\| (MIT|Apache-2\\.0) \\|`, 'm'));
    }
    expect(notices).toContain('Permission is hereby granted, free of charge');
    expect(notices).toContain('Apache License');
  });

  it('leaves out tests, reference stacks, benchmarks, sources and unbundled handlers', () => {
    const unwanted = paths().filter((path) =>
      /^(test|bench|stacks|scripts|examples|docs|modules|functions|cli|emulator)\//.test(path) || path.startsWith('dist/lib/stacks/') ||
      (path.endsWith('.ts') && !path.endsWith('.d.ts')) || path.endsWith('.map') || /^dist\/lib\/functions\/[^/]+-[^/]+\//.test(path));
    expect(unwanted).toEqual([]);
  });

  it('requires at run time only its own files, Node\'s modules, its dependencies and its peer dependencies', () => {
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const path of paths().filter((p) => p.startsWith('dist/lib/') && p.endsWith('.js'))) {
      const code = readFileSync(join(installed, path), 'utf8');
      for (const [, specifier] of code.matchAll(/\brequire\("([^"]+)"\)/g)) {
        if (specifier.startsWith('.')) {
          const target = join(path, '..', specifier);
          if (![`${target}.js`, join(target, 'index.js'), target].some((candidate) => paths().includes(candidate))) problems.push(`${path}: ${specifier} is not in the package`);
          continue;
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!builtins.has(specifier.replace(/^node:/, '')) && !declared.has(name)) problems.push(`${path}: ${specifier} is not a dependency or peer dependency`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('a cdktf app that installs it', () => {
  it('installs it with nothing of this checkout: no esbuild, no AWS SDK, the peers at their lowest versions', () => {
    const version = (name: string) => JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
    for (const peer of ['cdktf', 'constructs', '@cdktf/provider-aws']) expect(version(peer)).toBe(floor(manifest.peerDependencies[peer]));
    expect(existsSync(join(app, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', '@aws-sdk'))).toBe(false);
  });

  it('type-checks a stack and the README\'s examples against the installed typings, and synthesizes the stack with the shipped handler', () => {
    compile('main.ts', ...EXAMPLES.map((name) => join('examples', name)));
    const synth = run(process.execPath, ['out/main.js']);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);

    const stack = JSON.parse(readFileSync(join(app, 'main.out', 'stacks', 'database', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining([
      'aws_secretsmanager_secret', 'aws_secretsmanager_secret_rotation', 'aws_lambda_function', 'aws_iam_role_policy', 'aws_cloudwatch_metric_alarm',
    ]));
    const [fn] = Object.values(stack.resource.aws_lambda_function) as Array<{ filename: string; source_code_hash: string; handler: string }>;
    expect(fn.handler).toBe('index.handler');
    const zip = readFileSync(join(app, 'main.out', 'stacks', 'database', fn.filename));
    expect(fn.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
    // The archive holds the bundle the package ships, which is byte for byte
    // the one this checkout builds: the same hash wherever it is installed.
    const shipped = readFileSync(join(installed, 'dist', 'functions', 'postgres-single-user', 'index.js'));
    expect(Buffer.from(unzipSync(zip)['index.js']).equals(shipped)).toBe(true);
    expect(fn.source_code_hash).toBe(packageHandler('postgres-single-user', join(root, 'dist', 'functions', 'postgres-single-user')).sourceCodeHash);
  });

  it.each(EXAMPLES)('synthesizes the README\'s example %s', (name) => {
    const outdir = join(app, 'cdktf.out', 'stacks');
    const before = new Set(existsSync(outdir) ? readdirSync(outdir) : []);
    const synth = run(process.execPath, [join('out', 'examples', name.replace(/\.ts$/, '.js'))]);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const added = readdirSync(outdir).filter((stack) => !before.has(stack));
    expect(added).toHaveLength(1);
    const stack = JSON.parse(readFileSync(join(outdir, added[0], 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource).length).toBeGreaterThan(1);
  });

  it('runs the installed secret-rotation: --help, and check on the app\'s synth', () => {
    const help = run(join(app, 'node_modules', '.bin', 'secret-rotation'), ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: secret-rotation <command>/);
    for (const command of ['plan', 'check', 'rehearse', 'rollback', 'emulator']) expect(help.stdout).toContain(command);

    const check = run(join(app, 'node_modules', '.bin', 'secret-rotation'), ['check', '--dir', 'main.out', '--format', 'json']);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ findings: [] });
  });

  it('starts the emulator from its subpath export', () => {
    const script = `require('${manifest.name}/emulator').startEmulator({ port: 0 }).then(async (e) => { console.log(e.endpoint); await e.stop(); })`;
    const result = run(process.execPath, ['-e', script]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('fails a synth with entry clearly while esbuild is missing, and bundles it once esbuild, the AWS SDK and Node\'s typings are installed', () => {
    mkdirSync(join(app, 'rotation'), { recursive: true });
    writeFileSync(join(app, 'rotation', 'token.ts'), USER_HANDLER);
    writeFileSync(join(app, 'entry.js'), ENTRY_STACK);
    const missing = run(process.execPath, ['entry.js']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('InvalidPropError: entry "rotation/token.ts" needs esbuild to bundle it, and esbuild is not installed; run `npm install --save-dev esbuild`');

    npm(['install', `esbuild@${floor(manifest.peerDependencies.esbuild)}`, `@aws-sdk/client-secrets-manager@${locked('@aws-sdk/client-secrets-manager')}`, `@types/node@${locked('@types/node')}`], app);
    compile(join('rotation', 'token.ts'));
    const synth = run(process.execPath, ['entry.js']);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const assets = join(app, 'entry.out', 'stacks', 'entry', 'assets');
    const [zipDir] = readdirSync(assets);
    const [hashDir] = readdirSync(join(assets, zipDir));
    const bundle = Buffer.from(unzipSync(readFileSync(join(assets, zipDir, hashDir, 'entry-Token.zip')))['index.js']).toString('utf8');
    expect(bundle).toContain('user-token');
    // The installed AWS SDK taken from its ES module builds, as the built-in handlers take it.
    expect(bundle).not.toContain('AwsSmithyRpcV2CborProtocol');
    expect(bundle).toContain('AwsJson1_1Protocol');
  });
});
