import { workerData } from 'node:worker_threads';
import { runBatch, type BatchOutcome, type BatchTask, type RedactorSpec } from './redaction-batch.js';

/** A dataset-redaction worker thread (Piscina): the job's redactor spec arrives as workerData. */
const spec = workerData as RedactorSpec;

export default function redactBatch(task: BatchTask): BatchOutcome {
  return runBatch(spec, task);
}
