import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProofRanges,
  hashChildren,
  hashLeaf,
  inclusionProofRanges,
  perfectCover,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle.js';

interface InclusionVector {
  file: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  root: string;
  proof: string[];
  wantErr: boolean;
}

interface ConsistencyVector {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
  wantErr: boolean;
}

interface MerkleVectors {
  tree: {
    leafInputsHex: string[];
    leafHashes: string[];
    nodeHashesByLevel: Record<string, string[]>;
    rootBySize: Record<string, string>;
  };
  inclusion: InclusionVector[];
  consistency: ConsistencyVector[];
}

// shared/ sits beside the repository (here /work/shared, in CI a copy beside the clone).
const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/merkle-rfc6962.json', import.meta.url), 'utf8'),
) as MerkleVectors;

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/** MTH straight from the RFC 9162 §2.1.1 definition, as an independent reference. */
function referenceTree(leaves: Buffer[]): {
  mth: (start: number, end: number) => Buffer;
  perfect: (level: number, index: number) => Buffer;
} {
  const memo = new Map<string, Buffer>();
  const mth = (start: number, end: number): Buffer => {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return leaves[start] as Buffer;
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      let k = 1;
      while (k * 2 < n) k *= 2;
      hash = hashChildren(mth(start, start + k), mth(start + k, end));
      memo.set(key, hash);
    }
    return hash;
  };
  const perfect = (level: number, index: number): Buffer => {
    const width = 2 ** level;
    if ((index + 1) * width > leaves.length) throw new Error(`node ${level}/${index} is outside the tree`);
    return mth(index * width, (index + 1) * width);
  };
  return { mth, perfect };
}

/** Small seeded PRNG (mulberry32), so a failing sample can be replayed. */
function prng(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function flipBit(proof: Buffer[], element: number, bit: number): Buffer[] {
  return proof.map((p, i) => {
    if (i !== element) return p;
    const copy = Buffer.from(p);
    copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
    return copy;
  });
}

const leaves = vectors.tree.leafInputsHex.map((h) => hashLeaf(hex(h)));
const reference = referenceTree(leaves);
const buildInclusion = (index: number, size: number, perfect = reference.perfect): Buffer[] =>
  inclusionProofRanges(index, size).map(([start, end]) => rangeHash(start, end, perfect));
const buildConsistency = (size1: number, size2: number, perfect = reference.perfect): Buffer[] =>
  consistencyProofRanges(size1, size2).map(([start, end]) => rangeHash(start, end, perfect));

describe('merkle: RFC 6962 vectors', () => {
  it('hashes every leaf input to its leaf hash', () => {
    expect(leaves.map((h) => h.toString('hex'))).toEqual(vectors.tree.leafHashes);
  });

  it('reproduces every perfect node hash by level from the leaves', () => {
    for (const [levelText, hashes] of Object.entries(vectors.tree.nodeHashesByLevel)) {
      hashes.forEach((want, index) => {
        expect(reference.perfect(Number(levelText), index).toString('hex'), `level ${levelText} index ${index}`).toBe(want);
      });
    }
  });

  it('reproduces every root by size via CompactRange and via rangeHash', () => {
    const fromVectors = (level: number, index: number): Buffer =>
      hex(vectors.tree.nodeHashesByLevel[String(level)]?.[index] ?? '');
    const range = CompactRange.empty();
    expect(range.root().toString('hex')).toBe(vectors.tree.rootBySize['0']);
    for (let size = 1; size <= leaves.length; size += 1) {
      range.append(leaves[size - 1] as Buffer);
      const want = vectors.tree.rootBySize[String(size)];
      expect(range.root().toString('hex'), `size ${size}`).toBe(want);
      expect(rangeHash(0, size, fromVectors).toString('hex'), `size ${size}`).toBe(want);
    }
    expect(EMPTY_ROOT.toString('hex')).toBe(vectors.tree.rootBySize['0']);
  });

  describe('inclusion', () => {
    for (const v of vectors.inclusion) {
      it(`${v.file}: ${v.wantErr ? 'rejected' : 'verifies and is rebuilt byte for byte'}`, () => {
        const proof = v.proof.map(hex);
        expect(verifyInclusion(hex(v.leafHash), v.leafIndex, v.treeSize, proof, hex(v.root))).toBe(!v.wantErr);
        if (!v.wantErr) {
          expect(buildInclusion(v.leafIndex, v.treeSize).map((h) => h.toString('hex'))).toEqual(v.proof);
        }
      });
    }
  });

  describe('consistency', () => {
    for (const v of vectors.consistency) {
      it(`${v.file}: ${v.wantErr ? 'rejected' : 'verifies and is rebuilt byte for byte'}`, () => {
        const proof = v.proof.map(hex);
        expect(verifyConsistency(v.size1, v.size2, proof, hex(v.root1), hex(v.root2))).toBe(!v.wantErr);
        if (!v.wantErr) {
          expect(buildConsistency(v.size1, v.size2).map((h) => h.toString('hex'))).toEqual(v.proof);
        }
      });
    }
  });
});

describe('merkle: ranges and covers', () => {
  it('covers a range with aligned perfect subtrees, largest first', () => {
    expect(perfectCover(0, 0)).toEqual([]);
    expect(perfectCover(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(perfectCover(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(perfectCover(4, 8)).toEqual([{ level: 2, index: 1 }]);
  });

  it('refuses ranges that do not occur in the RFC recursion', () => {
    expect(() => perfectCover(1, 4)).toThrow(RangeError);
    expect(() => perfectCover(5, 3)).toThrow(RangeError);
    expect(() => rangeHash(3, 3, reference.perfect)).toThrow(RangeError);
    expect(() => rangeHash(0, 8, () => Buffer.alloc(31))).toThrow(/level 3 index 0/);
  });

  it('asks the store only for the nodes perfectCover names', () => {
    const asked: string[] = [];
    rangeHash(4, 7, (level, index) => {
      asked.push(`${level}/${index}`);
      return reference.perfect(level, index);
    });
    expect(asked.sort()).toEqual(perfectCover(4, 7).map(({ level, index }) => `${level}/${index}`).sort());
  });

  it('validates proof arguments with RangeError', () => {
    expect(() => inclusionProofRanges(8, 8)).toThrow(/leaf index 8 is not in a tree of size 8/);
    expect(() => inclusionProofRanges(-1, 8)).toThrow(RangeError);
    expect(() => inclusionProofRanges(0, 0)).toThrow(RangeError);
    expect(() => inclusionProofRanges(0.5, 8)).toThrow(RangeError);
    expect(() => consistencyProofRanges(0, 8)).toThrow(RangeError);
    expect(() => consistencyProofRanges(9, 8)).toThrow(/size1 9 is larger than size2 8/);
    expect(consistencyProofRanges(8, 8)).toEqual([]);
  });

  it('verifiers return false, never throw, on malformed input', () => {
    const root = reference.mth(0, 8);
    const proof = buildInclusion(0, 8);
    expect(verifyInclusion(leaves[0] as Buffer, 0, 8, proof, root)).toBe(true);
    expect(verifyInclusion(Buffer.alloc(31), 0, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[0] as Buffer, 0, 8, [...proof.slice(0, 2), Buffer.alloc(33)], root)).toBe(false);
    expect(verifyInclusion(leaves[0] as Buffer, 0, 8, proof.slice(0, 2), root)).toBe(false);
    expect(verifyInclusion(leaves[0] as Buffer, -1, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[0] as Buffer, 0, Number.NaN, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[0] as Buffer, 0, 8, null as unknown as Buffer[], root)).toBe(false);
    const root6 = reference.mth(0, 6);
    const cproof = buildConsistency(6, 8);
    expect(verifyConsistency(6, 8, cproof, root6, root)).toBe(true);
    expect(verifyConsistency(6, 8, cproof, root6.subarray(1), root)).toBe(false);
    expect(verifyConsistency(6, 8, [...cproof, Buffer.alloc(32)], root6, root)).toBe(false);
    expect(verifyConsistency(8, 6, cproof, root, root6)).toBe(false);
    expect(verifyConsistency(8, 8, cproof, root, root)).toBe(false);
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(false);
  });
});

describe('merkle: CompactRange', () => {
  it('restores from its nodes and keeps appending to the same roots', () => {
    const range = CompactRange.empty();
    for (const leaf of leaves.slice(0, 5)) range.append(leaf);
    const restored = CompactRange.fromNodes(5, range.nodes().map((n) => n.hash));
    expect(restored.nodes()).toEqual(range.nodes());
    restored.append(leaves[5] as Buffer);
    expect(restored.size).toBe(6);
    expect(restored.root().toString('hex')).toBe(vectors.tree.rootBySize['6']);
    expect(CompactRange.fromNodes(0, []).root()).toEqual(EMPTY_ROOT);
    expect(() => CompactRange.fromNodes(5, [leaves[0] as Buffer])).toThrow(/2 frontier nodes, got 1/);
    expect(() => range.append(Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('merkle: properties on trees up to 300 leaves', () => {
  const maxSize = 300;
  const random = prng(6962);
  const bigLeaves = Array.from({ length: maxSize }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
  const big = referenceTree(bigLeaves);

  // Failures are collected and asserted once: tens of thousands of expect() calls
  // would dominate the run time.
  it('every inclusion proof verifies; a flipped bit or another index fails', () => {
    const failures: string[] = [];
    for (let size = 1; size <= maxSize; size += 1) {
      const root = big.mth(0, size);
      for (let index = 0; index < size; index += 1) {
        const leaf = bigLeaves[index] as Buffer;
        const proof = buildInclusion(index, size, big.perfect);
        if (!verifyInclusion(leaf, index, size, proof, root)) failures.push(`inclusion ${index} in ${size} rejected`);
        // Tampering is checked on a sample: every index of 1 size in 10, then one in 8.
        if (size % 10 !== 0 && random(8) !== 0) continue;
        for (let element = 0; element < proof.length; element += 1) {
          if (verifyInclusion(leaf, index, size, flipBit(proof, element, random(256)), root)) {
            failures.push(`inclusion ${index} in ${size}: flipped element ${element} accepted`);
          }
        }
        const other = (index + 1 + random(size - 1)) % size;
        if (size > 1 && verifyInclusion(leaf, other, size, proof, root)) {
          failures.push(`inclusion ${index} in ${size}: accepted at index ${other}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('sampled consistency proofs verify; a flipped bit or another size1 fails', () => {
    const pairs: Array<[number, number]> = [];
    for (let size2 = 1; size2 <= 40; size2 += 1) for (let size1 = 1; size1 <= size2; size1 += 1) pairs.push([size1, size2]);
    for (let i = 0; i < 3000; i += 1) {
      const size2 = 1 + random(maxSize);
      pairs.push([1 + random(size2), size2]);
    }
    const failures: string[] = [];
    for (const [size1, size2] of pairs) {
      const root1 = big.mth(0, size1);
      const root2 = big.mth(0, size2);
      const proof = buildConsistency(size1, size2, big.perfect);
      if (!verifyConsistency(size1, size2, proof, root1, root2)) failures.push(`consistency ${size1} → ${size2} rejected`);
      for (let element = 0; element < proof.length; element += 1) {
        if (verifyConsistency(size1, size2, flipBit(proof, element, random(256)), root1, root2)) {
          failures.push(`consistency ${size1} → ${size2}: flipped element ${element} accepted`);
        }
      }
      for (const other of [size1 - 1, size1 + 1]) {
        if (verifyConsistency(other, size2, proof, root1, root2)) {
          failures.push(`consistency ${size1} → ${size2}: accepted as size1 ${other}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('CompactRange.append returns exactly the perfect nodes each leaf completes', () => {
    const range = CompactRange.empty();
    for (let size = 1; size <= maxSize; size += 1) {
      const completed = range.append(bigLeaves[size - 1] as Buffer);
      // The nodes of level ≥ 1 whose last leaf is this one: they end at `size`.
      const expected = [];
      for (let level = 1; size % 2 ** level === 0; level += 1) {
        const index = size / 2 ** level - 1;
        expected.push({ level, index, hash: big.perfect(level, index) });
      }
      expect(completed, `append #${size}`).toEqual(expected);
      // The highest of them (if any) is the newest frontier node of perfectCover(0, size).
      const cover = perfectCover(0, size);
      if (expected.length > 0) expect(cover.at(-1)).toEqual({ level: expected.at(-1)?.level, index: expected.at(-1)?.index });
      expect(range.nodes()).toEqual(cover.map(({ level, index }) => ({ level, index, hash: big.perfect(level, index) })));
      expect(range.root()).toEqual(big.mth(0, size));
    }
  });
});
