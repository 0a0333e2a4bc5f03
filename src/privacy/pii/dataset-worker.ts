import { move, transferableSymbol, valueSymbol } from 'piscina';
import { loadBatchHandler, type BatchHandler, type BatchOutcome, type JobBatch } from './dataset-batch.js';

/**
 * The handlers of the jobs running on this thread's pool, by job id: a job's first batch here
 * builds its handler. Jobs of one pool may run at once (a detector's shards in parallel), so
 * several can be current; a finished job's handler, which holds its keys or seed, goes at the
 * next batch of any job, or with the thread when it ends idle.
 */
const handlers = new Map<string, Promise<BatchHandler>>();

/** A data set job's batch on a worker thread (Piscina), its output bytes moved to the reading thread rather than copied. */
export default async function runBatch({ jobId, job, batch, liveJobs }: JobBatch): Promise<BatchOutcome | ReturnType<typeof move>> {
  for (const id of handlers.keys()) if (!liveJobs.includes(id)) handlers.delete(id);
  let handler = handlers.get(jobId);
  if (handler === undefined) {
    handler = loadBatchHandler(job);
    handlers.set(jobId, handler);
  }
  const outcome = (await handler)(batch);
  if ('error' in outcome) return outcome;
  return move({ [transferableSymbol]: [outcome.result.output.buffer], [valueSymbol]: outcome });
}
