/** Small non-cryptographic string hashes, for tables and feature hashing: nothing secret depends on them. */

export const FNV_OFFSET_BASIS = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a (Fowler, Noll, Vo) over UTF-16 code units `[start, end)`, from `state` (default: the offset basis). */
export function fnv1a32(text: string, start = 0, end = text.length, state = FNV_OFFSET_BASIS): number {
  let h = state;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
