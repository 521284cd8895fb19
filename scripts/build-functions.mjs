// Bundles each handler in functions/<name>/index.ts into
// dist/functions/<name>/index.js: one CommonJS file with its dependencies
// (the AWS SDK and the database driver pinned by package-lock.json, not the
// Lambda runtime's drifting copy). The output depends only on the source, so
// the Terraform archive built from it is the same on every machine.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const names = readdirSync(join(root, 'functions'))
  .filter((name) => name !== 'shared' && statSync(join(root, 'functions', name)).isDirectory())
  .sort();

for (const name of names) {
  const outdir = join(root, 'dist', 'functions', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: [`functions/${name}/index.ts`],
    outfile: `dist/functions/${name}/index.js`,
    bundle: true,
    platform: 'node',
    // Keep in step with the Lambda runtime that modules/rotation-function.ts deploys.
    target: 'node22',
    format: 'cjs',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    sourcemap: false,
    // Optional native and edge-runtime back ends of `pg`, never used on Lambda.
    external: ['pg-native', 'cloudflare:sockets'],
    logLevel: 'warning',
  });
}
console.log(`bundled ${names.length} handler(s): ${names.join(', ')}`);
