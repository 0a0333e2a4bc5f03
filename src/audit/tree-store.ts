import type { Kysely } from 'kysely';
import type { WriteTx } from '../store/database.js';
import { consistencyProofRanges, inclusionProofRanges, perfectCover, rangeHash, type Range } from './merkle.js';

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

/** Hashes of perfect subtrees: level 0 from the entries' leaf hashes, above from audit_nodes. */
export async function readPerfectNodes(db: Reader, wanted: ReadonlyArray<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const leaves = wanted.filter((n) => n.level === 0).map((n) => n.index);
  const inner = wanted.filter((n) => n.level > 0);
  for (let i = 0; i < leaves.length; i += 500) {
    const rows = await db.selectFrom('audit_entries').select(['seq', 'leaf_hash']).where('seq', 'in', leaves.slice(i, i + 500)).execute();
    for (const row of rows) found.set(nodeKey(0, Number(row.seq)), Buffer.from(row.leaf_hash));
  }
  for (let i = 0; i < inner.length; i += 200) {
    const chunk = inner.slice(i, i + 200);
    const rows = await db
      .selectFrom('audit_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or(chunk.map((n) => eb.and([eb('level', '=', n.level), eb('idx', '=', n.index)]))))
      .execute();
    for (const row of rows) found.set(nodeKey(Number(row.level), Number(row.idx)), Buffer.from(row.hash));
  }
  return found;
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

const ENTRY_CHUNK = 1000;

export async function insertEntries(tx: WriteTx, rows: readonly StoredEntry[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ENTRY_CHUNK) {
    await tx.insertInto('audit_entries').values(rows.slice(i, i + ENTRY_CHUNK) as StoredEntry[]).execute();
  }
}

export async function insertNodes(tx: WriteTx, nodes: readonly NodeRow[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 1000) {
    await tx
      .insertInto('audit_nodes')
      .values(nodes.slice(i, i + 1000).map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))
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
