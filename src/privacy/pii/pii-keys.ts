import { hkdfSync } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring/keyring.js';

/**
 * The keyring key whose primary version the `hash` and `encrypt` redaction keys derive from. It
 * never rotates on a schedule: FF1 output names no key version, so a value encrypted before a
 * rotation would decrypt to other digits after it, and pseudonyms would stop joining.
 */
export const PII_KEY_NAME = 'pii';

/**
 * The keyed-hash and format-preserving-encryption keys of the deployment, derived (HKDF-SHA256)
 * from the keyring's `pii` key, created on first use. Stable across runs and instances, so the
 * same value gets the same pseudonym in every data set; rotating `pii` starts new pseudonyms.
 */
export async function piiRedactionKeys(keyring: Keyring): Promise<{ hashKey: Buffer; encryptionKey: Buffer }> {
  await keyring.ensureKey(PII_KEY_NAME, { purpose: 'system', rotationIntervalMs: null });
  const base = (await keyring.primaryKey(PII_KEY_NAME)).encryptionKey;
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), info, 32));
  return { hashKey: derive('langtrain/pii/hash/v1'), encryptionKey: derive('langtrain/pii/fpe/v1') };
}

/**
 * The `synthetic` seed of a named data set, derived from the keyring's `pii` key like the keys
 * above: texts of one data set redacted in separate requests or runs get the same fakes, and
 * two data sets different ones (fakes stable across the deployment would link them, as
 * pseudonyms do; `hash` is the method for that). Like the hash key, it follows the primary
 * version of `pii`: rotating it gives every data set new fakes. Whoever may redact can learn
 * a data set's fake of any value they choose, as with `hash` pseudonyms.
 */
export async function syntheticSeedFor(keyring: Keyring, dataset: string): Promise<Buffer> {
  await keyring.ensureKey(PII_KEY_NAME, { purpose: 'system', rotationIntervalMs: null });
  const base = (await keyring.primaryKey(PII_KEY_NAME)).encryptionKey;
  return Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), `langtrain/pii/synthetic/v1\0${dataset}`, 32));
}
