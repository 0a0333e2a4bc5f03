import type { Kysely } from 'kysely';
import { checkEntry, VerificationFailure, type VerificationProblem } from './verifier.js';

/** Leaves of one index range, checked: what a verification worker hands back. */
export type CheckedRange =
  | { ok: true; start: number; count: number; leaves: Uint8Array; pruned: Uint8Array }
  | { ok: false; problem: VerificationProblem };

/**
 * Check entries [start, end) of a store: each present, at its place, its bytes matching
 * its leaf hash. Returns the leaves packed 32 bytes each (cheap to transfer between threads).
 */
export async function checkRange(db: Kysely<any>, start: number, end: number, pageSize = 10_000): Promise<CheckedRange> {
  const leaves = new Uint8Array(32 * (end - start));
  const pruned = new Uint8Array(end - start);
  let next = start;
  try {
    while (next < end) {
      const rows = await db
        .selectFrom('audit_entries')
        .select(['seq', 'body', 'leaf_hash'])
        .where('seq', '>=', next)
        .where('seq', '<', end)
        .orderBy('seq', 'asc')
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return { ok: false, problem: { index: next, reason: `entry ${next} is missing` } };
      for (const row of rows) {
        const index = Number(row.seq);
        if (index !== next) return { ok: false, problem: { index: next, reason: `entry ${next} is missing` } };
        leaves.set(checkEntry({ index, body: row.body, leafHash: row.leaf_hash }), 32 * (index - start));
        if (row.body === null) pruned[index - start] = 1;
        next += 1;
      }
    }
  } catch (err) {
    if (err instanceof VerificationFailure) return { ok: false, problem: err.problem };
    throw err;
  }
  return { ok: true, start, count: end - start, leaves, pruned };
}
