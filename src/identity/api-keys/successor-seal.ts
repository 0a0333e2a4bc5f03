import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { LangtrainError } from '../../core/errors.js';

/**
 * Sealing an auto-rotated successor key until its holder claims it.
 *
 * Auto-rotation issues the successor while nobody is there to receive it, so its plaintext
 * must wait in the database until the holder of the current key calls `claimSuccessor`.
 * Stored in clear, a read-only database leak (a backup, a replica, SQL injection) would hand
 * out every pending successor; sealed, the database alone is as useless as it is for the
 * hashed keys, because the sealing key comes from the same pepper the hashes need.
 *
 * - AES-256-GCM, 96-bit random IV (NIST SP 800-38D); at most a handful of seals per key
 *   lifetime, far below the 2^32 random-IV limit.
 * - The key is HKDF-SHA256 of the pepper with a purpose label (RFC 5869), so the HMAC key
 *   and the sealing key are independent even though one secret is configured.
 * - Associated data binds the ciphertext to the successor's id (the Tink habit): a sealed
 *   value copied onto another row does not open.
 * - `v1.` names the format, so a later change of scheme can tell old values apart.
 */
const INFO = 'langtrain/api-keys/successor-seal/v1';
const VERSION = 'v1';

export function sealSuccessor(pepper: Buffer, successorId: string, key: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(pepper), iv);
  cipher.setAAD(associatedData(successorId));
  const body = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSuccessor(pepper: Buffer, successorId: string, sealed: string): string {
  const parts = sealed.split('.');
  try {
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('unknown format');
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(pepper), Buffer.from(parts[1]!, 'base64url'));
    decipher.setAAD(associatedData(successorId));
    decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[2]!, 'base64url')), decipher.final()]).toString('utf8');
  } catch (err) {
    // A wrong pepper or a tampered row: never say more (nothing secret in the message).
    throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `the sealed successor of api key ${successorId} does not open: wrong pepper or altered row`, {}, { cause: err });
  }
}

function sealingKey(pepper: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), INFO, 32));
}

function associatedData(successorId: string): Buffer {
  return Buffer.from(`api-key-successor:${successorId}`, 'utf8');
}
