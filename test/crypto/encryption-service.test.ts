import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptionService, type EncryptionServiceOptions } from '../../src/crypto/encryption-service.js';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../src/crypto/keyring/schema.js';
import { kekFromKey } from '../../src/crypto/kms/local.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { storeUrls, tempDir } from '../support/services.js';
import { RecordedEvents } from '../support/recorded-events.js';

const customer = (id: string, user: string) => ({
  id,
  user_id: user,
  user: { email: `${user}@example.com`, name: 'Ada Lovelace' },
  card: '4111-1111-1111-1111',
  items: [{ sku: 'a', ssn: '123-45-6789' }, { sku: 'b', ssn: '987-65-4321' }],
});

describe.each(storeUrls('encryption'))('EncryptionService on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let keyring: Keyring;
  let audit: RecordedEvents;
  const kekKey = randomBytes(32);
  const service = (options: EncryptionServiceOptions) => new EncryptionService(options, keyring, audit);

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'crypto', keyringMigrations);
    audit = new RecordedEvents();
    keyring = new Keyring(store, async () => kekFromKey('file:test', kekKey), audit);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('refuses unsupported options naming them and what is supported', () => {
    expect(() => service({ encryptionScope: 'full_disk' })).toThrow(/operating system's job.*field, record, file/);
    expect(() => service({ encryptionScope: 'field', fields: ['a'], keyDerivation: 'scrypt' as never })).toThrow(/keyDerivation.*PBKDF2-SHA256/);
    expect(() => service({ encryptionScope: 'field', fields: [{ path: 'card', format: 'digits' }] })).toThrow(/formatPreserving: true/);
    expect(() => service({ encryptionScope: 'field', fields: ['card'], formatPreserving: true })).toThrow(/at least one field with a format/);
    expect(() => service({ encryptionScope: 'field', fields: ['a'], subjectField: 'user_id' })).toThrow(/secureDeletion: true/);
    expect(() => service({ encryptionScope: 'field' })).toThrow(/needs the fields/);
    expect(() => service({ encryptionScope: 'field', fields: ['a'], colour: 1 } as never)).toThrow(/unknown option colour/);
  });

  it('encrypts nested and array fields, binds each to its place, and survives key rotation', async () => {
    const fields = service({ encryptionScope: 'field', fields: ['user.email', 'items[].ssn'] });
    const place = { dataset: 'customers', recordId: 'c-1' };
    const sealed = await fields.encryptRecord(customer('c-1', 'alice'), place);
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('123-45-6789');
    expect(sealed.card).toBe('4111-1111-1111-1111'); // not listed: untouched
    expect(await fields.decryptRecord(sealed, place)).toEqual(customer('c-1', 'alice'));
    // Moved to another record, or to another element of the same array: refused.
    await expect(fields.decryptRecord(sealed, { dataset: 'customers', recordId: 'c-2' })).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    const swapped = structuredClone(sealed) as ReturnType<typeof customer>;
    [swapped.items[0]!.ssn, swapped.items[1]!.ssn] = [swapped.items[1]!.ssn, swapped.items[0]!.ssn];
    await expect(fields.decryptRecord(swapped, place)).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    await keyring.rotate('datasets');
    const after = await fields.encryptRecord(customer('c-1', 'alice'), place);
    expect(await fields.decryptRecord(sealed, place)).toEqual(customer('c-1', 'alice'));
    expect(await fields.decryptRecord(after, place)).toEqual(customer('c-1', 'alice'));
  });

  it('keeps the shape of format-preserving fields (FF1), bound to their place', async () => {
    const fpe = service({ encryptionScope: 'field', formatPreserving: true, fields: [{ path: 'card', format: 'digits' }, 'user.email'] });
    const place = { dataset: 'customers', recordId: 'c-1' };
    const sealed = await fpe.encryptRecord(customer('c-1', 'alice'), place);
    expect(sealed.card).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(sealed.card).not.toBe('4111-1111-1111-1111');
    await keyring.rotate('datasets'); // the FPE key is separate and not rotated on schedule
    expect((await fpe.decryptRecord(sealed, place)).card).toBe('4111-1111-1111-1111');
    await expect(fpe.decryptRecord(sealed, { dataset: 'customers', recordId: 'c-9' })).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' }); // the AEAD field
    // FF1 cannot detect a move (no tag), but the tweak makes a moved value decrypt to noise.
    const cardOnly = service({ encryptionScope: 'field', formatPreserving: true, fields: [{ path: 'card', format: 'digits' }] });
    const card = await cardOnly.encryptRecord({ card: '4111-1111-1111-1111' }, place);
    expect((await cardOnly.decryptRecord(card, { dataset: 'customers', recordId: 'c-9' })).card).not.toBe('4111-1111-1111-1111');
  });

  it('encrypts whole records, keeping only the id and subject in clear', async () => {
    const records = service({ encryptionScope: 'record', recordIdField: 'id' });
    const place = { dataset: 'customers', recordId: 'c-1' };
    const sealed = await records.encryptRecord(customer('c-1', 'alice'), place);
    expect(Object.keys(sealed).sort()).toEqual(['_encrypted', 'id']);
    expect(await records.decryptRecord(sealed, place)).toEqual(customer('c-1', 'alice'));
    const altered = { ...sealed, _encrypted: String(sealed._encrypted).slice(0, -2) + 'AA' };
    await expect(records.decryptRecord(altered, place)).rejects.toHaveProperty('code');
  });

  it('erases one subject for good while others stay readable (audited)', async () => {
    const perSubject = service({ encryptionScope: 'field', fields: ['user.email', 'items[].ssn'], secureDeletion: true, subjectField: 'user_id' });
    const [alice, bob] = [{ dataset: 'c', recordId: '1' }, { dataset: 'c', recordId: '2' }];
    const sealedAlice = await perSubject.encryptRecord(customer('1', 'alice'), alice);
    const sealedBob = await perSubject.encryptRecord(customer('2', 'bob'), bob);
    await perSubject.eraseSubject('alice', 'dpo@company.com');
    await expect(perSubject.decryptRecord(sealedAlice, alice)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    expect(await perSubject.decryptRecord(sealedBob, bob)).toEqual(customer('2', 'bob'));
    expect(audit.events.some((e) => e.eventType === 'keys.subject_erased' && e.userId === 'dpo@company.com')).toBe(true);
    expect(JSON.stringify(audit.events)).not.toContain('alice'); // subject keys are named by a keyed hash
  });

  it('erasure covers format-preserving fields too: they use the subject key', async () => {
    const cards = service({ encryptionScope: 'field', formatPreserving: true, fields: [{ path: 'card', format: 'digits' }], secureDeletion: true, subjectField: 'user_id' });
    const [alice, bob] = [{ dataset: 'c', recordId: '1' }, { dataset: 'c', recordId: '2' }];
    const sealedAlice = await cards.encryptRecord(customer('1', 'alice'), alice);
    const sealedBob = await cards.encryptRecord(customer('2', 'bob'), bob);
    await cards.eraseSubject('alice');
    await expect(cards.decryptRecord(sealedAlice, alice)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    expect((await cards.decryptRecord(sealedBob, bob)).card).toBe('4111-1111-1111-1111');
  });

  it('encrypts files in authenticated chunks; a wrong name or a flipped byte leaves no output', async () => {
    const files = service({ encryptionScope: 'file', secureDeletion: true });
    const dir = tempDir('files');
    try {
      const plain = randomBytes(300_000);
      writeFileSync(join(dir.path, 'model.bin'), plain);
      await files.encryptFile(join(dir.path, 'model.bin'), join(dir.path, 'model.enc'), 'checkpoints/model.bin');
      expect(readFileSync(join(dir.path, 'model.enc')).includes(plain.subarray(1000, 1064))).toBe(false);
      await files.encryptFile(join(dir.path, 'model.bin'), join(dir.path, 'other.enc'), 'checkpoints/other.bin');
      await files.decryptFile(join(dir.path, 'model.enc'), join(dir.path, 'model.out'), 'checkpoints/model.bin');
      expect(readFileSync(join(dir.path, 'model.out')).equals(plain)).toBe(true);
      await expect(files.decryptFile(join(dir.path, 'model.enc'), join(dir.path, 'wrong.out'), 'checkpoints/other.bin')).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
      const tampered = readFileSync(join(dir.path, 'model.enc'));
      tampered[tampered.length - 5_000]! ^= 1;
      writeFileSync(join(dir.path, 'tampered.enc'), tampered);
      await expect(files.decryptFile(join(dir.path, 'tampered.enc'), join(dir.path, 'tampered.out'), 'checkpoints/model.bin')).rejects.toHaveProperty('code');
      expect(existsSync(join(dir.path, 'wrong.out'))).toBe(false);
      expect(existsSync(join(dir.path, 'tampered.out'))).toBe(false);
      expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
