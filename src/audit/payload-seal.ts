import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { JsonValue } from '../core/audit-sink.js';
import { isLangtrainError, LangtrainError } from '../core/errors.js';
import { aeadDecrypt, aeadEncrypt } from '../crypto/aead.js';
import { loadOrCreateKey256, type KeyReference } from '../crypto/key-reference.js';
import type { WriteTx } from '../store/database.js';
import type { SealedPayload } from './entry.js';
import { isRecordedKek, kekFingerprint, recordedKekFingerprint, recordKekFingerprint } from './kek-fingerprint.js';

/** What a sealed payload holds: the event's data and any fields marked sensitive. */
export interface SealedContent {
  additionalData?: { [key: string]: JsonValue };
  userId?: string;
}

/**
 * What a sealed payload comes to here: its content, or why there is none. `shredded`: its data
 * key was destroyed. `locked`: no usable key here (its key row is missing, or was wrapped by
 * another key-encryption key). `tampered`: its key is here and unwraps, yet AES-GCM rejects the
 * payload: it, or the entry id it is bound to, was changed.
 */
export type PayloadOpening = { state: 'opened'; content: SealedContent } | { state: 'shredded' | 'locked' | 'tampered' };

interface DataKey {
  kid: string;
  key: Buffer;
}

/**
 * The sealer of the audit log in `db`, with the key-encryption key at `reference`, checked
 * against the log before anything is sealed or shredded with it. A log that already seals
 * payloads refuses a key that does not exist (it is not created: a new key would open none of
 * them) and one that is not the log's KEK: with either, a process writes events under subject
 * pseudonyms no other process of the log can match, and an erasure shreds nothing while
 * reporting success (a relative `file:` key run from another directory did both). The check
 * is made again, under the writer lock, before a data key is made (`dataKeys`): a process that
 * opened a new log beside one with another KEK is refused there.
 */
export async function openPayloadSealer(db: Kysely<any>, reference: KeyReference, origin: string): Promise<PayloadSealer> {
  const sealing = (await recordedKekFingerprint(db)) !== undefined || (await db.selectFrom('audit_payload_keys').select('kid').limit(1).executeTakeFirst()) !== undefined;
  if (sealing && reference.startsWith('file:') && !existsSync(reference.slice('file:'.length))) {
    throw new LangtrainError('ERR_KEY_MISSING', `the audit encryption key ${reference} does not exist, but this audit log already seals payloads with a key: ${KEK_FIX}`, { option: 'audit.encryptionKey' });
  }
  const sealer = new PayloadSealer(loadOrCreateKey256(reference), origin, reference);
  await sealer.checkKek(db);
  return sealer;
}

const KEK_FIX = 'point audit.encryptionKey (LANGTRAIN_AUDIT_ENCRYPTION_KEY) at the key this log was written with, as the server has it (a relative file: path is read from the working directory)';

/** The refusal of a KEK that is not the log's; names the reference, never the key. */
function otherKek(reference: KeyReference): LangtrainError {
  return new LangtrainError('ERR_KEY_MISSING', `the audit encryption key ${reference} does not open this audit log's payload keys (they were wrapped by another key): ${KEK_FIX}`, {
    option: 'audit.encryptionKey',
  });
}

/**
 * Seals audit payloads with AES-256-GCM *before* they are hashed, so the log verifies
 * without any key and a payload can be made unreadable later without touching a leaf.
 *
 * Each subject (user id, or the system) has its own random data key, wrapped by the
 * log's key-encryption key. Destroying a subject's data key (`shred`) is crypto-shredding:
 * that subject's payloads become unreadable, everything else and every proof stays intact.
 */
export class PayloadSealer {
  readonly #wrapKey: Buffer;
  readonly #refKey: Buffer;
  readonly #kekFingerprint: Buffer;
  readonly #kekReference: KeyReference;
  readonly #origin: string;
  readonly #keys = new Map<string, Buffer>();

  constructor(keyEncryptionKey: Buffer, origin: string, kekReference: KeyReference) {
    // Separate keys for separate jobs, derived with HKDF (RFC 5869) from the one KEK.
    this.#wrapKey = Buffer.from(hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'langtrain audit data-key wrap', 32));
    this.#refKey = Buffer.from(hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'langtrain audit subject pseudonym', 32));
    this.#kekFingerprint = kekFingerprint(keyEncryptionKey);
    this.#kekReference = kekReference;
    this.#origin = origin;
  }

  /** Refuse (ERR_KEY_MISSING) this sealer's KEK unless it is the log's, or the log has none yet. */
  async checkKek(db: Kysely<any>): Promise<void> {
    await this.#kekRecorded(db);
  }

  /**
   * Whether the log records this sealer's KEK as its own; false when it records none (a new log,
   * or one from before fingerprints whose newest live data key, if any, this KEK unwraps).
   * Throws for another KEK.
   */
  async #kekRecorded(db: Kysely<any>): Promise<boolean> {
    const recorded = await recordedKekFingerprint(db);
    if (recorded !== undefined) {
      if (!isRecordedKek(recorded, this.#kekFingerprint)) throw otherKek(this.#kekReference);
      return true;
    }
    const live = await db
      .selectFrom('audit_payload_keys')
      .select(['kid', 'wrapped'])
      .where('wrapped', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .limit(1)
      .executeTakeFirst();
    if (live !== undefined && this.#unwrapped(live.kid, live.wrapped) === undefined) throw otherKek(this.#kekReference);
    return false;
  }

  /** Keyed pseudonym of a user id: stable, so the log stays searchable by the real id. */
  subjectRef(userId: string | null): string {
    return 'ref:' + createHmac('sha256', this.#refKey).update(userId ?? '').digest('hex').slice(0, 32);
  }

  /** The active data key of each subject, created inside the caller's write transaction when missing. */
  async dataKeys(tx: WriteTx, subjectRefs: ReadonlySet<string>): Promise<Map<string, DataKey>> {
    const refs = [...subjectRefs];
    const found = new Map<string, DataKey>();
    for (let i = 0; i < refs.length; i += 500) {
      const rows = await tx
        .selectFrom('audit_payload_keys')
        .select(['kid', 'subject_ref', 'wrapped'])
        .where('subject_ref', 'in', refs.slice(i, i + 500))
        .where('destroyed_at', 'is', null)
        .execute();
      for (const row of rows) found.set(row.subject_ref, { kid: row.kid, key: this.#unwrap(row.kid, row.wrapped) });
    }
    const now = new Date().toISOString();
    const missing = refs.filter((ref) => !found.has(ref));
    // Under the writer lock, so the first process to make a data key binds the log to its KEK
    // and another KEK is refused before it wraps one (nothing of the transaction stays).
    if (missing.length > 0 && !(await this.#kekRecorded(tx))) await recordKekFingerprint(tx, this.#kekFingerprint);
    for (const ref of missing) {
      const kid = randomBytes(12).toString('base64url');
      const key = randomBytes(32);
      await tx.insertInto('audit_payload_keys').values({ kid, subject_ref: ref, wrapped: this.#wrap(kid, key), created_at: now }).execute();
      found.set(ref, { kid, key });
    }
    for (const { kid, key } of found.values()) this.#keys.set(kid, key);
    return found;
  }

  seal(entryId: string, content: SealedContent, dataKey: DataKey): SealedPayload {
    const sealed = aeadEncrypt(dataKey.key, Buffer.from(JSON.stringify(content)), this.#context(entryId));
    return { kid: dataKey.kid, nonce: sealed.nonce.toString('base64'), ct: sealed.ciphertext.toString('base64') };
  }

  /**
   * What each payload comes to, its keys' rows read from the store in one query per 500 keys.
   * The store, not this sealer's cache of unwrapped keys, says whether a key is still live: a
   * key another process (`langtrain erase`, another server) destroyed after this one cached it
   * opens nothing here either. The cache only spares unwrapping a live key again.
   */
  async openAll(db: Kysely<any>, payloads: ReadonlyArray<{ entryId: string; sealed: SealedPayload }>): Promise<PayloadOpening[]> {
    const kids = [...new Set(payloads.map(({ sealed }) => sealed.kid))];
    const keys = new Map<string, Buffer | 'shredded'>();
    for (let i = 0; i < kids.length; i += 500) {
      const rows = await db.selectFrom('audit_payload_keys').select(['kid', 'wrapped']).where('kid', 'in', kids.slice(i, i + 500)).execute();
      for (const { kid, wrapped } of rows as Array<{ kid: string; wrapped: Uint8Array | null }>) {
        if (wrapped === null) {
          this.#keys.delete(kid);
          keys.set(kid, 'shredded');
          continue;
        }
        const key = this.#keys.get(kid) ?? this.#unwrapped(kid, wrapped);
        if (key === undefined) continue; // wrapped by another key-encryption key: locked
        this.#keys.set(kid, key);
        keys.set(kid, key);
      }
    }
    return payloads.map(({ entryId, sealed }): PayloadOpening => {
      const key = keys.get(sealed.kid);
      // no row (deleted, or another store's key), or none that unwraps here: no usable key, which says nothing of an erasure
      if (key === undefined) return { state: 'locked' };
      if (key === 'shredded') return { state: 'shredded' };
      let plain: Buffer;
      try {
        plain = aeadDecrypt(key, { nonce: Buffer.from(sealed.nonce, 'base64'), ciphertext: Buffer.from(sealed.ct, 'base64') }, this.#context(entryId));
      } catch (err) {
        if (!isLangtrainError(err, 'ERR_CRYPTO_DECRYPT_FAILED')) throw err;
        return { state: 'tampered' }; // its key unwrapped fine, so the payload or its entry id was changed
      }
      return { state: 'opened', content: JSON.parse(plain.toString('utf8')) as SealedContent };
    });
  }

  /** Destroy every data key of a subject; returns how many were destroyed. */
  async shred(tx: WriteTx, subjectRef: string): Promise<number> {
    const rows = await tx.selectFrom('audit_payload_keys').select('kid').where('subject_ref', '=', subjectRef).where('destroyed_at', 'is', null).execute();
    await tx
      .updateTable('audit_payload_keys')
      .set({ wrapped: null, destroyed_at: new Date().toISOString() })
      .where('subject_ref', '=', subjectRef)
      .where('destroyed_at', 'is', null)
      .execute();
    for (const row of rows) this.#keys.delete(row.kid);
    return rows.length;
  }

  /** Associated data binds a payload to its log and entry: copied elsewhere, it fails to open. */
  #context(entryId: string): Buffer {
    return Buffer.from(`langtrain-audit-payload/1\0${this.#origin}\0${entryId}`);
  }

  #wrap(kid: string, key: Buffer): Buffer {
    const sealed = aeadEncrypt(this.#wrapKey, key, Buffer.from(`langtrain-audit-dek/1\0${kid}`));
    return Buffer.concat([sealed.nonce, sealed.ciphertext]);
  }

  /** The data key, or undefined when `wrapped` does not open under this log's key-encryption key. */
  #unwrapped(kid: string, wrapped: Uint8Array): Buffer | undefined {
    try {
      return this.#unwrap(kid, wrapped);
    } catch (err) {
      if (!isLangtrainError(err, 'ERR_CRYPTO_DECRYPT_FAILED')) throw err;
      return undefined;
    }
  }

  #unwrap(kid: string, wrapped: Uint8Array): Buffer {
    const bytes = Buffer.from(wrapped);
    return aeadDecrypt(this.#wrapKey, { nonce: bytes.subarray(0, 12), ciphertext: bytes.subarray(12) }, Buffer.from(`langtrain-audit-dek/1\0${kid}`));
  }
}
