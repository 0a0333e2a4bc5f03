import { z } from 'zod';
import { fmix32, fnv1a32, FNV_OFFSET_BASIS, FNV_PRIME } from '../../core/string-hash.js';

/**
 * Text to a sparse vector by feature hashing (Weinberger et al. 2009, "Feature Hashing for
 * Large Scale Multitask Learning"): every n-gram goes to one of 2^bits buckets with a sign
 * from the same hash, so colliding n-grams cancel in expectation instead of adding up.
 *
 * Hashing, not a vocabulary, for privacy's sake: a vocabulary built from the training set is
 * itself a function of the data (a word only one person wrote would be in it), outside what
 * DP-SGD protects. The hashed feature map is fixed before any data is seen, so the guarantee
 * covers the whole path from text to weights.
 */
export const featureHashingSchema = z.strictObject({
  /** 2^bits buckets. Noise is added to every bucket in each private step, so more bits cost speed; 14 to 18 suit short texts. */
  bits: z.number().int().min(8).max(24).default(16),
  /** Word n-grams up to this length: 1 = unigrams, 2 = unigrams and bigrams, 0 = none. */
  wordNgrams: z.number().int().min(0).max(3).default(2),
  /** Character n-grams within words (with the word's boundaries marked), from min to max length; null: none. */
  charNgrams: z
    .tuple([z.number().int().min(1).max(8), z.number().int().min(1).max(8)])
    .refine(([min, max]) => min <= max, 'the first length must not exceed the second')
    .nullable()
    .default([3, 5]),
});

export type FeatureHashingOptions = z.input<typeof featureHashingSchema>;
export type FeatureHashing = z.output<typeof featureHashingSchema>;

/** Sorted, distinct indices and their values; `indices.length === values.length`. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/**
 * Lower-cased words: runs of letters, combining marks and digits in any script, so German
 * "Größe" and "Übersetze" stay whole. NFKC first, so full-width and ligature forms of a
 * letter hash like the letter (a cheap obfuscation of injection prompts otherwise).
 */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/**
 * An n-gram's hash: FNV-1a over the namespace code then the n-gram, finished with fmix32.
 * Not a cryptographic hash, and it need not be: the hash is public, guards no secret, and
 * the DP guarantee holds for any fixed feature map; a collision only costs accuracy. FNV-1a
 * alone mixes its low bits poorly on short keys, and the bucket *is* the low bits, hence
 * fmix32. The namespace keeps word, bigram and character n-grams apart ("the" the word is
 * not "the" the trigram).
 */
export function hashNgram(namespace: number, text: string, start = 0, end = text.length): number {
  return fmix32(fnv1a32(text, start, end, Math.imul(FNV_OFFSET_BASIS ^ namespace, FNV_PRIME)));
}

const WORD = 1;
const CHAR = 0x10;

/**
 * The hashed n-gram counts of `text`, signed (bit 31 of the hash) and scaled to unit L2
 * norm. Unit norm bounds every example's gradient in the linear models by the same small
 * constant, so clipping at C ≈ 1 removes little signal whatever the text's length.
 */
export function hashTextFeatures(text: string, hashing: FeatureHashing): SparseVector {
  const mask = (1 << hashing.bits) - 1;
  const counts = new Map<number, number>();
  const add = (h: number) => {
    const index = h & mask;
    counts.set(index, (counts.get(index) ?? 0) + (h & 0x80000000 ? -1 : 1));
  };
  const words = tokenize(text);
  for (let n = 1; n <= hashing.wordNgrams; n++) {
    for (let i = 0; i + n <= words.length; i++) add(hashNgram(WORD + n, words.slice(i, i + n).join(' ')));
  }
  if (hashing.charNgrams) {
    const [min, max] = hashing.charNgrams;
    for (const word of words) {
      const marked = ` ${word} `;
      for (let n = min; n <= max; n++) {
        for (let i = 0; i + n <= marked.length; i++) add(hashNgram(CHAR + n, marked, i, i + n));
      }
    }
  }
  const indices = Int32Array.from([...counts.keys()].filter((i) => counts.get(i) !== 0)).sort();
  const values = new Float64Array(indices.length);
  let squares = 0;
  for (let k = 0; k < indices.length; k++) {
    const v = counts.get(indices[k]!)!;
    values[k] = v;
    squares += v * v;
  }
  const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0;
  for (let k = 0; k < values.length; k++) values[k]! *= scale;
  return { indices, values };
}
