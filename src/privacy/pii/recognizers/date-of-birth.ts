import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';
import { csvCuedFields } from './csv-header-cues.js';

const NAME = 'date_of_birth.cued';
// Only emitted after a birth cue that this recognizer has already found, so it stands alone.
const SCORE = 0.95;
const EARLIEST_YEAR = 1900;
// "30th of September, 1985", "12 de septiembre de 1985" and similar fit well within this.
const MAX_DATE_LENGTH = 40;

/**
 * Words that present the following date as a birth date. Latin-script cues (English, German,
 * French, Spanish, Italian, Portuguese, Dutch, Polish, Turkish, Scandinavian, Vietnamese,
 * Indonesian) need word edges; the Cyrillic, Arabic and CJK ones are written without `\b`,
 * which only knows ASCII words (CJK has no spaces to mark an edge at all).
 */
// `\b` and Latin letters rather than `\p{L}` with the `u` flag: case-insensitive Unicode scans measured 4× slower
const LATIN_CUE = new RegExp(
  [
    String.raw`\b(?:date of birth|birth ?date|birthday|born(?: on)?|dob|d\.o\.b\.?|geburtsdatum|geboren(?: am)?|geb\.`,
    String.raw`né\(e\) le|née? le|date de naissance|fecha de nacimiento|nacid[oa] el|data di nascita|nat[oa] il`,
    String.raw`data de nascimento|nascid[oa] (?:em|a)|geboortedatum|geboren op|data urodzenia|urodzon[ya]|doğum tarihi`,
    String.raw`födelsedatum|fødselsdato|født|född|ngày sinh|tanggal lahir)(?![a-zà-ÿ])`,
  ].join('|'),
  'gi',
);
// A separate scan, run only on texts holding these scripts: in one alternation with the Latin
// cues they cost the engine its fast first-character search (measured 3× slower on all text).
const OTHER_SCRIPT_CUE = /(?<![а-яё])(?:дата рождения|родил(?:ся|ась))|تاريخ الميلاد|生年月日|出生日期|出生于|생년월일/gi;
const OTHER_SCRIPT = /[\u0400-\u04ff\u0600-\u06ff\u3040-\u9fff\uac00-\ud7af]/;
/** Month names and common abbreviations (en, de, fr, es, it, pt, nl) to month numbers. */
const MONTHS: ReadonlyMap<string, number> = new Map([
  ...monthNames(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']),
  ...monthNames(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']),
  ['sept', 9],
  ...monthNames(['januar', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember']),
  ...monthNames(['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']),
  ...monthNames(['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre']),
  ...monthNames(['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro']),
  ...monthNames(['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december']),
  ...monthNames(['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre']),
]);

function monthNames(names: readonly string[]): [string, number][] {
  return names.map((name, index) => [name, index + 1]);
}

const MONTH = [...MONTHS.keys()].sort((a, b) => b.length - a.length).join('|');

/**
 * The date formats a birth date is written in. Named groups per alternative: `iso` y-m-d;
 * `num` a/b/y (US m/d or European d/m, with `/`, `-` or `.`); `dmy` "12 March 1985",
 * "12. März 1985", "12 de marzo de 1985"; `mdy` "March 12, 1985"; `cjk` "1985年3月12日" (also
 * Korean 년/월/일), which may touch the letters before it as CJK text has no spaces.
 */
const DATE = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])(?<isoY>\d{4})[-/.](?<isoM>\d{1,2})[-/.](?<isoD>\d{1,2})(?!\d)`,
    String.raw`(?<![\p{L}\p{N}])(?<numA>\d{1,2})(?<sep>[/.-])(?<numB>\d{1,2})\k<sep>(?<numY>\d{4}|\d{2})(?!\d)`,
    String.raw`(?<![\p{L}\p{N}])(?<dmyD>\d{1,2})(?:st|nd|rd|th|er|º)?\.?(?:\s+(?:of|de))?\s+(?<dmyM>${MONTH})\.?(?:\s+(?:de|del))?,?\s+(?<dmyY>\d{4})(?!\d)`,
    String.raw`(?<![\p{L}\p{N}])(?<mdyM>${MONTH})\.?\s+(?<mdyD>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<mdyY>\d{4})(?!\d)`,
    String.raw`(?<!\p{N})(?<cjkY>\d{4})\s*[年년]\s*(?<cjkM>\d{1,2})\s*[月월]\s*(?<cjkD>\d{1,2})\s*[日일]`,
  ].join('|'),
  'giu',
);
/** The same formats, anchored to a whole CSV field. */
const WHOLE_DATE = new RegExp(`^(?:${DATE.source})$`, 'iu');

/** A sentence or line ends between the cue and the date: the date belongs to something else. */
const SENTENCE_BREAK = /[.!?]\s+\p{Lu}|[\n;]/u;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isPlausibleBirthDate(year: number, month: number, day: number): boolean {
  const currentYear = new Date().getUTCFullYear();
  if (year < EARLIEST_YEAR || year > currentYear) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** Two-digit years (`03/12/85`) pivot at the current year: a birth year is never in the future. */
function fullYear(written: string): number {
  const year = Number(written);
  if (written.length === 4) return year;
  const currentYear = new Date().getUTCFullYear();
  return year + 2000 <= currentYear ? year + 2000 : year + 1900;
}

function isValidDate(groups: Record<string, string | undefined>): boolean {
  if (groups.isoY !== undefined) return isPlausibleBirthDate(Number(groups.isoY), Number(groups.isoM), Number(groups.isoD));
  if (groups.numY !== undefined) {
    const year = fullYear(groups.numY);
    const a = Number(groups.numA);
    const b = Number(groups.numB);
    // a dot means day.month (European); slash or dash may be either, so accept what is valid
    if (groups.sep === '.') return isPlausibleBirthDate(year, b, a);
    return isPlausibleBirthDate(year, a, b) || isPlausibleBirthDate(year, b, a);
  }
  if (groups.cjkY !== undefined) return isPlausibleBirthDate(Number(groups.cjkY), Number(groups.cjkM), Number(groups.cjkD));
  if (groups.dmyY !== undefined) {
    return isPlausibleBirthDate(Number(groups.dmyY), MONTHS.get(groups.dmyM?.toLowerCase() ?? '') ?? 0, Number(groups.dmyD));
  }
  return isPlausibleBirthDate(Number(groups.mdyY), MONTHS.get(groups.mdyM?.toLowerCase() ?? '') ?? 0, Number(groups.mdyD));
}

/**
 * A chat or interview turn that answers with a date and nothing else: "User: 17/11/1958" on the
 * line after a turn asking for the date of birth. The speaker label is what tells an answer
 * from a date that merely follows on the next line ("DOB\n12/03/1985" in a form dump).
 */
const ANSWER_TURN = /^\n[ \t]*[\p{L}][\p{L}\p{N} ._-]{0,24}:[ \t]*$/u;

/** The date that is the whole rest of the line after `from`, as the answer turn of a dialogue. */
function answerOnNextLine(text: string, cueEnd: number): { start: number; end: number } | null {
  const lineEnd = text.indexOf('\n', cueEnd);
  // the cue ends its turn: only a short question or polite tail may follow ("date of birth, please?")
  if (lineEnd === -1 || lineEnd - cueEnd > CONTEXT_WINDOW) return null;
  const nextEnd = text.indexOf('\n', lineEnd + 1);
  const line = text.slice(lineEnd, nextEnd === -1 ? text.length : nextEnd).replace(/[\s.]+$/, '');
  const colon = line.indexOf(':');
  if (colon === -1 || !ANSWER_TURN.test(line.slice(0, colon + 1))) return null;
  let dateStart = colon + 1;
  while (line.charCodeAt(dateStart) === 0x20 || line.charCodeAt(dateStart) === 0x09) dateStart++;
  const date = WHOLE_DATE.exec(line.slice(dateStart));
  if (date === null || !isValidDate(date.groups ?? {})) return null;
  return { start: lineEnd + dateStart, end: lineEnd + line.length };
}

function findAfterCues(text: string, CUE: RegExp, findings: Finding[]): void {
  CUE.lastIndex = 0;
  let searchedUpTo = 0;
  for (let cue = CUE.exec(text); cue !== null; cue = CUE.exec(text)) {
    const cueEnd = cue.index + cue[0].length;
    if (cueEnd < searchedUpTo) continue; // "DOB: born 1 May 1990": the date was taken by the first cue
    // search a bounded slice, so a cue with no date after it costs O(window), not O(text)
    const after = text.slice(cueEnd, cueEnd + CONTEXT_WINDOW + MAX_DATE_LENGTH);
    DATE.lastIndex = 0;
    const date = DATE.exec(after);
    let span: { start: number; end: number } | null = null;
    if (date !== null && date.index <= CONTEXT_WINDOW && !SENTENCE_BREAK.test(after.slice(0, date.index + 1)) && isValidDate(date.groups ?? {})) {
      span = { start: cueEnd + date.index, end: cueEnd + date.index + date[0].length };
    } else {
      span = answerOnNextLine(text, cueEnd);
    }
    if (span === null) continue;
    findings.push({ start: span.start, end: span.end, type: 'date_of_birth', score: SCORE, recognizer: NAME });
    searchedUpTo = span.end;
    CUE.lastIndex = span.end;
  }
}

/** Whole dates in the columns of a CSV whose header names a birth date (`dob`, `date_naissance`). */
function findInCuedColumns(text: string, findings: Finding[]): void {
  const fields = csvCuedFields(text, 'date_of_birth');
  if (fields.length === 0) return;
  const found = findings.length;
  for (const field of fields) {
    const date = WHOLE_DATE.exec(text.slice(field.start, field.end));
    if (date === null || !isValidDate(date.groups ?? {})) continue;
    if (findings.some((f) => f.start === field.start)) continue;
    findings.push({ start: field.start, end: field.end, type: 'date_of_birth', score: SCORE, recognizer: NAME });
  }
  if (found > 0 && findings.length > found) findings.sort((a, b) => a.start - b.start);
}

/**
 * Dates presented as a birth date: a cue ("born", "DOB", "geboren", "né le", "生年月日", …) and,
 * within the context window after it and in the same sentence, a valid calendar date with a
 * plausible birth year; or the date answering a question in the next turn of a dialogue; or a
 * date in a CSV column headed as a birth date. A date without a cue is not a finding: dates
 * alone are not personal data.
 */
export const dateOfBirthRecognizer: Recognizer = {
  name: NAME,
  type: 'date_of_birth',
  contextWords: [
    'born', 'birth', 'date of birth', 'dob', 'birthday', 'geboren', 'geburtsdatum', 'naissance', 'nacimiento', 'nascita',
    'nascimento', 'geboortedatum', 'urodzenia', 'doğum',
  ],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    findAfterCues(text, LATIN_CUE, findings);
    if (OTHER_SCRIPT.test(text)) {
      const latinCount = findings.length;
      findAfterCues(text, OTHER_SCRIPT_CUE, findings);
      if (latinCount > 0 && findings.length > latinCount) findings.sort((a, b) => a.start - b.start);
    }
    findInCuedColumns(text, findings);
    return findings;
  },
};
