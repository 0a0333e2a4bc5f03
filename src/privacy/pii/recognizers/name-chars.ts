import { codeAt } from './char-code.js';

/**
 * Character classes of the cased scripts (Latin, Greek, Cyrillic, Armenian) and of the
 * punctuation around names, by UTF-16 code unit, for the person-name scan: one table, read by
 * the scan's character tests and turned into the classes of its regexes (regexClass), so the
 * two cannot drift apart. Explicit BMP ranges rather than `\p{Lu}`: the scan tests every capital
 * of the text, and `\p{Lu}` with the `u` flag measured 10x slower.
 */


/** Bits of CHAR_CLASSES. */
const LETTER = 1;
const UPPER = 2;
const DIGIT = 4;
/** Inside a word or an identifier besides letters and digits: apostrophes, ".", "-", "_", "@". */
const WORD_JOINER = 8;
/** Inside a cue word besides letters ("name's", "reply-to", "full_name", "c/o"). */
const CUE_WORD_MARK = 16;
/** Between a label and its value ("name": "…", name='…'). */
const QUOTE_OR_BLANK = 32;
/** Between a cue word and a name ("Name:", "Thanks,", "name=", "Attn -", "Attn —"). */
const CUE_PUNCTUATION = 64;

/**
 * Past the last letter of the cased scripts (U+1EFF) and the last quote (U+201D): no code unit
 * from here on is in any class.
 */
const CHAR_TABLE_END = 0x2020;
/**
 * The classes by code unit: one load per character instead of a chain of range tests, and no
 * lower-casing of Latin Extended capitals in the scan.
 */
const CHAR_CLASSES = new Uint8Array(CHAR_TABLE_END);

function addRange(first: number, last: number, bit: number): void {
  for (let c = first; c <= last; c++) CHAR_CLASSES[c]! |= bit;
}

function addChars(chars: string, bit: number): void {
  for (let i = 0; i < chars.length; i++) CHAR_CLASSES[chars.charCodeAt(i)]! |= bit;
}

// Letters and combining accents; × and ÷ are not letters.
for (const [first, last] of [[0x41, 0x5a], [0x61, 0x7a], [0xc0, 0xd6], [0xd8, 0xf6], [0xf8, 0x24f], [0x300, 0x36f], [0x386, 0x3ff], [0x400, 0x52f], [0x531, 0x587], [0x1e00, 0x1eff]] as const) {
  addRange(first, last, LETTER);
}
for (const [first, last] of [[0x41, 0x5a], [0xc0, 0xd6], [0xd8, 0xde], [0x386, 0x386], [0x388, 0x3ab], [0x400, 0x42f], [0x531, 0x556]] as const) addRange(first, last, UPPER);
// Latin Extended and Latin Extended Additional mix cases letter by letter.
for (const [first, last] of [[0x100, 0x24f], [0x1e00, 0x1eff]] as const) {
  for (let c = first; c <= last; c++) {
    const char = String.fromCharCode(c);
    if (char !== char.toLowerCase()) CHAR_CLASSES[c]! |= UPPER;
  }
}
addRange(0x30, 0x39, DIGIT);
addChars("'\u2019.-_@", WORD_JOINER);
addChars("'\u2019-_/", CUE_WORD_MARK);
addChars(' \t"\'\u201c\u201d\u2018\u2019', QUOTE_OR_BLANK);
addChars(':,=-\u2014', CUE_PUNCTUATION);

function inClass(c: number, bits: number): boolean {
  return c >= 0 && c < CHAR_TABLE_END && (CHAR_CLASSES[c]! & bits) !== 0;
}

/** A capital of the cased scripts; false for -1 (outside the text). */
export function isUpperCode(c: number): boolean {
  return inClass(c, UPPER);
}

/** A letter of the cased scripts, or a combining accent; false for -1 (outside the text). */
export function isLetterCode(c: number): boolean {
  return inClass(c, LETTER);
}

/** Characters that continue a word or an identifier: a capital after one is not a word start ("iPhone", "user_Name"). */
export function continuesWord(c: number): boolean {
  return inClass(c, LETTER | DIGIT | WORD_JOINER);
}

/** A character of a cue word: letters, apostrophes, hyphens, underscores and slashes ("c/o", "full_name"). */
export function isCueWordCode(c: number): boolean {
  return inClass(c, LETTER | CUE_WORD_MARK);
}

/** Quotes, brackets and blanks between a label and its value ("name": "…", name='…'), skipped when reading punctuation. */
export function isQuoteOrBlank(c: number): boolean {
  return inClass(c, QUOTE_OR_BLANK);
}

/**
 * Whether `c`, the last character before a run (past one blank), may end a cue word or the
 * punctuation after one; a dot does only after a short abbreviation (name-cues.ts). When not,
 * cueBefore reads no further, and name-capitals.ts lets the scan step over lone words there.
 */
export function mayEndCue(c: number): boolean {
  return inClass(c, LETTER | CUE_WORD_MARK | QUOTE_OR_BLANK | CUE_PUNCTUATION);
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/** Space or tab: what may stand between a cue word and the name after it. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Space or no-break space: what stands between the words of one name. A tab separates fields
 * ("Siddharth Rao<TAB>Engineering"), so it ends a name.
 */
export function isNameSpace(c: number): boolean {
  return c === 32 || c === 0xa0;
}

/**
 * A regex class of the BMP code units `test` accepts, for a test built from the ones above and
 * from comparisons with code units below CHAR_TABLE_END: such a test gives all code units past
 * the table one answer, and the class takes them as one range. (Testing the whole BMP took
 * ~10 ms at start-up.)
 */
export function regexClass(test: (c: number) => boolean): string {
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let ranges = '';
  for (let c = 0; c <= CHAR_TABLE_END; c++) {
    if (!test(c)) continue;
    let last = c;
    while (last < CHAR_TABLE_END && test(last + 1)) last++;
    if (last === CHAR_TABLE_END) last = 0xffff;
    ranges += last === c ? hex(c) : `${hex(c)}-${hex(last)}`;
    c = last;
  }
  return `[${ranges}]`;
}

/**
 * End of the word starting at `start`: letters, with apostrophes and hyphens inside
 * ("O'Connor", "Jean-Pierre"); an English possessive ("Kim's") is left out of the word.
 */
export function wordEnd(text: string, start: number): number {
  const n = text.length;
  let end = start + 1;
  for (;;) {
    while (end < n && isLetterCode(text.charCodeAt(end))) end++;
    const c = codeAt(text, end);
    if ((isApostrophe(c) || c === 45) && end + 1 < n && isLetterCode(text.charCodeAt(end + 1))) {
      if (isApostrophe(c) && (text.charCodeAt(end + 1) | 32) === 115 && !isLetterCode(codeAt(text, end + 2))) return end;
      end++;
      continue;
    }
    return end;
  }
}
