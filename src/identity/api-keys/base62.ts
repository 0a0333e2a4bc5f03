import { randomBytes } from 'node:crypto';

/**
 * Base62 (digits, upper case, lower case): only word characters, so a key is selected whole by
 * a double click and matched by `\w`-based secret scanners, and it needs no URL escaping.
 */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 248 = 4 × 62: bytes at or above it are discarded so every character is equally likely. */
const UNBIASED_LIMIT = 248;

/** `length` uniformly random base62 characters (log2 62 ≈ 5.954 bits each). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    // Draw a little extra: about 3% of bytes are rejected.
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte < UNBIASED_LIMIT) out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A non-negative safe integer in base62, left-padded with `0` to exactly `length` characters. */
export function base62Fixed(value: number, length: number): string {
  let out = '';
  let rest = value;
  do {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  if (out.length > length) throw new RangeError(`${value} does not fit in ${length} base62 characters`);
  return out.padStart(length, '0');
}
