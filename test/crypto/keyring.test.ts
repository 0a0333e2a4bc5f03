import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEADER_BYTES, readHeader } from '../../src/crypto/ciphertext.js';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../src/crypto/keyring/schema.js';
import { kekFromKey } from '../../src/crypto/kms/local.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { storeUrls } from '../support/services.js';
import { RecordedEvents } from '../support/recorded-events.js';

const context = (field: string, record = 'r-1') => Buffer.from(`dataset:ds-1\0${record}\0${field}`);

describe.each(storeUrls('keyring'))('Keyring on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let kekKey: Buffer;
  let keyring: Keyring;
  const kek = async () => kekFromKey('file:test-kek', kekKey);

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'crypto', keyringMigrations);
    audit = new RecordedEvents();
    kekKey = randomBytes(32);
    keyring = new Keyring(store, kek, audit);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('encrypts with the primary and decrypts every earlier version after rotation', async () => {
    await keyring.createKey('datasets');
    const v1 = await keyring.encrypt('datasets', Buffer.from('alice@example.com'), context('email'));
    await keyring.rotate('datasets');
    const v2 = await keyring.encrypt('datasets', Buffer.from('bob@example.com'), context('email'));
    expect(readHeader(v1).version).toBe(1);
    expect(readHeader(v2).version).toBe(2);
    // A fresh keyring (another process) with the same store and KEK reads both.
    const other = new Keyring(store, kek, audit);
    expect((await other.decrypt(v1, context('email'))).toString()).toBe('alice@example.com');
    expect((await other.decrypt(v2, context('email'))).toString()).toBe('bob@example.com');
    expect(audit.events.map((e) => e.eventType)).toEqual(['keys.created', 'keys.rotated']);
    expect(JSON.stringify(audit.events)).not.toContain(kekKey.toString('hex'));
  });

  it('binds context: a value moved to another field or record fails to decrypt', async () => {
    await keyring.createKey('datasets');
    const sealed = await keyring.encrypt('datasets', Buffer.from('123-45-6789'), context('ssn'));
    await expect(keyring.decrypt(sealed, context('email'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    await expect(keyring.decrypt(sealed, context('ssn', 'r-2'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
  });

  it('rejects any altered header, nonce, commitment, ciphertext or tag byte', async () => {
    await keyring.createKey('datasets');
    await keyring.rotate('datasets');
    const sealed = await keyring.encrypt('datasets', Buffer.from('model weights checksum'), context('note'));
    for (let offset = 0; offset < sealed.length; offset += 1) {
      const altered = Buffer.from(sealed);
      altered[offset]! ^= 0x01;
      await expect(keyring.decrypt(altered, context('note')), `byte ${offset}`).rejects.toHaveProperty('code');
    }
    expect(sealed.length).toBe(HEADER_BYTES + 22 + 16);
  });

  it('enforces the minimum decryption version and destroys versions for good', async () => {
    await keyring.createKey('datasets');
    const v1 = await keyring.encrypt('datasets', Buffer.from('old'));
    await keyring.rotate('datasets');
    const v2 = await keyring.encrypt('datasets', Buffer.from('new'));
    await keyring.setMinDecryptionVersion('datasets', 2);
    await expect(keyring.decrypt(v1)).rejects.toMatchObject({ message: expect.stringContaining('minimum decryption version') });
    await keyring.setMinDecryptionVersion('datasets', 1);
    expect((await keyring.decrypt(v1)).toString()).toBe('old');
    await expect(keyring.destroyVersion('datasets', 2)).rejects.toMatchObject({ message: expect.stringContaining('primary') });
    await keyring.destroyVersion('datasets', 1);
    await expect(keyring.decrypt(v1)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    await expect(new Keyring(store, kek, audit).decrypt(v1)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    expect((await keyring.decrypt(v2)).toString()).toBe('new');
    const row = await store.db.selectFrom('crypto_key_versions').select(['wrapped']).where('version', '=', 1).executeTakeFirstOrThrow();
    expect(row.wrapped).toBeNull();
  });

  it('stops decrypting a version another process destroyed once its view of the key is older than STATE_TTL_MS, though it had the version cached', async () => {
    await keyring.createKey('datasets');
    const v1 = await keyring.encrypt('datasets', Buffer.from('alice@example.com'));
    await keyring.rotate('datasets');
    expect((await keyring.decrypt(v1)).toString()).toBe('alice@example.com'); // v1 now cached here
    await new Keyring(store, kek, audit).destroyVersion('datasets', 1); // `langtrain keys destroy-version` beside a server
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 6_000);
      await expect(keyring.decrypt(v1)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('rewraps old ciphertexts under the primary version', async () => {
    await keyring.createKey('datasets');
    const v1 = await keyring.encrypt('datasets', Buffer.from('payload'), context('f'));
    await keyring.rotate('datasets');
    const { ciphertext, rewrapped } = await keyring.rewrap(v1, context('f'));
    expect(rewrapped).toBe(true);
    expect(readHeader(ciphertext).version).toBe(2);
    expect((await keyring.decrypt(ciphertext, context('f'))).toString()).toBe('payload');
    expect((await keyring.rewrap(ciphertext, context('f'))).rewrapped).toBe(false);
  });

  it('rotates keys whose primary is older than their interval', async () => {
    await keyring.createKey('short', { rotationIntervalMs: 1000 });
    await keyring.createKey('never', { rotationIntervalMs: null });
    expect(await keyring.rotateDue(new Date())).toEqual([]);
    expect(await keyring.rotateDue(new Date(Date.now() + 2000))).toEqual(['short']);
    expect((await keyring.describe('short')).primaryVersion).toBe(2);
  });

  it('makes a data key asked for as a system key one, with the interval asked for, once, audited', async () => {
    await keyring.createKey('pii', { rotationIntervalMs: 1000 }); // as a store from before system keys holds it
    const system = await keyring.ensureKey('pii', { purpose: 'system', rotationIntervalMs: null });
    expect(system).toMatchObject({ purpose: 'system', rotationIntervalMs: null, primaryVersion: 1 });
    expect(await keyring.rotateDue(new Date(Date.now() + 2000))).toEqual([]); // no longer on the data keys' schedule
    await keyring.ensureKey('pii', { purpose: 'system', rotationIntervalMs: null });
    expect(audit.of('keys.purpose_set')).toEqual([expect.objectContaining({ additionalData: { key: 'pii', purpose: 'system' } })]);
    expect((await keyring.ensureKey('plain')).purpose).toBe('data'); // asked for as a data key, it stays one
  });

  it('cannot open data under another KEK, and names unknown keys', async () => {
    await keyring.createKey('datasets');
    const sealed = await keyring.encrypt('datasets', Buffer.from('x'));
    const stranger = new Keyring(store, async () => kekFromKey('file:other', randomBytes(32)), audit);
    await expect(stranger.decrypt(sealed)).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    await expect(keyring.encrypt('missing', Buffer.from('x'))).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('langtrain keys create missing') });
    await expect(keyring.createKey('datasets')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(keyring.createKey('bad name!')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });
});
