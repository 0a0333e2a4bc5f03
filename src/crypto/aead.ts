import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LangtrainError } from '../core/errors.js';

/**
 * AES-256-GCM with a random 96-bit nonce: the primitive under every sealed value.
 * Pure (no key storage, no I/O), so the audit log can use it without depending on the
 * keyring (ARCHITECTURE.md). Random nonces are safe for up to 2^32 messages per key (NIST
 * SP 800-38D §8.3); keys here protect far fewer, and the keyring rotates them.
 */
export const AES_256_GCM = 'A256GCM';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte tag. */
  ciphertext: Buffer;
}

export function aeadEncrypt(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_BYTES)): Sealed {
  checkKey(key);
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`AES-256-GCM nonce must be ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce: Buffer.from(nonce), ciphertext: body };
}

/** Throws `ERR_CRYPTO_DECRYPT_FAILED` for a wrong key, altered data or altered associated data. */
export function aeadDecrypt(key: Uint8Array, sealed: Sealed, associatedData: Uint8Array): Buffer {
  checkKey(key);
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
    throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', 'sealed value is malformed');
  }
  const tagAt = sealed.ciphertext.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(sealed.ciphertext.subarray(tagAt));
    return Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, tagAt)), decipher.final()]);
  } catch {
    throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', 'decryption failed: wrong key, or the data or its context was altered');
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`AES-256-GCM key must be ${KEY_BYTES} bytes`);
}
