import * as crypto from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree: hashing, proof building and proof checking as pure
 * functions (the Trillian / transparency-dev split). Storage lives elsewhere: a store
 * keeps *perfect* subtree hashes (aligned power-of-two blocks of leaves), and every
 * hash a proof needs is computed from a few of them, so nothing here does I/O.
 *
 * Sizes and indices are JavaScript numbers, exact up to 2^53; shifts are written as
 * division because the `>>` operator truncates to 32 bits.
 */

const HASH_LENGTH = 32;
/** Domain-separation prefixes of RFC 6962 §2.1: a leaf can never pass for a node. */
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * SHA-256 of one buffer. Node ≥ 20.12 has the one-shot `crypto.hash`, measured here at 1.6×
 * the speed of a Hash object on 65-byte inputs (verification is mostly these); older 20.x
 * falls back to createHash.
 */
const sha256: (data: Uint8Array | string) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash: (a: string, d: Uint8Array | string, o: 'buffer') => Buffer }).hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** Leaf hash: SHA-256(0x00 || data); a string is hashed as its UTF-8 bytes. */
export function hashLeaf(data: Uint8Array | string): Buffer {
  // '\0' encodes as the single byte 0x00 in UTF-8, so prefixing the string is exact (and
  // hashing the string directly skips a copy into a Buffer).
  if (typeof data === 'string') return sha256('\0' + data);
  return sha256(Buffer.concat([LEAF_PREFIX, data]));
}

/** Interior node hash: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right]));
}

/** Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = crypto.createHash('sha256').digest();

/** A half-open range of leaf indices, `[start, end)`. */
export type Range = readonly [start: number, end: number];

/** A perfect subtree: it covers leaves `[index·2^level, (index+1)·2^level)`. */
export interface NodeId {
  level: number;
  index: number;
}

/** Largest power of two ≤ n, for n ≥ 1. */
function largestPowerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** The RFC split point: largest power of two strictly below n, for n ≥ 2. */
function splitPoint(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_LENGTH;
}

function checkSize(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Ranges that occur in the RFC recursion start on a multiple of the largest power of
 * two that fits in them; only those decompose into perfect subtrees the same way the
 * recursion splits them, which is what lets a store prefetch exactly `perfectCover`.
 */
function checkRecursionRange(start: number, end: number): void {
  checkSize('range start', start, 0);
  checkSize('range end', end, start + 1);
  const block = largestPowerOfTwoAtMost(end - start);
  if (start % block !== 0) {
    throw new RangeError(
      `range [${start}, ${end}) does not occur in a Merkle tree: its start is not a multiple of ${block}`,
    );
  }
}

/**
 * The aligned perfect subtrees that make up `[start, end)`, left to right, largest
 * first: one per set bit of `end - start`. An empty range has no nodes.
 *
 * @throws RangeError when the range cannot occur in the RFC recursion (its start is
 *   not a multiple of the largest power of two ≤ its length).
 */
export function perfectCover(start: number, end: number): NodeId[] {
  if (start === end && Number.isSafeInteger(start) && start >= 0) return [];
  checkRecursionRange(start, end);
  let level = 0;
  for (let n = end - start; n > 1; n = half(n)) level += 1;
  const nodes: NodeId[] = [];
  for (let pos = start; pos < end; level -= 1) {
    const block = 2 ** level;
    if (end - pos >= block) {
      nodes.push({ level, index: pos / block });
      pos += block;
    }
  }
  return nodes;
}

/**
 * MTH(D[start:end)) from perfect-subtree hashes. The RFC splits at the largest power
 * of two below the length, so the left part is always one perfect subtree and the
 * result is a right fold over `perfectCover(start, end)`; `perfect` is asked for
 * exactly those nodes.
 *
 * @throws RangeError on an empty or non-recursion range; Error when `perfect` returns
 *   something that is not a 32-byte hash (a missing node in the store).
 */
export function rangeHash(start: number, end: number, perfect: (level: number, index: number) => Buffer): Buffer {
  if (start === end) throw new RangeError(`range [${start}, ${end}) is empty; it has no Merkle tree hash`);
  const hashes = perfectCover(start, end).map(({ level, index }) => {
    const hash = perfect(level, index);
    if (!isHash(hash)) throw new Error(`no 32-byte hash for perfect node level ${level} index ${index}`);
    return hash;
  });
  return foldRight(hashes);
}

/** hashChildren(h[0], hashChildren(h[1], … h[n-1])): the MTH of adjacent cover nodes. */
/** Root of a tree given the hashes of its perfect cover, left to right (EMPTY_ROOT for none). */
export function coverRoot(hashes: readonly Buffer[]): Buffer {
  return hashes.length === 0 ? Buffer.from(EMPTY_ROOT) : foldRight(hashes);
}

function foldRight(hashes: readonly Buffer[]): Buffer {
  let acc = hashes[hashes.length - 1] as Buffer;
  for (let i = hashes.length - 2; i >= 0; i -= 1) acc = hashChildren(hashes[i] as Buffer, acc);
  return acc;
}

/**
 * The ranges whose hashes form the inclusion proof PATH(index, D[0:size)) of RFC 9162
 * §2.1.3.1, in proof order (the leaf's sibling first, the root's child last).
 *
 * @throws RangeError unless 0 ≤ index < size.
 */
export function inclusionProofRanges(index: number, size: number): Range[] {
  checkSize('tree size', size, 1);
  checkSize('leaf index', index, 0);
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  // Walk from the root down to the leaf, noting each sibling; the proof lists them
  // bottom-up.
  const siblings: Range[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      siblings.push([mid, hi]);
      hi = mid;
    } else {
      siblings.push([lo, mid]);
      lo = mid;
    }
  }
  return siblings.reverse();
}

/**
 * The ranges whose hashes form the consistency proof PROOF(size1, D[0:size2)) of
 * RFC 9162 §2.1.4.1 (SUBPROOF), in proof order. Empty when the sizes are equal.
 *
 * @throws RangeError unless 0 < size1 ≤ size2 (a size-0 tree is trivially a prefix
 *   of any tree and needs no proof).
 */
export function consistencyProofRanges(size1: number, size2: number): Range[] {
  checkSize('size1', size1, 1);
  checkSize('size2', size2, 1);
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === size2) return [];
  // SUBPROOF(m, D[lo:hi), b), unrolled: each step emits the part of D[lo:hi) that the
  // old tree's edge does not enter; the recursion ends at the subtree [lo, size1).
  const reversed: Range[] = [];
  let lo = 0;
  let hi = size2;
  let startFromOldRoot = true; // the RFC's b: the old root is known to the verifier
  while (size1 !== hi) {
    const mid = lo + splitPoint(hi - lo);
    if (size1 <= mid) {
      reversed.push([mid, hi]);
      hi = mid;
    } else {
      reversed.push([lo, mid]);
      lo = mid;
      startFromOldRoot = false;
    }
  }
  if (!startFromOldRoot) reversed.push([lo, hi]);
  return reversed.reverse();
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leafHash` at `index` in the
 * tree of `size` leaves with root `root`? Never throws: any malformed input is false.
 */
export function verifyInclusion(leafHash: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false; // proof longer than the path
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      // Skip the levels where this node is a lone right-edge child carried up unhashed.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `size1` leaves with root `root1` is
 * a prefix of the tree of `size2` leaves with root `root2`? Equal sizes need an empty
 * proof and equal roots. Never throws: any malformed input (including size1 = 0) is
 * false.
 */
export function verifyConsistency(size1: number, size2: number, proof: Buffer[], root1: Buffer, root2: Buffer): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (proof.length === 0) return false;
  // When size1 is a power of two the old tree is one perfect subtree that the
  // proof leaves out, since the verifier already holds its hash.
  const path = size1 === largestPowerOfTwoAtMost(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/** A perfect subtree with its hash. */
export interface HashedNode extends NodeId {
  hash: Buffer;
}

/**
 * The right frontier of an append-only tree: the hashes of `perfectCover(0, size)`.
 * O(log size) state is enough to append leaves and compute the root, so a log writer
 * never reads old nodes back.
 */
export class CompactRange {
  #size: number;
  readonly #nodes: HashedNode[];

  private constructor(size: number, nodes: HashedNode[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  /** The frontier of the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * Restores a frontier from the hashes of `perfectCover(0, size)`, left to right.
   *
   * @throws RangeError when the count or length of the hashes does not fit `size`.
   */
  static fromNodes(size: number, hashes: Buffer[]): CompactRange {
    checkSize('tree size', size, 0);
    const cover = perfectCover(0, size);
    if (hashes.length !== cover.length) {
      throw new RangeError(`a tree of size ${size} has ${cover.length} frontier nodes, got ${hashes.length} hashes`);
    }
    if (!hashes.every(isHash)) throw new RangeError('every frontier hash must be 32 bytes');
    return new CompactRange(
      size,
      cover.map((node, i) => ({ ...node, hash: Buffer.from(hashes[i] as Buffer) })),
    );
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** The current perfect roots, left to right (largest first). */
  nodes(): HashedNode[] {
    return this.#nodes.map((node) => ({ ...node, hash: Buffer.from(node.hash) }));
  }

  /**
   * Appends a leaf and returns every perfect node of level ≥ 1 that it completed,
   * lowest first, so a store can persist them (leaves it stores itself).
   *
   * @throws RangeError when `leafHash` is not 32 bytes.
   */
  append(leafHash: Buffer): HashedNode[] {
    if (!isHash(leafHash)) throw new RangeError('leaf hash must be 32 bytes');
    return this.appendNode({ level: 0, index: this.#size, hash: leafHash });
  }

  /**
   * Appends a whole perfect subtree that starts at the current size (a leaf is level 0) and
   * returns the nodes of level ≥ 1 this completed. Lets a verifier join subtrees hashed
   * elsewhere (worker threads) without re-hashing their leaves.
   *
   * @throws RangeError when the node does not start at the current size or is larger than
   * the frontier's last node (the result would not be a left-aligned tree).
   */
  appendNode(appended: HashedNode): HashedNode[] {
    const width = 2 ** appended.level;
    const tail = this.#nodes.at(-1);
    if (appended.index * width !== this.#size || (tail !== undefined && tail.level < appended.level) || !isHash(appended.hash)) {
      throw new RangeError(`node ${appended.level}/${appended.index} cannot follow a tree of size ${this.#size}`);
    }
    // The frontier keeps the hash itself (no copy: this runs once per entry on the hot
    // paths); callers hand over hashes they do not mutate afterwards.
    let node: HashedNode = appended;
    const completed: HashedNode[] = [];
    // Like a binary counter's carry: merge while the left neighbour is a sibling.
    for (let last = this.#nodes.at(-1); last !== undefined && last.level === node.level; last = this.#nodes.at(-1)) {
      this.#nodes.pop();
      node = { level: node.level + 1, index: last.index / 2, hash: hashChildren(last.hash, node.hash) };
      completed.push(node);
    }
    this.#nodes.push(node);
    this.#size += width;
    return completed;
  }

  /** MTH of the whole tree; EMPTY_ROOT when no leaf was appended. */
  root(): Buffer {
    if (this.#size === 0) return Buffer.from(EMPTY_ROOT);
    return foldRight(this.#nodes.map((node) => node.hash));
  }
}
