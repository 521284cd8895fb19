import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README shows what users copy. Its complete examples are the files in
 * examples/, which the package test type-checks and synthesizes against the
 * packed package; here, each must stand in the README as it is, and every
 * link to a file of the repository must lead somewhere.
 */
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const EXAMPLES = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.ts')).sort();

describe('README.md', () => {
  it.each(EXAMPLES)('shows examples/%s verbatim in a TypeScript block', (name) => {
    const source = readFileSync(join(root, 'examples', name), 'utf8');
    if (!readme.includes(`\`\`\`ts\n${source}\`\`\`\n`)) {
      throw new Error(`README.md does not show examples/${name} as it is: copy the file into its \`\`\`ts block again`);
    }
  });

  it('links only to files and folders that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((target) => !existsSync(join(root, target)))).toEqual([]);
  });
});
