import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { fileProblem, invalidInput, LangtrainError } from '../../core/errors.js';
import { loadBatchHandler, type BatchOutcome, type BatchTask, type DatasetJob, type JobBatch } from './dataset-batch.js';
import type { BatchResult } from './record-redaction.js';

/**
 * How a data set job runs: batches done on worker threads (one per core) or on this thread,
 * their outputs written in input order.
 */
export interface BatchRunner {
  /** Worker threads; 0 when batches run on this thread. */
  readonly workers: number;
  run(task: BatchTask): Promise<BatchOutcome>;
  /** Ends the worker threads it started (not a pool the caller keeps); safe to call again. */
  stop(): Promise<void>;
}

/** The compiled worker; running from TypeScript sources (tests) there is none and batches run here. */
const WORKER_FILE = fileURLToPath(new URL('./dataset-worker.js', import.meta.url));

/**
 * Worker threads that run the batches of any data set job, kept by their owner across jobs
 * (PIIDetector keeps one per thread count). Each new thread pays a fixed cost before it runs at
 * full speed: loading its modules (~0.13 s), then compiling its hot code, ~0.8 s of CPU per
 * thread measured on a 2-vCPU machine, which there competes with the batches themselves. A
 * 50 MB job on fresh threads spends about half its time on that; the next job on the same
 * threads skips it. Threads start with the first batch and end after IDLE_MS without one (so a
 * detector used once holds no memory for long); idle threads do not keep the process alive.
 */
export class BatchWorkers {
  readonly threads: number;
  #pool: Piscina | undefined;
  #closed = false;
  /** Jobs whose runner has not stopped: threads drop what they cached for any other. */
  readonly #live = new Set<string>();

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw invalidInput(`workers must be a whole number of at least 1 (got ${threads}); 0 runs batches on the calling thread`);
    this.threads = threads;
  }

  /** The ids of the threads running (none before the first batch, nor after IDLE_MS idle). */
  get threadIds(): number[] {
    return this.#pool?.threads.map((thread) => thread.threadId) ?? [];
  }

  /** A runner for `job`'s batches on these threads; stopping it leaves the threads to the next job. */
  runnerFor(job: DatasetJob): BatchRunner {
    if (this.#closed) throw closedError();
    const jobId = randomUUID();
    this.#live.add(jobId);
    return {
      workers: this.threads,
      run: (batch) => this.#run(jobId, job, batch),
      stop: () => {
        this.#live.delete(jobId);
        return Promise.resolve();
      },
    };
  }

  /** Ends the threads, failing the batches still running with ERR_CLOSED; the pool takes no more. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }

  #run(jobId: string, job: DatasetJob, batch: BatchTask): Promise<BatchOutcome> {
    if (this.#closed) return Promise.reject(closedError());
    this.#pool ??= new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: this.threads, idleTimeout: IDLE_MS });
    const task: JobBatch = { jobId, job, batch, liveJobs: [...this.#live] };
    const done = this.#pool.run(task, batch.kind === 'jsonl' ? { transferList: [batch.bytes.buffer as ArrayBuffer] } : {}) as Promise<BatchOutcome>;
    return done.catch((err: unknown) => {
      // Piscina's termination says nothing of why; any other failure, a crash, is left as it was
      throw this.#closed && err instanceof Error && err.message === PISCINA_TERMINATION ? closedError() : err;
    });
  }
}

/** The message of Piscina's error for a batch whose thread was ended (its errors carry no code). */
const PISCINA_TERMINATION = 'Terminating worker thread';

/** How long threads wait for the next batch before ending: long enough for the next file of a data set in shards. */
const IDLE_MS = 30_000;

function closedError(): LangtrainError {
  return new LangtrainError('ERR_CLOSED', 'the worker threads were closed (PIIDetector.close) while a data set was being processed; no output was written');
}

/**
 * A runner for `job`: on `workers` threads of its own (default one per core; 0 runs batches
 * here), or on a pool the caller keeps, which outlives the job. Fails, before any batch runs,
 * for a job that cannot be built.
 */
export async function startBatchRunner(job: DatasetJob, workers: number | BatchWorkers = availableParallelism()): Promise<BatchRunner> {
  const here = await loadBatchHandler(job);
  if (workers === 0 || !existsSync(WORKER_FILE)) return { workers: 0, run: (task) => Promise.resolve(here(task)), stop: () => Promise.resolve() };
  if (typeof workers !== 'number') return workers.runnerFor(job);
  const own = new BatchWorkers(workers);
  const runner = own.runnerFor(job);
  let stopping: Promise<void> | undefined;
  return { ...runner, stop: () => (stopping ??= own.close()) };
}

/**
 * Runs every task and writes each output to `out` in input order, with up to two batches per
 * worker in flight; `onResult` sees each result in that order. The first bad record fails the
 * whole job, naming its line.
 */
export async function writeInOrder(out: Writable, tasks: AsyncIterable<BatchTask>, runner: BatchRunner, onResult: (result: BatchResult) => void | Promise<void>): Promise<void> {
  const inFlight: Array<Promise<BatchOutcome>> = [];
  const maxInFlight = 2 * Math.max(1, runner.workers);
  const complete = async (outcome: BatchOutcome) => {
    if ('error' in outcome) {
      const { line, message, problem } = outcome.error;
      throw invalidInput(`line ${line}: ${message}; no output was written`, { line, ...(problem ? { problem } : {}) });
    }
    if (!out.write(outcome.result.output)) await once(out, 'drain'); // rejects if the output fails instead
    await onResult(outcome.result);
  };
  for await (const task of tasks) {
    const pending = runner.run(task);
    pending.catch(() => undefined); // observed in order below
    inFlight.push(pending);
    if (inFlight.length >= maxInFlight) await complete(await inFlight.shift()!);
  }
  while (inFlight.length > 0) await complete(await inFlight.shift()!);
}

/** The size of the data set at `path`; a file that cannot be read fails before any thread starts, saying why. */
export async function inputSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw invalidInput(`cannot read the input ${path}: ${fileProblem(err)}`, { path });
  }
  if (info.isDirectory()) throw invalidInput(`cannot read the input ${path}: it is a directory`, { path });
  return info.size;
}

/** Bytes of JSON Lines per batch: big enough that a thread hop is cheap beside the work, small enough to spread over cores. */
const BATCH_BYTES = 512 * 1024;
const LF = 10;

/** The JSON Lines file at `path` as batch tasks of whole lines, numbered from line 1. */
export async function* jsonLineTasks(path: string, onRead: (bytes: number) => void): AsyncGenerator<BatchTask> {
  let firstLine = 1;
  for await (const bytes of wholeLines(path, onRead)) {
    const lines = countLines(bytes); // before the bytes move to a worker
    yield { kind: 'jsonl', bytes, firstLine };
    firstLine += lines;
  }
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
      // a line longer than a batch doubles the read, so that carrying it over stays linear
      const readSize = Math.max(BATCH_BYTES, carry.length);
      const buffer = Buffer.allocUnsafeSlow(carry.length + readSize);
      buffer.set(carry);
      const { bytesRead } = await file.read(buffer, carry.length, readSize, null);
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

/** Lines in a batch from wholeLines: its newlines, plus one for a last line without its own. */
function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) lines++;
  return bytes[bytes.length - 1] === LF ? lines : lines + 1;
}
