import { sql, type RawBuilder } from 'kysely';
import type { Store, WriteTx } from './database.js';

/** One schema change of one domain. Migrations never change once released. */
export interface Migration {
  readonly id: string;
  up(tx: WriteTx, dialect: Store['dialect']): Promise<void>;
}

/**
 * Apply each domain's pending migrations in order, inside the store's write lock.
 *
 * Written here rather than with Kysely's Migrator because that one takes no lock on
 * SQLite: two processes starting on one file at once would both try to migrate. Holding
 * the single writer lock makes concurrent start-ups safe on both databases.
 */
export async function migrate(store: Store, domain: string, migrations: readonly Migration[]): Promise<string[]> {
  return store.writeTransaction('migrations', async (tx) => {
    await sql`CREATE TABLE IF NOT EXISTS langtrain_migrations (
      domain TEXT NOT NULL,
      id TEXT NOT NULL,
      applied_at TEXT NOT NULL,
      PRIMARY KEY (domain, id)
    )`.execute(tx);
    const rows = await tx.selectFrom('langtrain_migrations').select('id').where('domain', '=', domain).execute();
    const applied = new Set(rows.map((r) => r.id as string));
    const ran: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await migration.up(tx, store.dialect);
      await tx
        .insertInto('langtrain_migrations')
        .values({ domain, id: migration.id, applied_at: new Date().toISOString() })
        .execute();
      ran.push(migration.id);
    }
    return ran;
  });
}

/** Column types that differ between the two databases, for migrations' CREATE TABLE. */
export function columnTypes(dialect: Store['dialect']): { blob: RawBuilder<unknown>; bigint: RawBuilder<unknown>; bool: RawBuilder<unknown> } {
  return dialect === 'postgres'
    ? { blob: sql.raw('BYTEA'), bigint: sql.raw('BIGINT'), bool: sql.raw('BOOLEAN') }
    : { blob: sql.raw('BLOB'), bigint: sql.raw('INTEGER'), bool: sql.raw('INTEGER') };
}
