import type { Cue } from './phone-cues.js';
import { isDigit } from './char-code.js';

/**
 * The shapes of digit runs that are something else than a phone number, and the grouping of
 * digits that phone numbers have. Pure string tests, run before any metadata lookup.
 */

/**
 * What a run is made of, counted in one pass so that each shape test below runs only when it
 * could match, and the grouping of its digits is known without a second pass.
 */
export interface RunMakeup {
  digits: number;
  dots: number;
  dashes: number;
  slashes: number;
  spaces: number;
  brackets: number;
  /** Of the dashes, the typographic ones (‐ ‑ ‒ – −) that the shape tests read as `-`. */
  typographicDashes: number;
  /**
   * The index among the digit groups of the last group of one digit (a bracketed one excepted:
   * "+44 (0)20", Budapest's "(06 1) 234 5678"), or -1. A bracketed single digit right after `(`
   * is a trunk prefix and is not counted as a group.
   */
  lastLoneDigitGroup: number;
}

/** Space, no-break space, narrow no-break space (French typography), thin and figure spaces. */
export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0xa0 || code === 0x202f || code === 0x2009 || code === 0x2007;
}

/** The makeup of `text[start, end)`, counted in place: most runs are refused on their digit count before any slice. */
export function makeupOf(text: string, start: number, end: number): RunMakeup {
  const makeup = { digits: 0, dots: 0, dashes: 0, slashes: 0, spaces: 0, brackets: 0, typographicDashes: 0, lastLoneDigitGroup: -1 };
  let groupIndex = 0;
  let groupLength = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (isDigit(code)) {
      makeup.digits++;
      groupLength++;
      continue;
    }
    if (groupLength > 0) {
      const isBracketed = groupLength === 1 && code === 0x29;
      const isTrunkZero = isBracketed && i - 2 >= start && text.charCodeAt(i - 2) === 0x28;
      if (groupLength === 1 && !isBracketed) makeup.lastLoneDigitGroup = groupIndex;
      if (!isTrunkZero) groupIndex++;
      groupLength = 0;
    }
    if (code === 0x2e) makeup.dots++;
    else if (code === 0x2d) makeup.dashes++;
    else if (code === 0x2f) makeup.slashes++;
    else if (code === 0x28 || code === 0x29) makeup.brackets++;
    else if (isSpace(code)) makeup.spaces++;
    else if (isTypographicDash(code)) {
      makeup.dashes++;
      makeup.typographicDashes++;
    }
  }
  if (groupLength === 1) makeup.lastLoneDigitGroup = groupIndex;
  return makeup;
}

/** Hyphen, non-breaking hyphen, figure dash, en dash, minus sign: what word processors put for `-`. */
function isTypographicDash(code: number): boolean {
  return (code >= 0x2010 && code <= 0x2013) || code === 0x2212;
}

const TYPOGRAPHIC_DASHES = /[\u2010-\u2013\u2212]/g;

/** `value` with its typographic dashes as `-`, so that one set of shapes knows "2024–03–15" and "536‑22‑1234". */
export function asciiDashes(value: string, makeup: RunMakeup): string {
  return makeup.typographicDashes > 0 ? value.replace(TYPOGRAPHIC_DASHES, '-') : value;
}

const DIGIT_STRINGS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * The digits of `value`, as a one-byte string. A slice or `replace` of a text holding any
 * character beyond Latin-1 stays two-byte, and V8 compiles a regular expression once per string
 * width: libphonenumber's patterns would be compiled twice, doubling the search's warm-up (38%
 * of PII-dense texts are two-byte).
 */
export function digitsOf(value: string): string {
  let digits = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isDigit(code)) digits += DIGIT_STRINGS[code - 0x30];
  }
  return digits;
}

/** Lengths of the runs of digits in `value`: `(030) 123 456` → [3, 3, 3]. */
export function digitGroups(value: string): number[] {
  const groups: number[] = [];
  let length = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && isDigit(value.charCodeAt(i))) length++;
    else if (length > 0) {
      groups.push(length);
      length = 0;
    }
  }
  return groups;
}

// A date is a whole group of the run, not digits inside a longer dashed or dotted number
// ("06-12-34-56-78" is a French phone number, not 6 December 1934 followed by digits), and
// has a real day and month in either order.
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const MONTH = '(?:0?[1-9]|1[0-2])';
const DATE_END = '(?!\\d|[-/.]\\d)';
const ISO_DATE = new RegExp(`(?:^|[^\\d./-])(?:19|20)\\d\\d([-/.])(?:${MONTH}\\1${DAY}|${DAY}\\1${MONTH})${DATE_END}`);
// Any two numbers joined by two date separators: a cheap test that most runs fail before the precise ones.
const DATE_LIKE = /\d[-/.]\d{1,2}[-/.]\d/;
const DAY_MONTH_YEAR = new RegExp(`(?:^|[^\\d./-])(?:${DAY}([-/.])${MONTH}\\1|${MONTH}([-/.])${DAY}\\2)(?:\\d{4}|\\d{2})${DATE_END}`);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// Four dotted groups of up to three digits that IPV4 refused ("656.283.13.67", a part over 255):
// a mistyped or malformed address, unless a phone cue says otherwise ("Cell. 333.123.45.67").
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const SSN_SHAPE = /^\d{3}([- ])\d{2}\1\d{4}$/;
const THOUSANDS_GROUPED = /^\d{1,3}([.,])\d{3}(?:\1\d{3})+$/;
// "12 345 678", French "12 345 678" (narrow no-break spaces): an amount, unless a phone cue
// says it is Latvian, Lebanese or Tunisian ("Tel. 21 234 567").
const SPACED_THOUSANDS = /^\d{1,2}([ \u00a0\u202f\u2009\u2007])\d{3}(?:\1\d{3})+$/;
// "2019-2023", "1998 – 2004": a span of years (the run joins them through the dash).
const YEAR_RANGE = /^(?:1[89]|20)\d\d\D{1,4}(?:1[89]|20)\d\d$/;
// US ZIP+4 (USPS Publication 28) and Brazil's CEP (Correios): 12345-6789, 01310-100. A German
// number with a five-digit area code starts with its trunk 0, so ZIP+4 is refused only from 1.
const POSTCODE = /^[1-9]\d{4}-\d{4}$|^\d{5}-\d{3}$/;
// ZIP+4 from 0 ("Boston, MA 02110-1301", the FSF's address in every GPL notice): a ZIP code right
// after a US state's two letters ("MA ", "MA, "), where a German 0xxxx-xxxx number does not stand.
const ZERO_ZIP_PLUS_4 = /^0\d{4}-\d{4}$/;
const US_STATE_BEFORE =
  /(?:^|[^A-Za-z])(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR),?[ \t]+$/;

/** A 0xxxx-xxxx run right after a US state abbreviation: a ZIP+4 code, not a phone number. */
export function isZipAfterUsState(text: string, start: number, value: string): boolean {
  return ZERO_ZIP_PLUS_4.test(value) && US_STATE_BEFORE.test(text.slice(Math.max(0, start - 6), start));
}
// "0.685862", "0.912 345 678": a decimal fraction, maybe grouped by thousands. A
// number's first group is one digit only as NANP's trunk 1 ("1.415.555.2671").
const DECIMAL = /^0\.|^\d\.\d+(?:[ \u00a0\u202f]|$)/;
// "08.45 - 17.30": opening hours as German and Scandinavian texts write them.
const TIME_RANGE = /^(?:[01]?\d|2[0-4])[.:][0-5]\d\D{1,4}(?:[01]?\d|2[0-4])[.:][0-5]\d$/;

/**
 * ISBN-10 printed with hyphens (`0-306-40615-2`): four groups, the last the check digit alone
 * (ISO 2108), and a valid mod-11 check, which one phone number in eleven also passes.
 */
function isHyphenatedIsbn10(value: string): boolean {
  if (value.length !== 13) return false; // 10 digits and 3 hyphens
  const groups = value.split('-');
  if (groups.length !== 4 || groups[3]?.length !== 1) return false;
  const compact = groups.join('');
  if (!/^\d{9}[\dX]$/.test(compact)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (10 - i) * (compact[i] === 'X' ? 10 : Number(compact[i]));
  return sum % 11 === 0;
}

/**
 * A date, IP address (or a malformed one), SSN, amount, year span, postcode, decimal or ISBN: its
 * parts are not phone numbers either. `maxNationalDigits`: longer runs without +CC are cards,
 * ISBN-13, ids, but for an Argentine mobile's one digit more.
 */
export function isShapeOfSomethingElse(value: string, makeup: RunMakeup, international: boolean, maxNationalDigits: number, cue: Cue): boolean {
  if (!international && makeup.digits > maxNationalDigits && !isArgentineMobile(value, makeup, maxNationalDigits)) return true;
  const { dots, dashes, slashes, spaces } = makeup;
  if (dots + dashes + slashes >= 2 && DATE_LIKE.test(value) && (ISO_DATE.test(value) || DAY_MONTH_YEAR.test(value))) return true;
  if (dots === 3 && (IPV4.test(value) || (DOTTED_QUAD.test(value) && !cue.cued))) return true;
  if ((dashes === 2 || spaces === 2) && SSN_SHAPE.test(value)) return true;
  if (dots >= 2 && THOUSANDS_GROUPED.test(value)) return true;
  if (spaces >= 2 && SPACED_THOUSANDS.test(value) && !cue.cued) return true;
  if (international) return false;
  if (makeup.digits === 8 && (YEAR_RANGE.test(value) || TIME_RANGE.test(value))) return true;
  if (dashes === 1 && POSTCODE.test(value)) return true;
  if (dots > 0 && DECIMAL.test(value)) return true;
  // "loss 623.451234", "ppl 912.2780441": one dot between two runs of digits is a decimal number
  // (metrics, logs, tables), which fits some country's grouping as often as not; a phone written
  // so needs its cue ("Tel. 0612.345678").
  if (dots === 1 && dashes + slashes + spaces + makeup.brackets === 0 && !cue.cued) return true;
  return dashes === 3 && isHyphenatedIsbn10(value);
}

// Argentina's mobiles dialled inside the country: trunk 0, area code, the mobile token 15, then
// the subscriber ("011 15-2345-6789", libphonenumber's national format), one digit more than
// other national numbers.
const ARGENTINE_MOBILE = /^0\d{2,4}15/;

function isArgentineMobile(value: string, makeup: RunMakeup, maxNationalDigits: number): boolean {
  return makeup.digits === maxNationalDigits + 1 && value.charCodeAt(0) === 0x30 && ARGENTINE_MOBILE.test(digitsOf(value));
}

/**
 * Phone numbers group their digits in 2–5s (a single leading digit is a country, trunk or area code);
 * a one-digit group later on means a list of small numbers or a version, not a phone.
 */
export function hasPhoneGrouping(makeup: RunMakeup, international: boolean): boolean {
  // after a +CC the area or mobile prefix may be one digit too: +33 6 12 34 56 78, +49 7 …
  const singleDigitGroups = international ? 2 : 1;
  return makeup.lastLoneDigitGroup < singleDigitGroups;
}
