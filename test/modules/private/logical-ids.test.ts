import { makeUniqueId } from 'cdktf/lib/private/unique';
import { logicalIdsUnder } from '../../../modules/private/logical-ids';

// Construct ids that take each branch of cdktf's rule: empty, left out (Default),
// left out of the readable part (Resource), stripped to nothing or to part of
// themselves, ending with or equal to their neighbours (removeDupes), long
// enough to reach the 240-character limit, and plain ones.
const IDS = [
  '',
  'Default',
  'Resource',
  'A',
  'AB',
  'B',
  'BB',
  'Key',
  'EncryptionKey',
  'Secret',
  'DbSecret',
  'a-b',
  'a.b',
  'x y',
  '_',
  '-',
  '..',
  'Ünïcödé',
  '日本',
  'Rotation',
  'S3',
  'Default2',
  'Resources',
  'r'.repeat(120),
  'Q'.repeat(250),
];

/** A repeatable sequence of pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pathOf(next: () => number, maxLength: number): string[] {
  return Array.from({ length: Math.floor(next() * (maxLength + 1)) }, () => IDS[Math.floor(next() * IDS.length)]);
}

describe('logicalIdsUnder', () => {
  it("gives cdktf's makeUniqueId id for every split of 5,000 pseudo-random paths into a scope and the ids below it", () => {
    const next = random(20261206);
    let compared = 0;
    const differences: string[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const path = pathOf(next, 6);
      for (let split = 0; split <= path.length; split += 1) {
        const scope = path.slice(0, split);
        const ids = path.slice(split);
        let expected: string;
        try {
          expected = makeUniqueId(path);
        } catch {
          // No id left once Default is left out: cdktf's own error, below.
          continue;
        }
        compared += 1;
        const actual = logicalIdsUnder(scope)(ids);
        if (actual !== expected) differences.push(`${JSON.stringify(scope)} + ${JSON.stringify(ids)}: ${actual} instead of ${expected}`);
      }
    }
    expect(differences.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(15000);
  });

  it('gives the ids of the resources a secret writes, one scope for all of them', () => {
    const ids = logicalIdsUnder(['Databases', 'Default', 'OrdersSecret']);
    for (const below of [['EncryptionKey'], ['EncryptionKeyPolicy'], ['Resource'], ['ResourcePolicy'], ['Rotation', 'Resource']]) {
      expect(ids(below)).toBe(makeUniqueId(['Databases', 'Default', 'OrdersSecret', ...below]));
    }
    expect(ids(['Resource'])).toBe('Databases_OrdersSecret_1EE41D33');
  });

  it('leaves a path of one id to makeUniqueId (no hash) and fails as it does on a path of none', () => {
    expect(logicalIdsUnder(['Default'])(['Only'])).toBe('Only');
    expect(logicalIdsUnder([])(['a.b'])).toBe('ab');
    expect(() => logicalIdsUnder(['Default'])(['Default'])).toThrow(makeUniqueIdError());
  });
});

function makeUniqueIdError(): string {
  try {
    makeUniqueId([]);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('makeUniqueId([]) did not fail');
}
