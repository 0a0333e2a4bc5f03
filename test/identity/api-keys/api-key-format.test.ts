import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_PATTERN,
  generateApiKey,
  hashApiKeySecret,
  parseApiKey,
  verifyApiKeySecret,
  type ApiKeyEnvironment,
} from '../../../src/identity/api-keys/api-key-format.js';
import { BASE62_ALPHABET, base62Fixed, randomBase62 } from '../../../src/identity/api-keys/base62.js';
import { crc32, crc32Ascii } from '../../../src/identity/api-keys/crc32.js';

const pepper = randomBytes(32);
const FORMAT = /^lt_(live|test)_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/;
// Every character a key may contain, plus some it may not: a substitution can be anything.
const SUBSTITUTES = `${BASE62_ALPHABET}_-+/=. `;

describe('generateApiKey / parseApiKey', () => {
  it.each<ApiKeyEnvironment>(['live', 'test'])('round-trips a %s key', (environment) => {
    const generated = generateApiKey({ environment });
    expect(generated.key).toMatch(FORMAT);
    expect(generated.key).toHaveLength(71);
    expect(generated.key.startsWith(`lt_${environment}_${generated.id}_${generated.secret}_`)).toBe(true);
    expect(parseApiKey(generated.key)).toEqual({ environment, id: generated.id, secret: generated.secret });
  });

  it('gives unique ids and secrets', () => {
    const keys = Array.from({ length: 10_000 }, () => generateApiKey({ environment: 'live' }));
    expect(new Set(keys.map((k) => k.id)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(keys.length);
  });

  it('draws id and secret characters from the whole alphabet, roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) for (const ch of generateApiKey({ environment: 'test' }).secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 86,000 characters: about 1,387 each; a modulo bias or a missing range would show far outside this.
    expect(Math.min(...counts.values())).toBeGreaterThan(1_150);
    expect(Math.max(...counts.values())).toBeLessThan(1_650);
  });

  it('catches every single-character substitution anywhere in the key (property)', () => {
    for (let round = 0; round < 25; round++) {
      const { key } = generateApiKey({ environment: round % 2 ? 'live' : 'test' });
      for (let i = 0; i < key.length; i++) {
        for (const ch of SUBSTITUTES) {
          if (ch === key[i]) continue;
          const changed = key.slice(0, i) + ch + key.slice(i + 1);
          if (parseApiKey(changed) !== null) throw new Error(`accepted ${changed} (position ${i}) from ${key}`);
        }
      }
    }
  });

  it('catches every swap of neighbouring characters, deletion and insertion (property)', () => {
    for (let round = 0; round < 25; round++) {
      const { key } = generateApiKey({ environment: 'live' });
      for (let i = 0; i + 1 < key.length; i++) {
        if (key[i] === key[i + 1]) continue;
        const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
        expect(parseApiKey(swapped), swapped).toBeNull();
      }
      for (let i = 0; i < key.length; i++) {
        expect(parseApiKey(key.slice(0, i) + key.slice(i + 1))).toBeNull();
        expect(parseApiKey(`${key.slice(0, i)}a${key.slice(i)}`)).toBeNull();
      }
    }
  });

  it('rejects random strings of the right shape (the checksum, not the format, refuses them)', () => {
    let rejected = 0;
    for (let i = 0; i < 5_000; i++) {
      const candidate = `lt_live_${randomBase62(12)}_${randomBase62(43)}_${randomBase62(6)}`;
      expect(candidate).toMatch(FORMAT);
      if (parseApiKey(candidate) === null) rejected++;
    }
    expect(rejected).toBe(5_000);
  });

  it('rejects other text', () => {
    const { key } = generateApiKey({ environment: 'live' });
    for (const text of ['', 'lt_', key.replace('lt_live_', 'lt_prod_'), key.replace('lt_live_', 'LT_LIVE_'), ` ${key}`, `${key}\n`, key.toUpperCase(), key + key]) {
      expect(parseApiKey(text), JSON.stringify(text)).toBeNull();
    }
    expect(parseApiKey(undefined as unknown as string)).toBeNull();
    expect(parseApiKey(42 as unknown as string)).toBeNull();
  });

  it('refuses an unknown environment', () => {
    expect(() => generateApiKey({ environment: 'prod' as ApiKeyEnvironment })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('API_KEY_PATTERN', () => {
  it('finds keys inside text, as a secret scanner would, and the checksum sorts real from fake', () => {
    const a = generateApiKey({ environment: 'live' }).key;
    const b = generateApiKey({ environment: 'test' }).key;
    const fake = `lt_live_${'A'.repeat(12)}_${'B'.repeat(43)}_${'C'.repeat(6)}`;
    const text = `export LT_KEY=${a}\n{"key":"${b}"} ${fake} lt_live_short_x`;
    const found = text.match(new RegExp(API_KEY_PATTERN, 'g'));
    expect(found).toEqual([a, b, fake]);
    expect(found!.map((k) => parseApiKey(k) !== null)).toEqual([true, true, false]);
  });
});

describe('hashApiKeySecret / verifyApiKeySecret', () => {
  it('verifies the secret it hashed, as 64 hex digits, and nothing else', () => {
    const { secret } = generateApiKey({ environment: 'live' });
    const stored = hashApiKeySecret(pepper, secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(verifyApiKeySecret(pepper, secret, stored)).toBe(true);
    expect(verifyApiKeySecret(pepper, generateApiKey({ environment: 'live' }).secret, stored)).toBe(false);
    // One character off in the secret.
    const off = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
    expect(verifyApiKeySecret(pepper, off, stored)).toBe(false);
  });

  it('is deterministic for one pepper and fails under another', () => {
    const { secret } = generateApiKey({ environment: 'test' });
    expect(hashApiKeySecret(pepper, secret)).toBe(hashApiKeySecret(Buffer.from(pepper), secret));
    const stored = hashApiKeySecret(pepper, secret);
    const otherPepper = randomBytes(32);
    expect(hashApiKeySecret(otherPepper, secret)).not.toBe(stored);
    expect(verifyApiKeySecret(otherPepper, secret, stored)).toBe(false);
  });

  it('is HMAC-SHA256 of the secret keyed by the pepper', async () => {
    const { createHmac } = await import('node:crypto');
    const secret = 'a'.repeat(43);
    expect(hashApiKeySecret(pepper, secret)).toBe(createHmac('sha256', pepper).update(secret).digest('hex'));
  });

  it('returns false for a malformed presented secret without throwing', () => {
    const stored = hashApiKeySecret(pepper, generateApiKey({ environment: 'live' }).secret);
    for (const secret of ['', 'short', `${'a'.repeat(42)}_`, 'a'.repeat(44), undefined as unknown as string]) {
      expect(verifyApiKeySecret(pepper, secret, stored)).toBe(false);
    }
  });

  it('refuses a short or missing pepper, a malformed secret to hash and a corrupt stored hash', () => {
    const { secret } = generateApiKey({ environment: 'live' });
    const stored = hashApiKeySecret(pepper, secret);
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_INPUT' });
    expect(() => hashApiKeySecret(randomBytes(16), secret)).toThrow(invalid);
    expect(() => hashApiKeySecret('pepper' as unknown as Buffer, secret)).toThrow(invalid);
    expect(() => verifyApiKeySecret(randomBytes(31), secret, stored)).toThrow(invalid);
    expect(() => hashApiKeySecret(pepper, 'not-a-secret')).toThrow(invalid);
    expect(() => verifyApiKeySecret(pepper, secret, stored.slice(2))).toThrow(invalid);
    expect(() => verifyApiKeySecret(pepper, secret, stored.toUpperCase())).toThrow(invalid);
  });
});

describe('crc32 and base62 helpers', () => {
  it('crc32 matches the standard check value and zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const zlibCrc = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    if (zlibCrc) for (let i = 0; i < 200; i++) {
      const data = randomBytes(i);
      expect(crc32(data)).toBe(zlibCrc(data));
    }
  });

  it('base62Fixed pads, covers 32 bits in 6 characters and refuses overflow', () => {
    expect(base62Fixed(0, 6)).toBe('000000');
    expect(base62Fixed(61, 6)).toBe('00000z');
    expect(base62Fixed(62, 6)).toBe('000010');
    expect(base62Fixed(0xffffffff, 6)).toBe('4gfFC3');
    expect(() => base62Fixed(62 ** 6, 6)).toThrow(RangeError);
  });

  it('randomBase62 returns exactly the length asked for', () => {
    for (const n of [0, 1, 6, 43, 100]) expect(randomBase62(n)).toMatch(new RegExp(`^[0-9A-Za-z]{${n}}$`));
  });
});

describe('crc32Ascii', () => {
  it('agrees with crc32 over the same bytes', () => {
    for (const text of ['', 'a', 'lt_live_0123456789ab', 'The quick brown fox jumps over the lazy dog']) {
      expect(crc32Ascii(text)).toBe(crc32(Buffer.from(text, 'ascii')));
    }
  });
});
