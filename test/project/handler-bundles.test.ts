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

  it.each(bundles.map(({ name }) => name))('%s loads without touching fetch\'s globals (pg\'s Cloudflare Workers check built a Response, loading Node\'s fetch, where there is no navigator)', (name) => {
    // In a child process, as on Node 20: no `navigator`, and each of fetch's
    // globals a getter that notes that it was read (and loads nothing).
    const script = `delete globalThis.navigator;
      const read = [];
      for (const name of ['fetch', 'Response', 'Request', 'Headers', 'FormData']) {
        Object.defineProperty(globalThis, name, { configurable: true, get() { read.push(name); return undefined; } });
      }
      require(${JSON.stringify(join(root, 'dist', 'functions', name, 'index.js'))});
      process.stdout.write(JSON.stringify(read));`;
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { env }).toString())).toEqual([]);
  });
});

describe("mysql2's error table, as the MySQL bundles hold it", () => {
  /** mysql2's table and the one compactErrorTable writes, each as its [key, value] pairs in order, from a child process. */
  function bothTables(): { original: [string, unknown][]; compact: [string, unknown][]; source: string } {
    const script = `import { createRequire } from 'node:module';
      import { compactErrorTable } from ${JSON.stringify(join(root, 'scripts', 'compact-error-table.mjs'))};
      const original = createRequire(import.meta.url)(${JSON.stringify(join(root, 'node_modules', 'mysql2', 'lib', 'constants', 'errors.js'))});
      const source = compactErrorTable(original);
      const compact = {};
      new Function('exports', source)(compact);
      process.stdout.write(JSON.stringify({ original: Object.entries(original), compact: Object.entries(compact), source }));`;
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 16 * 1024 * 1024 }).toString()) as ReturnType<typeof bothTables>;
  }

  it('is mysql2\'s own, every name and code, in the same order, in less than half the text', () => {
    const { original, compact, source } = bothTables();
    expect(original.length).toBeGreaterThan(3000);
    expect(compact).toEqual(original);
    expect(Object.fromEntries(compact)).toMatchObject({ ER_ACCESS_DENIED_ERROR: 1045, 1045: 'ER_ACCESS_DENIED_ERROR' });
    expect(source.length).toBeLessThan(JSON.stringify(original).length / 2);
  });

  it('is what the MySQL bundles hold', () => {
    const { source } = bothTables();
    const names = /const names = ("[^"]*")/.exec(source)![1];
    for (const name of ['mysql-single-user', 'mysql-multi-user']) {
      const { code } = bundles.find((bundle) => bundle.name === name)!;
      expect(code).toContain(names);
      expect(code).not.toContain('ER_ACCESS_DENIED_ERROR=1045');
    }
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
