import { createInterface } from 'node:readline';
import { pipeline, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import { stringify as stringifyCsv, type Stringifier } from 'csv-stringify';
import { z } from 'zod';
import { writeAtomically } from '../../core/atomic-file.js';
import { CSV_RECORD_DELIMITERS, invalidCsv } from '../../core/csv-problems.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { utf8Bytes } from '../../core/strict-utf8.js';
import { datasetFormatOf, type DatasetFormat } from '../../crypto/dataset-encryption.js';
import { MAX_SUBJECT_ID, subjectIdOf } from '../subject-id.js';
import { checkName, type ConsentManager } from './consent-manager.js';

export interface ConsentFilterJob {
  manager: ConsentManager;
  input: string;
  output: string;
  /** Field holding each record's subject id (a string or a number). */
  subjectField: string;
  dataType: string;
  purpose: string;
  /** `jsonl` or `csv`; default from the input's extension. */
  format?: DatasetFormat;
  /** Called after each batch with the records decided so far. */
  onProgress?: (records: number) => void;
}

export interface ConsentFilterResult {
  kept: number;
  /** Every record left out, including those counted in `missingSubject`. */
  dropped: number;
  /**
   * Records without a usable subject id (field absent, empty, neither a string nor a number,
   * a number that is not a safe integer, since JSON numbers past 2^53 are rounded to another
   * id: quote such ids as strings, or a string holding NUL or an unpaired surrogate, which no
   * store can keep): dropped, since nobody's consent covers them. A run where no record has the
   * field at all is refused instead (see `filterByConsent`).
   */
  missingSubject: number;
}

/**
 * Records are checked in batches so one query answers a few hundred subjects; answers are
 * cached per subject for the run, up to a bound that keeps memory flat on data sets with
 * millions of subjects (past it the cache restarts: a repeat question is one cheap query).
 * Each batch is decided from its own answers (cached ones and the query's), so restarting
 * the cache never loses an answer the batch needs.
 */
const BATCH = 500;
const CACHE_LIMIT = 200_000;

/**
 * The job's fields, strictly: a misspelt `purpose` or `subjectfield` is refused, naming the
 * supported ones, rather than ignored. The values of `subjectField`, `dataType`, `purpose` and
 * `format` are checked afterwards, by errors that name the field.
 */
const consentFilterJob = z.strictObject({
  manager: z.custom<ConsentManager>((v) => typeof (v as { consentedSubjects?: unknown } | null)?.consentedSubjects === 'function', 'must be a ConsentManager'),
  input: z.string().min(1, 'must be the path of a JSONL or CSV file'),
  output: z.string().min(1, 'must be the path to write the kept records to'),
  subjectField: z.unknown().optional(),
  dataType: z.unknown().optional(),
  purpose: z.unknown().optional(),
  format: z.string().optional(),
  onProgress: z.custom<(records: number) => void>((v) => typeof v === 'function', 'must be a function').optional(),
});

/** @internal Tests lower the cache bound to reach it with a few records. */
export interface ConsentFilterInternals {
  cacheLimit?: number;
  /**
   * Overwrite the temporary file with zeros before removing it when the run fails: it holds
   * consented records in clear (prepareDataset passes its `secureDeletion`).
   */
  scrub?: boolean;
}

/**
 * The pipeline step "drop records whose subject lacks valid consent for the purpose":
 * streams a JSONL or CSV data set and writes the kept records unchanged (JSONL lines
 * byte for byte) through a temporary file renamed on success, so a bad line leaves no
 * output and the error names the line.
 *
 * A wrong `subjectField` is refused rather than taken as "nobody consents", which would
 * silently drop the whole data set: a CSV whose header lacks the column fails before any
 * record is read, and a JSONL file with records but none holding the field fails at the
 * end, naming the first record's fields. Either way no output is written, and the names are
 * listed only when none looks like personal data (pii/names-in-errors.ts): a CSV without a
 * header row has a record where its header should be. A single JSONL
 * record without the field is dropped and counted in `missingSubject` (a record with no
 * subject cannot have consent, and JSONL records need not all have the same fields).
 */
export async function filterByConsent(job: ConsentFilterJob, internals: ConsentFilterInternals = {}): Promise<ConsentFilterResult> {
  if (typeof job !== 'object' || job === null) throw invalidInput('filterByConsent takes { manager, input, output, subjectField, dataType, purpose, format?, onProgress? }');
  parseOptions(consentFilterJob, job, 'filterByConsent');
  if (typeof job.subjectField !== 'string' || job.subjectField === '') throw invalidInput('subjectField must name the field holding each record\'s subject id', { field: 'subjectField' });
  // Checked before any record is read: otherwise a bad name would fail only at the first batch, and not at all on an empty data set.
  checkName(job.dataType, 'dataType');
  checkName(job.purpose, 'purpose');
  const format = datasetFormatOf(job.input, job.format);
  const result: ConsentFilterResult = { kept: 0, dropped: 0, missingSubject: 0 };
  const cacheLimit = internals.cacheLimit ?? CACHE_LIMIT;
  const cache = new Map<string, boolean>();

  /** Decide a batch, then hand the kept ones to `keep` in input order. */
  const settle = async <T>(batch: Array<{ subject: string | null; item: T }>, keep: (item: T) => Promise<void>) => {
    if (batch.length === 0) return;
    // This batch's answers: the cache's, then the store's for the rest. The batch is decided
    // from these alone, so the cache may be restarted without losing one.
    const answers = new Map<string, boolean>();
    const unknown: string[] = [];
    for (const { subject } of batch) {
      if (subject === null || answers.has(subject)) continue;
      const cached = cache.get(subject);
      if (cached === undefined) unknown.push(subject);
      answers.set(subject, cached ?? false);
    }
    if (unknown.length > 0) {
      // Consent can only have been recorded for ids recordConsent accepts; longer ones are simply dropped.
      const consented = await job.manager.consentedSubjects(unknown.filter((id) => id.length <= MAX_SUBJECT_ID), job.dataType, job.purpose);
      if (cache.size + unknown.length > cacheLimit) cache.clear();
      for (const subject of unknown) {
        answers.set(subject, consented.has(subject));
        if (cache.size < cacheLimit) cache.set(subject, consented.has(subject));
      }
    }
    for (const { subject, item } of batch) {
      if (subject === null) {
        result.missingSubject += 1;
        result.dropped += 1;
      } else if (answers.get(subject) === true) {
        result.kept += 1;
        await keep(item);
      } else {
        result.dropped += 1;
      }
    }
    batch.length = 0;
    job.onProgress?.(result.kept + result.dropped);
  };

  await writeAtomically(job.output, async (out) => {
    const write = (text: string) => writeWithBackpressure(out, text);
    if (format === 'jsonl') {
      const batch: Array<{ subject: string | null; item: string }> = [];
      let line = 0;
      let records = 0;
      let withField = 0;
      let firstFields: string[] | undefined;
      for await (const text of createInterface({ input: utf8Bytes(job.input), crlfDelay: Infinity })) {
        line += 1;
        if (text.trim() === '') continue;
        const record = parseRecord(text, line);
        records += 1;
        firstFields ??= Object.keys(record);
        if (Object.hasOwn(record, job.subjectField)) withField += 1;
        batch.push({ subject: usableSubjectOf(record, job.subjectField), item: text });
        if (batch.length >= BATCH) await settle(batch, (kept) => write(kept + '\n'));
      }
      // Nothing was kept (no record had a subject), so refusing here still writes nothing.
      if (records > 0 && withField === 0) {
        const fields = firstFields!;
        const shown = await namesShowable(fields);
        throw invalidInput(
          `no record has the field ${JSON.stringify(job.subjectField)} (${records} record${records === 1 ? '' : 's'} read; the first has${
            fields.length === 0 ? ' no fields' : shown ? `: ${fields.join(', ')}` : ` ${fields.length} field${fields.length === 1 ? '' : 's'}, whose names look like data, so are not shown`
          }); check the subject field; no output was written`,
          { field: 'subjectField', subjectField: job.subjectField, records, fieldCount: fields.length, ...(shown ? { fields } : {}) },
        );
      }
      await settle(batch, (kept) => write(kept + '\n'));
    } else {
      let header: string[] = [];
      let missingColumn: string[] | undefined;
      const rows = pipeline(
        utf8Bytes(job.input),
        parseCsv({
          bom: true,
          record_delimiter: CSV_RECORD_DELIMITERS,
          columns: (names: string[]) => {
            // Checked at the header, before any record is decided (or the store asked).
            if (!names.includes(job.subjectField)) {
              missingColumn = names;
              throw new Error('the subject column is missing'); // reported below, once its names are judged
            }
            return (header = names);
          },
        }),
        () => undefined, // the error fails the loop below
      );
      // Started at the first kept row (or the end): only then has the parser read the header.
      let csvOut: Stringifier | undefined;
      const keep = async (row: Record<string, string>) => writeWithBackpressure((csvOut ??= pipeCsv(header, out)), row);
      const batch: Array<{ subject: string | null; item: Record<string, string> }> = [];
      try {
        for await (const row of rows) {
          batch.push({ subject: usableSubjectOf(row as Record<string, unknown>, job.subjectField), item: row as Record<string, string> });
          if (batch.length >= BATCH) await settle(batch, keep);
        }
      } catch (err) {
        if (missingColumn) throw await noSubjectColumn(job.subjectField, missingColumn);
        throw invalidCsv(err) ?? err;
      }
      await settle(batch, keep);
      csvOut ??= pipeCsv(header, out); // the header even when no record was kept
      csvOut.end();
      await finished(csvOut);
    }
  }, { scrub: internals.scrub === true });
  return result;
}

/**
 * The record's subject id, or null when it has none usable: subjectIdOf's refusals (a number
 * JSON rounded, an id with NUL or an unpaired surrogate) are records without a usable subject,
 * dropped and counted in `missingSubject` like an empty id, rather than failing the run.
 */
function usableSubjectOf(record: Record<string, unknown>, field: string): string | null {
  try {
    return subjectIdOf(record, field);
  } catch (err) {
    if (err instanceof LangtrainError && err.code === 'ERR_INVALID_INPUT') return null;
    throw err;
  }
}

async function noSubjectColumn(subjectField: string, names: string[]): Promise<Error> {
  const details = { field: 'subjectField', subjectField, columnCount: names.length };
  if (await namesShowable(names)) {
    return invalidInput(`the CSV has no column ${JSON.stringify(subjectField)} (columns: ${names.join(', ')}); no output was written`, { ...details, columns: names });
  }
  return invalidInput(
    `the CSV has no column ${JSON.stringify(subjectField)} (its first row has ${names.length} cell${names.length === 1 ? '' : 's'}, which look like data rather than column names, so are not shown: the file may have no header row); no output was written`,
    details,
  );
}

/** namesFitForAnError, loaded on this error path only: the consent filter is imported by commands that never scan. */
async function namesShowable(names: readonly string[]): Promise<boolean> {
  try {
    return (await import('../pii/names-in-errors.js')).namesFitForAnError(names);
  } catch {
    return false;
  }
}

function parseRecord(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidInput(`line ${line}: not valid JSON; no output was written`, { line });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidInput(`line ${line}: a record must be a JSON object; no output was written`, { line });
  return value as Record<string, unknown>;
}

async function writeWithBackpressure(out: Writable, chunk: string | Record<string, string>): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

function pipeCsv(header: string[], out: Writable): Stringifier {
  const csvOut = stringifyCsv({ header: true, columns: header });
  csvOut.pipe(out, { end: false });
  return csvOut;
}
