import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_ACTOR_KEYS_TABLE } from '../../src/privacy/consent/schema.js';
import { apiKeyMigrations } from '../../src/identity/api-keys/api-key-schema.js';
import { ApiKeyStore } from '../../src/identity/api-keys/api-key-store.js';
import { SecurityManager } from '../../src/security-manager.js';
import { openStore } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { manualClock } from '../support/recorded-events.js';
import { tempDir } from '../support/services.js';

/**
 * A crypto-shred deletes a key; on SQLite its bytes must then be in neither of the store's
 * files, or a copy of the file gives the key back (the page's free space, the write-ahead log).
 * Read as an attacker with the files would: every byte of the database and its WAL.
 */
/** Holds a read transaction on the database at argv[1] for 3 s, saying "ready" once it does. */
const READER = `
const db = new (require('better-sqlite3'))(process.argv[1]);
db.exec('BEGIN');
db.prepare('SELECT count(*) FROM t').get();
process.stdout.write('ready');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, 3000);
`;

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

  it('an erasure with another connection mid-read: reported not scrubbed, and the store finishes the job after its next write', async () => {
    const { security, inFiles, db } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'alice' });
    const alice = (await security.store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('ref_key').where('actor', '=', 'alice').executeTakeFirstOrThrow()).ref_key as Uint8Array;
    const reader = new SQLite(db);
    cleanups.push(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM privacy_consent_events').get(); // holds its snapshot from here

    const report = await security.eraseSubject('alice', { actor: 'dpo' });
    // the reader's snapshot still needs the old pages: the log keeps them, and the report says so
    expect(report).toMatchObject({ consentActorsErased: 1, filesScrubbed: false });
    expect(inFiles(alice)).toBe(true);
    reader.exec('COMMIT');
    await consent.recordConsent({ userId: 'carol', dataTypes: ['email'], purposes: ['support'] }); // any write of the store's
    expect(inFiles(alice)).toBe(false);
    expect(await security.store.scrubDeleted()).toBe(true);
    // the store waits for other writers as before
    expect((await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(security.store.db)).rows[0]).toEqual({ timeout: 10_000 });
  });

  it('scrubDeleted never waits for a reader, and never throws: the work it follows stands', async () => {
    const dir = tempDir('deleted-bytes');
    cleanups.push(() => dir.cleanup());
    const db = join(dir.path, 'plain.db');
    const store = await openStore(`sqlite:${db}`, { busyTimeoutMs: 60_000 });
    cleanups.push(() => store.close());
    await sql`CREATE TABLE t (v BLOB)`.execute(store.db);
    const secret = randomBytes(32);
    await store.writeTransaction('t', (tx) => tx.insertInto('t').values({ v: secret }).execute());
    // A reader in another process, which ends its read by itself after 3 s: a scrub that waited
    // for it (as a busy timeout would) would then finish and report true; one that does not wait
    // reports false at once.
    const reader = spawn(process.execPath, ['-e', READER, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => reader.kill());
    await once(reader.stdout!, 'data'); // its snapshot is held from here
    await store.writeTransaction('t', (tx) => tx.deleteFrom('t').execute());
    expect(await store.scrubDeleted()).toBe(false);
    reader.kill();
    await once(reader, 'exit');
    expect(await store.scrubDeleted()).toBe(true);
    expect([db, `${db}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(secret))).toBe(false);
    await store.close();
    expect(await store.scrubDeleted()).toBe(false); // closed: nothing done, and no error
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

  it('destroying one keyring version: its wrapped bytes are gone from the files, the primary kept', async () => {
    const { security, inFiles } = await open();
    await security.keyring.createKey('datasets');
    await security.keyring.rotate('datasets');
    const wrapped = async (version: number) => (await security.store.db.selectFrom('crypto_key_versions').innerJoin('crypto_keys', 'crypto_keys.key_id', 'crypto_key_versions.key_id').select('wrapped').where('crypto_keys.name', '=', 'datasets').where('version', '=', version).executeTakeFirstOrThrow()).wrapped as Uint8Array;
    const [first, second] = [await wrapped(1), await wrapped(2)];
    await security.keyring.destroyVersion('datasets', 1);
    expect(inFiles(first)).toBe(false);
    expect(inFiles(second)).toBe(true);
  });

  it("claiming an API key's successor: its sealed copy is gone from the files (with them and the KEK it was a working key)", async () => {
    const { security, inFiles } = await open();
    const time = manualClock(Date.parse('2025-03-01T09:00:00.000Z'));
    await migrate(security.store, 'api_keys', apiKeyMigrations);
    const apiKeys = new ApiKeyStore({ pepper: randomBytes(32), rotationGrace: '24h' }, { store: security.store, audit: security.audit, clock: time.clock });
    const current = await apiKeys.create({ userId: 'user123', permissions: ['models.inference'], expiryDays: 10, autoRotate: true, environment: 'live' });
    time.advance(8 * 24 * 3_600_000);
    const [due] = await apiKeys.rotateDue();
    const sealed = Buffer.from(String((await security.store.db.selectFrom('identity_api_keys').select('sealed_key').where('id', '=', due!.successorId).executeTakeFirstOrThrow()).sealed_key));
    expect(inFiles(sealed)).toBe(true);
    await apiKeys.claimSuccessor(current.key);
    expect(inFiles(sealed)).toBe(false);
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
