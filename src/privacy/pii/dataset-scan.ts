import { writeAtomically } from '../../core/atomic-file.js';
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
  /** The top-level string field to scan. */
  field: string;
  scan: ScanSettings;
  /** Worker threads of the job's own (default one per core; 0 scans on this thread), or a pool the caller keeps across jobs. */
  workers?: number | BatchWorkers;
  /** Called after each batch with records done and input bytes read. */
  onProgress?: (progress: { records: number; bytes: number; totalBytes: number }) => void;
}

export interface ScanDatasetReport {
  records: number;
  /** Records with at least one span. */
  recordsWithSpans: number;
  spans: number;
  /** Spans per entity type (every type listed, zeros included). */
  counts: Record<EntityType, number>;
  workers: number;
}

export async function scanDataset(job: ScanDatasetJob): Promise<ScanDatasetReport> {
  const totalBytes = await inputSize(job.input);
  const runner = await startBatchRunner({ kind: 'scan', scan: job.scan, field: job.field }, job.workers);
  const report: ScanDatasetReport = { records: 0, recordsWithSpans: 0, spans: 0, counts: zeroCounts(), workers: runner.workers };
  let bytes = 0;
  try {
    await writeAtomically(job.output, async (out) => {
      await writeInOrder(out, jsonLineTasks(job.input, (n) => (bytes += n)), runner, (result) => {
        report.records += result.records;
        report.recordsWithSpans += result.recordsWithFindings;
        for (const type of ENTITY_TYPES) {
          report.counts[type] += result.counts[type];
          report.spans += result.counts[type];
        }
        job.onProgress?.({ records: report.records, bytes, totalBytes });
      });
      void runner.stop(); // its threads end while the output is flushed and synced; awaited below
      out.end();
    });
  } finally {
    await runner.stop();
  }
  return report;
}
