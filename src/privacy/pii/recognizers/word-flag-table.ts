import { fnv1a32 } from '../../../core/string-hash.js';

/**
 * A read-only word -> bits table over word lists joined into strings, as name-lexicon-data.ts
 * ships them: an open-addressing hash table of offsets into one string, with no string per
 * word.
 *
 * Written by hand because the obvious Map took ~120 ms of CPU to fill with the lexicon's
 * ~71,500 words (a fresh string, a hash and a rehash per word), paid again by every worker
 * thread of a redaction job before its first record. Lookups are rarer than they look: the
 * name recognizers cache each token's flags.
 */
export interface WordFlags {
  /** The bits of `word`; undefined for a word not in the table. */
  get(word: string): number | undefined;
  readonly size: number;
}

export class WordFlagTable implements WordFlags {
  readonly size: number;
  /** Every list, joined by the separator. */
  readonly #words: string;
  readonly #starts: Int32Array;
  readonly #lengths: Uint8Array;
  readonly #bits: Uint8Array;
  /** Entry index + 1 per slot, 0 for empty; a power of two at least twice the entries. */
  readonly #slots: Int32Array;

  /** `lists`: bits (0..255) -> its words joined by `separator` (one character); a word in two lists is an error. */
  constructor(lists: ReadonlyArray<readonly [bits: number, words: string]>, separator: string) {
    if (separator.length !== 1) throw new RangeError('the separator must be one character');
    const nonEmpty = lists.filter(([, list]) => list !== '');
    const words = (this.#words = nonEmpty.map(([, list]) => list).join(separator));
    let count = 0;
    for (let at = words.length === 0 ? -1 : 0; at >= 0; at = words.indexOf(separator, at + 1)) count++;
    this.size = count;
    this.#starts = new Int32Array(count);
    this.#lengths = new Uint8Array(count);
    this.#bits = new Uint8Array(count);
    let capacity = 1;
    while (capacity < count * 2) capacity *= 2;
    this.#slots = new Int32Array(capacity);

    let entry = 0;
    let start = 0;
    for (const [bits, list] of nonEmpty) {
      if (!(Number.isInteger(bits) && bits >= 0 && bits <= 255)) throw new RangeError(`word flags must be 0..255, got ${bits}`);
      const listEnd = start + list.length;
      while (start <= listEnd) {
        const next = words.indexOf(separator, start);
        const end = next < 0 || next > listEnd ? listEnd : next;
        if (end - start > 255) throw new RangeError(`word of ${end - start} characters at ${start}: the table holds words of up to 255`);
        this.#starts[entry] = start;
        this.#lengths[entry] = end - start;
        this.#bits[entry] = bits;
        this.#insert(entry, fnv1a32(words, start, end));
        entry++;
        start = end + 1;
      }
    }
  }

  get(word: string): number | undefined {
    const mask = this.#slots.length - 1;
    for (let slot = fnv1a32(word) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]! - 1;
      if (entry < 0) return undefined;
      if (this.#lengths[entry] === word.length && this.#words.startsWith(word, this.#starts[entry])) return this.#bits[entry];
    }
  }

  #insert(entry: number, hash: number): void {
    const mask = this.#slots.length - 1;
    const start = this.#starts[entry]!;
    const length = this.#lengths[entry]!;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const other = this.#slots[slot]! - 1;
      if (other < 0) {
        this.#slots[slot] = entry + 1;
        return;
      }
      if (this.#lengths[other] !== length) continue;
      const word = this.#words.slice(start, start + length);
      if (this.#words.startsWith(word, this.#starts[other])) throw new Error(`word ${JSON.stringify(word)} is listed twice`);
    }
  }
}
