/**
 * Small word lists by their words' first and last letters (ASCII, lower case) and lengths: a test
 * that rules most words out of a list without slicing and looking them up. Words with a
 * character beyond ASCII at either end are not entered, and `endBits` lets all such words through.
 */
export interface WordEndTable {
  /** Bits of the lists with words of these first and last letters; index first * 128 + last. */
  readonly bits: Uint8Array;
  /** Bit n: some word of these letters has n characters (bit 31: 31 or more). */
  readonly lengths: Uint32Array;
}

export function wordEndTable(): WordEndTable {
  return { bits: new Uint8Array(128 * 128), lengths: new Uint32Array(128 * 128) };
}

function lengthBit(length: number): number {
  return 1 << Math.min(length, 31);
}

/** Enters `words` (lower case) with `bits`. */
export function addWordEnds(table: WordEndTable, words: Iterable<string>, bits: number): void {
  for (const word of words) {
    const first = word.charCodeAt(0);
    const last = word.charCodeAt(word.length - 1);
    if (first >= 128 || last >= 128) continue;
    table.bits[(first << 7) | last]! |= bits;
    table.lengths[(first << 7) | last]! |= lengthBit(word.length);
  }
}

/** Enters every word that ends in `last` (an ASCII lower-case letter), of any first letter and length, with `bits`. */
export function addAnyWordEndingIn(table: WordEndTable, last: string, bits: number): void {
  for (let first = 0; first < 128; first++) {
    table.bits[(first << 7) | last.charCodeAt(0)]! |= bits;
    table.lengths[(first << 7) | last.charCodeAt(0)] = ~0;
  }
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

/**
 * The bits of the lists that may hold `text[start, end)` in any case, or 255 past ASCII. (Lower
 * case keeps a word's length, but for "İ", which no list word can hold.)
 */
export function endBits(table: WordEndTable, text: string, start: number, end: number): number {
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(end - 1);
  if (first >= 128 || last >= 128) return 255;
  const index = (lowerAscii(first) << 7) | lowerAscii(last);
  return (table.lengths[index]! & lengthBit(end - start)) !== 0 ? table.bits[index]! : 0;
}
