import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackModel } from '../synth/model';

/** The top-level blocks of a Terraform JSON file that an address may start with; anything else is a resource type. */
const BLOCKS = new Set(['data', 'variable', 'output', 'locals', 'module', 'provider']);

/**
 * The 1-based line of `text` (a cdk.tf.json) where the block of `address`
 * opens: `aws_kms_key.Key_1234` is the key "Key_1234" inside "aws_kms_key"
 * inside "resource". When part of the address is not found, the line of the
 * deepest part that is; 1 when none is (code scanning needs a line).
 */
export function lineOfAddress(text: string, address: string): number {
  const parts = address.split('.');
  const path = BLOCKS.has(parts[0]) ? parts : ['resource', ...parts];
  const lines = text.split('\n');
  let found = 0;
  let from = 0;
  for (const part of path) {
    const key = new RegExp(`^\\s*${escape(JSON.stringify(part))}\\s*:`);
    const index = lines.findIndex((line, i) => i >= from && key.test(line));
    if (index < 0) break;
    found = index + 1;
    from = index + 1;
  }
  return Math.max(found, 1);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Line lookups for the stacks of one cdktf.out folder, each file read once; a file that cannot be read gives line 1. */
export function lineFinder(dir: string): (stack: StackModel, address: string) => number {
  const texts = new Map<string, string>();
  return (stack, address) => {
    if (!texts.has(stack.file)) {
      let text = '';
      try {
        text = readFileSync(join(dir, stack.file), 'utf8');
      } catch {
        // The reader has read it already; a line number is not worth failing over.
      }
      texts.set(stack.file, text);
    }
    return lineOfAddress(texts.get(stack.file)!, address);
  };
}
