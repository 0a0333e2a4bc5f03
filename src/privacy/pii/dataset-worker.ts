import { move, transferableSymbol, valueSymbol } from 'piscina';
import { loadBatchHandler, type BatchHandler, type BatchOutcome, type JobBatch } from './dataset-batch.js';

/**
 * The handlers of the jobs this thread ran lately, by job id: a job's first batch here builds its
 * handler. Jobs of one pool may run at once (a detector's shards in parallel), so several can be
 * current; past MAX_JOBS the oldest goes, and a batch of it that came back would build it again.
 */
const handlers = new Map<string, Promise<BatchHandler>>();
const MAX_JOBS = 8;

/** A data set job's batch on a worker thread (Piscina), its output bytes moved to the reading thread rather than copied. */
export default async function runBatch({ jobId, job, batch }: JobBatch): Promise<BatchOutcome | ReturnType<typeof move>> {
  let handler = handlers.get(jobId);
  if (handler === undefined) {
    if (handlers.size >= MAX_JOBS) handlers.delete(handlers.keys().next().value!);
    handler = loadBatchHandler(job);
    handlers.set(jobId, handler);
  }
  const outcome = (await handler)(batch);
  if ('error' in outcome) return outcome;
  return move({ [transferableSymbol]: [outcome.result.output.buffer], [valueSymbol]: outcome });
}
