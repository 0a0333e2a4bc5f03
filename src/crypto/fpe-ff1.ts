import { createCipheriv } from 'node:crypto';
import { LangtrainError } from '../core/errors.js';

/**
 * Format-preserving encryption, NIST SP 800-38G: FF1 (the approved mode) and FF3-1.
 *
 * FPE is deterministic: the same plaintext, key and tweak always give the same ciphertext,
 * so equal values stay visibly equal. The tweak is the remedy the standard gives: bind each
 * value to its context (table, column, tenant) so that equal values in different places
 * encrypt differently, and a value moved elsewhere no longer decrypts to itself. FPE has no
 * integrity check: a wrong key or tweak yields a different, valid-looking value, not an error.
 *
 * Step numbers in comments are those of SP 800-38G §6.2 (FF1, Algorithms 7 and 8) and
 * SP 800-38G Rev. 1 §6.3 (FF3-1, Algorithms 9 and 10).
 */

/** The ten decimal digits, radix 10 (card numbers, account numbers, phone numbers). */
export const DIGITS = '0123456789';
/** Digits and both letter cases, radix 62. Both cases are included so that no letter passes through in clear. */
export const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const MIN_RADIX = 2;
const MAX_RADIX = 2 ** 16;
/** SP 800-38G Rev. 1 raises the minimum domain size radix^minlen from 100 to one million (§5.2). */
const MIN_DOMAIN_SIZE = 1_000_000n;
/** FF1 encodes n and the tweak length t in four bytes (Algorithm 7 step 5), so both stay below 2^32. */
const FF1_MAX_LENGTH = 2 ** 32 - 1;
const FF1_MAX_TWEAK_BYTES = 2 ** 32 - 1;
/** FF3-1 tweaks are 56 bits (SP 800-38G Rev. 1 §6.3). */
const FF3_1_TWEAK_BYTES = 7;
const BLOCK_BYTES = 16;
const ZERO_BLOCK = Buffer.alloc(BLOCK_BYTES);

// ---------------------------------------------------------------------------------------
// FF1
// ---------------------------------------------------------------------------------------

/**
 * FF1-encrypts a numeral string (each element an integer in [0, radix)).
 * @param key AES key of 16, 24 or 32 bytes (AES-256 is the recommended choice).
 * @param tweak Any length below 2^32 bytes, including empty.
 * @throws LangtrainError `ERR_FPE_INVALID_INPUT` for a bad key, radix, numeral, length or tweak.
 */
export function ff1Encrypt(key: Uint8Array, tweak: Uint8Array, radix: number, numerals: readonly number[]): number[] {
  return ff1(key, tweak, radix, numerals, 'encrypt');
}

/** Inverse of {@link ff1Encrypt}; same arguments and checks. */
export function ff1Decrypt(key: Uint8Array, tweak: Uint8Array, radix: number, numerals: readonly number[]): number[] {
  return ff1(key, tweak, radix, numerals, 'decrypt');
}

function ff1(key: Uint8Array, tweak: Uint8Array, radix: number, x: readonly number[], direction: 'encrypt' | 'decrypt'): number[] {
  const aes = aesFor(key, 'FF1');
  checkRadix(radix, 'FF1');
  checkNumerals(x, radix, 'FF1');
  checkLength(x.length, radix, FF1_MAX_LENGTH, 'FF1');
  if (!(tweak instanceof Uint8Array) || tweak.length > FF1_MAX_TWEAK_BYTES) {
    throw fpeError('FF1 tweak must be a byte array shorter than 2^32 bytes', { option: 'tweak' });
  }
  const n = x.length;
  const t = tweak.length;
  const bigRadix = BigInt(radix);
  // 1. u = floor(n/2); v = n - u.
  const u = Math.floor(n / 2);
  const v = n - u;
  // 2. A = X[1..u]; B = X[u+1..n].
  let a = x.slice(0, u);
  let b = x.slice(u);
  // 3. b = ceil(ceil(v * log2(radix)) / 8). ceil(v * log2(radix)) is the bit length of
  //    radix^v - 1, computed exactly with BigInt rather than with a floating-point log.
  const byteLen = Math.ceil(bitLength(bigRadix ** BigInt(v) - 1n) / 8);
  // 4. d = 4 * ceil(b/4) + 4.
  const d = 4 * Math.ceil(byteLen / 4) + 4;
  // 5. P = [1]^1 || [2]^1 || [1]^1 || [radix]^3 || [10]^1 || [u mod 256]^1 || [n]^4 || [t]^4.
  const p = Buffer.alloc(BLOCK_BYTES);
  p.set([1, 2, 1], 0);
  p.writeUIntBE(radix, 3, 3);
  p[6] = 10;
  p[7] = u % 256;
  p.writeUInt32BE(n, 8);
  p.writeUInt32BE(t, 12);
  // The zero padding of Q makes |Q| a multiple of 16: (-t - b - 1) mod 16.
  const pad = mod(-t - byteLen - 1, BLOCK_BYTES);
  const modU = bigRadix ** BigInt(u);
  const modV = bigRadix ** BigInt(v);

  // 6. Ten Feistel rounds; decryption (Algorithm 8) runs them from i = 9 down to 0.
  for (let round = 0; round < 10; round++) {
    const i = direction === 'encrypt' ? round : 9 - round;
    // 6.i. Q = T || [0]^((-t-b-1) mod 16) || [i]^1 || [NUM_radix(B)]^b (decryption: NUM_radix(A)).
    const q = Buffer.concat([tweak, Buffer.alloc(pad), Buffer.of(i), toBytes(num(direction === 'encrypt' ? b : a, bigRadix), byteLen)]);
    // 6.ii. R = PRF(P || Q).
    const r = prf(aes, key, Buffer.concat([p, q]));
    // 6.iii. S = first d bytes of R || CIPH_K(R xor [1]^16) || ... || CIPH_K(R xor [ceil(d/16)-1]^16).
    const s = expand(aes, key, r, d);
    // 6.iv. y = NUM(S).
    const y = fromBytes(s);
    // 6.v. m = u if i is even, else v.
    const even = i % 2 === 0;
    const m = even ? u : v;
    const modulus = even ? modU : modV;
    if (direction === 'encrypt') {
      // 6.vi. c = (NUM_radix(A) + y) mod radix^m.  6.vii. C = STR^m_radix(c).
      const c = str(bigMod(num(a, bigRadix) + y, modulus), bigRadix, m);
      // 6.viii. A = B.  6.ix. B = C.
      a = b;
      b = c;
    } else {
      // 6.vi. c = (NUM_radix(B) - y) mod radix^m.  6.vii. C = STR^m_radix(c).
      const c = str(bigMod(num(b, bigRadix) - y, modulus), bigRadix, m);
      // 6.viii. B = A.  6.ix. A = C.
      b = a;
      a = c;
    }
  }
  // 7. Return A || B.
  return [...a, ...b];
}

/** PRF of SP 800-38G §4.4 (Algorithm 6): CBC-MAC with a zero IV; the input is whole blocks. */
function prf(aes: AesName, key: Uint8Array, x: Buffer): Buffer {
  const cbc = createCipheriv(`${aes}-cbc`, key, ZERO_BLOCK).setAutoPadding(false);
  const out = Buffer.concat([cbc.update(x), cbc.final()]);
  return out.subarray(out.length - BLOCK_BYTES);
}

/** FF1 step 6.iii: stretches R to d bytes with CIPH_K(R xor [j]^16) for j = 1, 2, .... */
function expand(aes: AesName, key: Uint8Array, r: Buffer, d: number): Buffer {
  const extraBlocks = Math.ceil(d / BLOCK_BYTES) - 1;
  if (extraBlocks === 0) return r.subarray(0, d);
  const inputs = Buffer.alloc(extraBlocks * BLOCK_BYTES);
  for (let j = 1; j <= extraBlocks; j++) {
    const block = inputs.subarray((j - 1) * BLOCK_BYTES, j * BLOCK_BYTES);
    r.copy(block);
    // [j]^16 is j big-endian in 16 bytes; j < 2^32 here.
    block.writeUInt32BE((block.readUInt32BE(12) ^ j) >>> 0, 12); // >>> 0: ^ yields a signed int32
  }
  return Buffer.concat([r, ecb(aes, key, inputs)]).subarray(0, d);
}

// ---------------------------------------------------------------------------------------
// FF3-1
// ---------------------------------------------------------------------------------------

/**
 * FF3-1-encrypts a numeral string. Prefer FF1: the second public draft of SP 800-38G Rev. 1
 * (2025) withdraws FF3-1, leaving FF1 as the only approved FPE mode. Kept for interoperability.
 * @param key AES key of 16, 24 or 32 bytes.
 * @param tweak Exactly 7 bytes (56 bits).
 * @throws LangtrainError `ERR_FPE_INVALID_INPUT` for a bad key, radix, numeral, length or tweak.
 */
export function ff3_1Encrypt(key: Uint8Array, tweak: Uint8Array, radix: number, numerals: readonly number[]): number[] {
  return ff3_1(key, tweak, radix, numerals, 'encrypt');
}

/** Inverse of {@link ff3_1Encrypt}; same arguments and checks. */
export function ff3_1Decrypt(key: Uint8Array, tweak: Uint8Array, radix: number, numerals: readonly number[]): number[] {
  return ff3_1(key, tweak, radix, numerals, 'decrypt');
}

function ff3_1(key: Uint8Array, tweak: Uint8Array, radix: number, x: readonly number[], direction: 'encrypt' | 'decrypt'): number[] {
  const aes = aesFor(key, 'FF3-1');
  checkRadix(radix, 'FF3-1');
  checkNumerals(x, radix, 'FF3-1');
  const bigRadix = BigInt(radix);
  // maxlen = 2 * floor(log_radix(2^96)): each half, read as a number, must fit in 12 bytes.
  let halfMax = 0;
  for (let power = bigRadix; power <= 1n << 96n; power *= bigRadix) halfMax++;
  checkLength(x.length, radix, 2 * halfMax, 'FF3-1');
  if (!(tweak instanceof Uint8Array) || tweak.length !== FF3_1_TWEAK_BYTES) {
    throw fpeError(`FF3-1 tweak must be exactly ${FF3_1_TWEAK_BYTES} bytes (56 bits)`, { option: 'tweak' });
  }
  const n = x.length;
  // 1. u = ceil(n/2); v = n - u.
  const u = Math.ceil(n / 2);
  const v = n - u;
  // 2. A = X[1..u]; B = X[u+1..n].
  let a = x.slice(0, u);
  let b = x.slice(u);
  // 3. T_L = T[0..27] || 0^4 and T_R = T[32..55] || T[28..31] || 0^4 (bit ranges).
  const tL = Buffer.of(tweak[0]!, tweak[1]!, tweak[2]!, tweak[3]! & 0xf0);
  const tR = Buffer.of(tweak[4]!, tweak[5]!, tweak[6]!, (tweak[3]! & 0x0f) << 4);
  // CIPH_REVB(K): FF3-1 applies AES under the byte-reversed key.
  const reversedKey = Buffer.from(key).reverse();
  const modU = bigRadix ** BigInt(u);
  const modV = bigRadix ** BigInt(v);

  // 4. Eight Feistel rounds; decryption (Algorithm 10) runs them from i = 7 down to 0.
  for (let round = 0; round < 8; round++) {
    const i = direction === 'encrypt' ? round : 7 - round;
    // 4.i. If i is even, m = u and W = T_R; else m = v and W = T_L.
    const even = i % 2 === 0;
    const m = even ? u : v;
    const modulus = even ? modU : modV;
    const w = Buffer.from(even ? tR : tL);
    // 4.ii. P = W xor [i]^4 || [NUM_radix(REV(B))]^12 (decryption: REV(A)).
    w.writeUInt32BE((w.readUInt32BE(0) ^ i) >>> 0, 0);
    const p = Buffer.concat([w, toBytes(num(reversed(direction === 'encrypt' ? b : a), bigRadix), 12)]);
    // 4.iii. S = REVB(CIPH_REVB(K)(REVB(P))).  4.iv. y = NUM(S).
    const y = fromBytes(ecb(aes, reversedKey, p.reverse()).reverse());
    if (direction === 'encrypt') {
      // 4.v. c = (NUM_radix(REV(A)) + y) mod radix^m.  4.vi. C = REV(STR^m_radix(c)).
      const c = reversed(str(bigMod(num(reversed(a), bigRadix) + y, modulus), bigRadix, m));
      // 4.vii. A = B.  4.viii. B = C.
      a = b;
      b = c;
    } else {
      // 4.v. c = (NUM_radix(REV(B)) - y) mod radix^m.  4.vi. C = REV(STR^m_radix(c)).
      const c = reversed(str(bigMod(num(reversed(b), bigRadix) - y, modulus), bigRadix, m));
      // 4.vii. B = A.  4.viii. A = C.
      b = a;
      a = c;
    }
  }
  // 5. Return A || B.
  return [...a, ...b];
}

// ---------------------------------------------------------------------------------------
// Strings over an alphabet
// ---------------------------------------------------------------------------------------

export interface FpeCipherOptions {
  /** AES key of 16, 24 or 32 bytes; 32 (AES-256) is recommended. Copied on construction. */
  key: Uint8Array;
  /** The characters that are encrypted, in numeral order; 2 to 65536 distinct characters. */
  alphabet: string;
}

/**
 * FF1 over the characters of an alphabet. Characters outside the alphabet (separators such
 * as '-' and ' ') stay in place and in clear; only alphabet characters are encrypted, so
 * "4111-1111-1111-1111" keeps its dashes. Choose the alphabet to cover every character that
 * must be hidden: with {@link DIGITS}, a letter in the input is left readable.
 */
export class FpeCipher {
  readonly alphabet: string;
  readonly radix: number;
  readonly #key: Buffer;
  readonly #symbols: readonly string[];
  readonly #numeralOf: ReadonlyMap<string, number>;

  constructor(options: FpeCipherOptions) {
    aesFor(options.key, 'FF1');
    if (typeof options.alphabet !== 'string') throw fpeError('FPE alphabet must be a string', { option: 'alphabet' });
    // Code points, not UTF-16 units, so an alphabet may hold characters beyond the BMP.
    const symbols = Array.from(options.alphabet);
    const numeralOf = new Map<string, number>();
    symbols.forEach((symbol, index) => {
      if (numeralOf.has(symbol)) throw fpeError('FPE alphabet has a repeated character', { option: 'alphabet', index });
      numeralOf.set(symbol, index);
    });
    if (symbols.length < MIN_RADIX || symbols.length > MAX_RADIX) {
      throw fpeError(`FPE alphabet must have ${MIN_RADIX} to ${MAX_RADIX} characters; it has ${symbols.length}`, { option: 'alphabet', size: symbols.length });
    }
    this.#key = Buffer.from(options.key);
    this.#symbols = symbols;
    this.#numeralOf = numeralOf;
    this.alphabet = options.alphabet;
    this.radix = symbols.length;
  }

  /**
   * @param tweak Context the value is bound to (e.g. "customers.card_number"); a string is
   *   UTF-8 encoded. The same tweak must be given to decrypt.
   */
  encrypt(text: string, tweak: Uint8Array | string): string {
    return this.#apply(text, tweak, ff1Encrypt);
  }

  /** Inverse of {@link FpeCipher.encrypt}; separators are returned as found. */
  decrypt(text: string, tweak: Uint8Array | string): string {
    return this.#apply(text, tweak, ff1Decrypt);
  }

  #apply(text: string, tweak: Uint8Array | string, transform: typeof ff1Encrypt): string {
    if (typeof text !== 'string') throw fpeError('FPE input must be a string', { option: 'text' });
    const tweakBytes = typeof tweak === 'string' ? Buffer.from(tweak, 'utf8') : tweak;
    const chars = Array.from(text);
    const positions: number[] = [];
    const numerals: number[] = [];
    chars.forEach((char, position) => {
      const numeral = this.#numeralOf.get(char);
      if (numeral === undefined) return;
      positions.push(position);
      numerals.push(numeral);
    });
    const out = transform(this.#key, tweakBytes, this.radix, numerals);
    positions.forEach((position, k) => {
      chars[position] = this.#symbols[out[k]!]!;
    });
    return chars.join('');
  }
}

// ---------------------------------------------------------------------------------------
// Checks and arithmetic
// ---------------------------------------------------------------------------------------

type AesName = 'aes-128' | 'aes-192' | 'aes-256';

function aesFor(key: Uint8Array, mode: string): AesName {
  if (!(key instanceof Uint8Array)) throw fpeError(`${mode} key must be a byte array`, { option: 'key' });
  switch (key.length) {
    case 16: return 'aes-128';
    case 24: return 'aes-192';
    case 32: return 'aes-256';
    default: throw fpeError(`${mode} key must be an AES key of 16, 24 or 32 bytes; got ${key.length}`, { option: 'key', length: key.length });
  }
}

function checkRadix(radix: number, mode: string): void {
  if (!Number.isInteger(radix) || radix < MIN_RADIX || radix > MAX_RADIX) {
    throw fpeError(`${mode} radix must be an integer from ${MIN_RADIX} to ${MAX_RADIX}`, { option: 'radix', radix });
  }
}

/** Messages name the position, never the value: numerals are the plaintext. */
function checkNumerals(x: readonly number[], radix: number, mode: string): void {
  if (!Array.isArray(x)) throw fpeError(`${mode} input must be an array of numerals`, { option: 'numerals' });
  for (let index = 0; index < x.length; index++) {
    const numeral = x[index];
    if (!Number.isInteger(numeral) || numeral! < 0 || numeral! >= radix) {
      throw fpeError(`${mode} numeral at index ${index} is not an integer in [0, ${radix})`, { option: 'numerals', index, radix });
    }
  }
}

/** minlen: the smallest n >= 2 with radix^n >= 1,000,000 (SP 800-38G Rev. 1 §5.2). */
function checkLength(n: number, radix: number, maxLength: number, mode: string): void {
  let minLength = 2;
  while (BigInt(radix) ** BigInt(minLength) < MIN_DOMAIN_SIZE) minLength++;
  if (n < minLength || n > maxLength) {
    throw fpeError(
      `${mode} with radix ${radix} takes ${minLength} to ${maxLength} numerals (radix^length >= 1,000,000); got ${n}`,
      { option: 'length', length: n, minLength, maxLength, radix },
    );
  }
}

function fpeError(message: string, details: Record<string, unknown>): LangtrainError {
  return new LangtrainError('ERR_FPE_INVALID_INPUT', message, details);
}

function ecb(aes: AesName, key: Uint8Array, blocks: Buffer): Buffer {
  const cipher = createCipheriv(`${aes}-ecb`, key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

/** NUM_radix(X): the numeral string read as a big-endian base-radix number. */
function num(x: readonly number[], radix: bigint): bigint {
  let value = 0n;
  for (const numeral of x) value = value * radix + BigInt(numeral);
  return value;
}

/** STR^m_radix(x): x as exactly m base-radix numerals, most significant first (x < radix^m). */
function str(x: bigint, radix: bigint, m: number): number[] {
  const out = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    out[i] = Number(x % radix);
    x /= radix;
  }
  return out;
}

/** NUM(S): a byte string read as a big-endian unsigned integer. */
function fromBytes(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** [x]^s: x big-endian in exactly s bytes (x < 256^s). */
function toBytes(x: bigint, s: number): Buffer {
  return Buffer.from(x.toString(16).padStart(2 * s, '0'), 'hex');
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The spec's mod is non-negative; JavaScript's % keeps the dividend's sign. */
function bigMod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function reversed(x: readonly number[]): number[] {
  return [...x].reverse();
}
