import * as crypto from 'node:crypto';
// cdktf's own naming (TerraformStack.allocateLogicalId calls it), from its
// private module: the peer range is ^0.21.0, cdktf's last release line.
import { makeUniqueId } from 'cdktf/lib/private/unique';

/** Left out of the path altogether (cdktf's HIDDEN_ID). */
const HIDDEN = 'Default';
/** Left out of the readable part, kept in the hash (cdktf's HIDDEN_FROM_HUMAN_ID). */
const HIDDEN_FROM_HUMAN = 'Resource';
const MAX_HUMAN_LENGTH = 240;

const md5Hex: (text: string) => string =
  // crypto.hash (Node 20.12 and later) is one call; createHash is the same digest for older Nodes.
  typeof crypto.hash === 'function' ? (text) => crypto.hash('md5', text, 'hex') : (text) => crypto.createHash('md5').update(text).digest('hex');

const readable = (component: string) => component.replace(/[^A-Za-z0-9_-]/g, '');

/**
 * The logical ids that cdktf's `makeUniqueId` gives the resources under
 * `path` (construct ids from below the stack down), the path's share of the
 * work done once for all of them: a secret writes five resources under one
 * path, and a synth of 1,000 secrets spent 30 to 48 ms in `makeUniqueId` on
 * 2026-12-06. The rule is cdktf's: ids `Default` are left out; the id is the
 * readable part (the ids stripped of all but `A-Za-z0-9_-` and joined by
 * `_`, leaving out `Resource` and any id that the last id kept ends with; at
 * most 240 characters), `_`, and the first 8 hex digits of the MD5 of the
 * ids joined by `/`, in capitals. A path of one id, or none, is left to
 * `makeUniqueId` itself. test/modules/private/logical-ids.test.ts compares
 * the two over thousands of paths.
 */
export function logicalIdsUnder(path: readonly string[]): (ids: readonly string[]) => string {
  const kept = path.filter((id) => id !== HIDDEN);
  // removeDupes: an id is dropped when the last id kept ends with it.
  const deduped: string[] = [];
  for (const id of kept) if (deduped.length === 0 || !deduped[deduped.length - 1].endsWith(id)) deduped.push(id);
  const human = deduped.filter((id) => id !== HIDDEN_FROM_HUMAN).map(readable);
  const hashed = kept.join('/');
  return (ids) => {
    const below = ids.filter((id) => id !== HIDDEN);
    if (kept.length + below.length <= 1) return makeUniqueId([...kept, ...below]);
    const parts = [...human];
    let last: string | undefined = deduped[deduped.length - 1];
    for (const id of below) {
      if (last !== undefined && last.endsWith(id)) continue;
      last = id;
      if (id !== HIDDEN_FROM_HUMAN) parts.push(readable(id));
    }
    const text = below.length === 0 ? hashed : kept.length === 0 ? below.join('/') : `${hashed}/${below.join('/')}`;
    return `${parts.join('_').slice(0, MAX_HUMAN_LENGTH)}_${md5Hex(text).slice(0, 8).toUpperCase()}`;
  };
}
