import { CUED_CEILING } from '../context-scoring.js';
import type { Candidate, Recognizer } from '../recognizer.js';
import { isDigit } from './char-code.js';
import { hasIsbnCue, idLabelBefore, RunCue } from './phone-cues.js';
import { isValidInternationalNumber } from './phone-metadata.js';
import { nationalEvidence } from './phone-national.js';
import { extensionEnd, hasForeignNeighbour, isFollowedByUnit, isWordChar } from './phone-neighbours.js';
import { asciiDashes, digitGroups, digitsOf, hasPhoneGrouping, isShapeOfSomethingElse, isSpace, isZipAfterUsState, makeupOf, type RunMakeup } from './phone-shapes.js';

const NAME = 'phone.libphonenumber';
// A leading +CC (or 00) and a number valid for that country: rarely anything else.
const INTERNATIONAL_SCORE = 0.95;
// Valid national number printed with phone formatting: likely, but dates or ids can look the
// same, so at the seed's 0.95 threshold it needs a context word (+0.35).
const FORMATTED_NATIONAL_SCORE = 0.9;
// Unformatted national digits are only reported after a phone cue (checked here); the
// detector's +0.35 for the same cue lifts 0.6 to 0.95.
const CUED_NATIONAL_SCORE = 0.6;
// Valid in a region and grouped exactly as its national format prints it, but written without
// a trunk prefix or a cue: likely, yet weaker than the rest, so that a negative context word
// ("order", "ref", −0.4) refuses it at the scanner's 0.5 threshold.
const LAYOUT_NATIONAL_SCORE = 0.75;

const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
// National significant numbers stay under 13 digits; 13+ digits without +CC are cards, ISBNs, ids
// (but for Argentina's mobiles, see phone-shapes.ts).
const MAX_NATIONAL_DIGITS = 12;
const MAX_SPLIT_TOKENS = 8;

/**
 * A maximal run of digits joined by phone separators (spaces of any width, dot, slash,
 * parentheses, the hyphen and the dashes typesetting puts for it: ‐ ‑ ‒ – −), optionally
 * opened by `+`, `(` or `(+`. It deliberately over-collects (two numbers separated by a space
 * become one run); `find` checks the whole run first and then its sub-spans. libphonenumber's own `findNumbers` takes a single default country and would
 * need one full pass per region; one pass here plus validation of the few surviving
 * candidates is faster and lets us refuse the hard negatives before validating.
 */
// At least MIN_DIGITS digits: the many shorter numbers of ordinary text (prices, times, years)
// end the match attempt inside the regex engine instead of becoming candidates to refuse.
// `(?<!\d)`: a run starts at its first digit; without it the engine tried again at each digit
// of every short number (measured: the scan alone went from 364 to 484 MB/s on PII-dense text).
// At most MAX_RUN_DIGITS digits a match: an unbounded repeat of the group overflowed the regex
// engine's stack on a line of ~5.6 million digits. A longer run is skipped whole, as it
// was refused whole before: it has far more digits than a phone number (wholeRunEnd).
const MAX_RUN_DIGITS = 64;
const RUN_SEPARATOR = String.raw`[ \u00a0\u202f\u2009\u2007.()/\u2010-\u2013\u2212-]`;
const RUN = new RegExp(String.raw`(?:\+|\(\+?)?(?<!\d)\d(?:\d|${RUN_SEPARATOR}{1,4}\d){6,${MAX_RUN_DIGITS - 1}}`, 'g');

const BRACKETED_TRUNK = '(0)';

/** RUN_SEPARATOR's characters. */
function isRunSeparator(code: number): boolean {
  return isSpace(code) || code === 0x2e || code === 0x28 || code === 0x29 || code === 0x2f || code === 0x2d || (code >= 0x2010 && code <= 0x2013) || code === 0x2212;
}

/** Where the run of digits and separators that RUN matched up to `from` really ends. */
function wholeRunEnd(text: string, from: number): number {
  let end = from;
  for (;;) {
    let next = end;
    while (next < text.length && next - end < 4 && isRunSeparator(text.charCodeAt(next))) next++;
    if (next >= text.length || !isDigit(text.charCodeAt(next))) return end;
    end = next + 1;
  }
}

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

/**
 * Whether digits are written as people write phone numbers rather than other grouped digits,
 * so that their country's layout alone may make them a number: in three groups or more (two
 * numbers side by side are sizes, years, ranges: "1920 1080", "2000-3000"), eight digits or
 * more ("200 68 46"), groups of more than one length (ids and codes are chunked evenly,
 * "934 077 146", "0485 0577 8192", and scores and draws, "23 34 45 56", are valid Danish
 * numbers), and no dots (malformed addresses "50.952.84.37", versions, amounts).
 */
function isLaidOutLikePhone(makeup: RunMakeup, groups: readonly number[]): boolean {
  return groups.length >= 3 && makeup.digits >= 8 && makeup.dots === 0 && groups.some((length) => length !== groups[0]);
}

function evaluate(text: string, start: number, end: number, requireSeparators: boolean, cue: RunCue): Evaluation {
  const makeup = makeupOf(text, start, end);
  if (makeup.digits < MIN_DIGITS || makeup.digits > MAX_DIGITS) return INVALID;
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  const international = first === 0x2b || (first === 0x28 && second === 0x2b) || (first === 0x30 && second === 0x30); // + (+ 00
  const formatted = makeup.dots + makeup.dashes + makeup.slashes + makeup.brackets > 0 || (!requireSeparators && makeup.spaces > 0);
  // A part of a run is only reported when found, so why it is refused does not matter; this
  // test is cheaper than the shapes and refuses most parts (pii-dense text: 6,000 in 12,000).
  if (requireSeparators && !formatted && !international) return INVALID;
  const value = asciiDashes(text.slice(start, end), makeup);
  if (isShapeOfSomethingElse(value, makeup, international, MAX_NATIONAL_DIGITS, cue)) return SHAPE;
  if (!international && makeup.dashes === 1 && isZipAfterUsState(text, start, value)) return SHAPE;
  if (!hasPhoneGrouping(makeup, international)) return INVALID;

  let score = 0;
  if (international) {
    const afterIdd = value.startsWith('00') ? 2 : 0;
    const dialled = digitsOf(value).slice(afterIdd);
    // "+44 (0)20 …": the bracketed trunk prefix is written but not dialled, unless (Italy) it belongs to the number
    const withoutTrunk = value.includes(BRACKETED_TRUNK) ? digitsOf(value.replace(BRACKETED_TRUNK, '')).slice(afterIdd) : dialled;
    if (!isValidInternationalNumber(withoutTrunk) && (withoutTrunk === dialled || !isValidInternationalNumber(dialled))) return INVALID;
    if (first === 0x30) {
      // "Bestellnummer 0049 …", "No. 0049 …"; but "Phone no. 0049 …"
      const label = idLabelBefore(text, start);
      if (label === 'id' || (label === 'number' && !cue.cued)) return SHAPE;
    }
    score = INTERNATIONAL_SCORE;
  } else {
    if (!formatted && (requireSeparators || !cue.cued)) return INVALID;
    const groups = digitGroups(value);
    const evidence = nationalEvidence(digitsOf(value), groups, cue, isLaidOutLikePhone(makeup, groups) ? value : undefined, makeup.dots === 0);
    if (evidence === 'none') return INVALID;
    const label = idLabelBefore(text, start);
    if (label === 'id' || (label === 'number' && !cue.cued)) return SHAPE;
    score = !formatted ? CUED_NATIONAL_SCORE : evidence === 'layout' ? LAYOUT_NATIONAL_SCORE : FORMATTED_NATIONAL_SCORE;
  }
  // checked last: few candidates get this far
  if (hasIsbnCue(text, start) || (!international && isFollowedByUnit(text, end))) return SHAPE;
  return { rejection: 'none', score };
}

/**
 * A number found; `cued` by the run's cue (a label, a column header, a cue on the line above),
 * which the scanner counts as a context word up to CUED_CEILING. An international number already
 * scores that, so its cue is not looked for: on PII-dense text that cost 15% of this recognizer.
 */
function candidate(start: number, end: number, score: number, cue: RunCue): Candidate {
  return { start, end, type: 'phone', score, recognizer: NAME, cued: score < CUED_CEILING && cue.cued };
}

/** A whitespace-separated token of a run: its offsets and the digits before its end, counted from the run's start. */
interface Token {
  readonly start: number;
  readonly end: number;
  readonly digitsToEnd: number;
}

function hasSpace(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isSpace(text.charCodeAt(i))) return true;
  return false;
}

/** The whitespace-separated tokens of `text[start, end)`. */
function tokensOf(text: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let tokenStart = -1;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const code = i === end ? 0x20 : text.charCodeAt(i);
    const space = isSpace(code);
    if (space && tokenStart !== -1) {
      tokens.push({ start: tokenStart, end: i, digitsToEnd: digits });
      tokenStart = -1;
    } else if (!space && tokenStart === -1) tokenStart = i;
    if (isDigit(code)) digits++;
  }
  return tokens;
}

/**
 * The numbers inside a refused run: "Room 12 555-123-4567", "555-0100 555-0199", and a list
 * "020 7946 0958 / 0161 496 0000", whose numbers, apart from the dash or slash between them,
 * are read as runs of their own.
 */
function findPartsOfRun(text: string, start: number, end: number, cue: RunCue, findings: Candidate[]): void {
  if (!hasSpace(text, start, end)) return; // one token, as most refused runs are: nothing to split or allocate
  const tokens = tokensOf(text, start, end);
  if (tokens.length < 2 || tokens.length > MAX_SPLIT_TOKENS) return;
  const items = listItems(tokens);
  if (items.length === 1) findPartsAmong(text, tokens, 0, tokens.length - 1, cue, findings);
  else for (const [first, last] of items) findListItem(text, tokens, first, last, cue, findings);
}

/** The first and last token of each number of a list: the runs of tokens between tokens without digits (" / ", " - "). */
function listItems(tokens: readonly Token[]): [number, number][] {
  const items: [number, number][] = [];
  let first = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && tokenDigits(tokens, i) > 0) continue;
    if (i > first) items.push([first, i - 1]);
    first = i + 1;
  }
  return items;
}

/** The digits of the token at `index`. */
function tokenDigits(tokens: readonly Token[], index: number): number {
  return (tokens[index] as Token).digitsToEnd - (index === 0 ? 0 : (tokens[index - 1] as Token).digitsToEnd);
}

/** One number of a list, tokens `first` to `last`: read as a run, then its parts. */
function findListItem(text: string, tokens: readonly Token[], first: number, last: number, cue: RunCue, findings: Candidate[]): void {
  const itemStart = (tokens[first] as Token).start;
  const itemEnd = (tokens[last] as Token).end;
  const item = evaluate(text, itemStart, itemEnd, false, cue);
  if (item.rejection === 'none') findings.push(candidate(itemStart, itemEnd, item.score, cue));
  else if (item.rejection === 'invalid' && last > first) findPartsAmong(text, tokens, first, last, cue, findings);
}

/** The numbers among tokens `first` to `last` of a refused run, longest first. */
function findPartsAmong(text: string, tokens: readonly Token[], first: number, last: number, cue: RunCue, findings: Candidate[]): void {
  for (let i = first; i <= last; i++) {
    const digitsBefore = i === 0 ? 0 : (tokens[i - 1] as Token).digitsToEnd;
    for (let j = last; j >= i; j--) {
      if (i === first && j === last) continue; // the whole, already refused
      // counted here, a part with too few or too many digits costs no evaluation (half the parts of pii-dense text)
      const digits = (tokens[j] as Token).digitsToEnd - digitsBefore;
      if (digits < MIN_DIGITS) break; // and so are the shorter parts
      if (digits > MAX_DIGITS) continue;
      const subStart = (tokens[i] as Token).start;
      const subEnd = (tokens[j] as Token).end;
      const part = evaluate(text, subStart, subEnd, true, cue);
      if (part.rejection === 'none') {
        findings.push(candidate(subStart, subEnd, part.score, cue));
        i = j;
        break;
      }
    }
  }
}

/** As many closing as opening brackets. */
function isBalanced(value: string): boolean {
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x28) depth++;
    else if (code === 0x29) depth--;
  }
  return depth === 0;
}

/**
 * Where the run `text[start, end)` ends once a bracket it opens after a blank and does not close
 * is left out ("0664 163870 (24/7)", "5123 4567 (9–17 Uhr)"): the bracket is the sentence's.
 */
function endBeforeOpenBracket(text: string, start: number, end: number): number {
  let depth = 0;
  let open = -1;
  for (let i = end - 1; i > start; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x29) depth++;
    else if (code === 0x28) {
      if (depth > 0) depth--;
      else open = i; // ends as the leftmost unclosed one; a closed "(0)" belongs to the number
    }
  }
  if (open === -1 || !isSpace(text.charCodeAt(open - 1))) return end;
  let cut = open - 1;
  while (cut > start && isSpace(text.charCodeAt(cut - 1))) cut--;
  return cut;
}

/**
 * The `+` at `plus` ends an international number written before it with no separator, as a list
 * of E.164 numbers stripped of its separators leaves them: `+`, then 7 to 15 digits.
 */
function followsInternationalNumber(text: string, plus: number): boolean {
  let first = plus;
  while (first > 0 && plus - first <= MAX_DIGITS && isDigit(text.charCodeAt(first - 1))) first--;
  const digits = plus - first;
  return digits >= MIN_DIGITS && digits <= MAX_DIGITS && text.charCodeAt(first - 1) === 0x2b;
}

/**
 * Phone numbers validated by libphonenumber's metadata: international (+CC, 00CC, with a
 * bracketed trunk `(0)`), and national numbers of ~100 regions written as their country writes
 * them (see phone-national.ts), with an extension when one follows.
 */
export const phoneRecognizer: Recognizer = {
  name: NAME,
  type: 'phone',
  contextWords: [
    'phone', 'tel', 'telephone', 'call', 'calls', 'mobile', 'mobil', 'cell', 'fax', 'whatsapp', 'contact', 'ph', 'mob', 'gsm',
    'reach', 'hotline', 'landline', 'sms', 'dial', 'ring', 'kontakt', 'erreichen', 'numéro', 'número', 'numero', 'nummer', 'numer',
    'contactez', 'contacto', 'contatto', 'cellulare', 'telefonum', 'номер', 'رقم', 'số',
    'telefon', 'téléphone', 'tél', 'teléfono', 'telefono', 'telefone', 'telefonu', 'telemóvel', 'handy', 'portable', 'móvil', 'movil',
    'celular', 'cel', 'tlf', 'puh', 'fon', 'fono', 'telp', 'rufnummer', 'viber', '☎', '📞', '📱', 'телефон', 'тел', 'моб', 'τηλ', 'هاتف', 'جوال', 'טלפון', '電話', '电话', '전화',
  ],
  negativeContextWords: ['order', 'invoice', 'tracking', 'isbn', 'version', 'serial', 'account', 'ref', 'id', 'passport', 'паспорт', 'паспорта'],
  find(text: string): Candidate[] {
    const findings: Candidate[] = [];
    const cue = new RunCue(text);
    RUN.lastIndex = 0;
    for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
      const wholeEnd = wholeRunEnd(text, RUN.lastIndex);
      if (wholeEnd > RUN.lastIndex) {
        RUN.lastIndex = wholeEnd; // cut at MAX_RUN_DIGITS: no phone number
        continue;
      }
      let start = match.index;
      // "(+44 (0)20 7946 0958)", "(call 555-0100": an opening bracket closed after the run is the sentence's
      if (text.charCodeAt(start) === 0x28 && !isBalanced(match[0])) start++;
      const matchEnd = match.index + match[0].length;
      const runEnd = match[0].includes('(', 1) ? endBeforeOpenBracket(text, start, matchEnd) : matchEnd;
      // an extension glued to the digits ("555-0123x12") is looked for before the neighbour test refuses them
      const gluedEnd = isWordChar(text, runEnd) ? extensionEnd(text, runEnd) : runEnd;
      // "+14155550134+14155550135": the digit before the second "+" is the first number's, not an id's
      const neighbourFrom = text.charCodeAt(start) === 0x2b && followsInternationalNumber(text, start) ? start + 1 : start;
      if (hasForeignNeighbour(text, neighbourFrom, gluedEnd)) continue;
      cue.moveTo(start, runEnd);
      const whole = evaluate(text, start, runEnd, false, cue);
      if (whole.rejection === 'none') {
        const end = gluedEnd === runEnd ? extensionEnd(text, runEnd) : gluedEnd;
        findings.push(candidate(start, end, whole.score, cue));
        continue;
      }
      if (whole.rejection === 'shape') continue;
      findPartsOfRun(text, start, runEnd, cue, findings);
    }
    return findings;
  },
};
