import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';

const NAME = 'date_of_birth.cued';
// Only emitted after a birth cue that this recognizer has already found, so it stands alone.
const SCORE = 0.95;
const EARLIEST_YEAR = 1900;
// "30th of September, 1985", "12 de septiembre de 1985" and similar fit well within this.
const MAX_DATE_LENGTH = 40;

/** Words that present the following date as a birth date, in English, German, French, Spanish, Italian. */
// `\b` and Latin letters rather than `\p{L}` with the `u` flag: case-insensitive Unicode scans measured 4× slower
const CUE =
  /\b(?:date of birth|birth ?date|birthday|born(?: on)?|dob|d\.o\.b\.?|geburtsdatum|geboren(?: am)?|geb\.|né\(e\) le|née? le|date de naissance|fecha de nacimiento|nacid[oa] el|data di nascita|nat[oa] il)(?![a-zà-ÿ])/gi;

/** Month names and common abbreviations (en, de, fr, es, it) to month numbers. */
const MONTHS: ReadonlyMap<string, number> = new Map([
  ...monthNames(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']),
  ...monthNames(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']),
  ['sept', 9],
  ...monthNames(['januar', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember']),
  ...monthNames(['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']),
  ...monthNames(['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre']),
  ...monthNames(['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre']),
]);

function monthNames(names: readonly string[]): [string, number][] {
  return names.map((name, index) => [name, index + 1]);
}

const MONTH = [...MONTHS.keys()].sort((a, b) => b.length - a.length).join('|');

/**
 * The date formats a birth date is written in. Named groups per alternative: `iso` y-m-d;
 * `num` a/b/y (US m/d or European d/m, with `/`, `-` or `.`); `dmy` "12 March 1985",
 * "12. März 1985", "12 de marzo de 1985"; `mdy` "March 12, 1985".
 */
const DATE = new RegExp(
  [
    String.raw`(?<isoY>\d{4})[-/.](?<isoM>\d{1,2})[-/.](?<isoD>\d{1,2})(?!\d)`,
    String.raw`(?<numA>\d{1,2})(?<sep>[/.-])(?<numB>\d{1,2})\k<sep>(?<numY>\d{4}|\d{2})(?!\d)`,
    String.raw`(?<dmyD>\d{1,2})(?:st|nd|rd|th|er|º)?\.?(?:\s+(?:of|de))?\s+(?<dmyM>${MONTH})\.?(?:\s+(?:de|del))?,?\s+(?<dmyY>\d{4})(?!\d)`,
    String.raw`(?<mdyM>${MONTH})\.?\s+(?<mdyD>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<mdyY>\d{4})(?!\d)`,
  ].map((alternative) => `(?<![\\p{L}\\p{N}])(?:${alternative})`).join('|'),
  'giu',
);

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
  if (groups.dmyY !== undefined) {
    return isPlausibleBirthDate(Number(groups.dmyY), MONTHS.get(groups.dmyM?.toLowerCase() ?? '') ?? 0, Number(groups.dmyD));
  }
  return isPlausibleBirthDate(Number(groups.mdyY), MONTHS.get(groups.mdyM?.toLowerCase() ?? '') ?? 0, Number(groups.mdyD));
}

/**
 * Dates presented as a birth date: a cue ("born", "DOB", "geboren", "né le", …) and, within the
 * context window after it and in the same sentence, a valid calendar date with a plausible birth
 * year. A date without a cue is not a finding: dates alone are not personal data.
 */
export const dateOfBirthRecognizer: Recognizer = {
  name: NAME,
  type: 'date_of_birth',
  contextWords: ['born', 'birth', 'date of birth', 'dob', 'birthday', 'geboren', 'geburtsdatum', 'naissance', 'nacimiento', 'nascita'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    CUE.lastIndex = 0;
    let searchedUpTo = 0;
    for (let cue = CUE.exec(text); cue !== null; cue = CUE.exec(text)) {
      const cueEnd = cue.index + cue[0].length;
      if (cueEnd < searchedUpTo) continue; // "DOB: born 1 May 1990": the date was taken by the first cue
      // search a bounded slice, so a cue with no date after it costs O(window), not O(text)
      const after = text.slice(cueEnd, cueEnd + CONTEXT_WINDOW + MAX_DATE_LENGTH);
      DATE.lastIndex = 0;
      const date = DATE.exec(after);
      if (date === null || date.index > CONTEXT_WINDOW) continue;
      if (SENTENCE_BREAK.test(after.slice(0, date.index + 1))) continue;
      if (!isValidDate(date.groups ?? {})) continue;
      const start = cueEnd + date.index;
      const end = start + date[0].length;
      findings.push({ start, end, type: 'date_of_birth', score: SCORE, recognizer: NAME });
      searchedUpTo = end;
      CUE.lastIndex = end;
    }
    return findings;
  },
};
