import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Distinct SQL texts kept prepared, least recently used dropped first: most queries come from
 * a fixed set of shapes, but `IN (…)` lists of varying length make one text per length.
 */
const MAX_STATEMENTS = 500;

/**
 * The better-sqlite3 handle as Kysely's SqliteDialect sees it, with prepared statements reused.
 * Kysely prepares every query it runs; compiling the same SQL again is a large part of a
 * small query's cost (measured: `prepare` was a tenth of a request authenticated by session).
 * A statement still iterating (a streamed query) is busy and cannot run twice at once, so a
 * busy one is bypassed with a fresh statement. Why by hand: neither Kysely nor better-sqlite3
 * caches statements, and the dialect takes any object with `prepare` and `close`.
 */
export function withStatementCache(handle: Database): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => void handle.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached !== undefined && !cached.busy) {
        // Map order is insertion order: moving the hit to the end keeps the map in LRU order.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached as never;
      }
      const statement = handle.prepare(sql);
      if (cached === undefined) {
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement as never;
    },
  };
}
