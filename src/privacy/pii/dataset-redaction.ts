import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { writeAtomically } from '../../core/atomic-file.js';
import { CSV_RECORD_DELIMITERS, csvRecordLines, invalidCsv } from '../../core/csv-problems.js';
import { invalidInput } from '../../core/errors.js';
import { strictUtf8 } from '../../core/strict-utf8.js';
import { datasetFormatOf, type DatasetFormat } from '../../crypto/dataset-encryption.js';
import { parseFieldPath } from '../../crypto/field-paths.js';
import { countedAudit, recordBatch, recordFailure, recordSummary, type DatasetAudit } from './dataset-audit.js';
import type { BatchTask } from './dataset-batch.js';
import { inputSize, jsonLineTasks, startBatchRunner, writeInOrder, type BatchWorkers } from './dataset-pipeline.js';
import { ENTITY_TYPES, zeroCounts, type EntityType, type Finding } from './entity-types.js';
import { RecordError } from './record-error.js';
import { applyFindings, csvColumns, emptyTally, planRecordScan, redactRecordBatch } from './record-redaction.js';
import { loadRecordRedactor, type RedactorSpec } from './redactor.js';

/**
 * Redacts a data set of any size: JSON Lines or CSV streamed in, batches of records redacted on
 * worker threads (one per core), results written in input order to a temporary file that is
 * renamed into place only when every record succeeded. A bad record fails the job, names its
 * line and leaves no output.
 */
export interface RedactDatasetJob {
  input: string;
  output: string;
  /** `jsonl` or `csv`; default from the input's extension. */
  format?: DatasetFormat;
  /** JSONL field paths (`text`, `messages[].content`) or CSV column names; default every string field / every column. */
  fields?: string[];
  spec: RedactorSpec;
  /** Worker threads of the job's own (default one per core; 0 redacts on this thread), or a pool the caller keeps across jobs. */
  workers?: number | BatchWorkers;
  /** Called after each batch with records done and input bytes read. */
  onProgress?: (progress: { records: number; bytes: number; totalBytes: number }) => void;
  /**
   * Record each batch's redactions (line, field, type, offsets, recognizer, score; never values),
   * then the data set's summary; or, for a job that fails after recording any, its failure
   * (dataset-audit.ts).
   */
  audit?: DatasetAudit;
  /**
   * A file of a data set in shards (redactShards): its chosen fields are checked, and its
   * summary (or failure) audited, by the caller over all the files, once every file succeeded
   * (an optional field may be missing from one file; a summary of a file never written would be false).
   * Otherwise a chosen JSON Lines field path that no record has fails the job, and `fieldsFound`
   * in the report gives the counts either way. (A CSV file's chosen columns are checked at its
   * header, file by file.)
   */
  shard?: boolean;
  /**
   * Overwrite the temporary file with zeros before removing it when the job fails (it may hold
   * records whose unchosen fields are still in clear): prepareDataset's `secureDeletion`.
   */
  scrub?: boolean;
}

export interface RedactDatasetReport {
  records: number;
  redactedRecords: number;
  /** Redactions per entity type (every type listed, zeros included). */
  counts: Record<EntityType, number>;
  bytes: number;
  workers: number;
  /** JSON Lines with chosen fields: per path, the records that had a value there. */
  fieldsFound?: Record<string, number>;
}

/** CSV records per batch: big enough that a thread hop is cheap beside the work, small enough to spread over cores. */
const BATCH_RECORDS = 500;

export async function redactDataset(job: RedactDatasetJob): Promise<RedactDatasetReport> {
  const format = datasetFormatOf(job.input, job.format);
  const fields = uniqueFields(job.fields);
  const totalBytes = await inputSize(job.input);
  const audit = job.audit && countedAudit(job.audit);
  const runner = await startBatchRunner({ kind: 'redact', spec: job.spec, fields: format === 'jsonl' ? (fields ?? null) : null, keepRedactions: job.audit !== undefined }, job.workers);
  const report: RedactDatasetReport = { records: 0, redactedRecords: 0, counts: zeroCounts(), bytes: 0, workers: runner.workers };
  const found = new FieldsFound(format === 'jsonl' ? fields : undefined);
  try {
    const onRead = (bytes: number) => (report.bytes += bytes);
    await writeAtomically(job.output, async (out) => {
      const tasks = format === 'jsonl' ? jsonLineTasks(job.input, onRead) : csvTasks(job.input, fields, onRead);
      await writeInOrder(out, tasks, runner, async (result) => {
        report.records += result.records;
        report.redactedRecords += result.recordsWithFindings;
        for (const type of ENTITY_TYPES) report.counts[type] += result.counts[type];
        found.add(result.fieldsFound);
        if (audit && result.redactions && result.redactions.length > 0) await recordBatch(job.spec, audit, result.redactions);
        job.onProgress?.({ records: report.records, bytes: report.bytes, totalBytes });
      });
      if (!job.shard) refuseMissingFields(found.counts(), report.records); // before the output is renamed into place
      void runner.stop(); // its threads end while the output is flushed and synced; awaited below
    }, { scrub: job.scrub === true });
  } catch (err) {
    // a shard's failure is the whole data set's, recorded by redactShards
    if (audit && !job.shard) await recordFailure(job.spec, audit, err);
    throw err;
  } finally {
    await runner.stop();
  }
  const fieldsFound = found.counts();
  if (fieldsFound !== undefined) report.fieldsFound = fieldsFound;
  if (audit && !job.shard) await recordSummary(job.spec, audit, report);
  return report;
}

/**
 * The header row as a task of its own (checked, then written back: csv-header-row.ts), then
 * the rows in batches of BATCH_RECORDS (with each batch's rows, only the cells of `fields` are
 * redacted). Bytes that are not UTF-8 fail the job at their line (strictUtf8).
 */
async function* csvTasks(path: string, fields: string[] | undefined, onRead: (bytes: number) => void): AsyncGenerator<BatchTask> {
  const input = createReadStream(path);
  input.on('data', (chunk) => onRead(chunk.length));
  let header: string[] | null = null;
  let columns: number[] = [];
  let rows: string[][] = [];
  let lines: number[] = [];
  // Where the next record starts (a quoted cell may hold line breaks), counted as csv-parse
  // parses the records, not as they are read below: a parse error comes mid-chunk, before the
  // records parsed ahead of it are read, and is named by its line from this count.
  let nextLine = 1;
  const numbered = (parsed: { record: string[]; raw: string }) => {
    const line = nextLine;
    nextLine += csvRecordLines(parsed.raw);
    return { ...parsed, line };
  };
  const csv = parseCsv({
    bom: true,
    relax_column_count: true,
    raw: true,
    record_delimiter: CSV_RECORD_DELIMITERS,
    // with `raw`, the hook is given `{ record, raw }`, which csv-parse's types do not say
    on_record: numbered as never,
  });
  // pipeline, not pipe: a read error then fails the parse instead of leaving it waiting
  const parser = pipeline(input, strictUtf8(), csv, () => undefined);
  try {
    for await (const { record, raw, line } of parser as AsyncIterable<ReturnType<typeof numbered>>) {
      if (header !== null && header.length > 1 && raw.trim() === '') continue; // a blank line (not `""`, a record of one empty cell)
      if (header === null) {
        header = record;
        columns = csvColumns(header, fields);
        yield { kind: 'csv-header', names: header, columns };
        continue;
      }
      rows.push(record);
      lines.push(line);
      if (rows.length >= BATCH_RECORDS) {
        yield { kind: 'csv', rows, lines, columns, names: header };
        rows = [];
        lines = [];
      }
    }
  } catch (err) {
    throw invalidCsv(err, nextLine, 'parsed') ?? err;
  }
  if (header !== null && rows.length > 0) yield { kind: 'csv', rows, lines, columns, names: header };
}

/** What redacting an in-memory list gives: a redacted copy (same order) and the same counts as for files. */
export interface RedactedRecords {
  records: Record<string, unknown>[];
  report: Omit<RedactDatasetReport, 'bytes' | 'workers'>;
}

/**
 * An in-memory list of records; audited per batch like files, `line` being the record's 1-based
 * position. Scanned on this thread, or by `detectAll` where given (the server's TextScanPool,
 * so that a large request is not scanned on its event loop); `detectAll` must find what the
 * job's scan settings find.
 */
export async function redactRecords(
  records: readonly Record<string, unknown>[],
  job: Pick<RedactDatasetJob, 'spec' | 'fields' | 'audit'> & { detectAll?: (texts: readonly string[]) => Promise<Finding[][]> },
): Promise<RedactedRecords> {
  const redactor = await loadRecordRedactor(job.spec);
  const names = uniqueFields(job.fields);
  const fields = names?.map(parseFieldPath) ?? null;
  const found = new FieldsFound(names);
  const report: RedactedRecords['report'] = { records: 0, redactedRecords: 0, counts: zeroCounts() };
  const out: Record<string, unknown>[] = [];
  const audit = job.audit && countedAudit(job.audit);
  try {
    for (let from = 0; from < records.length; from += BATCH_RECORDS) {
      const batch = emptyTally(job.audit !== undefined, fields?.length ?? 0);
      const copies = records.slice(from, from + BATCH_RECORDS).map((record, i) => {
        if (record === null || typeof record !== 'object' || Array.isArray(record)) throw invalidInput(`record ${from + i + 1}: a record must be an object`, { record: from + i + 1 });
        try {
          return structuredClone(record);
        } catch (err) {
          // structuredClone recurses: a record nested hundreds of thousands deep overflows it
          if (err instanceof RangeError) throw invalidInput(`record ${from + i + 1}: nested too deeply to be copied; flatten it`, { record: from + i + 1 });
          throw err;
        }
      });
      try {
        const positions = copies.map((_, i) => from + i + 1);
        if (job.detectAll === undefined) redactRecordBatch(redactor, copies, positions, fields, batch);
        else {
          const plan = planRecordScan(copies, positions, fields, batch);
          applyFindings(plan, redactor, await job.detectAll(plan.texts), batch);
        }
      } catch (err) {
        // a bad record, named by its position as a file's are by their line
        if (err instanceof RecordError) throw invalidInput(`record${err.message.slice('line'.length)}`, { record: err.line });
        throw err;
      }
      found.add(batch.fieldsFound);
      out.push(...copies);
      report.records += Math.min(BATCH_RECORDS, records.length - from);
      report.redactedRecords += batch.recordsWithFindings;
      for (const type of ENTITY_TYPES) report.counts[type] += batch.counts[type];
      if (audit && batch.redactions && batch.redactions.length > 0) await recordBatch(job.spec, audit, batch.redactions);
    }
    refuseMissingFields(found.counts(), report.records);
    // Within the try: unlike a file's, the list's redactions reach no one if its summary cannot be
    // recorded. Through the uncounted sink, as `redactionEvents` counts `pii.redacted` events.
    if (job.audit) await recordSummary(job.spec, job.audit, report);
  } catch (err) {
    if (audit) await recordFailure(job.spec, audit, err);
    throw err;
  }
  return { records: out, report };
}

/**
 * How many records had a value at each chosen field path, over a whole job: a path no record
 * has is misspelt (`txt` for `text`), and redacting nothing under it while reporting success
 * would leave the personal data in clear. CSV columns are checked at the header instead.
 */
class FieldsFound {
  readonly #counts: number[];

  constructor(readonly paths: readonly string[] | undefined) {
    this.#counts = new Array<number>(paths?.length ?? 0).fill(0);
  }

  add(batch: readonly number[]): void {
    batch.forEach((n, i) => (this.#counts[i]! += n));
  }

  /** Per path, the records that had a value there; undefined when no paths were chosen. */
  counts(): Record<string, number> | undefined {
    return this.paths === undefined ? undefined : Object.fromEntries(this.paths.map((path, i) => [path, this.#counts[i]!]));
  }
}

/**
 * Fails, naming the paths, when a chosen path had no value in any of `records` records (a data
 * set's, or all its shards' together: an optional field may be missing from one file).
 */
export function refuseMissingFields(found: Readonly<Record<string, number>> | undefined, records: number): void {
  const missing = Object.entries(found ?? {}).filter(([, n]) => n === 0).map(([path]) => path);
  if (records === 0 || missing.length === 0) return;
  throw invalidInput(
    `no record has a value at the field path ${missing.map((p) => JSON.stringify(p)).join(', ')} (${records} records read); check the path (e.g. text, user.email, messages[].content) or leave fields out to redact every field; no output was written`,
    { fields: missing },
  );
}

/** The fields named, each once (a field named twice would be redacted twice); undefined for every field. */
function uniqueFields(fields: readonly string[] | undefined): string[] | undefined {
  return fields?.length ? [...new Set(fields)] : undefined;
}
