import type { Kysely } from 'kysely';
import { LangtrainError } from '../../core/errors.js';
import { aeadDecrypt, aeadEncrypt } from '../aead.js';
import { derivePassphraseKek } from '../kdf.js';
import { loadOrCreateKey256, readKeyText } from '../key-reference.js';
import type { KeyEncryptionKey } from './key-encryption-key.js';

/**
 * Local KEKs: a 256-bit key from a file or environment variable, or one derived from a
 * passphrase with PBKDF2-SHA256 (random salt, ≥ 600,000 iterations, both kept in the store
 * with a check value so a wrong passphrase is reported as such, not as corrupt data).
 * Wrapping is AES-256-GCM with the data key's context as associated data.
 */
export type LocalKekUri = `file:${string}` | `env:${string}` | `passphrase:file:${string}` | `passphrase:env:${string}`;

export function isLocalKekUri(uri: string): uri is LocalKekUri {
  return /^(passphrase:)?(file|env):.+$/.test(uri);
}

export async function openLocalKek(uri: LocalKekUri, db: Kysely<any>): Promise<KeyEncryptionKey> {
  const key = uri.startsWith('passphrase:') ? await passphraseKey(uri, db) : loadOrCreateKey256(uri as `file:${string}` | `env:${string}`);
  return kekFromKey(uri, key);
}

/** A KEK over raw key bytes that never leave this object. */
export function kekFromKey(uri: string, key: Buffer): KeyEncryptionKey {
  return {
    uri,
    async wrap(dataKey, context) {
      const sealed = aeadEncrypt(key, dataKey, context);
      return Buffer.concat([sealed.nonce, sealed.ciphertext]);
    },
    async unwrap(wrapped, context) {
      const bytes = Buffer.from(wrapped);
      try {
        return aeadDecrypt(key, { nonce: bytes.subarray(0, 12), ciphertext: bytes.subarray(12) }, context);
      } catch {
        throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `key-encryption key ${uri} cannot unwrap this key: it was wrapped by another KEK or altered`);
      }
    },
    async close() {
      key.fill(0);
    },
  };
}

const CHECK_CONTEXT = Buffer.from('langtrain/kek-check/v1');
const CHECK_PLAINTEXT = Buffer.alloc(32);

async function passphraseKey(uri: LocalKekUri, db: Kysely<any>): Promise<Buffer> {
  const passphrase = readKeyText(uri.slice('passphrase:'.length) as `file:${string}` | `env:${string}`);
  const known = await db.selectFrom('crypto_kek_params').select(['salt', 'iterations', 'check_value']).where('uri', '=', uri).executeTakeFirst();
  if (known) {
    const { key } = await derivePassphraseKek(passphrase, { salt: Buffer.from(known.salt), iterations: Number(known.iterations) });
    const check = Buffer.from(known.check_value);
    try {
      aeadDecrypt(key, { nonce: check.subarray(0, 12), ciphertext: check.subarray(12) }, CHECK_CONTEXT);
    } catch {
      throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `wrong passphrase for ${uri}`);
    }
    return key;
  }
  const { key, salt, iterations } = await derivePassphraseKek(passphrase);
  const sealed = aeadEncrypt(key, CHECK_PLAINTEXT, CHECK_CONTEXT);
  await db
    .insertInto('crypto_kek_params')
    .values({ uri, salt, iterations, check_value: Buffer.concat([sealed.nonce, sealed.ciphertext]) })
    .onConflict((oc) => oc.column('uri').doNothing())
    .execute();
  // Another process may have registered first: derive again from whatever won.
  const winner = await db.selectFrom('crypto_kek_params').select('salt').where('uri', '=', uri).executeTakeFirstOrThrow();
  return Buffer.from(winner.salt).equals(salt) ? key : passphraseKey(uri, db);
}
