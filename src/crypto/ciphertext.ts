import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { LangtrainError } from '../core/errors.js';

/**
 * The keyring's ciphertext format, version 1. Every ciphertext names the key and version
 * that made it (so rotation never strands old data and no trial decryption is needed) and
 * carries a key commitment (so it opens under exactly one key).
 *
 * ```
 * offset  size  field
 *      0     1  format version (0x01)
 *      1     1  algorithm (0x01 = AES-256-GCM)
 *      2     4  key id (uint32, big-endian)
 *      6     4  key version (uint32, big-endian)
 *     10    12  nonce (random)
 *     22    16  key commitment: HKDF-SHA256(version key, info "langtrain/commit/v1")[0..16)
 *     38     n  ciphertext
 *   38+n    16  GCM tag
 * ```
 *
 * Associated data = the whole 38-byte header || the caller's context, so no header byte can
 * change without failing (Tink authenticates only its key-id prefix by construction of the
 * key lookup; here every header field is under the tag). GCM alone is not key-committing:
 * a ciphertext can be built to decrypt under two chosen keys ("invisible salamanders",
 * Dodis et al. 2018). Checking the commitment, in constant time, before decrypting closes
 * that, as the AWS Encryption SDK does; the commitment is derived per key version so it
 * costs nothing per message.
 */
export const FORMAT_V1 = 0x01;
export const ALG_AES_256_GCM = 0x01;
export const HEADER_BYTES = 38;
const TAG_BYTES = 16;
const NONCE_BYTES = 12;

/** A key version's working keys, derived once from its 32-byte material and cached. */
export interface VersionKey {
  keyId: number;
  version: number;
  /** AES-256 key used for GCM. */
  encryptionKey: Buffer;
  /** 16-byte commitment stored in every header. */
  commitment: Buffer;
}

export function deriveVersionKey(keyId: number, version: number, material: Uint8Array): VersionKey {
  if (material.length !== 32) throw new RangeError('key material must be 32 bytes');
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, length));
  return { keyId, version, encryptionKey: derive('langtrain/encrypt/v1', 32), commitment: derive('langtrain/commit/v1', 16) };
}

export interface CiphertextHeader {
  keyId: number;
  version: number;
}

/** Key id and version of a ciphertext, read before any key is fetched. */
export function readHeader(ciphertext: Uint8Array): CiphertextHeader {
  if (ciphertext.length < HEADER_BYTES + TAG_BYTES) throw decryptFailed('ciphertext is too short to be a LangTrain ciphertext');
  if (ciphertext[0] !== FORMAT_V1) throw decryptFailed(`ciphertext format version ${ciphertext[0]} is not supported (supported: ${FORMAT_V1})`);
  if (ciphertext[1] !== ALG_AES_256_GCM) throw decryptFailed(`ciphertext algorithm ${ciphertext[1]} is not supported (supported: AES-256-GCM)`);
  const view = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  return { keyId: view.readUInt32BE(2), version: view.readUInt32BE(6) };
}

export function encryptWith(key: VersionKey, plaintext: Uint8Array, context: Uint8Array = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
  out[0] = FORMAT_V1;
  out[1] = ALG_AES_256_GCM;
  out.writeUInt32BE(key.keyId, 2);
  out.writeUInt32BE(key.version, 6);
  randomBytes(NONCE_BYTES).copy(out, 10);
  key.commitment.copy(out, 22);
  const header = out.subarray(0, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, out.subarray(10, 22), { authTagLength: TAG_BYTES });
  cipher.setAAD(context.length === 0 ? header : Buffer.concat([header, context]));
  const body = cipher.update(plaintext);
  body.copy(out, HEADER_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER_BYTES + body.length);
  return out;
}

/** Open a ciphertext with the key its header names. Throws ERR_CRYPTO_DECRYPT_FAILED on any mismatch. */
export function decryptWith(key: VersionKey, ciphertext: Uint8Array, context: Uint8Array = EMPTY): Buffer {
  const header = readHeader(ciphertext);
  if (header.keyId !== key.keyId || header.version !== key.version) throw decryptFailed('ciphertext was made by another key version');
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (!timingSafeEqual(data.subarray(22, 38), key.commitment)) throw decryptFailed('key commitment does not match: wrong key, or the header was altered');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, data.subarray(10, 22), { authTagLength: TAG_BYTES });
    const headerBytes = data.subarray(0, HEADER_BYTES);
    decipher.setAAD(context.length === 0 ? headerBytes : Buffer.concat([headerBytes, context]));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw decryptFailed('decryption failed: the ciphertext or its context (data set, record, field) was altered or moved');
  }
}

const EMPTY = Buffer.alloc(0);

function decryptFailed(message: string): LangtrainError {
  return new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', message);
}
