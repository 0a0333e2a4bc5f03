import type { CountryCode } from 'libphonenumber-js/core';
import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';
import { csvCuedFields, type FieldSpan, isDelimitedField, isInField } from './csv-header-cues.js';
import { isValidInternationalNumber, isValidNationalNumber } from './phone-metadata.js';

const NAME = 'phone.libphonenumber';
// A leading +CC (or 00) and a number valid for that country: rarely anything else.
const INTERNATIONAL_SCORE = 0.95;
// Valid national number printed with phone formatting: likely, but dates or ids can look the
// same, so at the default 0.95 threshold it needs a context word (+0.35).
const FORMATTED_NATIONAL_SCORE = 0.9;
// Unformatted national digits are only reported after a phone cue (checked here); the
// detector's +0.35 for the same cue lifts 0.6 to 0.95.
const CUED_NATIONAL_SCORE = 0.6;

/**
 * Regions whose national format (no +CC) is tried, in order, each with the shape its national
 * numbers are printed in (digits only). The shape is a cheap filter before validation, and it
 * also refuses what libphonenumber leniently accepts: GB/DE/FR/AU numbers without their
 * trunk `0` (`12 34 56 78 90` is not a British number in running text). The regions are the
 * most common in English, European, Chinese, Japanese and Brazilian training text; others
 * need their +CC to be found. `cueOnly`: the shape is so plain (any nine digits for Poland, ten
 * or eleven for Brazil) that formatting alone is no sign; a phone cue must precede.
 */
const DEFAULT_REGIONS: readonly { readonly region: CountryCode; readonly shape: RegExp; readonly cueOnly?: boolean }[] = [
  { region: 'US', shape: /^1?[2-9]\d{2}[2-9]\d{6}$/ }, // NANP: area and exchange never start 0/1
  { region: 'CA', shape: /^1?[2-9]\d{2}[2-9]\d{6}$/ }, // NANP too; libphonenumber keeps its area codes apart
  { region: 'GB', shape: /^0\d{9,10}$/ },
  { region: 'DE', shape: /^0[1-9]\d{5,12}$/ },
  { region: 'FR', shape: /^0[1-9]\d{8}$/ },
  { region: 'IN', shape: /^(?:0?[6-9]\d{9}|0[1-8]\d{9})$/ }, // mobiles are written without the 0
  { region: 'ES', shape: /^[6-9]\d{8}$/ },
  { region: 'IT', shape: /^(?:0\d{5,10}|3\d{8,9})$/ },
  { region: 'AU', shape: /^0[2-478]\d{8}$/ },
  { region: 'CN', shape: /^(?:1[3-9]\d{9}|0[1-9]\d{8,10})$/ }, // mobiles 1xx xxxx xxxx, fixed lines with trunk 0
  { region: 'JP', shape: /^0[1-9]\d{8,9}$/ },
  { region: 'BR', shape: /^0?[1-9]{2}9?[2-9]\d{7}$/, cueOnly: true }, // (11) 94034-3508; also fits "12 34 56 78 90"
  { region: 'PL', shape: /^[1-9]\d{8}$/, cueOnly: true },
];

const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
// National significant numbers stay under 13 digits; 13+ digits without +CC are cards, ISBNs, ids.
const MAX_NATIONAL_DIGITS = 12;
const MAX_SPLIT_TOKENS = 8;

/**
 * A maximal run of digits joined by phone separators (space, dot, dash, slash, parentheses),
 * optionally opened by `+`, `(` or `(+`. It deliberately over-collects (two numbers separated
 * by a space become one run); `find` checks the whole run first and then its sub-spans.
 * libphonenumber's own `findNumbers` takes a single default country and would need one full
 * pass per region; one pass here plus validation of the few surviving candidates is faster
 * and lets us refuse the hard negatives before validating.
 */
// At least MIN_DIGITS digits: the many shorter numbers of ordinary text (prices, times, years)
// end the match attempt inside the regex engine instead of becoming candidates to refuse.
const RUN = /(?:\+|\(\+?)?\d(?:[ \u00a0.()/-]{0,4}\d){6,}/g;

/**
 * Cues for unformatted national numbers, in the window before them on the same line. Latin
 * cues are prefixes (`telefon` also covers telefono, telefone, telefonu); the Cyrillic and CJK
 * ones stand without `\b`, which only knows ASCII words.
 */
const CUE =
  /\b(?:phone|tel|call|mobile|cell|fax|whatsapp|contact|handy|mob|ph|sms|téléphone|teléfono|telefon|telemóvel|numéro)|телефон|тел\.|电话|電話|手机|携帯|전화/i;

const ISO_DATE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/;
const DAY_MONTH_YEAR = /(?:^|\D)\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?!\d)/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const SSN_SHAPE = /^\d{3}([- ])\d{2}\1\d{4}$/;
const THOUSANDS_GROUPED = /^\d{1,3}([.,])\d{3}(?:\1\d{3})+$|^\d{1,2} \d{3}(?: \d{3})+$/;
const ISBN_CUE = /isbn/i;
const FORMATTING = /[-.()/]/;
const NON_DIGITS = /\D+/g;

/**
 * Why a span is not a phone number. `shape`: it has the shape of something else (date, IP, SSN,
 * card, ISBN, amount), so its parts are not tried either. `invalid`: not a valid or not a
 * sufficiently marked number, but a part of it may be.
 */
type Rejection = 'none' | 'shape' | 'invalid';

interface Evaluation {
  readonly rejection: Rejection;
  readonly score: number;
}

const SHAPE: Evaluation = { rejection: 'shape', score: 0 };
const INVALID: Evaluation = { rejection: 'invalid', score: 0 };

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * CJK punctuation, Han, kana and full-width forms: these scripts put no spaces between words,
 * so a character touching the digits (`电话+8613177646208，`) does not make them part of an id.
 */
function isSpacelessScript(code: number): boolean {
  return (code >= 0x3000 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xffef);
}

function isWordChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code > 0x7f) return !isSpacelessScript(code) && NON_ASCII_WORD_CHAR.test(text[index] ?? ''); // not NBSP, dashes, quotes
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** What a run is made of, counted in one pass so that each shape test below runs only when it could match. */
interface RunMakeup {
  digits: number;
  dots: number;
  dashes: number;
  slashes: number;
  spaces: number;
}

function makeupOf(value: string): RunMakeup {
  const makeup = { digits: 0, dots: 0, dashes: 0, slashes: 0, spaces: 0 };
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isDigit(code)) makeup.digits++;
    else if (code === 0x2e) makeup.dots++;
    else if (code === 0x2d) makeup.dashes++;
    else if (code === 0x2f) makeup.slashes++;
    else if (code === 0x20 || code === 0xa0) makeup.spaces++;
  }
  return makeup;
}

function sameLineWindow(text: string, start: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return text.slice(Math.max(lineStart, start - CONTEXT_WINDOW), start);
}

/**
 * Characters just before/after that make the digits part of something else: an id glued to
 * letters (`AB1234567`, `v2.14.3`), an order number (`#4839201745`), an amount (`$`, `€`),
 * the continuation of a dotted/dashed/decimal number, a time (`10:30`), a percentage.
 */
function hasForeignNeighbour(text: string, start: number, end: number): boolean {
  if (isDelimitedField(text, start, end)) return false; // "…,(801) 465-8138,US": a CSV field
  if (start > 0 && (isWordChar(text, start - 1) || '#$€£¥.,/-_'.includes(text[start - 1] ?? ''))) return true;
  if (end < text.length && (isWordChar(text, end) || text.charCodeAt(end) === 0x25)) return true; // letters, digits, %
  const afterNext = text.charCodeAt(end + 1);
  return ('.,/:-'.includes(text[end] ?? ' ') && isDigit(afterNext));
}

/** ISBN-10 printed with hyphens (`0-306-40615-2`): four groups and a valid mod-11 check. */
function isHyphenatedIsbn10(value: string): boolean {
  if (value.length !== 13) return false; // 10 digits and 3 hyphens
  const groups = value.split('-');
  if (groups.length !== 4) return false;
  const compact = groups.join('');
  if (!/^\d{9}[\dX]$/.test(compact)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (10 - i) * (compact[i] === 'X' ? 10 : Number(compact[i]));
  return sum % 11 === 0;
}

/**
 * Phone numbers group their digits in 2–5s (a single leading digit is a country, trunk or area code);
 * a one-digit group later on means a list of small numbers or a version, not a phone.
 */
function hasPhoneGrouping(value: string, international: boolean): boolean {
  // after a +CC the area or mobile prefix may be one digit too: +33 6 12 34 56 78, +49 7 …
  const singleDigitGroups = international ? 2 : 1;
  let groupIndex = 0;
  let groupLength = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && isDigit(value.charCodeAt(i))) {
      groupLength++;
      continue;
    }
    const isTrunkZero = groupLength === 1 && value[i] === ')' && value[i - 2] === '('; // "+44 (0)20"
    if (groupLength === 1 && groupIndex >= singleDigitGroups && !isTrunkZero) return false;
    if (groupLength > 0 && !isTrunkZero) groupIndex++;
    groupLength = 0;
  }
  return true;
}

function isShapeOfSomethingElse(value: string, makeup: RunMakeup, international: boolean): boolean {
  if (!international && makeup.digits > MAX_NATIONAL_DIGITS) return true; // cards, ISBN-13, long ids
  const { dots, dashes, slashes, spaces } = makeup;
  if (dots + dashes + slashes >= 2 && (ISO_DATE.test(value) || DAY_MONTH_YEAR.test(value))) return true;
  if (dots === 3 && IPV4_SHAPE.test(value)) return true;
  if ((dashes === 2 || spaces === 2) && SSN_SHAPE.test(value)) return true;
  if ((dots >= 2 || spaces >= 2) && THOUSANDS_GROUPED.test(value)) return true;
  return dashes === 3 && isHyphenatedIsbn10(value);
}

/** A phone cue before the number on its line, or a CSV column headed as phone numbers. */
function isCued(text: string, start: number, end: number, headerCued: readonly FieldSpan[]): boolean {
  return CUE.test(sameLineWindow(text, start)) || isInField(headerCued, start, end);
}

function evaluate(text: string, start: number, end: number, requireSeparators: boolean, headerCued: readonly FieldSpan[]): Evaluation {
  const value = text.slice(start, end);
  const makeup = makeupOf(value);
  if (makeup.digits < MIN_DIGITS || makeup.digits > MAX_DIGITS) return INVALID;
  const first = value.charCodeAt(0);
  const international = first === 0x2b || (first === 0x28 && value.charCodeAt(1) === 0x2b) || value.startsWith('00'); // + (+ 00
  if (isShapeOfSomethingElse(value, makeup, international)) return SHAPE;
  if (!hasPhoneGrouping(value, international)) return INVALID;

  let score = 0;
  if (international) {
    // "+44 (0)20 …": the bracketed trunk prefix is written but never dialled
    const dialled = value.replace('(0)', '').replace(NON_DIGITS, '');
    if (!isValidInternationalNumber(value.startsWith('00') ? dialled.slice(2) : dialled)) return INVALID;
    score = INTERNATIONAL_SCORE;
  } else {
    const formatted = FORMATTING.test(value) || (!requireSeparators && value.includes(' '));
    // the cue is looked for once, and only when a number needs it
    let cued: boolean | undefined;
    if (!formatted && (requireSeparators || !(cued = isCued(text, start, end, headerCued)))) return INVALID;
    const digitsOnly = value.replace(NON_DIGITS, '');
    for (const { region, shape, cueOnly } of DEFAULT_REGIONS) {
      if (!shape.test(digitsOnly)) continue;
      if (cueOnly && !(cued ??= isCued(text, start, end, headerCued))) continue;
      if (!isValidNationalNumber(digitsOnly, region)) continue;
      score = formatted ? FORMATTED_NATIONAL_SCORE : CUED_NATIONAL_SCORE;
      break;
    }
    if (score === 0) return INVALID;
  }
  // checked last: few candidates get this far, and a window slice per digit run is not free
  if (ISBN_CUE.test(sameLineWindow(text, start))) return SHAPE;
  return { rejection: 'none', score };
}

/** Start/end offsets of the whitespace-separated tokens of `text[start, end)`. */
function tokenBounds(text: string, start: number, end: number): [number, number][] {
  const bounds: [number, number][] = [];
  let tokenStart = -1;
  for (let i = start; i <= end; i++) {
    const isSpace = i === end || text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0xa0;
    if (isSpace && tokenStart !== -1) {
      bounds.push([tokenStart, i]);
      tokenStart = -1;
    } else if (!isSpace && tokenStart === -1) tokenStart = i;
  }
  return bounds;
}

/** "Room 12 555-123-4567", "555-0100 555-0199": the numbers inside a refused run, longest first. */
function findPartsOfRun(text: string, start: number, end: number, headerCued: readonly FieldSpan[], findings: Finding[]): void {
  const tokens = tokenBounds(text, start, end);
  if (tokens.length < 2 || tokens.length > MAX_SPLIT_TOKENS) return;
  for (let i = 0; i < tokens.length; i++) {
    for (let j = tokens.length - 1; j >= i; j--) {
      if (i === 0 && j === tokens.length - 1) continue; // the whole run, already refused
      const subStart = tokens[i]?.[0] ?? 0;
      const subEnd = tokens[j]?.[1] ?? 0;
      const part = evaluate(text, subStart, subEnd, true, headerCued);
      if (part.rejection === 'none') {
        findings.push({ start: subStart, end: subEnd, type: 'phone', score: part.score, recognizer: NAME });
        i = j;
        break;
      }
    }
  }
}

/** Phone numbers validated by libphonenumber: international (+CC) and formatted national. */
export const phoneRecognizer: Recognizer = {
  name: NAME,
  type: 'phone',
  contextWords: [
    'phone', 'tel', 'telephone', 'call', 'mobile', 'cell', 'fax', 'whatsapp', 'contact',
    'telefon', 'téléphone', 'teléfono', 'telefono', 'telefone', 'telefonu', 'telemóvel', 'handy', 'portable', 'móvil', 'телефон',
  ],
  negativeContextWords: ['order', 'invoice', 'tracking', 'isbn', 'version', 'serial', 'account', 'ref', 'id', 'passport', 'паспорт', 'паспорта'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    const headerCued = csvCuedFields(text, 'phone');
    RUN.lastIndex = 0;
    for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
      let start = match.index;
      const end = start + match[0].length;
      if (text.charCodeAt(start) === 0x28 && !match[0].includes(')')) start++; // "(call 555-0100" → unbalanced "("
      if (hasForeignNeighbour(text, start, end)) continue;
      const whole = evaluate(text, start, end, false, headerCued);
      if (whole.rejection === 'none') {
        findings.push({ start, end, type: 'phone', score: whole.score, recognizer: NAME });
        continue;
      }
      if (whole.rejection === 'shape') continue;
      findPartsOfRun(text, start, end, headerCued, findings);
    }
    return findings;
  },
};
