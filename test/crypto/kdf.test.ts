import { readFileSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deriveKeyPbkdf2, derivePassphraseKek, MIN_PBKDF2_ITERATIONS } from '../../src/crypto/kdf.js';
import { sharedPath } from '../shared-path.js';

// pbkdf2 is wrapped in a pass-through spy so the passphrase-KEK tests can see the parameters it
// is called with and, where only salts and agreement matter, swap in a one-iteration stand-in.
// That keeps this file to a single real 600,000-iteration derivation (the "derived" vector).
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, pbkdf2: vi.fn(actual.pbkdf2) };
});
const actual = await vi.importActual<typeof import('node:crypto')>('node:crypto');
const pbkdf2Spy = vi.mocked(pbkdf2);

interface Pbkdf2Vector { password: string; salt: string; iterations: number; dkLen: number; dk: string; source?: string }
const file = JSON.parse(readFileSync(sharedPath('vectors/pbkdf2.json'), 'utf8')) as {
  hmacSha256: Pbkdf2Vector[]; hmacSha1_rfc6070: Pbkdf2Vector[]; derived: (Pbkdf2Vector & { hash: string })[];
};
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const fastPbkdf2 = ((secret, salt, _iterations, keylen, digest, callback) =>
  actual.pbkdf2(secret, salt, 1, keylen, digest, callback)) as typeof pbkdf2;

describe('deriveKeyPbkdf2 against published PBKDF2-HMAC-SHA256 vectors (RFC 7914 §11, RFC 6070 inputs)', () => {
  for (const v of file.hmacSha256) {
    it(`${JSON.stringify(v.password)} / ${JSON.stringify(v.salt)}, c=${v.iterations}, dkLen=${v.dkLen}`, async () => {
      const key = await deriveKeyPbkdf2({ passphrase: latin1(v.password), salt: latin1(v.salt), iterations: v.iterations, length: v.dkLen });
      expect(key.toString('hex')).toBe(v.dk);
    });
  }

  it('accepts a string passphrase as its UTF-8 bytes', async () => {
    const v = file.hmacSha256[0]!;
    const key = await deriveKeyPbkdf2({ passphrase: v.password, salt: latin1(v.salt), iterations: v.iterations, length: v.dkLen });
    expect(key.toString('hex')).toBe(v.dk);
  });

  // The file's HMAC-SHA1 vectors (RFC 6070) are not run: this module offers only HMAC-SHA256.
  it('has SHA-256 vectors to run', () => {
    expect(file.hmacSha256.length).toBeGreaterThanOrEqual(7);
  });

  for (const v of file.derived) {
    it(`derived vector at ${v.iterations} iterations (the one real 600k derivation in this file)`, async () => {
      expect(v.hash).toBe('SHA-256');
      expect(v.iterations).toBe(MIN_PBKDF2_ITERATIONS);
      const key = await deriveKeyPbkdf2({ passphrase: latin1(v.password), salt: latin1(v.salt), iterations: v.iterations, length: v.dkLen });
      expect(key.toString('hex')).toBe(v.dk);
    });
  }

  it('rejects unusable parameters with ERR_KDF_INVALID_INPUT', async () => {
    const base = { passphrase: 'p', salt: latin1('salt'), iterations: 1, length: 32 };
    for (const bad of [{ iterations: 0 }, { iterations: 1.5 }, { length: 0 }, { length: 4096 }, { salt: 'salt' as unknown as Uint8Array }]) {
      await expect(deriveKeyPbkdf2({ ...base, ...bad })).rejects.toMatchObject({ name: 'LangtrainError', code: 'ERR_KDF_INVALID_INPUT' });
    }
  });
});

describe('derivePassphraseKek', () => {
  beforeEach(() => {
    pbkdf2Spy.mockClear();
    pbkdf2Spy.mockImplementation(fastPbkdf2);
  });
  afterEach(() => {
    pbkdf2Spy.mockImplementation(actual.pbkdf2);
  });

  it('refuses fewer than 600,000 iterations before deriving anything', async () => {
    expect(MIN_PBKDF2_ITERATIONS).toBe(600_000);
    for (const iterations of [1, 4096, 599_999, 600_000.5]) {
      const attempt = derivePassphraseKek('correct horse battery staple', { iterations });
      await expect(attempt).rejects.toMatchObject({ code: 'ERR_KDF_INVALID_INPUT', details: { option: 'iterations', minimum: 600_000 } });
      await expect(derivePassphraseKek('x', { iterations })).rejects.toThrow(/at least 600000 PBKDF2-HMAC-SHA256 iterations/);
    }
    expect(pbkdf2Spy).not.toHaveBeenCalled();
  });

  it('refuses an empty passphrase and a salt under 16 bytes', async () => {
    await expect(derivePassphraseKek('')).rejects.toMatchObject({ code: 'ERR_KDF_INVALID_INPUT', details: { option: 'passphrase' } });
    await expect(derivePassphraseKek(new Uint8Array(0))).rejects.toMatchObject({ code: 'ERR_KDF_INVALID_INPUT', details: { option: 'passphrase' } });
    await expect(derivePassphraseKek('pw', { salt: new Uint8Array(15) })).rejects.toMatchObject({ code: 'ERR_KDF_INVALID_INPUT', details: { option: 'salt' } });
    expect(pbkdf2Spy).not.toHaveBeenCalled();
  });

  it('runs PBKDF2-HMAC-SHA256 with 600,000 iterations by default and returns key, salt and iterations', async () => {
    const kek = await derivePassphraseKek('correct horse battery staple');
    expect(kek.iterations).toBe(600_000);
    expect(kek.key).toHaveLength(32);
    expect(kek.salt).toHaveLength(16);
    expect(pbkdf2Spy).toHaveBeenCalledTimes(1);
    const [secret, salt, iterations, keylen, digest] = pbkdf2Spy.mock.calls[0]!;
    expect(Buffer.from(secret as Uint8Array).toString()).toBe('correct horse battery staple');
    expect(Buffer.from(salt as Uint8Array).equals(kek.salt)).toBe(true);
    expect([iterations, keylen, digest]).toEqual([600_000, 32, 'sha256']);
  });

  it('generates a distinct random salt for each new KEK', async () => {
    const salts = await Promise.all(Array.from({ length: 8 }, async () => (await derivePassphraseKek('same passphrase')).salt.toString('hex')));
    expect(new Set(salts).size).toBe(8);
  });

  it('re-derives the same key from the same passphrase, salt and iterations, and a different one otherwise', async () => {
    const first = await derivePassphraseKek('same passphrase', { iterations: 700_000 });
    const again = await derivePassphraseKek('same passphrase', { salt: first.salt, iterations: first.iterations });
    expect(again.key.equals(first.key)).toBe(true);
    const otherSalt = await derivePassphraseKek('same passphrase', { iterations: 700_000 });
    expect(otherSalt.key.equals(first.key)).toBe(false);
    const otherPassphrase = await derivePassphraseKek('Same passphrase', { salt: first.salt, iterations: 700_000 });
    expect(otherPassphrase.key.equals(first.key)).toBe(false);
    expect(pbkdf2Spy.mock.calls.map((call) => call[2])).toEqual([700_000, 700_000, 700_000, 700_000]);
  });

  it('normalises a string passphrase to NFC, so composed and decomposed accents agree', async () => {
    const salt = Buffer.alloc(16, 1);
    const composed = await derivePassphraseKek('caf\u00e9', { salt });
    const decomposed = await derivePassphraseKek('cafe\u0301', { salt });
    expect(decomposed.key.equals(composed.key)).toBe(true);
  });
});
