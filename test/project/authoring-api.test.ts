import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../../emulator';
import { bundleEntry } from '../../modules/private/bundle-entry';
import { USER_HANDLER } from '../support/user-handler';

/**
 * The authoring API as a user gets it: `cdktf-secret-rotation/rotation`,
 * resolved through the package's `exports` (and `typesVersions`, for
 * TypeScript's older `node` resolution), type-checked, bundled by
 * `RotationFunction({ entry })`'s bundler and run against the emulator.
 *
 * The package is laid out as npm would install it, under
 * node_modules/.cache of this checkout, so that the AWS SDK the API needs
 * resolves from the checkout's node_modules as from a user's.
 */
const root = join(__dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
const work = mkdtempSync(join(root, 'node_modules', '.cache', 'authoring-api-'));
const installed = join(work, 'node_modules', 'cdktf-secret-rotation');
const handlerFile = join(work, 'app', 'handler.ts');
const readmeExample = join(work, 'app', 'service-token.ts');

/** The README's complete example handler: the TypeScript block after its introduction. */
function readmeExampleSource(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const intro = readme.indexOf('A complete handler, `rotation/service-token.ts`');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(intro));
  if (intro < 0 || !block) throw new Error('README.md no longer has the complete example handler after "A complete handler, `rotation/service-token.ts`"');
  return block[1];
}

beforeAll(() => {
  // What \`npm run build\` compiles for the subpath: functions/rotation.ts and what it imports.
  execFileSync(process.execPath, [
    tsc, '--outDir', join(installed, 'dist', 'lib'), '--rootDir', root, '--declaration', '--module', 'commonjs', '--target', 'ES2022',
    '--strict', '--esModuleInterop', '--skipLibCheck', '--types', 'node', join(root, 'functions', 'rotation.ts'),
  ]);
  copyFileSync(join(root, 'package.json'), join(installed, 'package.json'));
  mkdirSync(join(work, 'app'));
  writeFileSync(handlerFile, USER_HANDLER);
  writeFileSync(readmeExample, readmeExampleSource());
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cdktf-secret-rotation/rotation', () => {
  it.each(['node', 'node16'])('type-checks handlers that import it (one, and the README\'s example), with moduleResolution %s', (resolution) => {
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--target', 'ES2022', '--moduleResolution', resolution, '--module', resolution === 'node' ? 'commonjs' : 'node16', handlerFile, readmeExample];
    expect(() => execFileSync(process.execPath, [tsc, ...args], { cwd: work, encoding: 'utf8' })).not.toThrow();
  });

  it('exports only what its entry file lists, and nothing from deep paths', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.exports)).toEqual(['.', './rotation', './emulator', './package.json']);
    // Node's own resolution, as a user's program would do it (Jest's resolver is not Node's).
    const resolve = (specifier: string) => execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(specifier)})`], { cwd: join(work, 'app'), encoding: 'utf8', stdio: 'pipe' }).trim();
    expect(resolve('cdktf-secret-rotation/rotation')).toBe(join(installed, 'dist', 'lib', 'functions', 'rotation.js'));
    expect(() => resolve('cdktf-secret-rotation/dist/lib/functions/shared/protocol.js')).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it('bundles the README\'s example', () => {
    expect(readFileSync(join(bundleEntry(readmeExample), 'index.js'), 'utf8')).toContain('service-token');
  });

  it('bundles into a handler that rotates a secret', async () => {
    const bundle = join(bundleEntry(handlerFile), 'index.js');
    const emulator = await startEmulator();
    const saved = { ...process.env };
    Object.assign(process.env, { SECRETS_MANAGER_ENDPOINT: emulator.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
    const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const lines: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      let handler: ((event: unknown) => Promise<void>) | undefined;
      jest.isolateModules(() => {
        handler = require(bundle).handler;
      });
      const first = 'first-token-0123456789';
      const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'user/token', SecretString: JSON.stringify({ token: first, owner: 'team-a' }) }));
      const token = await emulator.beginRotation(ARN!);
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await handler!({ Step, SecretId: ARN, ClientRequestToken: token });
      const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString!);
      expect(current).toEqual({ token: expect.any(String), owner: 'team-a' });
      expect(current.token).not.toBe(first);
      expect(lines.map((line) => JSON.parse(line).handler)).toContain('user-token');
      expect(lines.join('\n')).not.toContain(current.token);
      expect(lines.join('\n')).not.toContain(first);
    } finally {
      jest.restoreAllMocks();
      process.env = saved;
      sm.destroy();
      await emulator.stop();
    }
  });
});
