import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/statement-cache.js';

describe('withStatementCache', () => {
  let handle: SQLite.Database;
  afterEach(() => handle?.open && handle.close());

  it('prepares each SQL text once, binds fresh parameters each time, and gives a fresh statement while the cached one is iterating', async () => {
    handle = new SQLite(':memory:');
    let prepared = 0;
    const prepare = handle.prepare.bind(handle);
    handle.prepare = ((text: string) => {
      prepared += 1;
      return prepare(text);
    }) as typeof handle.prepare;
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`.execute(db);
    for (let i = 1; i <= 5; i++) await db.insertInto('t').values({ id: i, name: `n${i}` }).execute();
    const before = prepared;
    const names: string[] = [];
    for (let i = 1; i <= 5; i++) names.push((await db.selectFrom('t').select('name').where('id', '=', i).executeTakeFirstOrThrow()).name);
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(prepared - before).toBe(1); // five runs of one shape, one prepare

    // A stream left early, then the same query again: the cached statement is usable (or bypassed while busy).
    const query = () => db.selectFrom('t').select('id').orderBy('id');
    for await (const row of query().stream()) if (row.id === 2) break;
    expect((await query().execute()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    const streamed: number[] = [];
    for await (const row of query().stream()) streamed.push(row.id);
    expect(streamed).toEqual([1, 2, 3, 4, 5]);
    // A statement iterating is busy: preparing the same text then gives a fresh statement.
    const cache = withStatementCache(handle);
    const first = cache.prepare('SELECT id FROM t ORDER BY id') as unknown as SQLite.Statement;
    const iterator = first.iterate();
    iterator.next();
    const second = cache.prepare('SELECT id FROM t ORDER BY id') as unknown as SQLite.Statement;
    expect(second).not.toBe(first);
    iterator.return?.();
    expect(cache.prepare('SELECT id FROM t ORDER BY id')).toBe(first);
    await db.destroy();
  });
});
