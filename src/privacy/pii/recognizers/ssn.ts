import type { Finding } from '../entity-types.js';
import { contextWindowStart, type Recognizer } from '../recognizer.js';
import { columnCuedFields, isInField, type FieldSpan } from './column-cues.js';

const NAME = 'ssn.us';
// AAA-GG-SSSS with dashes is the printed SSN shape and passes the SSA range rules: strong alone.
const DASHED_SCORE = 0.95;
// Space-separated groups are also how other ids print, so they need a context word to pass 0.95.
const SPACED_SCORE = 0.7;
// Nine bare digits are only reported after an SSN cue (checked here); the detector's +0.35 for
// that same cue then lifts 0.6 to 0.95.
const BARE_SCORE = 0.6;
// In a CSV or Markdown table column headed `ssn` (column-cues.ts): the header is the cue, but it
// sits lines above, out of the detector's reach, so the score is given here.
const HEADER_CUED_SCORE = 0.95;

/** Three groups with the same separator (dash, space or none); never inside a longer id. */
// ASCII boundaries and no `u` flag: Unicode-mode scans measured up to 4× slower on the same text
const CANDIDATE = /(?<![\w.-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)/g;

/** Cues that make nine bare digits an SSN, looked for in the window before them. */
const CUE = /\b(?:ssn|ss#|social security|soc\.? sec\.?|sozialversicherungsnummer)/i;

/**
 * Numbers the SSA never issued or that were published and so are certainly not anyone's:
 * 078-05-1120 (the Woolworth wallet card), 219-09-9999 (a 1940 SSA pamphlet), 123-45-6789
 * (the generic example).
 */
const PUBLISHED_EXAMPLES = new Set(['078051120', '219099999', '123456789']);

/**
 * The SSA's structural rules: area 001–665, 667–899 (000, 666 and 900–999, used for ITINs,
 * are never assigned), group 01–99, serial 0001–9999.
 */
function isIssuable(area: string, group: string, serial: string): boolean {
  const areaNumber = Number(area);
  if (areaNumber === 0 || areaNumber === 666 || areaNumber >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !PUBLISHED_EXAMPLES.has(area + group + serial);
}

function hasCueBefore(text: string, start: number): boolean {
  return CUE.test(text.slice(contextWindowStart(text, start), start));
}

/** US Social Security numbers that pass the SSA's issuance rules. */
export const ssnRecognizer: Recognizer = {
  name: NAME,
  type: 'ssn',
  contextWords: ['ssn', 'ss#', 'social security', 'social security number', 'soc sec'],
  negativeContextWords: ['order', 'invoice', 'tracking', 'zip', 'routing', 'phone'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    let headerCued: readonly FieldSpan[] | undefined;
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
      const [value, area = '', separator, group = '', serial = ''] = match;
      if (!isIssuable(area, group, serial)) continue;
      const start = match.index;
      let score: number;
      if (separator === '-') score = DASHED_SCORE;
      else if (isInField((headerCued ??= columnCuedFields(text, 'ssn')), start, start + value.length)) score = HEADER_CUED_SCORE;
      else if (separator === ' ') score = SPACED_SCORE;
      else if (hasCueBefore(text, start)) score = BARE_SCORE;
      else continue;
      findings.push({ start, end: start + value.length, type: 'ssn', score, recognizer: NAME });
    }
    return findings;
  },
};
