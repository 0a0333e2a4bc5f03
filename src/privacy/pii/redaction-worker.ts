import { workerData } from 'node:worker_threads';
import { runBatch, type BatchOutcome, type BatchTask } from './redaction-batch.js';
import { loadRecordRedactor, type RedactorSpec } from './redactor.js';

/** A dataset-redaction worker thread (Piscina): the job's redactor spec arrives as workerData. */
const redactor = await loadRecordRedactor(workerData as RedactorSpec);

export default function redactBatch(task: BatchTask): BatchOutcome {
  return runBatch(redactor, task);
}
