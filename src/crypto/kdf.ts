import { pbkdf2, randomBytes } from 'node:crypto';
import { LangtrainError } from '../core/errors.js';

/**
 * Password-based key derivation: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2, NIST SP 800-132).
 * `deriveKeyPbkdf2` is the raw function, for interoperability and test vectors;
 * `derivePassphraseKek` is the one to use for a key-encryption key from a passphrase.
 */

/** OWASP Password Storage Cheat Sheet (2023) work factor for PBKDF2-HMAC-SHA256. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
/** SP 800-132 §5.1: at least 128 bits of the salt shall be randomly generated. */
export const PASSPHRASE_SALT_BYTES = 16;
const KEK_BYTES = 32;
/** RFC 8018 §5.2 caps dkLen at (2^32 - 1) * hLen; keys here are far shorter, so cap lower. */
const MAX_KEY_BYTES = 1024;

export interface Pbkdf2Options {
  /** A string is UTF-8 encoded as given; bytes are used as they are. */
  passphrase: string | Uint8Array;
  salt: Uint8Array;
  /** Any positive integer; this low-level function enforces no minimum (vectors use 1). */
  iterations: number;
  /** Derived key length in bytes. */
  length: number;
}

/**
 * PBKDF2-HMAC-SHA256, run on libuv's thread pool so the event loop is not blocked.
 * @throws LangtrainError `ERR_KDF_INVALID_INPUT` for a non-byte salt, a bad iteration count or length.
 */
export async function deriveKeyPbkdf2(options: Pbkdf2Options): Promise<Buffer> {
  const { passphrase, salt, iterations, length } = options;
  if (typeof passphrase !== 'string' && !(passphrase instanceof Uint8Array)) {
    throw kdfError('PBKDF2 passphrase must be a string or a byte array', { option: 'passphrase' });
  }
  if (!(salt instanceof Uint8Array)) throw kdfError('PBKDF2 salt must be a byte array', { option: 'salt' });
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw kdfError('PBKDF2 iterations must be a positive integer', { option: 'iterations', iterations });
  }
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_KEY_BYTES) {
    throw kdfError(`PBKDF2 key length must be an integer from 1 to ${MAX_KEY_BYTES} bytes`, { option: 'length', length });
  }
  const secret = typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : passphrase;
  return new Promise((resolve, reject) => {
    pbkdf2(secret, salt, iterations, length, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export interface PassphraseKekOptions {
  /** The salt stored with the wrapped key; omit it to generate a fresh random one. At least 16 bytes. */
  salt?: Uint8Array;
  /** Defaults to, and may not be below, {@link MIN_PBKDF2_ITERATIONS}. Store it with the salt. */
  iterations?: number;
}

export interface PassphraseKek {
  /** 32-byte key-encryption key (for AES-256). */
  key: Buffer;
  salt: Buffer;
  iterations: number;
}

/**
 * Derives a 32-byte key-encryption key from a passphrase with PBKDF2-HMAC-SHA256. To
 * re-derive, pass back the returned salt and iterations. A string passphrase is
 * normalised to Unicode NFC (as the RFC 8265 OpaqueString profile does), so the same
 * passphrase typed on systems that compose accents differently yields the same key.
 * @throws LangtrainError `ERR_KDF_INVALID_INPUT` for an empty passphrase, a salt under
 *   16 bytes, or fewer than {@link MIN_PBKDF2_ITERATIONS} iterations.
 */
export async function derivePassphraseKek(passphrase: string | Uint8Array, options: PassphraseKekOptions = {}): Promise<PassphraseKek> {
  const secret = typeof passphrase === 'string' ? passphrase.normalize('NFC') : passphrase;
  if ((typeof secret !== 'string' && !(secret instanceof Uint8Array)) || secret.length === 0) {
    throw kdfError('passphrase must be a non-empty string or byte array', { option: 'passphrase' });
  }
  const iterations = options.iterations ?? MIN_PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) {
    throw kdfError(
      `passphrase KEK needs at least ${MIN_PBKDF2_ITERATIONS} PBKDF2-HMAC-SHA256 iterations (OWASP 2023); got ${iterations}`,
      { option: 'iterations', iterations, minimum: MIN_PBKDF2_ITERATIONS },
    );
  }
  if (options.salt !== undefined && (!(options.salt instanceof Uint8Array) || options.salt.length < PASSPHRASE_SALT_BYTES)) {
    throw kdfError(`passphrase KEK salt must be at least ${PASSPHRASE_SALT_BYTES} bytes (SP 800-132)`, { option: 'salt', minimum: PASSPHRASE_SALT_BYTES });
  }
  const salt = options.salt === undefined ? randomBytes(PASSPHRASE_SALT_BYTES) : Buffer.from(options.salt);
  const key = await deriveKeyPbkdf2({ passphrase: secret, salt, iterations, length: KEK_BYTES });
  return { key, salt, iterations };
}

function kdfError(message: string, details: Record<string, unknown>): LangtrainError {
  return new LangtrainError('ERR_KDF_INVALID_INPUT', message, details);
}
