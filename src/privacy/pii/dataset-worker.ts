import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { loadBatchHandler, type BatchOutcome, type BatchTask, type DatasetJob } from './dataset-batch.js';

/** A data set job's worker thread (Piscina): the job arrives as workerData. */
const handle = await loadBatchHandler(workerData as DatasetJob);

/** The outcome, its output bytes moved to the reading thread rather than copied. */
export default function runBatch(task: BatchTask): BatchOutcome | ReturnType<typeof move> {
  const outcome = handle(task);
  if ('error' in outcome) return outcome;
  return move({ [transferableSymbol]: [outcome.result.output.buffer], [valueSymbol]: outcome });
}
