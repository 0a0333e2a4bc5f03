import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALPHANUMERIC, DIGITS, FpeCipher, ff1Decrypt, ff1Encrypt, ff3_1Decrypt, ff3_1Encrypt } from '../../src/crypto/fpe-ff1.js';
import { sharedPath } from '../shared-path.js';

interface FpeVector { id: string; keyBits: number; key: string; tweak: string; radix: number; alphabet: string; plaintext: string; ciphertext: string }
const file = JSON.parse(readFileSync(sharedPath('vectors/fpe-ff1-ff3-1.json'), 'utf8')) as { ff1: FpeVector[]; ff3_1: FpeVector[] };
const hex = (s: string) => Buffer.from(s, 'hex');
const toNumerals = (text: string, alphabet: string) => Array.from(text).map((c) => alphabet.indexOf(c));
const toText = (numerals: number[], alphabet: string) => numerals.map((n) => alphabet[n]).join('');
const KEY = randomBytes(32);
const RADIX36 = '0123456789abcdefghijklmnopqrstuvwxyz';

describe('FF1 against the NIST SP 800-38G samples', () => {
  it('has all nine samples, over AES-128, -192 and -256', () => {
    expect(file.ff1).toHaveLength(9);
    expect(new Set(file.ff1.map((v) => v.keyBits))).toEqual(new Set([128, 192, 256]));
  });
  for (const v of file.ff1) {
    it(`${v.id} (AES-${v.keyBits}, radix ${v.radix}, ${v.tweak.length / 2}-byte tweak)`, () => {
      expect(hex(v.key)).toHaveLength(v.keyBits / 8);
      expect(v.alphabet).toHaveLength(v.radix);
      const pt = toNumerals(v.plaintext, v.alphabet);
      const ct = toNumerals(v.ciphertext, v.alphabet);
      expect(ff1Encrypt(hex(v.key), hex(v.tweak), v.radix, pt)).toEqual(ct);
      expect(ff1Decrypt(hex(v.key), hex(v.tweak), v.radix, ct)).toEqual(pt);
      // The same sample through the string API over the sample's alphabet.
      const cipher = new FpeCipher({ key: hex(v.key), alphabet: v.alphabet });
      expect(cipher.encrypt(v.plaintext, hex(v.tweak))).toBe(v.ciphertext);
      expect(cipher.decrypt(v.ciphertext, hex(v.tweak))).toBe(v.plaintext);
    });
  }
});

// The NIST samples all have d <= 16, so they never reach the multi-block part of step 6.iii.
// These published vectors do (and a 255-byte tweak exercises the padding of Q).
describe('FF1 against longer published vectors', () => {
  const key = hex('2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94');
  it('128 numerals, radix 36 (capitalone/fpe ff1_test.go, also in str4d/fpe)', () => {
    const pt = 'xs8a0azh2avyalyzuwd'.repeat(7).slice(0, 128);
    const ct = 'lwulibfp1ju3ksztumqomwenpv7duy9q7pg7zf3eg3rjlfy46gmgkqjfwvromfjjktmbey8meqk9zkcmgvkv4s9ll5ctozme1hf15w7xo6zsylqcr0nbx9jbf10umzok';
    expect(toText(ff1Encrypt(key, new Uint8Array(0), 36, toNumerals(pt, RADIX36)), RADIX36)).toBe(ct);
    expect(toText(ff1Decrypt(key, new Uint8Array(0), 36, toNumerals(ct, RADIX36)), RADIX36)).toBe(pt);
  });
  it('88 numerals, radix 2, 255-byte tweak (zcash-test-vectors ff1.py, also in str4d/fpe)', () => {
    const tweak = Uint8Array.from({ length: 255 }, (_, i) => i);
    const pt = '01'.repeat(44);
    const ct = '0111110110001000000111010110000100010101101000000011100111100100100010101101111010100011';
    expect(toText(ff1Encrypt(key, tweak, 2, toNumerals(pt, '01')), '01')).toBe(ct);
    expect(toText(ff1Decrypt(key, tweak, 2, toNumerals(ct, '01')), '01')).toBe(pt);
  });
});

describe('FF3-1 against NIST ACVP AES-FF3-1 cases (56-bit tweak)', () => {
  it('has vectors over AES-128, -192 and -256', () => {
    expect(new Set(file.ff3_1.map((v) => v.keyBits))).toEqual(new Set([128, 192, 256]));
  });
  for (const v of file.ff3_1) {
    it(`${v.id} (AES-${v.keyBits}, radix ${v.radix}, ${v.plaintext.length} numerals)`, () => {
      const pt = toNumerals(v.plaintext, v.alphabet);
      const ct = toNumerals(v.ciphertext, v.alphabet);
      expect(ff3_1Encrypt(hex(v.key), hex(v.tweak), v.radix, pt)).toEqual(ct);
      expect(ff3_1Decrypt(hex(v.key), hex(v.tweak), v.radix, ct)).toEqual(pt);
    });
  }
  it('round-trips random inputs up to the radix-10 maximum of 56 numerals', () => {
    for (let trial = 0; trial < 30; trial++) {
      const n = randomInt(6, 57);
      const x = Array.from({ length: n }, () => randomInt(10));
      const tweak = randomBytes(7);
      const y = ff3_1Encrypt(KEY, tweak, 10, x);
      expect(y).toHaveLength(n);
      expect(ff3_1Decrypt(KEY, tweak, 10, y)).toEqual(x);
    }
  });
});

describe('FF1 round trips on random inputs', () => {
  for (const radix of [10, 36]) {
    it(`radix ${radix}: random lengths and tweaks decrypt to the input, and stay in the domain`, () => {
      const minLength = radix === 10 ? 6 : 4;
      for (let trial = 0; trial < 100; trial++) {
        const n = randomInt(minLength, 80);
        const x = Array.from({ length: n }, () => randomInt(radix));
        const tweak = randomBytes(randomInt(0, 40));
        const y = ff1Encrypt(KEY, tweak, radix, x);
        expect(y).toHaveLength(n);
        expect(y.every((d) => Number.isInteger(d) && d >= 0 && d < radix)).toBe(true);
        expect(ff1Decrypt(KEY, tweak, radix, y)).toEqual(x);
      }
    });
  }
  it('radix 2 and the largest radix, 65536, round-trip too', () => {
    const bits = Array.from({ length: 40 }, () => randomInt(2));
    expect(ff1Decrypt(KEY, new Uint8Array(0), 2, ff1Encrypt(KEY, new Uint8Array(0), 2, bits))).toEqual(bits);
    const wide = Array.from({ length: 9 }, () => randomInt(65536));
    const tweak = randomBytes(5);
    expect(ff1Decrypt(KEY, tweak, 65536, ff1Encrypt(KEY, tweak, 65536, wide))).toEqual(wide);
  });
  it('maps distinct inputs to distinct outputs (2000 six-digit values)', () => {
    const outputs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const x = String(i).padStart(6, '0').split('').map(Number);
      outputs.add(ff1Encrypt(KEY, new Uint8Array(0), 10, x).join(''));
    }
    expect(outputs.size).toBe(2000);
  });
});

describe('FpeCipher over an alphabet', () => {
  const card = '4111-1111-1111-1111';

  it('keeps separators in place and encrypts only alphabet characters', () => {
    const cipher = new FpeCipher({ key: KEY, alphabet: DIGITS });
    const ct = cipher.encrypt(card, 'customers.card_number');
    expect(ct).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(ct).not.toBe(card);
    expect(cipher.decrypt(ct, 'customers.card_number')).toBe(card);

    const spaced = '4111 1111 1111 1111';
    const ctSpaced = cipher.encrypt(spaced, 'customers.card_number');
    expect(ctSpaced).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    // Separators are not part of the numeral string: same digits, same digit output.
    expect(ctSpaced.replace(/ /g, '')).toBe(ct.replace(/-/g, ''));
    expect(cipher.decrypt(ctSpaced, 'customers.card_number')).toBe(spaced);
  });

  it('ALPHANUMERIC covers both letter cases and keeps punctuation', () => {
    expect(ALPHANUMERIC).toHaveLength(62);
    const cipher = new FpeCipher({ key: KEY, alphabet: ALPHANUMERIC });
    expect(cipher.radix).toBe(62);
    const id = 'AB12-cd34 Ef.9_z';
    const ct = cipher.encrypt(id, 'orders.reference');
    expect([...ct].map((c, i) => (ALPHANUMERIC.includes(c) ? '*' : c)).join('')).toBe('****-**** **.*_*');
    expect(ct).not.toBe(id);
    expect(cipher.decrypt(ct, 'orders.reference')).toBe(id);
  });

  it('handles alphabets with characters outside the BMP, by code point', () => {
    const alphabet = '\u{1F600}\u{1F601}\u{1F602}\u{1F603}\u{1F604}\u{1F605}\u{1F606}\u{1F607}\u{1F608}\u{1F609}';
    const cipher = new FpeCipher({ key: KEY, alphabet });
    expect(cipher.radix).toBe(10);
    const text = '\u{1F600}\u{1F601}-\u{1F602}\u{1F603}\u{1F604}\u{1F605}\u{1F606}\u{1F607}';
    const ct = cipher.encrypt(text, '');
    expect(Array.from(ct)).toHaveLength(9);
    expect(Array.from(ct)[2]).toBe('-');
    expect(cipher.decrypt(ct, '')).toBe(text);
  });

  it('is deterministic for one key and tweak; another tweak gives another ciphertext', () => {
    const cipher = new FpeCipher({ key: KEY, alphabet: DIGITS });
    expect(cipher.encrypt(card, 'a')).toBe(cipher.encrypt(card, 'a'));
    expect(cipher.encrypt(card, 'a')).not.toBe(cipher.encrypt(card, 'b'));
    expect(cipher.encrypt(card, 'a')).toBe(cipher.encrypt(card, Buffer.from('a')));
  });

  it('a wrong key or a wrong tweak does not decrypt to the original', () => {
    const cipher = new FpeCipher({ key: KEY, alphabet: DIGITS });
    const ct = cipher.encrypt(card, 'customers.card_number');
    const otherKey = new FpeCipher({ key: randomBytes(32), alphabet: DIGITS });
    expect(otherKey.decrypt(ct, 'customers.card_number')).not.toBe(card);
    expect(cipher.decrypt(ct, 'employees.card_number')).not.toBe(card);
    expect(cipher.decrypt(ct, '')).not.toBe(card);
    // No integrity check: the wrong result is still a well-formed value, not an error.
    expect(otherKey.decrypt(ct, 'customers.card_number')).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
  });

  it('copies the key, so later changes to the caller\'s buffer do not change the cipher', () => {
    const key = Buffer.from(KEY);
    const cipher = new FpeCipher({ key, alphabet: DIGITS });
    const before = cipher.encrypt(card, 't');
    key.fill(0);
    expect(cipher.encrypt(card, 't')).toBe(before);
  });
});

describe('errors are LangtrainErrors with code ERR_FPE_INVALID_INPUT', () => {
  const fpeError = (details: Record<string, unknown>) =>
    expect.objectContaining({ name: 'LangtrainError', code: 'ERR_FPE_INVALID_INPUT', details: expect.objectContaining(details) });
  const t = new Uint8Array(0);

  it('radix outside 2..65536 or not an integer', () => {
    for (const radix of [0, 1, 65537, 10.5, Number.NaN]) {
      expect(() => ff1Encrypt(KEY, t, radix, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toThrow(fpeError({ option: 'radix' }));
    }
    expect(() => ff1Encrypt(KEY, t, 1, [0, 0])).toThrow(/radix must be an integer from 2 to 65536/);
  });

  it('length below the radix^n >= 1,000,000 minimum', () => {
    expect(() => ff1Encrypt(KEY, t, 10, [1, 2, 3, 4, 5])).toThrow(fpeError({ option: 'length', length: 5, minLength: 6, radix: 10 }));
    expect(() => ff1Encrypt(KEY, t, 10, [1, 2, 3, 4, 5])).toThrow(/FF1 with radix 10 takes 6 to \d+ numerals \(radix\^length >= 1,000,000\); got 5/);
    expect(ff1Encrypt(KEY, t, 10, [1, 2, 3, 4, 5, 6])).toHaveLength(6);
    expect(() => ff1Encrypt(KEY, t, 2, new Array<number>(19).fill(1))).toThrow(fpeError({ minLength: 20 }));
    expect(ff1Encrypt(KEY, t, 2, new Array<number>(20).fill(1))).toHaveLength(20);
    expect(() => ff1Encrypt(KEY, t, 36, [1, 2, 3])).toThrow(fpeError({ minLength: 4 }));
    expect(() => ff1Encrypt(KEY, t, 65536, [1])).toThrow(fpeError({ minLength: 2 }));
    expect(() => ff1Decrypt(KEY, t, 10, [])).toThrow(fpeError({ option: 'length', length: 0 }));
    expect(() => ff3_1Encrypt(KEY, new Uint8Array(7), 10, [1, 2, 3, 4, 5])).toThrow(fpeError({ option: 'length', minLength: 6 }));
  });

  it('FF3-1 length above 2 * floor(log_radix(2^96))', () => {
    expect(() => ff3_1Encrypt(KEY, new Uint8Array(7), 10, new Array<number>(57).fill(1))).toThrow(fpeError({ option: 'length', maxLength: 56 }));
    expect(() => ff3_1Encrypt(KEY, new Uint8Array(7), 2, new Array<number>(193).fill(1))).toThrow(fpeError({ maxLength: 192 }));
    expect(ff3_1Encrypt(KEY, new Uint8Array(7), 2, new Array<number>(192).fill(1))).toHaveLength(192);
  });

  it('numerals outside [0, radix), named by position and not by value', () => {
    for (const bad of [10, -1, 1.5]) {
      const x = [1, 2, 3, bad, 5, 6];
      expect(() => ff1Encrypt(KEY, t, 10, x)).toThrow(fpeError({ option: 'numerals', index: 3 }));
    }
    expect(() => ff1Encrypt(KEY, t, 10, [1, 2, 3, 4, 5, 99])).toThrow(/numeral at index 5 is not an integer in \[0, 10\)$/);
  });

  it('keys that are not 16, 24 or 32 bytes', () => {
    for (const length of [0, 15, 31, 33, 64]) {
      expect(() => ff1Encrypt(new Uint8Array(length), t, 10, [1, 2, 3, 4, 5, 6])).toThrow(fpeError({ option: 'key', length }));
      expect(() => new FpeCipher({ key: new Uint8Array(length), alphabet: DIGITS })).toThrow(fpeError({ option: 'key' }));
    }
  });

  it('FF3-1 tweaks that are not 7 bytes', () => {
    for (const length of [0, 6, 8]) {
      expect(() => ff3_1Encrypt(KEY, new Uint8Array(length), 10, [1, 2, 3, 4, 5, 6])).toThrow(fpeError({ option: 'tweak' }));
    }
    expect(() => ff3_1Encrypt(KEY, new Uint8Array(8), 10, [1, 2, 3, 4, 5, 6])).toThrow(/exactly 7 bytes \(56 bits\)/);
  });

  it('alphabets that are too small, too large or repeat a character', () => {
    expect(() => new FpeCipher({ key: KEY, alphabet: '' })).toThrow(fpeError({ option: 'alphabet', size: 0 }));
    expect(() => new FpeCipher({ key: KEY, alphabet: '7' })).toThrow(fpeError({ option: 'alphabet', size: 1 }));
    expect(() => new FpeCipher({ key: KEY, alphabet: '0123456789012' })).toThrow(fpeError({ option: 'alphabet', index: 10 }));
    expect(() => new FpeCipher({ key: KEY, alphabet: '0123456789012' })).toThrow(/repeated character/);
    const huge = String.fromCodePoint(...Array.from({ length: 65537 }, (_, i) => 0x10000 + i));
    expect(() => new FpeCipher({ key: KEY, alphabet: huge })).toThrow(fpeError({ option: 'alphabet', size: 65537 }));
    expect(new FpeCipher({ key: KEY, alphabet: huge.slice(0, 2 * 65536) }).radix).toBe(65536);
  });

  it('text with too few alphabet characters, without echoing the text', () => {
    const cipher = new FpeCipher({ key: KEY, alphabet: DIGITS });
    expect(() => cipher.encrypt('12-34-5', 't')).toThrow(fpeError({ option: 'length', length: 5, minLength: 6 }));
    const message = (() => {
      try {
        cipher.encrypt('12-34-5', 't');
        return 'did not throw';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/^FF1 with radix 10 takes 6 to/);
    expect(message).not.toContain('12-34');
    expect(() => cipher.decrypt('no digits here', 't')).toThrow(fpeError({ option: 'length', length: 0 }));
  });
});
