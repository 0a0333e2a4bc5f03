import type { Kysely } from 'kysely';
import type { WriteTx } from '../store/database.js';
import { consistencyProofRanges, hashChildren, inclusionProofRanges, perfectCover, rangeHash, type Range } from './merkle.js';

/**
 * Reads and writes of the Merkle tree's rows. The hashing lives in merkle.ts (pure); this
 * module only moves bytes between it and the database.
 */
type Reader = Kysely<any> | WriteTx;

export interface StoredEntry {
  seq: number;
  /** Canonical JSON; null once retention has pruned it. */
  body: string | null;
  leaf_hash: Buffer;
}

export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  note: string;
  created_at: string;
}

export interface NodeRow {
  level: number;
  index: number;
  hash: Buffer;
}

/** Entries in the log: the next leaf index. */
export async function readSize(db: Reader): Promise<number> {
  const row = await db.selectFrom('audit_entries').select((eb) => eb.fn.max('seq').as('top')).executeTakeFirst();
  return row?.top === null || row?.top === undefined ? 0 : Number(row.top) + 1;
}

const nodeKey = (level: number, index: number) => `${level}:${index}`;

/**
 * Only every fourth level of inner nodes is stored (4, 8, 12, …), like the tiles of
 * Trillian/Tessera: it cuts node writes from about one per entry to one per fifteen, and
 * any node between is rebuilt from at most eight stored descendants when a proof needs it.
 */
export const NODE_STRIDE = 4;

export const isStoredLevel = (level: number): boolean => level > 0 && level % NODE_STRIDE === 0;

/** Hashes of perfect subtrees: level 0 from the entries' leaf hashes, stored levels from audit_nodes, the rest rebuilt. */
export async function readPerfectNodes(db: Reader, wanted: ReadonlyArray<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
  // Each wanted node covers a run of descendants at the stored level at or below it.
  const spans = wanted.map(({ level, index }) => {
    const base = level - (level % NODE_STRIDE);
    const width = 2 ** (level - base);
    return { level, index, base, first: index * width, width };
  });
  const stored = new Map<string, Buffer>();
  const leafRuns = spans.filter((s) => s.base === 0);
  const innerRuns = spans.filter((s) => s.base > 0);
  for (let i = 0; i < leafRuns.length; i += 100) {
    const chunk = leafRuns.slice(i, i + 100);
    const rows = await db
      .selectFrom('audit_entries')
      .select(['seq', 'leaf_hash'])
      .where((eb) => eb.or(chunk.map((s) => eb.between('seq', s.first, s.first + s.width - 1))))
      .execute();
    for (const row of rows) stored.set(nodeKey(0, Number(row.seq)), Buffer.from(row.leaf_hash));
  }
  for (let i = 0; i < innerRuns.length; i += 100) {
    const chunk = innerRuns.slice(i, i + 100);
    const rows = await db
      .selectFrom('audit_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or(chunk.map((s) => eb.and([eb('level', '=', s.base), eb.between('idx', s.first, s.first + s.width - 1)]))))
      .execute();
    for (const row of rows) stored.set(nodeKey(Number(row.level), Number(row.idx)), Buffer.from(row.hash));
  }
  const found = new Map<string, Buffer>();
  for (const span of spans) {
    const run = Array.from({ length: span.width }, (_, k) => {
      const hash = stored.get(nodeKey(span.base, span.first + k));
      if (!hash) throw new Error(`tree node ${span.base}/${span.first + k} is missing from the store`);
      return hash;
    });
    found.set(nodeKey(span.level, span.index), perfectRoot(run));
  }
  return found;
}

/** Root of a perfect subtree from its 2^k nodes at one level, left to right. */
function perfectRoot(nodes: Buffer[]): Buffer {
  let level = nodes;
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => hashChildren(level[2 * i]!, level[2 * i + 1]!));
  return level[0]!;
}

/** The Merkle hash of each range, from stored perfect nodes, with one read per table. */
export async function readRangeHashes(db: Reader, ranges: readonly Range[]): Promise<Buffer[]> {
  const wanted = ranges.flatMap(([start, end]) => perfectCover(start, end));
  const nodes = await readPerfectNodes(db, wanted);
  return ranges.map(([start, end]) =>
    rangeHash(start, end, (level, index) => {
      const hash = nodes.get(nodeKey(level, index));
      if (!hash) throw new Error(`tree node ${level}/${index} is missing from the store`);
      return hash;
    }),
  );
}

/** Leaf hashes of entries [start, end), in index order (fewer when entries are missing). */
export async function readLeafHashes(db: Reader, start: number, end: number): Promise<Buffer[]> {
  const rows = await db.selectFrom('audit_entries').select(['seq', 'leaf_hash']).where('seq', '>=', start).where('seq', '<', end).orderBy('seq').execute();
  return rows.map((row) => Buffer.from(row.leaf_hash));
}

const ENTRY_CHUNK = 1000;

export async function insertEntries(tx: WriteTx, rows: readonly StoredEntry[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ENTRY_CHUNK) {
    await tx.insertInto('audit_entries').values(rows.slice(i, i + ENTRY_CHUNK) as StoredEntry[]).execute();
  }
}

/** Persist the completed nodes that belong to stored levels; the others are rebuilt on demand. */
export async function insertNodes(tx: WriteTx, nodes: readonly NodeRow[]): Promise<void> {
  const kept = nodes.filter((n) => isStoredLevel(n.level));
  for (let i = 0; i < kept.length; i += 1000) {
    await tx
      .insertInto('audit_nodes')
      .values(kept.slice(i, i + 1000).map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))
      .execute();
  }
}

export async function insertCheckpoint(tx: WriteTx, checkpoint: StoredCheckpoint): Promise<void> {
  await tx.insertInto('audit_checkpoints').values(checkpoint).execute();
}

export async function latestCheckpoint(db: Reader): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row ? toCheckpoint(row) : undefined;
}

export async function checkpointAtOrAfter(db: Reader, size: number): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().where('size', '>=', size).orderBy('size', 'asc').limit(1).executeTakeFirst();
  return row ? toCheckpoint(row) : undefined;
}

export async function listCheckpoints(db: Reader): Promise<StoredCheckpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'asc').execute();
  return rows.map(toCheckpoint);
}

function toCheckpoint(row: Record<string, unknown>): StoredCheckpoint {
  return { size: Number(row.size), root: Buffer.from(row.root as Uint8Array), note: String(row.note), created_at: String(row.created_at) };
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3). */
export async function readInclusionProof(db: Reader, index: number, size: number): Promise<{ leafHash: Buffer; proof: Buffer[] }> {
  const [leafHash, ...proof] = await readRangeHashes(db, [[index, index + 1], ...inclusionProofRanges(index, size)]);
  return { leafHash: leafHash!, proof };
}

/** Consistency proof between the trees of `size1` and `size2` leaves (RFC 9162 §2.1.4). */
export async function readConsistencyProof(db: Reader, size1: number, size2: number): Promise<Buffer[]> {
  return readRangeHashes(db, consistencyProofRanges(size1, size2));
}
