import { codeAt } from './char-code.js';
import { isDelimitedField } from './column-cues.js';
import { isDigit } from './char-code.js';
import { isSpace } from './phone-shapes.js';

/**
 * The characters around a run of digits: what glues it to something else than a phone number,
 * and the extension written after it. Read by character code, as they are read for every run.
 */

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * CJK punctuation, Han, kana, Hangul and full-width forms: these scripts put no spaces between
 * words, so a character touching the digits (`电话+8613177646208，`) does not make them part of an id.
 */
function isSpacelessScript(code: number): boolean {
  return (code >= 0x3000 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xffef);
}


export function isWordChar(text: string, index: number): boolean {
  const code = codeAt(text, index);
  if (code > 0x7f) return !isSpacelessScript(code) && NON_ASCII_WORD_CHAR.test(text[index] ?? ''); // not NBSP, dashes, quotes
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isLetter(text: string, index: number): boolean {
  const code = codeAt(text, index);
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code > 0x7f && isWordChar(text, index));
}

/**
 * Characters tested by their code: a table for ASCII, where nearly all neighbours of a run
 * fall, and a Set for the others (a Set lookup for every neighbour cost 2% of the search on
 * PII-dense text).
 */
class CharacterSet {
  readonly #ascii = new Uint8Array(128);
  readonly #others = new Set<number>();

  constructor(characters: string) {
    for (let i = 0; i < characters.length; i++) {
      const code = characters.charCodeAt(i);
      if (code < 128) this.#ascii[code] = 1;
      else this.#others.add(code);
    }
  }

  has(code: number): boolean {
    if (code < 0) return false;
    return code < 128 ? this.#ascii[code] === 1 : this.#others.has(code);
  }
}

const FOREIGN_BEFORE = new CharacterSet('#$€£¥〒,/-_');
const FIELD_DELIMITERS = new CharacterSet(',;\t');
const NUMBER_JOINERS = new CharacterSet('.,/:-');

/**
 * Characters just before/after that make the digits part of something else: an id glued to
 * letters (`AB1234567`, `v2.14.3`), an order number (`#4839201745`), an amount (`$`, `€`),
 * the continuation of a dotted/dashed/decimal number, a time (`10:30`), a percentage. A dot
 * after a word is an abbreviation's (`Tel.+49 …`, `Tél.06 …`), not a decimal point.
 */
export function hasForeignNeighbour(text: string, start: number, end: number): boolean {
  const before = codeAt(text, start - 1);
  const after = codeAt(text, end);
  // "…,(801) 465-8138,US": a CSV field. Asked only when a delimiter touches the run, the rare case.
  if ((FIELD_DELIMITERS.has(before) || FIELD_DELIMITERS.has(after)) && isDelimitedField(text, start, end)) return false;
  if (isWordChar(text, start - 1)) return true;
  if (FOREIGN_BEFORE.has(before)) return true;
  if (before === 0x2e && !isLetter(text, start - 2)) return true; // .
  if (isWordChar(text, end) || after === 0x25) return true; // letters, digits, %
  return NUMBER_JOINERS.has(after) && isDigit(codeAt(text, end + 1));
}

/**
 * Extensions after a number: `x123`, `ext. 45`, `, ext. 45`, `#204`, `poste 12`, RFC 3966
 * `;ext=1234`. They belong to the span: behind a switchboard's number, the extension is what
 * reaches the person, and RFC 3966 makes it part of the telephone-subscriber.
 */
const EXTENSION = /(?:(?:,?[ \u00a0]*(?:ext\.?|extn\.?|extension|x|poste|durchwahl|доб\.?)|[ \u00a0]*#)[ \u00a0.:]*|;ext=)\d{1,6}(?![\p{L}\p{N}])/iuy;

/** The extension marks EXTENSION knows, as they start: most words after a number are none of them. */
const EXTENSION_MARKS = ['x', '#', 'ext', ';ext=', 'poste', 'durchwahl', 'доб'];

// Their first letters in either case, tested before any slice: most runs are followed by none.
const EXTENSION_MARK_STARTS = new CharacterSet('xX#eE;pPdDдД');

function mayStartExtension(text: string, at: number): boolean {
  if (!EXTENSION_MARK_STARTS.has(codeAt(text, at))) return false;
  const ahead = text.slice(at, at + 9).toLowerCase();
  return EXTENSION_MARKS.some((mark) => ahead.startsWith(mark));
}

/** Where an extension written after the number ends, or `end` when there is none. */
export function extensionEnd(text: string, end: number): number {
  let next = codeAt(text, end) === 0x2c ? end + 1 : end; // ", ext. 45"
  const spacesEnd = next + 2;
  while (next < spacesEnd && isSpace(codeAt(text, next))) next++;
  if (!mayStartExtension(text, next)) return end;
  EXTENSION.lastIndex = end;
  return EXTENSION.test(text) ? EXTENSION.lastIndex : end;
}

/**
 * Units, currencies and counted things written after a quantity: "2924 4131 MB", "25 57 45 59
 * percent", "3941 268 955 mm", "20 137 400 TND" (ISO 4217 codes), "1 299 €". A phone number is
 * followed by none of them. Not the codes that are also words or names after a number ("try",
 * "pen", "Ron", French "ils"), nor units of time ("call 0161 496 0000 hours 9–5"). Sticky, tried
 * right after the digits: most words fail on their first letter, and no word is cut out of the
 * text.
 */
const UNIT_AFTER = new RegExp(
  `[ \u00a0]?(?:[€$£¥₹₽₩₪₺₫฿円元]|(?:${[
    'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'bytes', 'bits?', 'kbps', 'mbps', 'mm', 'cm', 'km', 'm2', 'm²', 'km2', 'km²', 'ml', 'kg',
    'mg', 'tons', 'tonnes', 'px', 'pixels', 'dpi', 'kwh?', 'mwh?', 'hz', 'khz', 'mhz', 'ghz', 'km/h', 'mph', 'percent', 'pct', 'units',
    'pcs', 'pieces', 'items', 'users', 'visitors', 'views', 'downloads', 'calls', 'words', 'votes', 'points', 'pts', 'people', 'rows',
    'records', 'entries', 'eur', 'usd', 'gbp', 'chf', 'dkk', 'sek', 'isk', 'pln', 'czk', 'huf', 'bgn', 'uah', 'inr', 'pkr', 'jpy', 'cny',
    'rmb', 'krw', 'twd', 'hkd', 'sgd', 'vnd', 'idr', 'thb', 'myr', 'aud', 'nzd', 'cad', 'mxn', 'brl', 'ars', 'clp', 'zar', 'ngn', 'kes',
    'egp', 'aed', 'sar', 'qar', 'kwd', 'tnd', 'kr', 'ft', 'zł', 'kč', 'lei', 'руб', 'грн',
  ].join('|')})(?![\\p{L}\\p{N}]))`,
  'iuy',
);

/** Whether a unit, a currency or a counted thing follows the digits ending at `end`, after at most one blank. */
export function isFollowedByUnit(text: string, end: number): boolean {
  UNIT_AFTER.lastIndex = end;
  return UNIT_AFTER.test(text);
}
