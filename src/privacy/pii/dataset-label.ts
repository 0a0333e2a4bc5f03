import { basename } from 'node:path';
import { invalidInput } from '../../core/errors.js';
import { AuditedFieldNames, compactDate, isPersonalNumber, masked, mentionsBirth, type PersonalSpan } from './audited-field-names.js';
import { scannerFor } from './entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './pii-options.js';

/**
 * A data set's label is written into the audit log (its `pii.redacted`, `pii.dataset_redacted`
 * and `pii.dataset_redaction_failed` events), which cannot be changed or erased: a label holding
 * someone's address or number would stay there for good. One check, here, for every way a
 * caller gives a label (`PIIDetector.processDataset`, `langtrain pii redact --dataset`, the HTTP
 * routes' `dataset`), and one masking for the names made of files (labelOfPath, maskedLabel).
 */

/** What a label can be found to hold: an entity type, or `digits` (seven or more, in a row or in groups, that are no export's day). */
export type LabelFinding = PersonalSpan['type'];

/**
 * The personal data in `label`, each type once, in the order found along it: what the audit
 * log's masking of field names finds (AuditedFieldNames: every type at the default threshold,
 * and long numbers that are no export's day), and what the other readings of spansInLabel find.
 */
export function personalDataInLabel(label: string): LabelFinding[] {
  return [...new Set(spansInLabel(label).sort((a, b) => a.start - b.start).map((span) => span.type))];
}

/** Why a label holding `found` is refused, to follow the label's name: what was found and what to do instead. */
export function personalLabelProblem(found: readonly LabelFinding[]): string {
  const what = found.map((type) => (type === 'digits' ? 'a run of seven or more digits that is no date (a phone number, an account or a card)' : type)).join(', ');
  return `looks like it holds personal data (${what}): it is written to the audit log, which cannot be changed or erased, so name the data set by a label that names no one, such as crm-export-2026-01`;
}

/**
 * The longest label a caller may give: a name, not a text. Each of its word joiners adds two
 * readings of it (spansInLabel), so the work grows with the square of the length.
 */
export const MAX_LABEL_LENGTH = 200;

/**
 * Throws ERR_INVALID_INPUT when `label` holds personal data, naming the label by `name`
 * (`--dataset`, `PIIDetector.processDataset: dataset`) and never quoting it: the message may
 * itself reach a log. `details.personalData` lists what was found.
 */
export function refusePersonalLabel(label: string, name: string): void {
  if (label.trim() === '') throw invalidInput(`${name} is empty: name the data set, such as crm-export-2026-01`, { option: name });
  if (label.length > MAX_LABEL_LENGTH) throw invalidInput(`${name} is ${label.length} characters long: a data set's label is a name of at most ${MAX_LABEL_LENGTH}, such as crm-export-2026-01`, { option: name });
  const found = personalDataInLabel(label);
  if (found.length > 0) throw invalidInput(`${name} ${personalLabelProblem(found)}`, { option: name, personalData: found });
}

/**
 * The label of the data set at `path` (a file, or a directory of shards) when no one named it:
 * its base name, with whatever personalDataInLabel finds in it replaced by its type
 * (`/home/jane.doe@corp.com/export.jsonl` is `export.jsonl`; `jane.doe@corp.com.csv` is
 * `<email>.csv`). The base name, not the whole path masked: directories name the machine's users
 * (`/home/jdoe/`, `/Users/jane/`), which no scanner tells from any other directory name, so a
 * masked path would still carry them into a log that keeps them for good; the file's name is
 * what a reader needs to recognise it (the step's lineage edge has its digest). Masked, not
 * refused: the caller never chose it as a label, and a job should not fail over a file's name.
 */
export function labelOfPath(path: string): string {
  // `/` has no base name; `.` stays `.`: the working directory's own name may be its user's
  return shortened(maskedLabel(basename(path) || path));
}

/**
 * A masked `label` cut to MAX_LABEL_LENGTH units, on a whole character (half an emoji is no
 * text the audit store takes), ending in `…`, and masked again: so that it passes
 * refusePersonalLabel as a caller's label would. Cut shorter while masks longer than what they
 * replace push it past the limit.
 */
function shortened(label: string): string {
  let out = label;
  for (let limit = MAX_LABEL_LENGTH - 1; out.length > MAX_LABEL_LENGTH; limit -= out.length - MAX_LABEL_LENGTH) out = maskedLabel(`${whole(label, limit)}…`);
  return out;
}

/** The longest start of `text` of at most `units` UTF-16 units that ends on a whole character. */
function whole(text: string, units: number): string {
  let cut = '';
  for (const char of text) {
    if (cut.length + char.length > units) break;
    cut += char;
  }
  return cut;
}

/**
 * `label` with whatever personalDataInLabel finds in it replaced by its type (`<email>`), for a
 * label no one chose: a file's name, a shard's `label/file`. Masked again until nothing is
 * found, as one value masked can show the next (`415-555-0132-415-555-0132` reads as one
 * number's shape until the first is `<phone>`); `<redacted>` when MASKING_PASSES do not get
 * there. So a masked label always passes refusePersonalLabel's scan, and a job never fails
 * over a name its caller did not choose.
 */
export function maskedLabel(label: string): string {
  let current = label;
  for (let pass = 0; pass < MASKING_PASSES; pass++) {
    const spans = spansInLabel(current);
    if (spans.length === 0) return current;
    current = masked(current, spans);
  }
  return spansInLabel(current).length === 0 ? current : '<redacted>';
}

/** Masking passes before a label is given up as `<redacted>`: each pass uncovers at most what the one before masked beside it. */
const MASKING_PASSES = 4;

/**
 * What the audit log's masking of field names finds in `label` (AuditedFieldNames), and what
 * the scanner finds, with the same settings, in more readings of it that a label needs:
 * - with its word joiners (WORD_JOINERS) as spaces: labels join words with them where text has
 *   spaces, and glued to a word a value reads as none (`export_Jane_Doe` is no name);
 *   replaced one for one, so spans keep the label's offsets;
 * - what precedes each joiner, and what follows it: a value followed by more of the label, a
 *   file's extension (`jane.doe@corp.com.csv`) or a word, or preceded by one, reads as none, as
 *   the scanner refuses `logo@2x.png` shapes;
 * - numbers written in groups (digitGroups): `crm-415-555-0132` and a number among others
 *   (`415-555-0132-415-555-0132`), which the scanner reads as no phone number without a cue.
 * Field paths are not read so: they are masked, not refused, and scanned for every record.
 */
function spansInLabel(label: string): PersonalSpan[] {
  const spaced = label.replace(WORD_JOINERS, ' ');
  const joiners = [...label.matchAll(WORD_JOINERS)].map((joiner) => joiner.index);
  const readings = [
    ...(spaced === label ? [] : [{ text: spaced, at: 0 }]),
    ...joiners.map((end) => ({ text: label.slice(0, end), at: 0 })),
    ...joiners.map((start) => ({ text: label.slice(start + 1), at: start + 1 })),
  ];
  // AuditedFieldNames' settings: every type at the default threshold; built once per process
  const scanned = scannerFor({ threshold: DEFAULT_CONFIDENCE_THRESHOLD }).scanAll(readings.map((reading) => reading.text));
  const found = scanned.flatMap((spans, i) => spans.map(({ start, end, type }): PersonalSpan => ({ start: start + readings[i]!.at, end: end + readings[i]!.at, type })));
  // a day read as a phone number (`llama3-ft-2024-11-27`, `20241127`) is the artifact's date
  const personal = found.filter((span) => span.type !== 'phone' || !isWrittenDay(label.slice(span.start, span.end), label));
  return [...new AuditedFieldNames().spansIn(label), ...personal, ...digitGroups(label)];
}

/** Each number of `label` written as groups of digits joined by `- . _` or spaces that holds a personal number (isPersonalNumber: seven digits or more, no export's day). */
function digitGroups(label: string): PersonalSpan[] {
  const spans: PersonalSpan[] = [];
  for (const { 0: groups, index } of label.matchAll(DIGIT_GROUPS)) {
    const personal = partsOutsideDays(groups.split(/\D/), label).some((run) => {
      const digits = run.join('');
      return digits.length >= 7 && isPersonalNumber(digits, label);
    });
    if (personal) spans.push({ start: index, end: index + groups.length, type: 'digits' });
  }
  return spans;
}

/** Whether the numbers of `text` (a part of `label`) are one day as names of exports and models write it (partsOutsideDays), and nothing more. */
function isWrittenDay(text: string, label: string): boolean {
  const parts = text.split(/\D+/).filter((part) => part !== '');
  return parts.length > 0 && partsOutsideDays(parts, label).length === 0;
}

/**
 * The runs of `parts` (a label's numbers, in order) that lie outside the days written in them:
 * YYYY-MM-DD or DD-MM-YYYY of 2000–2199 with their parts apart, or YYYYMMDD (compactDate), each
 * optionally followed by its time (hhmm, hhmmss, or hh-mm and hh-mm-ss): `llama-3-2024-11-27`
 * leaves `3`, `export-2024-11-27-1530` nothing; none at all where the label names a birth.
 */
function partsOutsideDays(parts: readonly string[], label: string): string[][] {
  if (mentionsBirth(label)) return [parts.slice()];
  const runs: string[][] = [];
  let run: string[] = [];
  for (let i = 0; i < parts.length; ) {
    const day = dayLength(parts, i);
    if (day === 0) {
      run.push(parts[i++]!);
      continue;
    }
    if (run.length > 0) runs.push(run);
    run = [];
    i += day + timeLength(parts, i + day);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * How many parts from `i` write a day: 3 (YYYY MM DD, DD MM YYYY), 1 (YYYYMMDD), or 0. Not
 * YYYYMMDD before four digits apart: that is how a Swedish personnummer is written.
 */
function dayLength(parts: readonly string[], i: number): number {
  const [a, b, c] = [parts[i], parts[i + 1], parts[i + 2]];
  if (a !== undefined && a.length === 8 && compactDate(a)) return b?.length === 4 ? 0 : 1;
  if (a === undefined || b === undefined || c === undefined || b.length > 2 || b.length === 0) return 0;
  if (a.length === 4 && c.length <= 2 && c.length > 0 && compactDate(`${a}${b.padStart(2, '0')}${c.padStart(2, '0')}`)) return 3;
  if (c.length === 4 && a.length <= 2 && a.length > 0 && compactDate(`${c}${b.padStart(2, '0')}${a.padStart(2, '0')}`)) return 3;
  return 0;
}

/** How many parts from `i` write a time of day after a day: hhmm or hhmmss as one part, or hh mm (ss) apart; 0 for none. */
function timeLength(parts: readonly string[], i: number): number {
  const clock = (hh: string, mm: string, ss = '00') => Number(hh) <= 23 && Number(mm) <= 59 && Number(ss) <= 59;
  const a = parts[i];
  if (a === undefined) return 0;
  if (a.length === 4 && clock(a.slice(0, 2), a.slice(2))) return 1;
  if (a.length === 6 && clock(a.slice(0, 2), a.slice(2, 4), a.slice(4))) return 1;
  const [b, c] = [parts[i + 1], parts[i + 2]];
  if (a.length !== 2 || b?.length !== 2 || !clock(a, b)) return 0;
  return c?.length === 2 && clock(a, b, c) ? 3 : 2;
}

/** Groups of digits joined by one `- . _` or space each, starting at no letter or digit (`v2-415` is `415`). */
const DIGIT_GROUPS = /(?<![\p{L}\d])\d+(?:[-._ ]\d+)*/gu;

/** What labels join words with: lineage names (`dataset:crm-v2`), paths and file names. */
const WORD_JOINERS = /[-_/:.]/g;
