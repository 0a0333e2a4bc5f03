import { aeadDecrypt, aeadEncrypt } from '../../crypto/aead.js';
import { LangtrainError } from '../../core/errors.js';

/**
 * A short secret (a TOTP key) sealed with AES-256-GCM for one column of one user's row, as
 * text: `v1.<nonce>.<ciphertext+tag>`, base64url. The associated data names the user and the
 * column, so a sealed value copied to another user or field fails to open (the Tink rule).
 */
const VERSION = 'v1';

function context(userId: string, field: string): Buffer {
  return Buffer.from(`langtrain.users.${field}:${userId}`, 'utf8');
}

export function sealSecret(key: Buffer, userId: string, field: string, secret: string): string {
  const sealed = aeadEncrypt(key, Buffer.from(secret, 'utf8'), context(userId, field));
  return `${VERSION}.${sealed.nonce.toString('base64url')}.${sealed.ciphertext.toString('base64url')}`;
}

/** Throws `ERR_CRYPTO_DECRYPT_FAILED` for a wrong key, another row's value, or altered text. */
export function openSecret(key: Buffer, userId: string, field: string, text: string): string {
  const [version, nonce, ciphertext, extra] = text.split('.');
  if (version !== VERSION || nonce === undefined || ciphertext === undefined || extra !== undefined) {
    throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `sealed ${field} is malformed`);
  }
  return aeadDecrypt(key, { nonce: Buffer.from(nonce, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url') }, context(userId, field)).toString('utf8');
}
