import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { LangtrainError } from '../../core/errors.js';
import { scannerFor, type ScanSettings } from './entity-scanner.js';
import type { Finding } from './entity-types.js';
import type { TextScan } from './text-scan-worker.js';

/** The compiled worker; running from TypeScript sources (tests) there is none and texts are scanned here. */
const WORKER_FILE = fileURLToPath(new URL('./text-scan-worker.js', import.meta.url));
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Below this many characters in all, texts are scanned on the calling thread: the hop to a
 * worker thread (copying the texts and findings, waking the thread) costs more than the scan.
 */
const INLINE_CHARACTERS = 64 * 1024;

/** How long an idle thread waits for the next request before ending. */
const IDLE_MS = 60_000;

/**
 * Scans of texts that arrive a request at a time (the server's `/v1/pii` routes), on worker
 * threads once they are large. A megabyte of text takes up to a second to scan, and worst-case
 * deny lists several: on the server's event loop, one such request from a key holding only
 * `pii.detect` held every other request (`/healthz` waited 9.9 s behind one). Threads start
 * with the first large request and end after IDLE_MS without one.
 */
export class TextScanPool {
  readonly threads: number;
  #pool: Piscina | undefined;
  #closed = false;

  constructor(threads = availableParallelism()) {
    // a build without its worker would scan every request on the event loop, which this class exists to prevent
    if (!FROM_SOURCES && !existsSync(WORKER_FILE)) throw new LangtrainError('ERR_CONFIG_INVALID', `the PII scan worker ${WORKER_FILE} is missing from this build; rebuild the package (npm run build)`);
    this.threads = threads;
  }

  /** The ids of the threads running (none before the first large scan, nor after IDLE_MS idle). */
  get threadIds(): number[] {
    return this.#pool?.threads.map((thread) => thread.threadId) ?? [];
  }

  /** Each text's findings, as `EntityScanner.scanAll` gives them for `settings`. */
  async scanAll(settings: ScanSettings, texts: readonly string[]): Promise<Finding[][]> {
    if (this.#closed) throw new LangtrainError('ERR_CLOSED', 'the PII scan threads were closed (the server is stopping)');
    const scanner = scannerFor(settings); // built here first: settings it refuses fail with their own error, which a worker's would lose
    let characters = 0;
    for (const text of texts) characters += text.length;
    if (characters < INLINE_CHARACTERS || FROM_SOURCES) return scanner.scanAll(texts);
    this.#pool ??= new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: this.threads, idleTimeout: IDLE_MS });
    const task: TextScan = { settings, texts };
    return (await this.#pool.run(task)) as Finding[][];
  }

  /** Ends the threads; scans still running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}
