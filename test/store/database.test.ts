import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import { openStore, redactUrl, type Store } from '../../src/store/database.js';
import { migrate, type Migration } from '../../src/store/migrations.js';
import { PG_BASE, postgresSchema, storeUrls, tempDir } from '../support/services.js';

/** Table names in the store's own namespace (its schema on PostgreSQL, the file on SQLite). */
async function tableNames(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(store.db)
      : await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`.execute(
          store.db,
        );
  return rows.rows.map((r) => r.name);
}

async function itemNames(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('item').select('name').orderBy('name').execute();
  return rows.map((r) => r.name as string);
}

async function recordedMigrations(store: Store, domain: string): Promise<string[]> {
  const rows = await store.db.selectFrom('langtrain_migrations').select('id').where('domain', '=', domain).orderBy('id').execute();
  return rows.map((r) => r.id as string);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Migrations that count how often each one ran, so a second application shows. */
function countingMigrations(): { migrations: Migration[]; runs: Record<string, number> } {
  const runs: Record<string, number> = { '0001-item': 0, '0002-item-note': 0 };
  const migrations: Migration[] = [
    {
      id: '0001-item',
      async up(tx) {
        runs['0001-item']!++;
        await tx.schema.createTable('item').addColumn('name', 'text', (c) => c.primaryKey()).execute();
      },
    },
    {
      id: '0002-item-note',
      async up(tx) {
        runs['0002-item-note']!++;
        await tx.schema.alterTable('item').addColumn('note', 'text').execute();
      },
    },
  ];
  return { migrations, runs };
}

describe.each(storeUrls('database'))('store on $dialect', ({ dialect, make }) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  const extra: Store[] = [];

  beforeEach(async () => {
    ({ url, cleanup } = make());
    store = await openStore(url);
  });
  afterEach(async () => {
    for (const s of extra.splice(0)) await s.close();
    await store.close();
    await cleanup();
  });

  async function second(): Promise<Store> {
    const other = await openStore(url);
    extra.push(other);
    return other;
  }

  it('reports its dialect', () => {
    expect(store.dialect).toBe(dialect);
  });

  describe('writeTransaction', () => {
    beforeEach(async () => {
      await store.db.schema.createTable('item').addColumn('name', 'text', (c) => c.primaryKey()).execute();
    });

    it('commits on success, visible to another connection', async () => {
      const result = await store.writeTransaction('items', async (tx) => {
        await tx.insertInto('item').values({ name: 'a' }).execute();
        await tx.insertInto('item').values({ name: 'b' }).execute();
        return 'done';
      });
      expect(result).toBe('done');
      expect(await itemNames(await second())).toEqual(['a', 'b']);
    });

    it('rolls back everything when the work throws, leaving nothing half-written', async () => {
      await store.writeTransaction('items', (tx) => tx.insertInto('item').values({ name: 'before' }).execute());
      const boom = new Error('boom after two writes');
      const err = await rejection(
        store.writeTransaction('items', async (tx) => {
          await tx.insertInto('item').values({ name: 'x' }).execute();
          await tx.updateTable('item').set({ name: 'renamed' }).where('name', '=', 'before').execute();
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect(await itemNames(store)).toEqual(['before']);
      expect(await itemNames(await second())).toEqual(['before']);
    });

    it('rolls back when a statement fails inside the transaction', async () => {
      const err = await rejection(
        store.writeTransaction('items', async (tx) => {
          await tx.insertInto('item').values({ name: 'first' }).execute();
          await tx.insertInto('item').values({ name: 'first' }).execute(); // primary key clash
        }),
      );
      expect(err.message).toMatch(/unique|duplicate/i);
      expect(await itemNames(store)).toEqual([]);
    });

    it('is usable again after a rollback', async () => {
      await rejection(
        store.writeTransaction('items', async (tx) => {
          await tx.insertInto('item').values({ name: 'lost' }).execute();
          throw new Error('no');
        }),
      );
      await store.writeTransaction('items', (tx) => tx.insertInto('item').values({ name: 'kept' }).execute());
      expect(await itemNames(store)).toEqual(['kept']);
    });

    it('serialises concurrent writers in one process: no lost update', async () => {
      await store.db.schema.createTable('counter').addColumn('n', 'integer', (c) => c.notNull()).execute();
      await store.db.insertInto('counter').values({ n: 0 }).execute();
      const other = await second();
      const bump = (s: Store) =>
        s.writeTransaction('counter', async (tx) => {
          const row = await tx.selectFrom('counter').select('n').executeTakeFirstOrThrow();
          await new Promise((r) => setTimeout(r, 2));
          await tx.updateTable('counter').set({ n: Number(row.n) + 1 }).execute();
        });
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 === 0 ? store : other)));
      const row = await store.db.selectFrom('counter').select('n').executeTakeFirstOrThrow();
      expect(Number(row.n)).toBe(10);
    });
  });

  describe('migrate', () => {
    it('applies each migration once, in order, and records it', async () => {
      const { migrations, runs } = countingMigrations();
      expect(await migrate(store, 'test', migrations)).toEqual(['0001-item', '0002-item-note']);
      expect(runs).toEqual({ '0001-item': 1, '0002-item-note': 1 });
      expect(await recordedMigrations(store, 'test')).toEqual(['0001-item', '0002-item-note']);
      await store.db.insertInto('item').values({ name: 'a', note: 'from 0002' }).execute();
      const row = await store.db.selectFrom('langtrain_migrations').select('applied_at').where('id', '=', '0001-item').executeTakeFirstOrThrow();
      expect(Number.isNaN(Date.parse(row.applied_at as string))).toBe(false);
    });

    it('is idempotent: a second call applies nothing', async () => {
      const { migrations, runs } = countingMigrations();
      await migrate(store, 'test', migrations);
      expect(await migrate(store, 'test', migrations)).toEqual([]);
      expect(await migrate(await second(), 'test', migrations)).toEqual([]);
      expect(runs).toEqual({ '0001-item': 1, '0002-item-note': 1 });
    });

    it('applies only the migrations added since the last call', async () => {
      const { migrations, runs } = countingMigrations();
      await migrate(store, 'test', migrations.slice(0, 1));
      expect(await migrate(store, 'test', migrations)).toEqual(['0002-item-note']);
      expect(runs).toEqual({ '0001-item': 1, '0002-item-note': 1 });
    });

    it('keeps domains apart: the same id in another domain is its own migration', async () => {
      await migrate(store, 'alpha', [{ id: '0001', up: (tx) => tx.schema.createTable('alpha_t').addColumn('x', 'text').execute() }]);
      expect(await migrate(store, 'beta', [{ id: '0001', up: (tx) => tx.schema.createTable('beta_t').addColumn('x', 'text').execute() }])).toEqual([
        '0001',
      ]);
      expect(await tableNames(store)).toEqual(expect.arrayContaining(['alpha_t', 'beta_t']));
    });

    it('leaves no trace of a failing migration, nor of the ones applied with it', async () => {
      const failing: Migration[] = [
        { id: '0001-good', up: (tx) => tx.schema.createTable('good').addColumn('x', 'text').execute() },
        {
          id: '0002-bad',
          async up(tx) {
            await tx.schema.createTable('half_done').addColumn('x', 'text').execute();
            await tx.insertInto('half_done').values({ x: 'written' }).execute();
            throw new Error('migration 0002 failed');
          },
        },
      ];
      const err = await rejection(migrate(store, 'test', failing));
      expect(err.message).toBe('migration 0002 failed');
      const tables = await tableNames(store);
      expect(tables).not.toContain('half_done');
      expect(tables).not.toContain('good');
      // The bookkeeping table itself was created in the rolled-back transaction too.
      if (tables.includes('langtrain_migrations')) expect(await recordedMigrations(store, 'test')).toEqual([]);

      // Once fixed, the same ids apply cleanly.
      const fixed: Migration[] = [failing[0]!, { id: '0002-bad', up: (tx) => tx.schema.createTable('half_done').addColumn('x', 'text').execute() }];
      expect(await migrate(store, 'test', fixed)).toEqual(['0001-good', '0002-bad']);
      expect(await recordedMigrations(store, 'test')).toEqual(['0001-good', '0002-bad']);
    });

    it('applies exactly once when two handles migrate the same database at once', async () => {
      const other = await second();
      const { migrations, runs } = countingMigrations();
      const [a, b] = await Promise.all([migrate(store, 'test', migrations), migrate(other, 'test', migrations)]);
      expect(runs).toEqual({ '0001-item': 1, '0002-item-note': 1 });
      expect([...a, ...b].sort()).toEqual(['0001-item', '0002-item-note']);
      expect([a.length, b.length].sort()).toEqual([0, 2]);
      expect(await recordedMigrations(store, 'test')).toEqual(['0001-item', '0002-item-note']);
    });

    it('applies exactly once when two handles are opened and migrate at once', async () => {
      const [x, y] = await Promise.all([openStore(url), openStore(url)]);
      extra.push(x, y);
      const { migrations, runs } = countingMigrations();
      await Promise.all([migrate(x, 'test', migrations), migrate(y, 'test', migrations), migrate(store, 'test', migrations)]);
      expect(runs).toEqual({ '0001-item': 1, '0002-item-note': 1 });
      expect(await recordedMigrations(store, 'test')).toEqual(['0001-item', '0002-item-note']);
    });
  });
});

describe('openStore', () => {
  it.each(['mysql://root@127.0.0.1/test', 'redis://127.0.0.1:6379', 'langtrain.db', '', 'sqlite:'])(
    'rejects %j with ERR_STORE_URL_UNSUPPORTED',
    async (url) => {
      const err = await rejection(openStore(url));
      expect(isLangtrainError(err, 'ERR_STORE_URL_UNSUPPORTED'), String(err)).toBe(true);
    },
  );

  it('does not print the password of an unsupported URL', async () => {
    const err = await rejection(openStore('mysql://root:hunter2pw@127.0.0.1/test'));
    expect(isLangtrainError(err, 'ERR_STORE_URL_UNSUPPORTED')).toBe(true);
    expect(err.message).not.toContain('hunter2pw');
    expect(err.message).toContain('sqlite:');
  });

  it('rejects a PostgreSQL schema name that is not a plain identifier', async () => {
    const err = await rejection(openStore(`${PG_BASE}?schema=${encodeURIComponent('x; DROP SCHEMA public')}`));
    expect(isLangtrainError(err, 'ERR_STORE_URL_UNSUPPORTED'), String(err)).toBe(true);
  });

  it('gives ERR_STORE_UNAVAILABLE for an unreachable PostgreSQL, without the password', async () => {
    const err = await rejection(openStore('postgres://u:s3cretpw@127.0.0.1:1/test'));
    expect(isLangtrainError(err, 'ERR_STORE_UNAVAILABLE'), String(err)).toBe(true);
    expect(err.message).not.toContain('s3cretpw');
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).toMatch(/check the server is running/);
    expect(JSON.stringify((err as { details?: unknown }).details ?? {})).not.toContain('s3cretpw');
  });

  it('accepts postgresql:// as well as postgres://', async () => {
    const pg = postgresSchema('scheme');
    const store = await openStore(pg.url.replace(/^postgres:/, 'postgresql:'));
    try {
      expect(store.dialect).toBe('postgres');
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db)).rows[0]!.one).toBe(1);
    } finally {
      await store.close();
      await pg.drop();
    }
  });
});

describe('PostgreSQL ?schema=', () => {
  it('keeps two schemas apart: neither sees the other’s tables', async () => {
    const a = postgresSchema('iso_a');
    const b = postgresSchema('iso_b');
    const storeA = await openStore(a.url);
    const storeB = await openStore(b.url);
    try {
      await storeA.db.schema.createTable('secret').addColumn('v', 'text').execute();
      await storeA.db.insertInto('secret').values({ v: 'only in a' }).execute();
      expect(await tableNames(storeA)).toEqual(['secret']);
      expect(await tableNames(storeB)).toEqual([]);
      await expect(storeB.db.selectFrom('secret').selectAll().execute()).rejects.toThrow(/does not exist/);

      // The same table name in B is a different table.
      await storeB.db.schema.createTable('secret').addColumn('v', 'text').execute();
      expect(await storeB.db.selectFrom('secret').selectAll().execute()).toEqual([]);
      expect(await storeA.db.selectFrom('secret').selectAll().execute()).toEqual([{ v: 'only in a' }]);

      const schemas = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(storeA.db);
      expect(schemas.rows[0]!.s).toBe(a.schema);
    } finally {
      await storeA.close();
      await storeB.close();
      await a.drop();
      await b.drop();
    }
  });

  it('lets several handles open a new schema at the same moment', async () => {
    // CREATE SCHEMA IF NOT EXISTS races with itself; repeat so the race is likely to show.
    for (let round = 0; round < 10; round++) {
      const pg = postgresSchema(`race_${round}`);
      const opened = await Promise.allSettled(Array.from({ length: 4 }, () => openStore(pg.url)));
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      await pg.drop();
      const failures = opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      expect(failures).toEqual([]);
    }
  });

  it('keeps migrations apart too', async () => {
    const a = postgresSchema('mig_a');
    const b = postgresSchema('mig_b');
    const storeA = await openStore(a.url);
    const storeB = await openStore(b.url);
    try {
      const { migrations } = countingMigrations();
      expect(await migrate(storeA, 'test', migrations)).toHaveLength(2);
      expect(await migrate(storeB, 'test', migrations)).toHaveLength(2);
    } finally {
      await storeA.close();
      await storeB.close();
      await a.drop();
      await b.drop();
    }
  });

  it('displays its URL without the password', async () => {
    const pg = postgresSchema('display');
    const withPassword = pg.url.replace('postgres://postgres@', 'postgres://postgres:trustmeanyway@');
    const store = await openStore(withPassword);
    try {
      expect(store.displayUrl).not.toContain('trustmeanyway');
      expect(store.displayUrl).toContain('***');
    } finally {
      await store.close();
      await pg.drop();
    }
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    const shown = redactUrl('postgres://alice:pa55w0rd@db.internal:5432/langtrain?schema=x');
    expect(shown).not.toContain('pa55w0rd');
    expect(shown).toBe('postgres://alice:***@db.internal:5432/langtrain?schema=x');
    expect(redactUrl('redis://:r3dispw@cache:6379/0')).not.toContain('r3dispw');
  });

  it('leaves a URL without a password unchanged', () => {
    expect(redactUrl('postgres://alice@db.internal:5432/langtrain')).toBe('postgres://alice@db.internal:5432/langtrain');
    expect(redactUrl('sqlite:.langtrain/langtrain.db')).toBe('sqlite:.langtrain/langtrain.db');
  });

  it('hides credentials even in a string that is not a valid URL', () => {
    const shown = redactUrl('postgres://alice:pa55w0rd@[not-a-host/db');
    expect(shown).not.toContain('pa55w0rd');
  });
});

describe('SQLite', () => {
  let dir: { path: string; cleanup: () => void };
  beforeEach(() => {
    dir = tempDir('sqlite');
  });
  afterEach(() => dir.cleanup());

  it('creates the parent directory and opens in WAL mode with synchronous FULL', async () => {
    const file = join(dir.path, 'nested', 'deeper', 'langtrain.db');
    expect(existsSync(join(dir.path, 'nested'))).toBe(false);
    const store = await openStore(`sqlite:${file}`);
    try {
      expect(existsSync(file)).toBe(true);
      expect(store.displayUrl).toBe(`sqlite:${file}`);
      const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(store.db);
      expect(journal.rows[0]!.journal_mode).toBe('wal');
      const sync = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db);
      expect(sync.rows[0]!.synchronous).toBe(2); // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
      const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(store.db);
      expect(fk.rows[0]!.foreign_keys).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('opens an in-memory database', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      expect(store.dialect).toBe('sqlite');
      await migrate(store, 'test', countingMigrations().migrations);
      expect(await tableNames(store)).toEqual(expect.arrayContaining(['item', 'langtrain_migrations']));
    } finally {
      await store.close();
    }
  });
});
