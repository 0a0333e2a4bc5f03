import { parseFieldPath } from '../../crypto/field-paths.js';
import { scannerFor, type ScanSettings } from './entity-scanner.js';
import { checkedHeaderRow } from './csv-header-row.js';
import { RecordError, type RecordProblem } from './record-error.js';
import { emptyTally, redactCsvRows, redactJsonLines, type BatchResult } from './record-redaction.js';
import { loadRecordRedactor, type RedactorSpec } from './redactor.js';
import { scanJsonLines, scannedField } from './span-lines.js';

/**
 * What a data set job does with each batch, as plain data sent once to every worker thread:
 * redact records (JSONL field paths or every string; each redaction kept for the audit log or
 * only counted), or only report the spans found in one field of each JSON line.
 */
export type DatasetJob =
  | { kind: 'redact'; spec: RedactorSpec; fields: string[] | null; keepRedactions: boolean }
  | { kind: 'scan'; scan: ScanSettings; field: string };

/**
 * A batch as it crosses to a worker thread: plain data only. JSON Lines travel as the raw bytes
 * of whole lines (moved, not copied): the reading thread only cuts the file at newlines, and
 * decoding, parsing and serialising all happen on the workers.
 */
export type BatchTask =
  | { kind: 'jsonl'; bytes: Uint8Array; firstLine: number }
  | { kind: 'csv'; rows: string[][]; lines: number[]; columns: number[]; names: string[] }
  /** A CSV's header row, scanned as a record before it is written back (csv-header-row.ts). */
  | { kind: 'csv-header'; names: string[]; columns: number[] };

/**
 * A batch as a worker thread receives it: with its job and the job's id, since one pool of
 * threads serves every job of its owner (a detector's shards, one after another or at once).
 */
export interface JobBatch {
  jobId: string;
  job: DatasetJob;
  batch: BatchTask;
  /** The pool's jobs still running, this one among them: a thread forgets the others' settings (their keys and seeds) at this batch. */
  liveJobs: readonly string[];
}

/** What comes back: the batch done, or the first bad record (errors do not cross threads with their class). */
export type BatchOutcome = { result: BatchResult } | { error: { line: number; message: string; problem?: RecordProblem } };

/** One thread's way of doing a job's batches. */
export type BatchHandler = (task: BatchTask) => BatchOutcome;

/**
 * The handler for `job` on this thread. Built on the caller's thread first too, even when
 * workers do the batches: a job they could not build (types the method cannot redact, a bad
 * key) then fails with its own error, where a worker's would lose its class.
 */
export async function loadBatchHandler(job: DatasetJob): Promise<BatchHandler> {
  if (job.kind === 'scan') {
    const scanner = scannerFor(job.scan);
    const path = scannedField(job.field);
    return (task) => {
      if (task.kind !== 'jsonl') throw new Error('a scan job reads JSON Lines only');
      return outcomeOf(() => scanJsonLines(scanner, task.bytes, task.firstLine, path, emptyTally(false, 1)));
    };
  }
  const redactor = await loadRecordRedactor(job.spec);
  const paths = job.fields?.map(parseFieldPath) ?? null;
  return (task) =>
    outcomeOf(() => {
      if (task.kind === 'csv-header') return checkedHeaderRow(redactor, task.names, task.columns);
      if (task.kind === 'csv') return redactCsvRows(redactor, task.rows, task.lines, task.columns, task.names, emptyTally(job.keepRedactions));
      return redactJsonLines(redactor, task.bytes, task.firstLine, paths, emptyTally(job.keepRedactions, paths?.length ?? 0));
    });
}

function outcomeOf(work: () => BatchResult): BatchOutcome {
  try {
    return { result: work() };
  } catch (err) {
    if (err instanceof RecordError) return { error: { line: err.line, message: err.message.slice(`line ${err.line}: `.length), ...(err.problem ? { problem: err.problem } : {}) } };
    throw err;
  }
}
