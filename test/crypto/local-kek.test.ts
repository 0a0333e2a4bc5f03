import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../src/crypto/keyring/schema.js';
import { openLocalKek } from '../../src/crypto/kms/local.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { tempDir } from '../support/services.js';

const noAudit = { record: async () => ({ index: null, id: 'x' }) };

describe('local KEKs', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const store = async (): Promise<{ store: Store; dir: string }> => {
    const dir = tempDir('local-kek');
    const opened = await openStore(`sqlite:${join(dir.path, 'db')}`);
    await migrate(opened, 'crypto', keyringMigrations);
    cleanups.push(() => dir.cleanup(), () => opened.close());
    return { store: opened, dir: dir.path };
  };

  it('derives a passphrase KEK with PBKDF2 (salt kept in the store) and names a wrong passphrase as such', async () => {
    const { store: db } = await store();
    process.env.LANGTRAIN_TEST_PASSPHRASE = 'correct horse battery staple';
    cleanups.push(() => delete process.env.LANGTRAIN_TEST_PASSPHRASE);
    const uri = 'passphrase:env:LANGTRAIN_TEST_PASSPHRASE' as const;
    const keyring = new Keyring(db, () => openLocalKek(uri, db.db), noAudit);
    await keyring.createKey('datasets');
    const sealed = await keyring.encrypt('datasets', Buffer.from('payload'));
    const params = await db.db.selectFrom('crypto_kek_params').selectAll().executeTakeFirstOrThrow();
    expect(Number(params.iterations)).toBeGreaterThanOrEqual(600_000);
    expect(Buffer.from(params.salt).length).toBeGreaterThanOrEqual(16);
    // Another process with the same passphrase derives the same KEK from the stored salt.
    expect((await new Keyring(db, () => openLocalKek(uri, db.db), noAudit).decrypt(sealed)).toString()).toBe('payload');
    process.env.LANGTRAIN_TEST_PASSPHRASE = 'Correct horse battery staple';
    await expect(openLocalKek(uri, db.db)).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED', message: expect.stringContaining('wrong passphrase') });
    await expect(openLocalKek(uri, db.db)).rejects.not.toMatchObject({ message: expect.stringContaining('horse') });
  });

  it('reads a key file or variable, creates a missing key file owner-only, and refuses a malformed one', async () => {
    const { store: db, dir } = await store();
    const file = join(dir, 'kek.key');
    const kek = await openLocalKek(`file:${file}`, db.db);
    const { statSync, writeFileSync } = await import('node:fs');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const wrapped = await kek.wrap(randomBytes(32), Buffer.from('ctx'));
    expect((await (await openLocalKek(`file:${file}`, db.db)).unwrap(wrapped, Buffer.from('ctx'))).length).toBe(32);
    await expect(kek.unwrap(wrapped, Buffer.from('other'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    writeFileSync(join(dir, 'bad.key'), 'not a key');
    await expect(openLocalKek(`file:${join(dir, 'bad.key')}`, db.db)).rejects.toThrow(/256-bit key/);
    await expect(openLocalKek('env:LANGTRAIN_TEST_UNSET_KEK', db.db)).rejects.toThrow(/LANGTRAIN_TEST_UNSET_KEK.*not set/);
  });
});
