import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { Piscina } from 'piscina';
import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { writeAtomically } from '../../core/atomic-file.js';
import { invalidInput } from '../../core/errors.js';
import { datasetFormatOf, type DatasetFormat } from '../../crypto/dataset-encryption.js';
import { parseFieldPath } from '../../crypto/field-paths.js';
import { ENTITY_TYPES, type EntityType } from './entity-types.js';
import { csvColumns, emptyTally, redactRecordBatch, type RedactionRecord } from './record-redaction.js';
import { runBatch, type BatchOutcome, type BatchTask } from './redaction-batch.js';
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
  /** Worker threads; default one per core. 0 redacts on this thread. */
  workers?: number;
  /** Called after each batch with records done and input bytes read. */
  onProgress?: (progress: { records: number; bytes: number; totalBytes: number }) => void;
  /** Record each batch's redactions (line, field, type, offsets, recognizer, score; never values). */
  audit?: { sink: AuditSink; dataset: string; userId?: string | null };
}

export interface RedactDatasetReport {
  records: number;
  redactedRecords: number;
  /** Redactions per entity type (every type listed, zeros included). */
  counts: Record<EntityType, number>;
  bytes: number;
  workers: number;
}

/** Records (CSV) or bytes (JSONL) per batch: big enough that a thread hop is cheap beside the work, small enough to spread over cores. */
const BATCH_RECORDS = 500;
const BATCH_BYTES = 512 * 1024;

/** The compiled worker; running from TypeScript sources (tests) there is none and batches run here. */
const WORKER_FILE = fileURLToPath(new URL('./redaction-worker.js', import.meta.url));

export async function redactDataset(job: RedactDatasetJob): Promise<RedactDatasetReport> {
  const format = datasetFormatOf(job.input, job.format);
  const fields = uniqueFields(job.fields);
  if (format === 'jsonl') fields?.forEach(parseFieldPath); // refuse a bad path before any work
  // Built here first, even for workers: a spec they could not build (types the method cannot
  // redact, a bad key) fails with its own error, where a worker's would lose its class.
  const redactor = await loadRecordRedactor(job.spec);
  const totalBytes = (await stat(job.input)).size;
  const wanted = job.workers ?? availableParallelism();
  const pool = wanted > 0 && existsSync(WORKER_FILE) ? new Piscina({ filename: WORKER_FILE, workerData: job.spec, minThreads: wanted, maxThreads: wanted }) : null;
  const run = pool
    ? (task: BatchTask) => pool.run(task, task.kind === 'jsonl' ? { transferList: [task.bytes.buffer as ArrayBuffer] } : {}) as Promise<BatchOutcome>
    : (task: BatchTask) => Promise.resolve(runBatch(redactor, task));
  const report: RedactDatasetReport = { records: 0, redactedRecords: 0, counts: zeroCounts(), bytes: 0, workers: pool ? wanted : 0 };
  const keepRedactions = job.audit !== undefined;
  let stopping: Promise<void> | undefined;

  try {
    await writeAtomically(job.output, async (out) => {
      const inFlight: Array<Promise<BatchOutcome>> = [];
      const maxInFlight = 2 * Math.max(1, report.workers);
      const complete = async (outcome: BatchOutcome) => {
        if ('error' in outcome) throw invalidInput(`line ${outcome.error.line}: ${outcome.error.message}; no output was written`, { line: outcome.error.line });
        const { result } = outcome;
        if (!out.write(result.output)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        report.records += result.records;
        report.redactedRecords += result.redactedRecords;
        for (const type of ENTITY_TYPES) report.counts[type] += result.counts[type];
        if (job.audit && result.redactions && result.redactions.length > 0) await recordBatch(job, result.redactions);
        job.onProgress?.({ records: report.records, bytes: report.bytes, totalBytes });
      };
      const submit = async (task: BatchTask) => {
        const pending = run(task);
        pending.catch(() => undefined); // observed in order below
        inFlight.push(pending);
        if (inFlight.length >= maxInFlight) await complete(await inFlight.shift()!);
      };

      if (format === 'jsonl') {
        let firstLine = 1;
        for await (const bytes of wholeLines(job.input, (n) => (report.bytes += n))) {
          const lines = countLines(bytes); // before the bytes move to a worker
          await submit({ kind: 'jsonl', bytes, firstLine, fields: fields ?? null, keepRedactions });
          firstLine += lines;
        }
      } else {
        const input = createReadStream(job.input);
        input.on('data', (chunk) => (report.bytes += chunk.length));
        let header: string[] | null = null;
        let columns: number[] = [];
        let rows: string[][] = [];
        let lines: number[] = [];
        // Where the next record starts: a quoted cell may hold line breaks.
        let nextLine = 1;
        const parser = input.pipe(parseCsv({ bom: true, relax_column_count: true, info: true }));
        for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
          const line = nextLine;
          nextLine = info.lines + 1;
          if (header === null) {
            header = record;
            columns = csvColumns(header, fields);
            out.write(stringifyCsv([header]));
            continue;
          }
          rows.push(record);
          lines.push(line);
          if (rows.length >= BATCH_RECORDS) {
            await submit({ kind: 'csv', rows, lines, columns, names: header, keepRedactions });
            rows = [];
            lines = [];
          }
        }
        if (header !== null && rows.length > 0) await submit({ kind: 'csv', rows, lines, columns, names: header, keepRedactions });
      }
      while (inFlight.length > 0) await complete(await inFlight.shift()!);
      stopping = pool?.destroy(); // while the output is flushed and synced
      out.end();
    });
  } finally {
    await (stopping ?? pool?.destroy());
  }
  if (job.audit) await recordSummary(job, report);
  return report;
}

/**
 * The file in batches of whole lines, about BATCH_BYTES each, every batch in an ArrayBuffer of
 * its own (so it can be moved to a worker). Each batch is read straight into its own buffer, and
 * only the partial line at its end is copied on to the next: a newline byte never occurs inside
 * a multi-byte UTF-8 character, so cutting at one never splits a character.
 */
async function* wholeLines(path: string, onRead: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  const file = await open(path);
  try {
    let carry = new Uint8Array(0);
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(carry.length + BATCH_BYTES);
      buffer.set(carry);
      const { bytesRead } = await file.read(buffer, carry.length, BATCH_BYTES, null);
      if (bytesRead === 0) break;
      onRead(bytesRead);
      const filled = carry.length + bytesRead;
      const cut = buffer.lastIndexOf(LF, filled - 1);
      if (cut < 0) {
        carry = buffer.subarray(0, filled); // a line longer than a batch: read on
        continue;
      }
      carry = new Uint8Array(buffer.subarray(cut + 1, filled)); // a copy: the batch's buffer moves to a worker
      yield buffer.subarray(0, cut + 1);
    }
    if (carry.length > 0) yield carry;
  } finally {
    await file.close();
  }
}

const LF = 10;

/** Lines in a batch from wholeLines: its newlines, plus one for a last line without its own. */
function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) lines++;
  return bytes[bytes.length - 1] === LF ? lines : lines + 1;
}

/** What redacting an in-memory list gives: a redacted copy (same order) and the same counts as for files. */
export interface RedactedRecords {
  records: Record<string, unknown>[];
  report: Omit<RedactDatasetReport, 'bytes' | 'workers'>;
}

/** An in-memory list of records, on this thread; audited per batch like files, `line` being the record's 1-based position. */
export async function redactRecords(records: readonly Record<string, unknown>[], job: Pick<RedactDatasetJob, 'spec' | 'fields' | 'audit'>): Promise<RedactedRecords> {
  const redactor = await loadRecordRedactor(job.spec);
  const fields = uniqueFields(job.fields)?.map(parseFieldPath) ?? null;
  const report: RedactedRecords['report'] = { records: 0, redactedRecords: 0, counts: zeroCounts() };
  const out: Record<string, unknown>[] = [];
  for (let from = 0; from < records.length; from += BATCH_RECORDS) {
    const batch = emptyTally(job.audit !== undefined);
    const copies = records.slice(from, from + BATCH_RECORDS).map((record, i) => {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw invalidInput(`record ${from + i + 1}: a record must be an object`);
      return structuredClone(record);
    });
    redactRecordBatch(redactor, copies, copies.map((_, i) => from + i + 1), fields, batch);
    out.push(...copies);
    report.records += Math.min(BATCH_RECORDS, records.length - from);
    report.redactedRecords += batch.redactedRecords;
    for (const type of ENTITY_TYPES) report.counts[type] += batch.counts[type];
    if (job.audit && batch.redactions && batch.redactions.length > 0) await recordBatch(job, batch.redactions);
  }
  if (job.audit) await recordSummary(job, report);
  return { records: out, report };
}

/** The fields named, each once (a field named twice would be redacted twice); undefined for every field. */
function uniqueFields(fields: readonly string[] | undefined): string[] | undefined {
  return fields?.length ? [...new Set(fields)] : undefined;
}

function zeroCounts(): Record<EntityType, number> {
  return Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
}

/** Redactions per `pii.redacted` record: about 30 KB of JSON, well inside an audit event's 64 KB. */
const REDACTIONS_PER_EVENT = 250;

async function recordBatch(job: Pick<RedactDatasetJob, 'spec' | 'audit'>, redactions: RedactionRecord[]): Promise<void> {
  const { sink, dataset, userId } = job.audit!;
  for (let from = 0; from < redactions.length; from += REDACTIONS_PER_EVENT) {
    await sink.record({
      eventType: 'pii.redacted',
      result: 'success',
      userId: userId ?? null,
      additionalData: { dataset, method: job.spec.redaction.method, redactions: redactions.slice(from, from + REDACTIONS_PER_EVENT) as unknown as JsonValue[] },
    });
  }
}

async function recordSummary(job: Pick<RedactDatasetJob, 'spec' | 'audit'>, report: Pick<RedactDatasetReport, 'records' | 'redactedRecords' | 'counts'>): Promise<void> {
  const { sink, dataset, userId } = job.audit!;
  await sink.record({
    eventType: 'pii.dataset_redacted',
    result: 'success',
    userId: userId ?? null,
    additionalData: { dataset, method: job.spec.redaction.method, records: report.records, redactedRecords: report.redactedRecords, counts: report.counts },
  });
}
