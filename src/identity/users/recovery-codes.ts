import { createHash, randomInt } from 'node:crypto';

/**
 * Recovery codes: single-use second factors for a user who lost the authenticator.
 *
 * Each is 16 characters from a 32-letter alphabet without look-alikes (no 0/o, 1/l): 80
 * random bits, shown as `abcd-efgh-jkmn-pqrs`. They are stored as unsalted SHA-256 digests,
 * not argon2 hashes, on purpose. A slow salted hash protects *low-entropy* secrets
 * (passwords) from offline guessing; a code drawn from 2^80 values cannot be found by
 * guessing at any hash speed, so the cost would buy nothing. An unsalted digest is also
 * found by primary key, where salted hashes would need up to ten argon2 runs per attempt.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const LENGTH = 16;
const GROUP = 4;

/** A fresh code, e.g. `k7dm-x2qa-9fhn-wpte`. */
export function generateRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) {
    if (i > 0 && i % GROUP === 0) code += '-';
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** The form digested: lower case, without the hyphens and spaces a user may type or omit. */
export function normaliseRecoveryCode(code: string): string | null {
  if (typeof code !== 'string' || code.length > 64) return null;
  const normalised = code.toLowerCase().replace(/[\s-]/g, '');
  return normalised.length === LENGTH && [...normalised].every((c) => ALPHABET.includes(c)) ? normalised : null;
}

/** Hex SHA-256 of the normalised code. */
export function recoveryCodeDigest(normalised: string): string {
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
