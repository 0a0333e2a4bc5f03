import type { Kysely } from 'kysely';
import { LangtrainError } from '../core/errors.js';
import { openCheckpoint } from './checkpoint-signer.js';
import { ENTRY_FORMAT_VERSION } from './entry.js';
import { CompactRange, coverRoot, hashLeaf, type HashedNode } from './merkle.js';
import { keyNameAndId, noteSigners, type NoteVerifier } from './signed-note.js';
import type { Store } from '../store/database.js';
import { defaultVerifyWorkers, parallelVerificationAvailable, rangesInParallel } from './parallel-verify.js';
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
  /**
   * The first entry that is wrong, missing or not covered by a valid signature. Absent when
   * no entry is at fault: the verifier keys sign none of the checkpoints, or a filtered
   * bundle has no checkpoint.
   */
  index?: number;
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
  /** For a bundle: what it claims to be. A filtered bundle cannot show that nothing was left out. */
  bundle?: BundleSummary;
  /** The tree size of the auditor's own checkpoint (`--checkpoint`) the log was found consistent with. */
  trustedCheckpoint?: number;
  problem?: VerificationProblem;
}

export interface BundleSummary {
  complete: boolean;
  /** Entries the bundle's newest checkpoint covers (its header's `treeSize`, once checked). */
  treeSize: number;
  /** For a filtered bundle: that entries left out of it cannot be detected. */
  notice?: string;
}

export interface VerifyOptions {
  verifiers: NoteVerifier[];
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
  /**
   * Fail on entries after the newest verified checkpoint instead of reporting them as an
   * unsigned tail. For complete bundles: export signs a checkpoint over every entry first,
   * so an entry past it was added afterwards.
   */
  requireSigned?: boolean;
  /**
   * Fail when entries exist but no checkpoint the verifier keys signed covers any of them: a
   * pinned key's check, or a bundle's. Without it (a store checked against its own recorded
   * key) they are an unsigned tail, as on a new log before its first checkpoint; `requireSigned`
   * implies it.
   */
  requireCheckpoint?: boolean;
}

/** The reason when entries exist but no checkpoint signed by the verifier keys covers any of them. */
export function noCheckpointReason(entries: number): string {
  return (
    `no signed checkpoint covers these entries (0..${entries - 1}): nothing proves they are the log's, they could have been forged. ` +
    'On a new log, sign one first: run langtrain audit checkpoint'
  );
}

/** Thrown inside verification to stop at the first problem; turned into the report's `problem`. */
export class VerificationFailure extends Error {
  constructor(readonly problem: VerificationProblem) {
    super(problem.reason);
  }
}

/**
 * Entries are verified in ranges aligned to RANGE_SIZE, a power of two, so a full range is
 * one perfect subtree: it can be checked and hashed apart (on a worker thread) and joined
 * to the tree with a single node.
 */
export const RANGE_SIZE = 32_768;

/** One range's verdict: what a worker hands back, or what this thread computes for a bundle. */
export interface RangeSummary {
  start: number;
  /** Entries checked from `start` (the whole range unless there is a problem). */
  count: number;
  /** Pruned entries among them; within a range they form a prefix, or `problem` says so. */
  pruned: number;
  /** For each checkpoint size inside the range and before any problem: the frontier of [start, size). */
  cuts: Array<{ size: number; nodes: HashedNode[] }>;
  /** Frontier of [start, start + count). */
  nodes: HashedNode[];
  problem?: VerificationProblem;
}

/**
 * Check entries [start, start + entries.length) — their bytes, positions and pruning order —
 * and hash them into the range's subtree, recording the frontier at each `cut` (checkpoint
 * size). Pure: the same code runs on worker threads and for bundles.
 */
export function summarizeRange(start: number, entries: readonly VerifiableEntry[], cuts: readonly number[]): RangeSummary {
  const local = CompactRange.empty();
  const summary: RangeSummary = { start, count: 0, pruned: 0, cuts: [], nodes: [] };
  const absolute = (nodes: HashedNode[]) => nodes.map((n) => ({ level: n.level, index: n.index + start / 2 ** n.level, hash: n.hash }));
  let nextCut = 0;
  try {
    for (const entry of entries) {
      const index = start + summary.count;
      if (entry.index !== index) fail(Math.min(entry.index, index), entry.index > index ? `entry ${index} is missing` : `entry ${entry.index} is duplicated or out of order`);
      const leaf = checkEntry(entry);
      if (entry.body === null) {
        // Retention prunes oldest first: a pruned entry after a kept one was blanked.
        if (summary.pruned < summary.count) fail(index, `entry ${index} has no payload but older entries do: retention prunes oldest first, so it was blanked`);
        summary.pruned += 1;
      }
      local.append(leaf);
      summary.count += 1;
      while (nextCut < cuts.length && cuts[nextCut] === index + 1) {
        summary.cuts.push({ size: index + 1, nodes: absolute(local.nodes()) });
        nextCut += 1;
      }
    }
  } catch (err) {
    if (!(err instanceof VerificationFailure)) throw err;
    summary.problem = err.problem;
  }
  summary.nodes = absolute(local.nodes());
  return summary;
}

/** Verify entries read from anywhere (a bundle, a store on this thread), in index order. */
export async function verifyEntries(
  entries: AsyncIterable<VerifiableEntry>,
  checkpoints: readonly VerifiableCheckpoint[],
  options: VerifyOptions,
): Promise<VerificationReport> {
  const sizes = checkpoints.map((cp) => cp.size).sort((a, b) => a - b);
  async function* ranges(): AsyncGenerator<RangeSummary> {
    let start = 0;
    let page: VerifiableEntry[] = [];
    const cutsIn = (from: number) => sizes.filter((size) => size > from && size <= from + RANGE_SIZE);
    for await (const entry of entries) {
      // An entry beyond the current range closes it (a gap shows as a short range).
      while (entry.index >= start + RANGE_SIZE) {
        yield summarizeRange(start, page, cutsIn(start));
        page = [];
        start += RANGE_SIZE;
      }
      page.push(entry);
    }
    if (page.length > 0) yield summarizeRange(start, page, cutsIn(start));
  }
  return verifyRanges(ranges(), checkpoints, options);
}

/**
 * Join range summaries in index order into the whole tree and hold it against every signed
 * checkpoint. Stops at the first problem, in index order: a bad entry, a missing range, a
 * checkpoint that is unsigned, altered or does not match, or checkpoints beyond the log.
 */
export async function verifyRanges(
  ranges: AsyncIterable<RangeSummary>,
  checkpoints: readonly VerifiableCheckpoint[],
  options: VerifyOptions,
): Promise<VerificationReport> {
  requireVerifiers(options.verifiers);
  const pending = [...checkpoints].sort((a, b) => a.size - b.size);
  const tree = CompactRange.empty();
  const report: VerificationReport = { ok: true, entries: 0, prunedEntries: 0, checkpointsVerified: 0, verifiedSize: 0, unsignedTail: 0 };
  const wrongKey = verifierKeyMismatch(checkpoints, options.verifiers);
  if (wrongKey) return { ...report, ok: false, problem: wrongKey };
  const progressEvery = options.progressEvery ?? 100_000;
  try {
    for (const cp of pending) if (cp.size <= 0) fail(0, `checkpoint with tree size ${cp.size} is malformed`, cp.size);
    for await (const range of ranges) {
      const next = report.entries;
      if (range.start !== next) fail(next, `entry ${next} is missing`);
      if (range.pruned > 0 && report.prunedEntries < next) {
        fail(next, `entry ${next} has no payload but older entries do: retention prunes oldest first, so it was blanked`);
      }
      const before = tree.nodes().map((n) => n.hash);
      for (const cut of range.cuts) {
        const cp = pending.shift();
        if (cp?.size !== cut.size) throw new Error(`internal: checkpoint cut ${cut.size} out of order`);
        report.entries = cut.size;
        checkCheckpoint(cp, coverRoot([...before, ...cut.nodes.map((n) => n.hash)]), options.verifiers, report);
      }
      if (range.problem) {
        report.entries = range.start + range.count;
        throw new VerificationFailure(range.problem);
      }
      for (const node of range.nodes) tree.appendNode(node);
      report.entries = range.start + range.count;
      report.prunedEntries += range.pruned;
      if (options.onProgress && Math.floor(report.entries / progressEvery) > Math.floor(next / progressEvery)) options.onProgress(report.entries);
    }
    if (pending.length > 0) {
      const cp = pending[0]!;
      const have = report.entries;
      fail(have, `entries ${have}..${cp.size - 1} are missing: checkpoint ${cp.size} was signed over ${cp.size} entries but the log has ${have}`, cp.size);
    }
    // Entries with no verified checkpoint at all prove nothing: anyone able to write the
    // store or the bundle could have made them (and removed every checkpoint).
    if ((options.requireCheckpoint || options.requireSigned) && report.entries > 0 && report.checkpointsVerified === 0) fail(0, noCheckpointReason(report.entries));
    if (options.requireSigned && report.entries > report.verifiedSize) {
      const from = report.verifiedSize;
      fail(
        from,
        `entries ${from}..${report.entries - 1} are not covered by any signed checkpoint: the newest verified checkpoint is ${from}, and a complete bundle is exported with a checkpoint over all its entries, so they were added after export`,
      );
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

/** Without a key nothing can be checked: an input error (exit 2), not a failed check. */
export function requireVerifiers(verifiers: readonly NoteVerifier[]): void {
  if (verifiers.length === 0) {
    throw new LangtrainError('ERR_KEY_MISSING', 'no verifier key: pass the log\'s public key (e.g. --verifier-key NAME+ID+KEY)');
  }
}

/**
 * The problem when none of the checkpoints is signed by any of `verifiers` but some are
 * signed by another key. Then every checkpoint would fail alike and no entry is at fault:
 * the key given is not the log's, or the whole log was re-signed with another key.
 * Checked before any entry, so a wrong key is not reported as a bad checkpoint or entry.
 */
export function verifierKeyMismatch(checkpoints: readonly VerifiableCheckpoint[], verifiers: readonly NoteVerifier[]): VerificationProblem | undefined {
  const given = new Set(verifiers.map((v) => keyNameAndId(v)));
  const signers = new Set(checkpoints.flatMap((cp) => noteSigners(cp.note)));
  if (signers.size === 0 || [...signers].some((key) => given.has(key))) return undefined;
  return {
    reason:
      `no checkpoint is signed by the verifier ${given.size === 1 ? 'key' : 'keys'} ${[...given].join(', ')}: the checkpoints are signed by ${[...signers].join(', ')}. ` +
      "Check that the key is this log's (langtrain audit verifier-key prints it on the log's host); if it is, the log was re-signed with another key",
  };
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

function checkCheckpoint(cp: VerifiableCheckpoint, root: Buffer, verifiers: NoteVerifier[], report: VerificationReport): void {
  const firstUnverified = report.verifiedSize;
  let signed;
  try {
    signed = openCheckpoint(cp.note, verifiers);
  } catch (err) {
    fail(firstUnverified, `checkpoint ${cp.size} is not validly signed: ${(err as Error).message}`, cp.size);
  }
  if (signed.size !== cp.size) fail(firstUnverified, `checkpoint ${cp.size} was altered: its signed note says size ${signed.size}`, cp.size);
  if (cp.root && !cp.root.equals(signed.root)) fail(firstUnverified, `checkpoint ${cp.size} was altered: its root column differs from its signed note`, cp.size);
  if (!root.equals(signed.root)) {
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
 * verification starts (entries appended meanwhile are left for the next run). Ranges are
 * checked on worker threads when the compiled worker is available, else on this thread.
 */
export async function verifyStore(store: Store, options: VerifyOptions & { workers?: number }): Promise<VerificationReport> {
  // Checkpoints first: any made after this read are ignored, and every one read covers
  // entries that existed before `size` is read, so a checkpoint beyond it means lost entries.
  const checkpoints = await listCheckpoints(store.db);
  const size = await readSize(store.db);
  const sizes = checkpoints.map((cp) => cp.size);
  const workers = options.workers ?? (size >= PARALLEL_FROM ? defaultVerifyWorkers() : 0);
  const ranges =
    workers > 0 && parallelVerificationAvailable() && store.connectionUrl !== 'sqlite::memory:'
      ? rangesInParallel(store, size, sizes, workers)
      : rangesHere(store, size, sizes);
  return verifyRanges(ranges, checkpoints, options);
}

async function* rangesHere(store: Store, size: number, checkpointSizes: readonly number[]): AsyncGenerator<RangeSummary> {
  for (let start = 0; start < size; start += RANGE_SIZE) {
    const end = Math.min(size, start + RANGE_SIZE);
    yield summarizeRange(start, await readRange(store.db, start, end), cutsWithin(checkpointSizes, start, end));
  }
}

/** Checkpoint sizes in (start, end]: where a range must record its frontier. */
export function cutsWithin(sizes: readonly number[], start: number, end: number): number[] {
  return sizes.filter((size) => size > start && size <= end).sort((a, b) => a - b);
}

/** Stored entries [start, end) in index order (missing ones are simply absent). */
export async function readRange(db: Kysely<any>, start: number, end: number): Promise<VerifiableEntry[]> {
  const rows = await db.selectFrom('audit_entries').select(['seq', 'body', 'leaf_hash']).where('seq', '>=', start).where('seq', '<', end).orderBy('seq', 'asc').execute();
  return rows.map((row) => ({ index: Number(row.seq), body: row.body, leafHash: row.leaf_hash }));
}

/** Below this many entries, starting worker threads costs more than it saves. */
const PARALLEL_FROM = 100_000;
