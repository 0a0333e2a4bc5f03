import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';

const NAME = 'passport.cued';
// A document-number shape right after a passport cue found here: likely, but the shape (6–9
// characters with digits) also fits other ids, so it leaves room for the detector's +0.35 cue.
const CUED_NUMBER_SCORE = 0.9;
// An ICAO 9303 machine-readable line with four valid check digits is unmistakable.
const MRZ_SCORE = 1.0;

/** A passport cue in English, German, French, Spanish, Italian, Portuguese, Polish, then "no.", "#", … */
// `\b` and Latin letters rather than `\p{L}` with the `u` flag: case-insensitive Unicode scans measured 4× slower
const CUE = /\b(?:passport|reisepass|passeport|pasaporte|passaporto|passaporte|paszport)(?![a-zà-ÿ])/gi;

/**
 * National passport numbers: 6–9 upper-case letters and digits with at least five digits and at
 * most three letters. Covers US (9 digits or a letter + 8 digits), UK (9 digits), DE (C + 8 of a
 * restricted alphabet), FR (2 digits, 2 letters, 5 digits), IT (2 letters + 7 digits), ES (3
 * letters + 6 digits), IN (a letter + 7 digits), CA (2 letters + 6 digits).
 */
const DOCUMENT_NUMBER = /(?<![\p{L}\p{N}])(?=(?:[A-Z]*\d){5})(?!(?:\d*[A-Z]){4})[A-Z0-9]{6,9}(?![\p{L}\p{N}])/gu;

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

function findCuedNumbers(text: string, findings: Finding[]): void {
  CUE.lastIndex = 0;
  for (let cue = CUE.exec(text); cue !== null; cue = CUE.exec(text)) {
    const cueEnd = cue.index + cue[0].length;
    // "Passport No.: C01X00T47", "passport number is 123456789": the first fitting token in the window
    const after = text.slice(cueEnd, cueEnd + CONTEXT_WINDOW);
    DOCUMENT_NUMBER.lastIndex = 0;
    const number = DOCUMENT_NUMBER.exec(after);
    if (number === null || SENTENCE_BREAK.test(after.slice(0, number.index + 1))) continue;
    const start = cueEnd + number.index;
    const end = start + number[0].length;
    findings.push({ start, end, type: 'passport', score: CUED_NUMBER_SCORE, recognizer: NAME });
    CUE.lastIndex = end;
  }
}

function findMrzLines(text: string, findings: Finding[]): void {
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
  contextWords: ['passport', 'passport no', 'passport number', 'reisepass', 'passeport', 'pasaporte', 'passaporto'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    findCuedNumbers(text, findings);
    if (text.includes('<<')) {
      const cuedCount = findings.length;
      findMrzLines(text, findings);
      if (cuedCount > 0 && findings.length > cuedCount) findings.sort((a, b) => a.start - b.start);
    }
    return findings;
  },
};
