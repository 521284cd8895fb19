// Writes the notices of the third-party packages bundled into the handlers:
// their names, versions, licenses and license texts. esbuild drops the
// packages' own license comments from the bundles (legalComments: 'none', so
// the bundles and their zips stay small and byte-stable); this file, shipped
// in the package beside them, carries what those licenses ask to be kept.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/**
 * The package folders (relative to the root) whose code is in the outputs of
 * esbuild metafiles: an input that tree-shaking left nothing of (0 bytes in
 * every output) is not bundled, so its package is not named.
 */
export function bundledPackageDirs(metafiles) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const output of Object.values(metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.split('\\').join('/'));
        if (match && bytesInOutput > 0) dirs.add(match[1]);
      }
    }
  }
  return [...dirs].sort();
}

/** The notices, as Markdown: packages sorted by name, each distinct license text written once. */
export function thirdPartyNotices(root, packageDirs) {
  const packages = packageDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const files = readdirSync(join(root, dir)).filter((name) => LICENSE_FILE.test(name)).sort();
    const text = files.map((name) => readFileSync(join(root, dir, name), 'utf8').replace(/\r\n/g, '\n').trim()).join('\n\n');
    return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'see its text', text };
  });
  packages.sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
  const texts = new Map();
  for (const pkg of packages) {
    if (!pkg.text) continue;
    const id = createHash('sha256').update(pkg.text).digest('hex').slice(0, 12);
    if (!texts.has(id)) texts.set(id, { text: pkg.text, users: [] });
    texts.get(id).users.push(`${pkg.name}@${pkg.version}`);
    pkg.textId = id;
  }
  const lines = [
    '# Third-party notices',
    '',
    'The rotation handlers in `dist/functions/` are bundles: each holds its own code and these packages, at the versions listed. Their licenses follow.',
    '',
    '| package | version | license | text |',
    '|---|---|---|---|',
    ...packages.map((pkg) => `| ${pkg.name} | ${pkg.version} | ${pkg.license} | ${pkg.textId ? `[${pkg.textId}](#text-${pkg.textId})` : 'none shipped with the package'} |`),
  ];
  for (const [id, { text, users }] of texts) {
    lines.push('', `## Text ${id}`, `<a id="text-${id}"></a>`, '', `Used by: ${users.join(', ')}.`, '', '```text', text, '```');
  }
  return `${lines.join('\n')}\n`;
}

