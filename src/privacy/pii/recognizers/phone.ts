import { type CountryCode, Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';

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
 * most common in English and European training text; others need their +CC to be found.
 */
const DEFAULT_REGIONS: readonly { readonly region: CountryCode; readonly shape: RegExp }[] = [
  { region: 'US', shape: /^1?[2-9]\d{2}[2-9]\d{6}$/ }, // NANP: area and exchange never start 0/1
  { region: 'GB', shape: /^0\d{9,10}$/ },
  { region: 'DE', shape: /^0[1-9]\d{5,12}$/ },
  { region: 'FR', shape: /^0[1-9]\d{8}$/ },
  { region: 'IN', shape: /^(?:0?[6-9]\d{9}|0[1-8]\d{9})$/ }, // mobiles are written without the 0
  { region: 'ES', shape: /^[6-9]\d{8}$/ },
  { region: 'IT', shape: /^(?:0\d{5,10}|3\d{8,9})$/ },
  { region: 'AU', shape: /^0[2-478]\d{8}$/ },
];

/**
 * Validity of a number against libphonenumber's full ("max") metadata, as its `isValid()`
 * decides it: the national significant number matches the country's general pattern and the
 * pattern of one number type (fixed line, mobile, toll free, …).
 *
 * Why not `parsePhoneNumberFromString(…).isValid()` itself: it builds a `new RegExp` from the
 * metadata strings on every check (`helpers/matchesEntirely.js`), measured at 60–180 µs per call
 * and ~93% of the recognizer's time, i.e. ~3 MB/s on PII-dense text. Compiling each country's
 * patterns once gives the same answers (test/…/phone.test.ts compares them with
 * `isValidPhoneNumber`) at the cost of one precompiled regex test each.
 */
interface CompiledPlan {
  /** `national_prefix_for_parsing`, anchored: the trunk prefix (and carrier codes) to strip. */
  readonly nationalPrefix: RegExp | undefined;
  readonly nationalPrefixTransform: string | undefined;
  readonly general: RegExp;
  readonly anyType: RegExp;
}

/** Accessors the core `Metadata` numbering plans have at run time but its .d.ts leaves out. */
interface NumberingPlanPatterns {
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  type(type: string): { pattern(): string | undefined } | undefined;
}

const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOICEMAIL', 'UAN', 'PAGER', 'VOIP', 'SHARED_COST'];
const metadata = new Metadata(metadataJson);
const compiledPlans = new Map<string, CompiledPlan | null>();

function compiledPlan(country: string): CompiledPlan | null {
  let plan = compiledPlans.get(country);
  if (plan !== undefined) return plan;
  plan = null;
  if (country !== '001' && (metadataJson.countries as Record<string, unknown>)[country] !== undefined) {
    metadata.selectNumberingPlan(country as CountryCode);
    const patterns = metadata.numberingPlan as unknown as NumberingPlanPatterns;
    const typePatterns = NUMBER_TYPES.map((type) => patterns.type(type)?.pattern()).filter((p): p is string => p !== undefined);
    if (typePatterns.length > 0) {
      const prefix = patterns.nationalPrefixForParsing();
      plan = {
        nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
        nationalPrefixTransform: patterns.nationalPrefixTransformRule() || undefined,
        general: new RegExp(`^(?:${patterns.nationalNumberPattern()})$`),
        anyType: new RegExp(`^(?:${typePatterns.join('|')})$`),
      };
    }
  }
  compiledPlans.set(country, plan);
  return plan;
}

function isValidNationalSignificantNumber(plan: CompiledPlan, nsn: string): boolean {
  return plan.general.test(nsn) && plan.anyType.test(nsn);
}

/** `digits` as dialled inside `country` (trunk prefix included or not). */
function isValidNationalNumber(digits: string, country: CountryCode): boolean {
  const plan = compiledPlan(country);
  if (plan === null) return false;
  const prefix = plan.nationalPrefix?.exec(digits);
  if (prefix) {
    const stripped =
      plan.nationalPrefixTransform !== undefined && prefix[1] !== undefined
        ? digits.replace(plan.nationalPrefix as RegExp, plan.nationalPrefixTransform)
        : digits.slice(prefix[0].length);
    if (isValidNationalSignificantNumber(plan, stripped)) return true;
  }
  return isValidNationalSignificantNumber(plan, digits);
}

/**
 * `digits` after the `+`: a calling code (prefix-free, 1–3 digits), then a number valid in one
 * of its countries. Like libphonenumber, a trunk prefix written after the code (`+43 0664 …`)
 * is tolerated.
 */
function isValidInternationalNumber(digits: string): boolean {
  const callingCodes = metadataJson.country_calling_codes as Record<string, readonly string[] | undefined>;
  for (let length = 1; length <= 3; length++) {
    const countries = callingCodes[digits.slice(0, length)];
    if (countries === undefined) continue;
    const nsn = digits.slice(length);
    return countries.some((country) => isValidNationalNumber(nsn, country as CountryCode));
  }
  return false;
}

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
const RUN = /(?:\+|\(\+?)?\d[\d \u00a0.()/-]{5,}\d/g; // 7+ characters: shorter cannot hold MIN_DIGITS

/** Cues for unformatted national numbers, in the window before them on the same line. */
const CUE = /\b(?:phone|tel|call|mobile|cell|fax|whatsapp|contact|handy|mob|ph|sms|téléphone|teléfono|telefono|numéro)/i;

const ISO_DATE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/;
const DAY_MONTH_YEAR = /(?:^|\D)\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?!\d)/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const SSN_SHAPE = /^\d{3}([- ])\d{2}\1\d{4}$/;
const THOUSANDS_GROUPED = /^\d{1,3}([.,])\d{3}(?:\1\d{3})+$|^\d{1,2} \d{3}(?: \d{3})+$/;
const ISBN_CUE = /isbn/i;

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

function isWordChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code > 0x7f) return NON_ASCII_WORD_CHAR.test(text[index] ?? ''); // not NBSP, dashes, quotes
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function countDigits(value: string): number {
  let digits = 0;
  for (let i = 0; i < value.length; i++) if (isDigit(value.charCodeAt(i))) digits++;
  return digits;
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

function isShapeOfSomethingElse(value: string, digits: number, international: boolean): boolean {
  if (ISO_DATE.test(value) || DAY_MONTH_YEAR.test(value)) return true;
  if (IPV4_SHAPE.test(value) || SSN_SHAPE.test(value) || THOUSANDS_GROUPED.test(value)) return true;
  if (!international && digits > MAX_NATIONAL_DIGITS) return true; // cards, ISBN-13, long ids
  return isHyphenatedIsbn10(value);
}

function evaluate(text: string, start: number, end: number, requireSeparators: boolean): Evaluation {
  const value = text.slice(start, end);
  const digits = countDigits(value);
  if (digits < MIN_DIGITS || digits > MAX_DIGITS) return INVALID;
  const international = value.startsWith('+') || value.startsWith('(+') || value.startsWith('00');
  if (isShapeOfSomethingElse(value, digits, international)) return SHAPE;
  if (!hasPhoneGrouping(value, international)) return INVALID;
  const window = sameLineWindow(text, start);
  if (ISBN_CUE.test(window)) return SHAPE;

  if (international) {
    // "+44 (0)20 …": the bracketed trunk prefix is written but never dialled
    const dialled = value.replace('(0)', '').replace(/\D+/g, '');
    const afterPrefix = value.startsWith('00') ? dialled.slice(2) : dialled;
    return isValidInternationalNumber(afterPrefix) ? { rejection: 'none', score: INTERNATIONAL_SCORE } : INVALID;
  }
  const formatted = /[-.()/]/.test(value) || (!requireSeparators && value.includes(' '));
  if (!formatted && (requireSeparators || !CUE.test(window))) return INVALID;
  const digitsOnly = value.replace(/\D+/g, '');
  for (const { region, shape } of DEFAULT_REGIONS) {
    if (shape.test(digitsOnly) && isValidNationalNumber(digitsOnly, region)) {
      return { rejection: 'none', score: formatted ? FORMATTED_NATIONAL_SCORE : CUED_NATIONAL_SCORE };
    }
  }
  return INVALID;
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

/** Phone numbers validated by libphonenumber: international (+CC) and formatted national. */
export const phoneRecognizer: Recognizer = {
  name: NAME,
  type: 'phone',
  contextWords: [
    'phone', 'tel', 'telephone', 'call', 'mobile', 'cell', 'fax', 'whatsapp', 'contact',
    'telefon', 'téléphone', 'teléfono', 'telefono', 'handy', 'portable', 'móvil',
  ],
  negativeContextWords: ['order', 'invoice', 'tracking', 'isbn', 'version', 'serial', 'account', 'ref', 'id'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    const push = (start: number, end: number, score: number): void => {
      findings.push({ start, end, type: 'phone', score, recognizer: NAME });
    };
    RUN.lastIndex = 0;
    for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
      let start = match.index;
      const end = start + match[0].length;
      if (end - start < MIN_DIGITS) continue;
      if (text.charCodeAt(start) === 0x28 && !match[0].includes(')')) start++; // "(call 555-0100" → unbalanced "("
      if (hasForeignNeighbour(text, start, end)) continue;
      const whole = evaluate(text, start, end, false);
      if (whole.rejection === 'none') {
        push(start, end, whole.score);
        continue;
      }
      if (whole.rejection === 'shape') continue;
      // "Room 12 555-123-4567", "555-0100 555-0199": find the numbers inside the run, longest first.
      const tokens = tokenBounds(text, start, end);
      if (tokens.length < 2 || tokens.length > MAX_SPLIT_TOKENS) continue;
      for (let i = 0; i < tokens.length; i++) {
        for (let j = tokens.length - 1; j >= i; j--) {
          if (i === 0 && j === tokens.length - 1) continue; // the whole run, already refused
          const subStart = tokens[i]?.[0] ?? 0;
          const subEnd = tokens[j]?.[1] ?? 0;
          const part = evaluate(text, subStart, subEnd, true);
          if (part.rejection === 'none') {
            push(subStart, subEnd, part.score);
            i = j;
            break;
          }
        }
      }
    }
    return findings;
  },
};
