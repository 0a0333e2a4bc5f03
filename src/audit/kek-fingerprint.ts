import { hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { WriteTx } from '../store/database.js';

/**
 * Which key-encryption key a log's data keys are wrapped by, as the log records it. A data key
 * shows its KEK only once one exists, so two processes with different KEKs that start on a new
 * log would both be accepted, and both wrap data keys with their own: the fingerprint, recorded
 * with the first data key, settles which KEK the log has before any data key is made.
 *
 * It is derived with HKDF (RFC 5869) under a label of its own, so it is independent of the
 * wrapping and pseudonym keys derived from the same KEK; as the output of a PRF keyed by a
 * 256-bit key it tells nothing about the KEK, and it cannot be searched for one.
 */
export function kekFingerprint(keyEncryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'langtrain audit key-encryption-key fingerprint', 32));
}

/** Whether `recorded` is `fingerprint`, compared in constant time (its length is no secret). */
export function isRecordedKek(recorded: Uint8Array, fingerprint: Buffer): boolean {
  return recorded.length === fingerprint.length && timingSafeEqual(recorded, fingerprint);
}

/** The fingerprint the log records, or undefined before its first data key (or in a log from before fingerprints). */
export async function recordedKekFingerprint(db: Kysely<any>): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('audit_payload_kek').select('fingerprint').where('id', '=', 1).executeTakeFirst();
  return row?.fingerprint as Uint8Array | undefined;
}

/** Record the log's KEK; inside the write transaction that makes a data key under it. */
export async function recordKekFingerprint(tx: WriteTx, fingerprint: Buffer): Promise<void> {
  await tx.insertInto('audit_payload_kek').values({ id: 1, fingerprint, recorded_at: new Date().toISOString() }).execute();
}
