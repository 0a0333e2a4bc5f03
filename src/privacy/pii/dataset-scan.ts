import { extname } from 'node:path';
import { writeAtomically } from '../../core/atomic-file.js';
import { invalidInput, isLangtrainError, LangtrainError } from '../../core/errors.js';
import { inputSize, jsonLineTasks, startBatchRunner, writeInOrder, type BatchWorkers } from './dataset-pipeline.js';
import type { ScanSettings } from './entity-scanner.js';
import { ENTITY_TYPES, zeroCounts, type EntityType } from './entity-types.js';

/**
 * `langtrain pii scan`: for each line of a JSONL file, the spans found in one string field, as
 * one line `{"spans":[{start,end,type,score}]}` (span-lines.ts), in input order; batches scanned
 * on worker threads like redaction's, the output renamed into place only when every line
 * succeeded. A line that is not a JSON object fails the scan, naming the line.
 */
export interface ScanDatasetJob {
  input: string;
  output: string;
  /** The path of the string to scan in each line (`text`, `user.bio`; no `[]`). */
  field: string;
  scan: ScanSettings;
  /** Worker threads of the job's own (default one per core; 0 scans on this thread), or a pool the caller keeps across jobs. */
  workers?: number | BatchWorkers;
  /** Called after each batch with records done and input bytes read. */
  onProgress?: (progress: { records: number; bytes: number; totalBytes: number }) => void;
  /** A file of a data set in shards (scanShards): its field is checked by the caller over all the files; otherwise a field no line has a string at fails the job. */
  shard?: boolean;
}

export interface ScanDatasetReport {
  records: number;
  /** Records with at least one span. */
  recordsWithSpans: number;
  spans: number;
  /** Lines with a string at the field. */
  fieldFound: number;
  /** Spans per entity type (every type listed, zeros included). */
  counts: Record<EntityType, number>;
  workers: number;
}

/** Fails when no line of `records` had a string at `field`: a misspelt field gives a file of empty spans that reads as "nothing found". */
export function refuseMissingField(field: string, found: number, records: number): void {
  if (records === 0 || found > 0) return;
  throw invalidInput(`no record has a string at the field path ${JSON.stringify(field)} (${records} lines read); check --field (e.g. text, user.bio); no output was written`, { field });
}

/**
 * Extensions of tabular files, refused by name before any work. Only these: a JSON Lines file
 * is often named otherwise (.jsonl, .ndjson, .json, .txt, .log, none), and a file named on the
 * command line is the user's choice, so anything else is read and a line that is not JSON fails
 * it, naming the line. (A directory of shards is different: its files are picked by extension,
 * .jsonl and .ndjson only, and the rest are reported as skipped: dataset-shards.ts.)
 */
const TABULAR = new Set(['.csv', '.tsv']);

export async function scanDataset(job: ScanDatasetJob): Promise<ScanDatasetReport> {
  const extension = extname(job.input).toLowerCase();
  if (TABULAR.has(extension)) {
    const instead = extension === '.csv' ? 'use pii redact, which reads CSV, or convert the file to JSON Lines' : 'convert the file to JSON Lines';
    throw invalidInput(`cannot scan ${job.input}: pii scan reads JSON Lines (one JSON object per line), not ${extension.slice(1).toUpperCase()}; ${instead}`, { path: job.input });
  }
  const totalBytes = await inputSize(job.input);
  const runner = await startBatchRunner({ kind: 'scan', scan: job.scan, field: job.field }, job.workers);
  const report: ScanDatasetReport = { records: 0, recordsWithSpans: 0, spans: 0, fieldFound: 0, counts: zeroCounts(), workers: runner.workers };
  let bytes = 0;
  try {
    await writeAtomically(job.output, async (out) => {
      await writeInOrder(out, jsonLineTasks(job.input, (n) => (bytes += n)), runner, (result) => {
        report.records += result.records;
        report.recordsWithSpans += result.recordsWithFindings;
        report.fieldFound += result.fieldsFound[0]!;
        for (const type of ENTITY_TYPES) {
          report.counts[type] += result.counts[type];
          report.spans += result.counts[type];
        }
        job.onProgress?.({ records: report.records, bytes, totalBytes });
      });
      if (!job.shard) refuseMissingField(job.field, report.fieldFound, report.records);
      void runner.stop(); // its threads end while the output is flushed and synced; awaited below
    });
  } catch (err) {
    // A first line that is no JSON at all: most likely not a JSON Lines file (a CSV named .txt).
    if (isLangtrainError(err) && err.details.line === 1 && err.details.problem === 'not_json') {
      throw new LangtrainError(err.code, `${err.message} (pii scan reads JSON Lines: one JSON object per line)`, { ...err.details }, { cause: err });
    }
    throw err;
  } finally {
    await runner.stop();
  }
  return report;
}
