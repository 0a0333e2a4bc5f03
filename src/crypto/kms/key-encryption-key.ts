/**
 * A key-encryption key (KEK): the key that wraps data keys in envelope encryption. It is
 * held by a KMS or an HSM and never leaves it; callers only see wrapped data keys and a
 * reference to the KEK. Every KMS provider (PKCS#11 token, cloud KMS, ...) implements this
 * one interface, so the keyring does not care where the KEK lives (the Tink split between
 * a small primitive and the key handling behind it).
 */
export interface KeyEncryptionKey {
  /** Stable reference to the key, e.g. 'pkcs11:token=langtrain;object=kek-1' (RFC 7512 style), never secret. */
  readonly uri: string;
  /**
   * Wrap a data key (16..64 bytes) bound to `context` (associated data): the wrapped key
   * unwraps only with the same context, so a wrapped key copied to another record fails.
   */
  wrap(dataKey: Uint8Array, context: Uint8Array): Promise<Buffer>;
  /** Throws `ERR_CRYPTO_DECRYPT_FAILED` for a wrong KEK, an altered wrapped key or a different context. */
  unwrap(wrapped: Uint8Array, context: Uint8Array): Promise<Buffer>;
  /** Release the session; later calls fail. Safe to call more than once. */
  close(): Promise<void>;
}

/** Sizes a data key may have: AES-128 up to a 512-bit key (e.g. AES-256-SIV or two HMAC keys). */
export const DATA_KEY_MIN_BYTES = 16;
export const DATA_KEY_MAX_BYTES = 64;
