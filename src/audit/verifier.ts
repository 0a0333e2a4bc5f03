import type { Kysely } from 'kysely';
import { LangtrainError } from '../core/errors.js';
import { openCheckpoint } from './checkpoint-signer.js';
import { ENTRY_FORMAT_VERSION } from './entry.js';
import { CompactRange, hashLeaf } from './merkle.js';
import type { NoteVerifier } from './signed-note.js';
import type { Store } from '../store/database.js';
import { checkedLeavesInParallel, defaultVerifyWorkers, parallelVerificationAvailable } from './parallel-verify.js';
import { listCheckpoints, readSize } from './tree-store.js';

/**
 * Offline verification: re-derive the whole tree from the stored entries and check it
 * against every signed checkpoint. Needs no payload key (sealed payloads are hashed as
 * ciphertext) and no trust in any stored hash: every leaf is recomputed from its bytes.
 */

/** One entry as stored or exported: its canonical JSON (null once pruned) and its recorded leaf hash. */
export interface VerifiableEntry {
  index: number;
  body: string | null;
  leafHash: Buffer;
}

export interface VerifiableCheckpoint {
  size: number;
  note: string;
  /** The root column stored beside the note, when the source has one. */
  root?: Buffer;
}

export interface VerificationProblem {
  /** The first entry that is wrong, missing or not covered by a valid signature. */
  index: number;
  /** The checkpoint involved, when the failure is a checkpoint's. */
  checkpointSize?: number;
  reason: string;
}

export interface VerificationReport {
  ok: boolean;
  entries: number;
  prunedEntries: number;
  checkpointsVerified: number;
  /** Tree size of the newest verified checkpoint. */
  verifiedSize: number;
  /** Entries after the newest checkpoint: consistent, but not yet signed. */
  unsignedTail: number;
  problem?: VerificationProblem;
}

export interface VerifyOptions {
  verifiers: NoteVerifier[];
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
}

/** Thrown inside verification to stop at the first problem; turned into the report's `problem`. */
export class VerificationFailure extends Error {
  constructor(readonly problem: VerificationProblem) {
    super(problem.reason);
  }
}

/**
 * Consecutive entries whose bytes have been checked: their recomputed leaf hashes packed
 * 32 bytes each. Batches, not single leaves, cross the async boundaries: an await per entry
 * cost more than hashing it.
 */
export interface CheckedLeaves {
  start: number;
  count: number;
  leaves: Buffer;
  /** 1 where the entry was pruned (its stored leaf hash taken as is). */
  pruned: Uint8Array;
}

/** Check a run of consecutive entries; a gap or repeat is reported by `verifyLeaves`. */
export function checkEntries(entries: readonly VerifiableEntry[]): CheckedLeaves[] {
  const batches: CheckedLeaves[] = [];
  let i = 0;
  while (i < entries.length) {
    // Split where indices stop being consecutive, so verifyLeaves sees the gap.
    let j = i + 1;
    while (j < entries.length && entries[j]!.index === entries[j - 1]!.index + 1) j += 1;
    const run = entries.slice(i, j);
    const leaves = Buffer.allocUnsafe(32 * run.length);
    const pruned = new Uint8Array(run.length);
    run.forEach((entry, k) => {
      checkEntry(entry).copy(leaves, 32 * k);
      if (entry.body === null) pruned[k] = 1;
    });
    batches.push({ start: run[0]!.index, count: run.length, leaves, pruned });
    i = j;
  }
  return batches;
}

/** Verify entries read from anywhere (store, bundle): each is checked, then the tree. */
export async function verifyEntries(
  entries: AsyncIterable<VerifiableEntry>,
  checkpoints: readonly VerifiableCheckpoint[],
  options: VerifyOptions,
): Promise<VerificationReport> {
  async function* checked(): AsyncGenerator<CheckedLeaves> {
    let page: VerifiableEntry[] = [];
    for await (const entry of entries) {
      page.push(entry);
      if (page.length === 4096) {
        yield* checkEntries(page);
        page = [];
      }
    }
    yield* checkEntries(page);
  }
  return verifyLeaves(checked(), checkpoints, options);
}

/**
 * Rebuild the tree from checked leaves in index order and hold it against every signed
 * checkpoint. Stops at the first problem: a missing or repeated index, a leaf that failed
 * its check upstream (thrown as VerificationFailure), or a checkpoint that does not match.
 */
export async function verifyLeaves(
  batches: AsyncIterable<CheckedLeaves>,
  checkpoints: readonly VerifiableCheckpoint[],
  options: VerifyOptions,
): Promise<VerificationReport> {
  if (options.verifiers.length === 0) {
    throw new LangtrainError('ERR_AUDIT_KEY_MISSING', 'no verifier key: pass the log\'s public key (e.g. --verifier-key NAME+ID+KEY)');
  }
  const pending = [...checkpoints].sort((a, b) => a.size - b.size);
  const frontier = CompactRange.empty();
  const report: VerificationReport = { ok: true, entries: 0, prunedEntries: 0, checkpointsVerified: 0, verifiedSize: 0, unsignedTail: 0 };
  const progressEvery = options.progressEvery ?? 100_000;
  let next = 0;
  try {
    for (const cp of pending) if (cp.size <= 0) fail(0, `checkpoint with tree size ${cp.size} is malformed`, cp.size);
    for await (const batch of batches) {
      if (batch.count === 0) continue;
      if (batch.start !== next) {
        fail(Math.min(batch.start, next), batch.start > next ? `entry ${next} is missing` : `entry ${batch.start} is duplicated or out of order`);
      }
      const before = report.entries;
      for (let k = 0; k < batch.count; k += 1) {
        if (batch.pruned[k] === 1) {
          // Retention prunes oldest first: a pruned entry after a kept one was blanked.
          if (report.prunedEntries < next) fail(next, `entry ${next} has no payload but older entries do: retention prunes oldest first, so it was blanked`);
          report.prunedEntries += 1;
        }
        frontier.append(batch.leaves.subarray(32 * k, 32 * k + 32));
        next += 1;
        report.entries = next;
        while (pending.length > 0 && pending[0]!.size === next) {
          checkCheckpoint(pending.shift()!, frontier, options.verifiers, report);
        }
      }
      if (options.onProgress && Math.floor(next / progressEvery) > Math.floor(before / progressEvery)) options.onProgress(next);
    }
    if (pending.length > 0) {
      const cp = pending[0]!;
      fail(next, `entries ${next}..${cp.size - 1} are missing: checkpoint ${cp.size} was signed over ${cp.size} entries but the log has ${next}`, cp.size);
    }
  } catch (err) {
    if (!(err instanceof VerificationFailure)) throw err;
    report.ok = false;
    report.problem = err.problem;
  }
  options.onProgress?.(report.entries);
  report.unsignedTail = report.entries - report.verifiedSize;
  return report;
}

function fail(index: number, reason: string, checkpointSize?: number): never {
  throw new VerificationFailure(checkpointSize === undefined ? { index, reason } : { index, reason, checkpointSize });
}

/** The entry's leaf hash, recomputed from its bytes; fails on any disagreement. */
export function checkEntry(entry: VerifiableEntry): Buffer {
  if (entry.body === null) return entry.leafHash; // pruned: only the leaf hash is kept
  const leaf = hashLeaf(entry.body);
  if (!leaf.equals(entry.leafHash)) fail(entry.index, `entry ${entry.index} was altered: its bytes do not match its leaf hash`);
  const recorded = recordedIndex(entry.body);
  if (recorded === null) fail(entry.index, `entry ${entry.index} is not a valid version ${ENTRY_FORMAT_VERSION} entry`);
  if (recorded !== entry.index) fail(entry.index, `entry ${entry.index} was moved: it records index ${recorded}`);
  return leaf;
}

/**
 * The top-level `index` of a canonical entry, read without parsing the whole entry (a full
 * JSON.parse was a third of verification time). In canonical JSON every `"` inside a string
 * is escaped and `data`, the one free-form object, sorts before `index`, so the last
 * `,"index":` is the top-level one. A hand-crafted non-canonical entry could only mislead
 * this check, not the checkpoint check that follows.
 */
function recordedIndex(text: string): number | null {
  if (!text.endsWith(`,"v":${ENTRY_FORMAT_VERSION}}`)) return null;
  const at = text.lastIndexOf(',"index":');
  if (at < 0) return null;
  const digits = /^\d+/.exec(text.slice(at + 9, at + 26));
  return digits ? Number(digits[0]) : null;
}

function checkCheckpoint(cp: VerifiableCheckpoint, frontier: CompactRange, verifiers: NoteVerifier[], report: VerificationReport): void {
  const firstUnverified = report.verifiedSize;
  let signed;
  try {
    signed = openCheckpoint(cp.note, verifiers);
  } catch (err) {
    fail(firstUnverified, `checkpoint ${cp.size} is not validly signed: ${(err as Error).message}`, cp.size);
  }
  if (signed.size !== cp.size) fail(firstUnverified, `checkpoint ${cp.size} was altered: its signed note says size ${signed.size}`, cp.size);
  if (cp.root && !cp.root.equals(signed.root)) fail(firstUnverified, `checkpoint ${cp.size} was altered: its root column differs from its signed note`, cp.size);
  if (!frontier.root().equals(signed.root)) {
    fail(
      firstUnverified,
      `entries ${firstUnverified}..${cp.size - 1} do not hash to signed checkpoint ${cp.size}: some entry in that range was rewritten together with its leaf hash`,
      cp.size,
    );
  }
  report.checkpointsVerified += 1;
  report.verifiedSize = cp.size;
}

/** Entries of a store in index order, read in pages so memory stays flat on any log size. */
export async function* storedEntries(db: Kysely<any>, size = Infinity, pageSize = 5000): AsyncGenerator<VerifiableEntry> {
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_entries')
      .select(['seq', 'body', 'leaf_hash'])
      .where('seq', '>', after)
      .where('seq', '<', size)
      .orderBy('seq', 'asc')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield { index: Number(row.seq), body: row.body, leafHash: row.leaf_hash };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/**
 * Verify a log in a store against its signed checkpoints, up to the size it has when
 * verification starts (entries appended meanwhile are left for the next run). Large logs
 * are checked on worker threads when the compiled worker is available.
 */
export async function verifyStore(store: Store, options: VerifyOptions & { workers?: number }): Promise<VerificationReport> {
  // Checkpoints first: any made after this read are ignored, and every one read covers
  // entries that existed before `size` is read, so a checkpoint beyond it means lost entries.
  const checkpoints = await listCheckpoints(store.db);
  const size = await readSize(store.db);
  const workers = options.workers ?? (size >= PARALLEL_FROM ? defaultVerifyWorkers() : 0);
  if (workers > 0 && parallelVerificationAvailable() && store.connectionUrl !== 'sqlite::memory:') {
    return verifyLeaves(checkedLeavesInParallel(store, size, workers), checkpoints, options);
  }
  return verifyEntries(storedEntries(store.db, size), checkpoints, options);
}

/** Below this many entries, starting worker threads costs more than it saves. */
const PARALLEL_FROM = 100_000;
