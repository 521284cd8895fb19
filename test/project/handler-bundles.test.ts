import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How scripts/build-functions.mjs bundles the built-in handlers (Jest's
 * global setup has just run it): the AWS SDK from its ES module builds, so
 * that esbuild drops what no handler reaches, and the notices naming only
 * the packages whose code is in a bundle. The handlers' behaviour is tested
 * through these same bundles in test/functions.
 */
const root = join(__dirname, '..', '..');
const bundles = readdirSync(join(root, 'dist', 'functions')).map((name) => ({
  name,
  code: readFileSync(join(root, 'dist', 'functions', name, 'index.js'), 'utf8'),
}));

/** Runs scripts/third-party-notices.mjs's bundledPackageDirs on `metafiles` in a child process (Jest's sandbox loads no ES modules). */
function bundledPackageDirs(metafiles: unknown[]): string[] {
  const script = `import { bundledPackageDirs } from ${JSON.stringify(join(root, 'scripts', 'third-party-notices.mjs'))};
    process.stdout.write(JSON.stringify(bundledPackageDirs(${JSON.stringify(metafiles)})));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString()) as string[];
}

describe('the built-in handler bundles', () => {
  it('are built, one per handler', () => {
    expect(bundles.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['http-api-key', 'mysql-multi-user', 'mysql-single-user', 'postgres-multi-user', 'postgres-single-user', 'redshift-multi-user', 'redshift-single-user']),
    );
  });

  it.each(bundles.map(({ name }) => name))('%s loads its Node modules with require, never import() (the SDK\'s ES builds have some; Jest\'s sandbox and other CommonJS loaders have no import())', (name) => {
    const { code } = bundles.find((bundle) => bundle.name === name)!;
    expect(code.match(/\bimport\(/g) ?? []).toEqual([]);
    expect(code).toContain('require("node:http")');
  });

  it.each(bundles.map(({ name }) => name))('%s holds none of the SDK\'s code for other protocols or browsers (CBOR, bowser)', (name) => {
    const { code } = bundles.find((bundle) => bundle.name === name)!;
    // Strings of @smithy/core's CBOR codec and of bowser, a browser user-agent
    // parser; both were bundled while the SDK came from its CommonJS builds.
    expect(code).not.toContain('AwsSmithyRpcV2CborProtocol');
    expect(code).not.toContain('Bowser');
    // The JSON protocol that Secrets Manager speaks is there.
    expect(code).toContain('AwsJson1_1Protocol');
  });
});

describe('the third-party notices', () => {
  const metafile = (inputs: Record<string, number>) => ({
    inputs: Object.fromEntries(Object.keys(inputs).map((path) => [path, { bytes: 1, imports: [] }])),
    outputs: { 'dist/functions/x/index.js': { bytes: 1, inputs: Object.fromEntries(Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }])) } },
  });

  it('name the packages with code in a bundle, scoped or not, and not those that tree-shaking left nothing of', () => {
    expect(
      bundledPackageDirs([
        metafile({
          'node_modules/pg/lib/client.js': 120,
          'node_modules/@smithy/core/dist-es/index.js': 0,
          'node_modules/@smithy/core/dist-es/submodules/serde/index.js': 40,
          'node_modules/bowser/es5.js': 0,
          'functions/postgres-single-user/index.ts': 300,
        }),
        metafile({ 'node_modules/mysql2/node_modules/lru-cache/index.js': 7 }),
      ]),
    ).toEqual(['node_modules/@smithy/core', 'node_modules/mysql2/node_modules/lru-cache', 'node_modules/pg']);
  });
});
