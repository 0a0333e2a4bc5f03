import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_ACTOR_KEYS_TABLE } from '../../src/privacy/consent/schema.js';
import { SecurityManager } from '../../src/security-manager.js';
import { tempDir } from '../support/services.js';

/**
 * A crypto-shred deletes a key; on SQLite its bytes must then be in neither of the store's
 * files, or a copy of the file gives the key back (the page's free space, the write-ahead log).
 * Read as an attacker with the files would: every byte of the database and its WAL.
 */
describe('deleted keys on SQLite leave no bytes in the store files', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const open = async () => {
    const dir = tempDir('deleted-bytes');
    const db = join(dir.path, 'store.db');
    const security = await SecurityManager.open({
      env: {},
      config: { store: { url: `sqlite:${db}` }, crypto: { kek: `file:${join(dir.path, 'kek')}` }, audit: { encryption: true, encryptionKey: `file:${join(dir.path, 'audit-kek')}` } },
    });
    cleanups.push(() => dir.cleanup(), () => security.close());
    /** Whether `bytes` occur anywhere in the database file or its WAL. */
    const inFiles = (bytes: Uint8Array) => [db, `${db}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(bytes)));
    return { security, inFiles, db };
  };

  it("erasing an actor: their consent pseudonym key is gone from the files, and a control key that stays is found", async () => {
    const { security, inFiles } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'alice' });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['analytics'], actor: 'carol' });
    const keyOf = async (actor: string) => (await security.store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('ref_key').where('actor', '=', actor).executeTakeFirstOrThrow()).ref_key as Uint8Array;
    const alice = await keyOf('alice');
    const carol = await keyOf('carol');
    expect(inFiles(alice)).toBe(true);

    await security.eraseSubject('alice', { actor: 'dpo' });
    expect(inFiles(alice)).toBe(false);
    expect(inFiles(carol)).toBe(true);
  });

  it('does not wait for another connection in the middle of a read, and the next scrub after it finishes the job', async () => {
    const { security, inFiles, db } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'alice' });
    const alice = (await security.store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('ref_key').where('actor', '=', 'alice').executeTakeFirstOrThrow()).ref_key as Uint8Array;
    const reader = new SQLite(db);
    cleanups.push(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM privacy_consent_events').get(); // holds its snapshot from here

    await security.eraseSubject('alice', { actor: 'dpo' });
    // the reader's snapshot still needs the old pages: the log keeps them, and the wait was not made
    expect(inFiles(alice)).toBe(true);
    expect(await security.store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('actor').execute()).toEqual([]);
    reader.exec('COMMIT');
    await security.store.scrubDeleted();
    expect(inFiles(alice)).toBe(false);
    // the store waits for other writers as before
    expect((await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(security.store.db)).rows[0]).toEqual({ timeout: 10_000 });
  });

  it('deleting a secret of the local provider: its ciphertexts are gone from the files', async () => {
    const { security, inFiles } = await open();
    const secrets = security.secretsManager();
    await secrets.storeSecret({ name: 'db-password', value: 'correct horse battery staple' });
    await secrets.storeSecret({ name: 'db-password', value: 'a second value to keep apart' });
    const ciphertexts = (await security.store.db.selectFrom('secret_versions').select('ciphertext').where('name', '=', 'db-password').execute()).map((row) => row.ciphertext as Uint8Array);
    expect(ciphertexts).toHaveLength(2);
    expect(ciphertexts.every(inFiles)).toBe(true);
    await secrets.deleteSecret('db-password');
    expect(ciphertexts.some(inFiles)).toBe(false);
  });

  it('pruning the audit log for retention: the pruned payloads are gone from the files', async () => {
    const { security, inFiles } = await open();
    await security.audit.record({ eventType: 'test.event', userId: 'alice', sensitive: ['userId'], result: 'success', additionalData: { note: 'kept only for its retention period' } });
    const bodies = (await security.store.db.selectFrom('audit_entries').select('body').execute()).map((row) => (typeof row.body === 'string' ? Buffer.from(row.body) : (row.body as Uint8Array)));
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.every(inFiles)).toBe(true);
    expect(await security.audit.prune(new Date('9000-01-01T00:00:00Z'))).toBe(bodies.length); // past any retention period
    expect(bodies.some(inFiles)).toBe(false);
  });

  it('destroying a keyring key and shredding an audit subject: their wrapped bytes are gone from the files', async () => {
    const { security, inFiles } = await open();
    await security.keyring.createKey('datasets');
    const wrappedOf = async () => (await security.store.db.selectFrom('crypto_key_versions').innerJoin('crypto_keys', 'crypto_keys.key_id', 'crypto_key_versions.key_id').select('wrapped').where('crypto_keys.name', '=', 'datasets').executeTakeFirstOrThrow()).wrapped as Uint8Array;
    const material = await wrappedOf();
    expect(inFiles(material)).toBe(true);
    await security.keyring.destroyKey('datasets');
    expect(inFiles(material)).toBe(false);

    await security.audit.record({ eventType: 'test.event', userId: 'alice', sensitive: ['userId'], result: 'success' });
    const ref = await security.store.db.selectFrom('audit_payload_keys').select(['kid', 'wrapped']).where('destroyed_at', 'is', null).execute();
    const before = ref.map((row) => row.wrapped as Uint8Array);
    expect(before.every(inFiles)).toBe(true);
    expect(await security.audit.shredSubject('alice')).toBe(1);
    const destroyed = await security.store.db.selectFrom('audit_payload_keys').select('kid').where('destroyed_at', 'is not', null).execute();
    const gone = before.filter((_, i) => destroyed.some((row) => row.kid === ref[i]!.kid));
    expect(gone).toHaveLength(1);
    expect(gone.some(inFiles)).toBe(false);
  });
});
