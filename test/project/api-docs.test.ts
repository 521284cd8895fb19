import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder } from '../support/files';

/**
 * docs/api is generated from the doc comments of the public entry points
 * (`npm run docs`, configured in typedoc.json) and committed, so a reader on
 * GitHub or in a pull request sees the API reference and how a change moves
 * it. Here TypeDoc writes it afresh into a temporary folder, failing on any
 * warning (an undocumented public member, a broken link, a type that is
 * referenced but not exported), and the result must be docs/api byte for byte.
 */
const root = join(__dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'api-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('docs/api', () => {
  it('is what `npm run docs` writes from the current sources, with no warning', () => {
    const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    try {
      execFileSync(process.execPath, [typedoc, '--treatWarningsAsErrors', '--out', out, '--logLevel', 'Warn'], { cwd: root, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    } catch (error) {
      const { stdout, stderr } = error as { stdout: string; stderr: string };
      throw new Error(`TypeDoc failed: document every public member, then run \`npm run docs\` and commit docs/api\n${stdout}${stderr}`);
    }
    const fresh = filesUnder(out);
    const docs = join(root, 'docs', 'api');
    const committed = existsSync(docs) ? filesUnder(docs) : {};
    const stale = [
      ...Object.keys(fresh).filter((path) => !committed[path]?.equals(fresh[path])),
      ...Object.keys(committed).filter((path) => !fresh[path]),
    ].sort();
    if (stale.length > 0) throw new Error(`docs/api is stale: run \`npm run docs\` and commit docs/api (files that differ: ${stale.join(', ')})`);
  });
});
