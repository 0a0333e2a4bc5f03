import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runBatch, type BatchOutcome, type BatchTask } from './redaction-batch.js';
import { loadRecordRedactor, type RedactorSpec } from './redactor.js';

/** A dataset-redaction worker thread (Piscina): the job's redactor spec arrives as workerData. */
const redactor = await loadRecordRedactor(workerData as RedactorSpec);

/** The outcome, its output bytes moved to the reading thread rather than copied. */
export default function redactBatch(task: BatchTask): BatchOutcome | ReturnType<typeof move> {
  const outcome = runBatch(redactor, task);
  if ('error' in outcome) return outcome;
  return move({ [transferableSymbol]: [outcome.result.output.buffer], [valueSymbol]: outcome });
}
