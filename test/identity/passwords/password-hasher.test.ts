import { beforeAll, describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../src/core/errors.js';
import { parseArgon2idPhc, PasswordHasher } from '../../../src/identity/passwords/index.js';

// Each argon2id hash at the OWASP parameters costs ~50 ms, so this file makes three: one at
// the defaults (shared below), one at t=1 for rehash-on-login, one for the absent-user dummy.
const composed = 'Caf\u00e9-au-lait-at-dawn';
const decomposed = 'Cafe\u0301-au-lait-at-dawn';

describe('PasswordHasher (argon2id, OWASP parameters)', () => {
  const hasher = new PasswordHasher();
  let stored: string;
  beforeAll(async () => {
    stored = await hasher.hash(composed);
  });

  it('defaults to m=19456 KiB, t=2, p=1 and writes an argon2id v=19 PHC string with a 16-byte salt', () => {
    expect(hasher.parameters).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 });
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(stored).not.toContain(composed);
  });

  it('verifies the right password, without asking for a rehash at the same parameters', async () => {
    expect(await hasher.verify(stored, composed)).toEqual({ ok: true, needsRehash: false });
  });

  it('rejects a wrong password', async () => {
    expect(await hasher.verify(stored, 'Cafe-au-lait-at-dawn')).toEqual({ ok: false, needsRehash: false });
  });

  it('verifies the same password typed in decomposed Unicode (NFKC before hashing)', async () => {
    expect(decomposed).not.toBe(composed);
    expect((await hasher.verify(stored, decomposed)).ok).toBe(true);
  });

  it('asks for a rehash when the stored hash was made with other parameters (t=1 → t=2)', async () => {
    const old = await new PasswordHasher({ timeCost: 1 }).hash(composed);
    expect(parseArgon2idPhc(old).timeCost).toBe(1);
    expect(await hasher.verify(old, composed)).toEqual({ ok: true, needsRehash: true });
    // A wrong password never says "rehash": there is nothing to store.
    expect(await hasher.verify(old, 'not-the-password')).toEqual({ ok: false, needsRehash: false });
  });

  it('refuses an argon2i hash clearly, without echoing it', async () => {
    const argon2i = '$argon2i$v=19$m=19456,t=2,p=1$Fv0NHmOneECu9v34W0DE6A$dXthMP6Te0ilxJ4pm1ooVlcckvuQ616eEnCNaQam5yo';
    const err = await hasher.verify(argon2i, 'x').catch((e: unknown) => e);
    expect(isLangtrainError(err, 'ERR_PASSWORD_HASH_UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toMatch(/argon2i;.*only argon2id/);
    expect((err as Error).message).not.toContain('Fv0NHmOneECu9v34W0DE6A');
  });

  it('refuses a bcrypt hash and malformed strings clearly', async () => {
    const bcrypt = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
    await expect(hasher.verify(bcrypt, 'x')).rejects.toMatchObject({ code: 'ERR_PASSWORD_HASH_UNSUPPORTED', details: { scheme: 'bcrypt' } });
    await expect(hasher.verify('$argon2id$v=19$m=x', 'x')).rejects.toMatchObject({ details: { scheme: 'malformed argon2id' } });
    await expect(hasher.verify('plaintext', 'x')).rejects.toMatchObject({ details: { scheme: 'unrecognised' } });
  });

  it('refuses to hash an empty or oversized password, and rejects one at verify without hashing', async () => {
    await expect(hasher.hash('')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(hasher.hash('x'.repeat(4097))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(await hasher.verify(stored, 'x'.repeat(4097))).toEqual({ ok: false, needsRehash: false });
  });

  it('spends a verify on an absent user and always rejects', async () => {
    expect(await hasher.verifyWithoutUser(composed)).toEqual({ ok: false, needsRehash: false });
  });

  it('checks its options at construction', () => {
    expect(() => new PasswordHasher({ memoryCost: 64 })).toThrow(/memoryCost/);
    expect(() => new PasswordHasher({ saltLength: 8 } as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION' }));
  });
});

describe('parseArgon2idPhc', () => {
  it('reads version, m, t, p and the salt and output lengths', () => {
    const phc = '$argon2id$v=19$m=47104,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43);
    expect(parseArgon2idPhc(phc)).toEqual({ version: 19, memoryCost: 47_104, timeCost: 1, parallelism: 1, outputLen: 32, saltLen: 16 });
  });

  it('takes a string without v= as version 16 (old encoders)', () => {
    expect(parseArgon2idPhc('$argon2id$m=4096,t=3,p=1$c2FsdHNhbHQ$' + 'A'.repeat(43)).version).toBe(16);
  });

  it('names argon2d and unknown versions', () => {
    expect(() => parseArgon2idPhc('$argon2d$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$AAAA')).toThrow(/argon2d/);
    expect(() => parseArgon2idPhc('$argon2id$v=20$m=4096,t=3,p=1$c2FsdHNhbHQ$AAAA')).toThrow(/version 20/);
  });
});
