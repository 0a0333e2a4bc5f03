import { CONTEXT_WINDOW, type Candidate, type Recognizer } from '../recognizer.js';
import { columnCuedFields } from './column-cues.js';

const NAME = 'passport.cued';
// A document-number shape right after a passport cue found here: likely, but the shape (6–9
// characters with digits) also fits other ids: a context word in the window lifts it to 1, the
// cue alone (further back, or a column's header) to the scanner's CUED_CEILING.
const CUED_NUMBER_SCORE = 0.9;
// An ICAO 9303 machine-readable line with four valid check digits is unmistakable.
const MRZ_SCORE = 1.0;

/**
 * German "Pass" (short for Reisepass) is a cue only with its number word: "Passnummer", "Pass-Nr.",
 * "Pass Nr.". Alone it is the English verb and noun ("boarding pass", "pass 123456 to"). "Ausweis"
 * (and "Ausweisnummer", "Personalausweis") is deliberately not a cue: it names an identity card,
 * not a passport, and also member, student, staff and library cards ("Mitgliedsausweis"), whose
 * numbers are not passport numbers.
 */
const GERMAN_PASS = String.raw`pass(?:-?nummer|-?nr\.?|[ \t](?:nummer|nr\.?))`;

/**
 * A passport cue, then an optional number word ("no.", "n.", "nr", "number", "nummer", "#"), so
 * that the abbreviation's period is not taken for the end of a sentence. Latin-script cues
 * (English, German, French, Spanish, Italian, Portuguese, Polish, Dutch, Turkish, Vietnamese,
 * Indonesian and Malay, Swahili)
 * need word edges, with compounds such as "Reisepassnummer" and inflections such as
 * "paszportu"; the Cyrillic, Greek, Arabic, Persian, Urdu, Hebrew, Devanagari, Bengali, Thai
 * and CJK cues are written without `\b`, which only knows ASCII words.
 */
// `\b` and Latin letters rather than `\p{L}` with the `u` flag: case-insensitive Unicode scans measured 4× slower
const NUMBER_WORD = String.raw`(?:\s*(?:(?:no|nr|n|num|number|nummer|numéro|número|numero|numer)(?![a-zà-ÿ])\s*[.º°]?|[#№]))?(?:\s*:)?`;
const LATIN_CUE = new RegExp(
  String.raw`\b(?:(?:passport|reisepass|passeport|pasaporte|passaporto|passaporte|paszport[u]?|paspoort|pasaport|paspor|pasipoti|hộ chiếu)` +
    String.raw`(?:-?nummer|-?nr\.?|number|numarası)?|${GERMAN_PASS})(?![a-zà-ÿ])${NUMBER_WORD}`,
  'iy',
);
const OTHER_SCRIPT_CUE = new RegExp(
  String.raw`(?:(?<![а-яё])паспорт[аеу]?|διαβατηρ[ίι]ο[υ]?|διαβατήρι[οα]|جواز السفر|گذرنامه|پاسپورٹ|דרכון|पासपोर्ट|পাসপোর্ট|หนังสือเดินทาง|旅券番号|旅券|护照号码|护照号|护照|여권번호|여권)${NUMBER_WORD}`,
  'iy',
);

/**
 * Where a cue can start: every Latin cue but "hộ chiếu" holds `pas` and then `s`, `a`, `z`, `p`
 * or `i` (at its start, or after `reise`), and every other-script cue starts with one of the
 * other words. The cue regexes run, sticky, only there: scanning all text with them (case-insensitive
 * alternations without a fast first-character search) measured 3× slower than this one scan,
 * and the fourth letter 15% faster than `pas` alone.
 */
const CUE_ANCHOR = /pas[sazpi]|ộ|паспорт|διαβατ|جواز السفر|گذرنامه|پاسپورٹ|דרכון|पासपोर्ट|পাসপোর্ট|หนังสือเดินทาง|旅券|护照|여권/gi;
const REISE = 'reise';

/**
 * National passport numbers: 6–9 upper-case letters and digits with at least five digits and at
 * most three letters. Covers US (9 digits or a letter + 8 digits), UK (9 digits), FR (2 digits,
 * 2 letters, 5 digits), IT (2 letters + 7 digits), ES (3 letters + 6 digits), IN (a letter + 7
 * digits), CA (2 letters + 6 digits), CN (a letter + 8 digits), JP (2 letters + 7 digits).
 */
const DOCUMENT_NUMBER = /(?<![\p{L}\p{N}])(?=(?:[A-Z]*\d){5})(?!(?:\d*[A-Z]){4})[A-Z0-9]{6,9}(?![\p{L}\p{N}])/gu;

/**
 * Letter-heavy numbers: the German passport (C + 8 of an alphabet without vowels) and the Dutch
 * one (9 letters and digits, last a digit) may hold one or two digits only. Any 9 upper-case
 * letters and digits fit, so this shape is only taken right after the cue (and its number word),
 * not anywhere in the window.
 */
const LETTER_HEAVY_NUMBER = /^[ \t]*([A-Z0-9]{9})(?![\p{L}\p{N}])/u;
const HAS_DIGIT = /\d/;

/**
 * Russian passports print the number in groups: the international one as a 2-digit series and
 * 7 digits ("72 1234567"), the internal one as 4-digit series and 6 digits ("45 06 123456").
 */
const GROUPED_DIGITS = /(?<![\p{L}\p{N}])(?:\d{2} \d{7}|\d{2} ?\d{2} \d{6})(?![\p{L}\p{N}])/u;

/** A sentence or line ends between the cue and the number: the number belongs to something else. */
const SENTENCE_BREAK = /[.!?]\s+\p{Lu}|[\n;]/u;

/**
 * ICAO Doc 9303 TD3 (passport) MRZ line 2: document number, check, nationality, birth date,
 * check, sex, expiry, check, optional data, check, composite check.
 */
const MRZ_LINE_2 =
  /(?<![A-Z0-9<])[A-Z0-9<]{9}\d[A-Z<]{3}\d{6}\d[MFX<]\d{6}\d[A-Z0-9<]{14}[\d<]\d(?![A-Z0-9<])/g;

/** ICAO 9303 part 3 §4.9: weights 7, 3, 1 repeating; digits as is, A–Z = 10–35, `<` = 0. */
function checkDigit(field: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const code = field.charCodeAt(i);
    const value = code === 0x3c ? 0 : code >= 65 ? code - 55 : code - 48;
    sum += value * (weights[i % 3] ?? 1);
  }
  return sum % 10;
}

function checks(line: string, fieldStart: number, fieldEnd: number, checkAt: number): boolean {
  const written = line[checkAt];
  const field = line.slice(fieldStart, fieldEnd);
  // an empty optional field may carry `<` as its check digit
  if (written === '<') return /^<*$/.test(field);
  return Number(written) === checkDigit(field);
}

function isValidMrzLine2(line: string): boolean {
  return (
    checks(line, 0, 9, 9) && // document number
    checks(line, 13, 19, 19) && // date of birth
    checks(line, 21, 27, 27) && // date of expiry
    checks(line, 28, 42, 42) && // optional data / personal number
    Number(line[43]) === checkDigit(line.slice(0, 10) + line.slice(13, 20) + line.slice(21, 43))
  );
}

/** Where the passport number after a cue that ends at `cueEnd` lies, if there is one. */
function numberAfterCue(text: string, cueEnd: number): { start: number; end: number } | null {
  const after = text.slice(cueEnd, cueEnd + CONTEXT_WINDOW);
  const adjacent = LETTER_HEAVY_NUMBER.exec(after);
  if (adjacent !== null && HAS_DIGIT.test(adjacent[1] ?? '')) {
    const start = cueEnd + adjacent[0].length - (adjacent[1]?.length ?? 0);
    return { start, end: cueEnd + adjacent[0].length };
  }
  DOCUMENT_NUMBER.lastIndex = 0;
  const number = DOCUMENT_NUMBER.exec(after);
  const grouped = GROUPED_DIGITS.exec(after);
  // the earliest of the two shapes is the number; the other may be a later, unrelated token
  const first = grouped !== null && (number === null || grouped.index < number.index) ? grouped : number;
  if (first === null || SENTENCE_BREAK.test(after.slice(0, first.index + 1))) return null;
  return { start: cueEnd + first.index, end: cueEnd + first.index + first[0].length };
}

/** Whether `text` holds "reise" in any case right before `at`. */
function followsReise(text: string, at: number): boolean {
  if (at < REISE.length) return false;
  for (let i = 0; i < REISE.length; i++) if ((text.charCodeAt(at - REISE.length + i) | 0x20) !== REISE.charCodeAt(i)) return false;
  return true;
}

/**
 * One cue regex's findings, taken the way a global scan of the whole text takes them: tried at
 * candidate starts in text order, each only when the scan would not already be past it.
 */
class CueScan {
  #next = 0; // where the global scan would search on from

  constructor(
    private readonly cue: RegExp,
    readonly findings: Candidate[],
  ) {}

  tryAt(text: string, start: number): void {
    if (start < this.#next) return;
    this.cue.lastIndex = start;
    const cue = this.cue.exec(text);
    if (cue === null) return;
    const cueEnd = start + cue[0].length;
    // "Passport No.: C01X00T47", "passport number is 123456789": the first fitting token in the window
    const span = numberAfterCue(text, cueEnd);
    if (span === null) {
      this.#next = cueEnd;
      return;
    }
    this.findings.push({ start: span.start, end: span.end, type: 'passport', score: CUED_NUMBER_SCORE, recognizer: NAME, cued: true });
    this.#next = span.end;
  }
}

/**
 * Adds the numbers after cues, Latin ones first as two separate scans would give them. False
 * when the text holds no anchor, so no cue.
 */
function findCuedNumbers(text: string, findings: Candidate[]): boolean {
  CUE_ANCHOR.lastIndex = 0;
  let anchor = CUE_ANCHOR.exec(text);
  if (anchor === null) return false;
  const latin = new CueScan(LATIN_CUE, findings);
  let other: CueScan | undefined;
  for (; anchor !== null; anchor = CUE_ANCHOR.exec(text)) {
    const at = anchor.index;
    const first = text.charCodeAt(at) | 0x20;
    if (first === 0x70) latin.tryAt(text, followsReise(text, at) ? at - REISE.length : at); // p
    else if (anchor[0].length === 1) latin.tryAt(text, at - 1); // the ộ of "hộ"
    else (other ??= new CueScan(OTHER_SCRIPT_CUE, [])).tryAt(text, at);
    CUE_ANCHOR.lastIndex = at + 1; // every anchor is visited: each scan skips those it is already past
  }
  // one push per finding, not push(...): 150,000 cued numbers on one line (2.7 MB) overflowed the call's argument stack
  if (other !== undefined) for (const finding of other.findings) findings.push(finding);
  return true;
}

/** Passport numbers in the columns of a CSV or Markdown table whose header names one (`passport`, `passport_no`). */
function findInCuedColumns(text: string, findings: Candidate[]): void {
  for (const field of columnCuedFields(text, 'passport')) {
    const value = text.slice(field.start, field.end);
    DOCUMENT_NUMBER.lastIndex = 0;
    const number = DOCUMENT_NUMBER.exec(value);
    const whole = (number !== null && number[0].length === value.length) || (/^[A-Z0-9]{9}$/.test(value) && HAS_DIGIT.test(value));
    if (!whole) continue;
    findings.push({ start: field.start, end: field.end, type: 'passport', score: CUED_NUMBER_SCORE, recognizer: NAME, cued: true });
  }
}

function findMrzLines(text: string, findings: Candidate[]): void {
  MRZ_LINE_2.lastIndex = 0;
  for (let match = MRZ_LINE_2.exec(text); match !== null; match = MRZ_LINE_2.exec(text)) {
    if (!isValidMrzLine2(match[0])) continue;
    findings.push({ start: match.index, end: match.index + match[0].length, type: 'passport', score: MRZ_SCORE, recognizer: NAME });
  }
}

/** Passport numbers after a passport cue, and ICAO 9303 MRZ lines with valid check digits. */
export const passportRecognizer: Recognizer = {
  name: NAME,
  type: 'passport',
  contextWords: [
    'passport', 'passport no', 'passport number', 'reisepass', 'reisepassnummer', 'passeport', 'pasaporte', 'passaporto',
    'passaporte', 'paszportu', 'paspoortnummer', 'pasaport', 'паспорт', 'паспорта', 'hộ chiếu', 'جواز السفر', '旅券番号',
    '护照号码',
  ],
  find(text: string): Candidate[] {
    const findings: Candidate[] = [];
    // a passport column's header holds an anchor too
    if (findCuedNumbers(text, findings)) findInCuedColumns(text, findings);
    if (text.includes('<<')) findMrzLines(text, findings);
    if (findings.length > 1) findings.sort((a, b) => a.start - b.start);
    return findings;
  },
};
