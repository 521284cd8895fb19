import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Lints `source` as if it were modules/example.ts and returns ESLint's messages. */
function lint(source: string): Array<{ ruleId: string; message: string }> {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', 'modules/example.ts', '--format', 'json'], {
    cwd: root,
    input: source,
  });
  return JSON.parse(result.stdout.toString())[0].messages;
}

describe('lint rules', () => {
  it.each(['@cdktf/provider-aws', '@cdktf/provider-aws/lib', '@cdktf/provider-aws/lib/index'])('fails when a file imports %s, the provider root', (path) => {
    const messages = lint(`import { AwsProvider } from '${path}';\nexport const p = AwsProvider;\n`);
    expect(messages).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('Import provider classes by deep path') })]);
  });

  it('accepts a deep import of one provider class', () => {
    expect(lint(`import { AwsProvider } from '@cdktf/provider-aws/lib/provider';\nexport const p = AwsProvider;\n`)).toEqual([]);
  });
});
