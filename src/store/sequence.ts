import type { WriteTx } from './database.js';

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
