/**
 * Invisible format characters inside values, as scraped HTML and chat text carry them:
 * `jane\u200b@corp.com`, `4111\u200b1111\u200b1111\u200b1111`, `Jo\u00adhann`. They are zero width,
 * so the value looks whole, but every recognizer stopped at them. A text holding any is scanned
 * with them removed, and the findings are mapped back to the original text (OffsetMap): a
 * finding covers the invisible characters inside it, not those just before or after it.
 *
 * Folded: ZERO WIDTH SPACE U+200B, ZERO WIDTH NON-JOINER U+200C, ZERO WIDTH JOINER U+200D, WORD
 * JOINER U+2060, ZERO WIDTH NO-BREAK SPACE (BOM) U+FEFF, SOFT HYPHEN U+00AD.
 *
 * Only where they carry no meaning: a run of them is removed when the characters on both sides
 * are ASCII, Latin, Greek or Cyrillic letters, digits, punctuation or spaces (or the text's
 * edge). Elsewhere they are kept: ZWJ joins emoji sequences (👨‍👩‍👧), ZWNJ is spelling in Persian
 * and the Indic scripts (می‌خواهم), and ZWSP is the word separator of Khmer, Thai, Lao and
 * Myanmar text, whose words it would glue together.
 *
 * A ZWSP between a lower-case and an upper-case letter (`Jane\u200bDoe`) is the word break it
 * stands for, not a break opportunity inside a word: it is read as one space instead.
 *
 * Between digit groups split by spaces or dashes, a run standing where a separator would be
 * (`4111\u200b1111 1111 1111`) is read as that separator: removed, it glued two groups into one
 * (`41111111 1111 1111`), a layout no card or IBAN prints in, and the card was not found. It
 * stands there when at least 4 digits are on its left and at least 4, or the layout's last
 * group, on its right; a run with fewer on a side is inside a group (`41\u200b11 1111 …`, the
 * groups of a card being 4 to 6 digits) and is removed. Where no group around is separated
 * (`4111\u200b1111\u200b1111\u200b1111`), it is removed, and the digits read as one number.
 */
export const INVISIBLE_CHARS = '\\u00AD\\u200B-\\u200D\\u2060\\uFEFF';
const INVISIBLE_RUN = new RegExp(`[${INVISIBLE_CHARS}]+`, 'g');
const INVISIBLE_ALL = new RegExp(`[${INVISIBLE_CHARS}]`, 'g');
const ZWSP = 0x200b;
const INVISIBLE_CODES = new Set([0x00ad, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
/** How far around a run digit groups are read: a card with its separators is at most 23 characters. */
const GROUP_REACH = 24;
/** A card's groups, but for its last, are 4 to 6 digits: a side with fewer is inside a group. */
const MIN_GROUP = 4;

/**
 * Folded offsets to original ones for a text that had characters removed: after each removal
 * point, the count removed so far. Offsets grow the same way in both texts between removals.
 */
export class OffsetMap {
  /** Folded index of the first character after each removed run, ascending. */
  readonly #at: readonly number[];
  /** Characters removed up to and including that run. */
  readonly #removed: readonly number[];

  constructor(at: readonly number[], removed: readonly number[]) {
    this.#at = at;
    this.#removed = removed;
  }

  /** The original index of the character at folded index `index`. */
  original(index: number): number {
    let low = 0;
    let high = this.#at.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#at[mid]! <= index) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? index : index + this.#removed[low - 1]!;
  }

  /** The original start of a span starting at folded `start`. */
  start(start: number): number {
    return this.original(start);
  }

  /** The original end of a (non-empty) span ending at folded `end`: just after its last character, so invisible ones inside are covered. */
  end(end: number): number {
    return this.original(end - 1) + 1;
  }
}

/** A text as it is scanned, and how to map its offsets back (undefined: unchanged). */
export interface FoldedText {
  readonly text: string;
  readonly offsets: OffsetMap | undefined;
}

/**
 * Whether invisible characters may be removed next to this UTF-16 unit (-1: the text's edge):
 * ASCII, no-break space, Latin-1 letters, Latin Extended A and B, combining diacritics, Greek,
 * Cyrillic, Latin Extended Additional and the typographic spaces. Not other scripts, symbols or
 * surrogates (emoji).
 */
function isFoldableNeighbour(code: number): boolean {
  if (code < 0x250) return code === -1 || code < 0x7f || code >= 0xa0;
  return (code >= 0x300 && code <= 0x52f) || (code >= 0x1e00 && code <= 0x1eff) || (code >= 0x2000 && code <= 0x200a);
}

function isLowerLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0xdf && code <= 0xff && code !== 0xf7);
}

function isUpperLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0xc0 && code <= 0xde && code !== 0xd7);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** How many digits run from `from` in direction `step` (-1 or 1), up to GROUP_REACH. */
function digitRun(text: string, from: number, step: number): number {
  let count = 0;
  while (count < GROUP_REACH && isDigit(text.charCodeAt(from + count * step))) count++;
  return count;
}

/**
 * The separator (space or dash, with a digit beyond it) of the digit groups reached from `from`
 * in direction `step` past digits and invisible characters, within GROUP_REACH; -1 when none.
 */
function separatorBeyond(text: string, from: number, step: number): number {
  for (let i = from, n = 0; n < GROUP_REACH; i += step, n++) {
    const code = text.charCodeAt(i);
    if (isDigit(code) || INVISIBLE_CODES.has(code)) continue;
    return (code === 0x20 || code === 0x2d) && isDigit(text.charCodeAt(i + step)) ? code : -1;
  }
  return -1;
}

/** The separator that the invisible run `[start, end)` between digits stands for (see the top of the file); undefined when it is inside a group or the digits are not grouped. */
function separatorStoodFor(text: string, start: number, end: number): string | undefined {
  if (digitRun(text, start - 1, -1) < MIN_GROUP) return undefined;
  const after = digitRun(text, end, 1);
  if (after === 0) return undefined;
  const left = separatorBeyond(text, start - 1, -1);
  const right = separatorBeyond(text, end, 1);
  const separator = left === -1 ? right : left;
  if (separator === -1) return undefined;
  if (after < MIN_GROUP && right !== -1) return undefined; // a short run with groups after it: inside a group
  return String.fromCharCode(separator);
}

/** `text` without the invisible characters that carry no meaning where they stand, with the map back; `text` itself when it has none to remove. */
export function foldInvisible(text: string): FoldedText {
  const parts: string[] = [];
  const at: number[] = [];
  const removedSoFar: number[] = [];
  let removed = 0;
  let from = 0;
  let length = 0; // of the folded text so far
  INVISIBLE_RUN.lastIndex = 0;
  for (let match = INVISIBLE_RUN.exec(text); match !== null; match = INVISIBLE_RUN.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = start === 0 ? -1 : text.charCodeAt(start - 1);
    const after = end === text.length ? -1 : text.charCodeAt(end);
    if (!isFoldableNeighbour(before) || !isFoldableNeighbour(after)) continue;
    parts.push(text.slice(from, start));
    length += start - from;
    let dropped = end - start;
    const readAs =
      match[0].includes(String.fromCharCode(ZWSP)) && isLowerLetter(before) && isUpperLetter(after)
        ? ' ' // "Jane\u200bDoe": a word break
        : isDigit(before) && isDigit(after)
          ? separatorStoodFor(text, start, end) // "4111\u200b1111 1111 1111": a group separator
          : undefined;
    if (readAs !== undefined) {
      parts.push(readAs);
      length++;
      dropped--;
    }
    from = end;
    if (dropped === 0) continue;
    removed += dropped;
    at.push(length);
    removedSoFar.push(removed);
  }
  if (from === 0) return { text, offsets: undefined };
  parts.push(text.slice(from));
  return { text: parts.join(''), offsets: at.length === 0 ? undefined : new OffsetMap(at, removedSoFar) };
}

/** A found value without any invisible character: what fakes, hashes and ciphertexts are made from. */
export function withoutInvisible(value: string): string {
  return value.replace(INVISIBLE_ALL, '');
}
