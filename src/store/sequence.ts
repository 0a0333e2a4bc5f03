import { sql } from 'kysely';
import type { Store, WriteTx } from './database.js';
import { columnTypes } from './migrations.js';

/**
 * The next number of an append-only table whose rows may be deleted (erased consent events, a
 * lineage edge taken back when its audit record failed), inside the writer's transaction.
 * `max(seq) + 1` alone would give a deleted row's number again, and the audit log would then
 * hold two different records under one number; so the last number given is also kept in a
 * counter row (`counterTable`, row `counterName`: columns `name`, `last_seq`) that deletions
 * never lower. The larger of the two is taken, so rows copied in behind the counter's back (a
 * restore) cannot collide either, and the upsert recreates a counter row that went missing.
 */
export async function nextSequenceNumber(tx: WriteTx, table: string, counterTable: string, counterName: string): Promise<number> {
  const counter = await tx.selectFrom(counterTable).select('last_seq').where('name', '=', counterName).executeTakeFirst();
  const last = await tx.selectFrom(table).select((eb) => eb.fn.max('seq').as('last')).executeTakeFirst();
  const seq = Math.max(Number(counter?.last_seq ?? 0), Number(last?.last ?? 0)) + 1;
  await tx
    .insertInto(counterTable)
    .values({ name: counterName, last_seq: seq })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_seq: seq }))
    .execute();
  return seq;
}

/**
 * The migration step that creates `counterTable` with its row `counterName`, seeded from the
 * rows of `table` still there: numbers an earlier deletion freed and gave again cannot be told
 * apart any more, but none given from now on repeats one.
 */
export async function createSequenceCounter(tx: WriteTx, dialect: Store['dialect'], table: string, counterTable: string, counterName: string): Promise<void> {
  const { bigint } = columnTypes(dialect);
  await sql`CREATE TABLE ${sql.table(counterTable)} (
    name TEXT PRIMARY KEY,
    last_seq ${bigint} NOT NULL
  )`.execute(tx);
  await sql`INSERT INTO ${sql.table(counterTable)} (name, last_seq) SELECT ${sql.lit(counterName)}, COALESCE(MAX(seq), 0) FROM ${sql.table(table)}`.execute(tx);
}
