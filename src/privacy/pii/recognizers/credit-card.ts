import type { Candidate, Recognizer } from '../recognizer.js';
import { columnCuedFields, isDelimitedField, isInField } from './column-cues.js';
import { isDigit } from './char-code.js';

const NAME = 'credit_card.luhn';
// Luhn plus a known issuer range and length: a random number passes with well under 1 in 100.
const GROUPED_SCORE = 1.0;
// Unbroken digits are also how order and account numbers print, so a negative word such as
// "order" (-0.4) must be able to push them under the 0.95 threshold.
const UNGROUPED_SCORE = 0.95;
// 13–15 unbroken digits are mostly ids: about 1 in 90 random 13-digit numbers starting with 4
// is a Luhn-valid Visa, 1 in 200 of 14–15 digits a Diners or Amex number. Alone they stay under
// the 0.95 threshold; a card word before them ("card", "amex": +0.35) or a column headed as a
// card (`card_number`, column-cues.ts) lifts them to it. Only just under: with a negative word
// (-0.4) they still make the default 0.5 threshold, as they did at 0.95 (a card after
// "reference F7534…").
const SHORT_UNGROUPED_SCORE = 0.9;
const SHORT_UNGROUPED_MAX_DIGITS = 15;

/**
 * A maximal run of digits, either 13–19 unbroken or in groups split by one kind of separator (a
 * single space or dash throughout) after a first group of four — every card layout starts so,
 * and requiring it up front lets the scan pass over the short numbers of ordinary text. The
 * lookarounds keep it from starting or ending inside a longer number, a decimal, a date or a
 * word (a hex hash or id: `commit/8e50e91f51aa5038745526710ef2…` held a Luhn-valid Maestro; one
 * random SHA-1 in ~4,000 did); a comma next to it is checked in `find` (a CSV field, or the
 * thousands of an amount), a letter of another script than Latin there too (isLetterOrDigitAt).
 */
// No `u`: Unicode-mode scans measured up to 4× slower. The lookbehind comes after the first
// digit, so that the engine's fast check for digits rejects most positions before it runs:
// measured 2.4× faster on prose, 1.25× on PII-dense text. At most MAX_GROUPS groups a match:
// an unbounded repeat overflowed the regex engine's stack on a line of ~6.8 million
// characters ("4111-1-1-1…"); a longer run is skipped whole, as it was refused whole before.
const MAX_GROUPS = 16;
const CANDIDATE = new RegExp(String.raw`\d(?<![\dA-Za-z\-./]\d)\d{3}(?:\d{9,15}|([ -])\d+(?:\1\d+){0,${MAX_GROUPS - 2}})(?![\dA-Za-z\-/]|\.\d)`, 'g');

interface Issuer {
  /** Inclusive IIN ranges, compared on the number's first `digits` digits (as many as `low` has). */
  readonly ranges: readonly (readonly [low: number, high: number, digits: number])[];
  readonly lengths: readonly number[];
}

const range = (low: number, high = low): readonly [number, number, number] => [low, high, String(low).length];
const span = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Issuer identification ranges and lengths, after the issuers' public tables (as summarised in
 * ISO/IEC 7812 registries and e.g. Wikipedia's "Payment card number"). Written here because no
 * maintained npm table is installed; it is small and changes rarely.
 */
const ISSUERS: readonly Issuer[] = [
  { ranges: [range(4)], lengths: [13, 16, 19] }, // Visa
  { ranges: [range(51, 55), range(2221, 2720)], lengths: [16] }, // Mastercard
  { ranges: [range(34), range(37)], lengths: [15] }, // American Express
  { ranges: [range(6011), range(644, 649), range(65), range(622126, 622925)], lengths: span(16, 19) }, // Discover
  { ranges: [range(3528, 3589)], lengths: span(16, 19) }, // JCB
  { ranges: [range(300, 305), range(3095), range(36), range(38, 39)], lengths: span(14, 19) }, // Diners Club
  { ranges: [range(62)], lengths: span(16, 19) }, // UnionPay
  { ranges: [range(2200, 2204)], lengths: span(16, 19) }, // Mir
  {
    ranges: [range(5018), range(5020), range(5038), range(5893), range(6304), range(6759), range(6761, 6763)],
    lengths: span(13, 19),
  }, // Maestro (12-digit cards exist but are too rare to be worth the false positives)
];

/** The number the first `length` digits make, read without slicing: Luhn-valid candidates are frequent in PII-dense text. */
function prefixValue(digits: string, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 10 + digits.charCodeAt(i) - 48;
  return value;
}

function hasKnownIssuer(digits: string): boolean {
  return ISSUERS.some(
    (issuer) =>
      issuer.lengths.includes(digits.length) &&
      issuer.ranges.some(([low, high, prefixLength]) => {
        const prefix = prefixValue(digits, prefixLength);
        return prefix >= low && prefix <= high;
      }),
  );
}

/** ISO/IEC 7812-1 Annex B check digit (Luhn mod 10). */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Cards print in groups of 4 (Visa, Mastercard: 4-4-4-4[-3]) or 4-6-5 / 4-6-4 (Amex, Diners):
 * the first group is always 4 digits and no group is shorter than 3 except a short tail.
 * Anything else (`12 34 56 …`) is a list of numbers, not a card.
 */
function hasCardGrouping(groups: readonly string[]): boolean {
  if (groups[0]?.length !== 4) return false;
  for (let i = 1; i < groups.length - 1; i++) {
    const length = groups[i]?.length ?? 0;
    if (length < 4 || length > 6) return false;
  }
  const lastLength = groups[groups.length - 1]?.length ?? 0;
  return lastLength >= 1 && lastLength <= 6;
}

/**
 * A comma right before or after the digits that is not a CSV field delimiter: they are part of
 * a longer number (`1,4111111111111111`, `4111111111111111,25`). In a row such as
 * `421458,6011 2397 8707 4523,$9636.60` the commas delimit fields and the card stands alone.
 */
function touchesNumberAcrossComma(text: string, start: number, end: number): boolean {
  const commaBefore = text.charCodeAt(start - 1) === 0x2c && isDigit(text.charCodeAt(start - 2));
  const commaAfter = text.charCodeAt(end) === 0x2c && isDigit(text.charCodeAt(end + 1));
  return (commaBefore || commaAfter) && !isDelimitedField(text, start, end);
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * A non-ASCII letter or digit at `index` (`é4111…`, `…1111ж`): the candidate is part of a word.
 * ASCII ones are refused by CANDIDATE's lookarounds; these are rare enough to test one by one.
 */
function isLetterOrDigitAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80) return false;
  if (code >= 0xdc00 && code <= 0xdfff && index > 0) return LETTER_OR_DIGIT.test(text.slice(index - 1, index + 1));
  if (code >= 0xd800 && code <= 0xdbff) return LETTER_OR_DIGIT.test(text.slice(index, index + 2));
  return LETTER_OR_DIGIT.test(text[index]!);
}

/** Whether another `separator` and digit follow at `at`: the match stopped at MAX_GROUPS, not at the run's end. */
function continuesGroups(text: string, at: number, separator: number): boolean {
  return at + 1 < text.length && text.charCodeAt(at) === separator && isDigit(text.charCodeAt(at + 1));
}

/** The end of the groups joined by `separator` that go on at `at`. */
function groupsEnd(text: string, at: number, separator: number): number {
  let end = at;
  while (continuesGroups(text, end, separator)) {
    end += 2;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  }
  return end;
}

/** Payment card numbers: Luhn-valid with a known issuer prefix and length. */
export const creditCardRecognizer: Recognizer = {
  name: NAME,
  type: 'credit_card',
  contextWords: ['card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'cc', 'payment', 'kreditkarte', 'carte', 'tarjeta', 'carta'],
  negativeContextWords: ['order', 'invoice', 'tracking', 'reference', 'ref', 'imei', 'isbn', 'serial'],
  find(text: string): Candidate[] {
    const findings: Candidate[] = [];
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
      const value = match[0];
      const separator = match[1];
      if (separator !== undefined && continuesGroups(text, CANDIDATE.lastIndex, separator.charCodeAt(0))) {
        CANDIDATE.lastIndex = groupsEnd(text, CANDIDATE.lastIndex, separator.charCodeAt(0)); // cut at MAX_GROUPS: no card
        continue;
      }
      if (value.length < 13 || value.length > 23) continue; // 13–19 digits plus at most 4 separators
      if (touchesNumberAcrossComma(text, match.index, match.index + value.length)) continue;
      if (isLetterOrDigitAt(text, match.index - 1) || isLetterOrDigitAt(text, match.index + value.length)) continue;
      const groups = separator === undefined ? [value] : value.split(separator);
      const digits = separator === undefined ? value : groups.join('');
      if (digits.length < 13 || digits.length > 19) continue;
      if (separator !== undefined && !hasCardGrouping(groups)) continue;
      if (!passesLuhn(digits) || !hasKnownIssuer(digits)) continue;
      const start = match.index;
      const end = start + value.length;
      if (separator === undefined && digits.length <= SHORT_UNGROUPED_MAX_DIGITS) {
        // the scanner lifts a cued candidate as for a card word, to 0.95 at most (ContextWords.adjust)
        const cued = isInField(columnCuedFields(text, 'credit_card'), start, end);
        findings.push({ start, end, type: 'credit_card', score: SHORT_UNGROUPED_SCORE, recognizer: NAME, ...(cued && { cued }) });
        continue;
      }
      const score = separator === undefined ? UNGROUPED_SCORE : GROUPED_SCORE;
      findings.push({ start, end, type: 'credit_card', score, recognizer: NAME });
    }
    return findings;
  },
};
