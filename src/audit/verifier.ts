import type { Kysely } from 'kysely';
import { LangtrainError } from '../core/errors.js';
import { openCheckpoint } from './checkpoint-signer.js';
import { ENTRY_FORMAT_VERSION } from './entry.js';
import { CompactRange, hashLeaf } from './merkle.js';
import type { NoteVerifier } from './signed-note.js';
import { listCheckpoints } from './tree-store.js';

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

class Failure extends Error {
  constructor(readonly problem: VerificationProblem) {
    super(problem.reason);
  }
}

export async function verifyEntries(
  entries: AsyncIterable<VerifiableEntry>,
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
    for await (const entry of entries) {
      if (entry.index !== next) {
        fail(Math.min(entry.index, next), entry.index > next ? `entry ${next} is missing` : `entry ${entry.index} is duplicated or out of order`);
      }
      frontier.append(checkEntry(entry));
      if (entry.body === null) report.prunedEntries += 1;
      next += 1;
      report.entries = next;
      if (options.onProgress && next % progressEvery === 0) options.onProgress(next);
      while (pending.length > 0 && pending[0]!.size === next) {
        checkCheckpoint(pending.shift()!, frontier, options.verifiers, report);
      }
    }
    if (pending.length > 0) {
      const cp = pending[0]!;
      fail(next, `entries ${next}..${cp.size - 1} are missing: checkpoint ${cp.size} was signed over ${cp.size} entries but the log has ${next}`, cp.size);
    }
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    report.ok = false;
    report.problem = err.problem;
  }
  options.onProgress?.(report.entries);
  report.unsignedTail = report.entries - report.verifiedSize;
  return report;
}

function fail(index: number, reason: string, checkpointSize?: number): never {
  throw new Failure(checkpointSize === undefined ? { index, reason } : { index, reason, checkpointSize });
}

/** The entry's leaf hash, recomputed from its bytes; fails on any disagreement. */
function checkEntry(entry: VerifiableEntry): Buffer {
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
export async function* storedEntries(db: Kysely<any>, pageSize = 5000): AsyncGenerator<VerifiableEntry> {
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_entries')
      .select(['seq', 'body', 'leaf_hash'])
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield { index: Number(row.seq), body: row.body, leafHash: row.leaf_hash };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Verify a log in a store against its signed checkpoints. */
export async function verifyStore(db: Kysely<any>, options: VerifyOptions): Promise<VerificationReport> {
  const checkpoints = await listCheckpoints(db);
  return verifyEntries(storedEntries(db), checkpoints, options);
}
