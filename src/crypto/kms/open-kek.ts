import type { CryptoConfig } from '../../core/config.js';
import { LangtrainError } from '../../core/errors.js';
import type { Store } from '../../store/database.js';
import type { KeyEncryptionKey } from './key-encryption-key.js';
import { isLocalKekUri, openLocalKek } from './local.js';

/** Default local KEK: a random key file beside the default database, created on first use. */
export const DEFAULT_LOCAL_KEK = 'file:.langtrain/kek.key';

/**
 * The KEK the configuration names (`crypto.keyManagement` + `crypto.kek`). PKCS#11 is loaded
 * only when used, so deployments without an HSM never load a native token library.
 */
export async function openKek(config: CryptoConfig, store: Store): Promise<KeyEncryptionKey> {
  const uri = config.kek ?? DEFAULT_LOCAL_KEK;
  if (uri.startsWith('pkcs11:')) {
    const [{ openPkcs11Kek }, { parsePkcs11Uri }] = await Promise.all([import('./pkcs11.js'), import('./pkcs11-uri.js')]);
    const location = parsePkcs11Uri(uri);
    if (!location.modulePath || !location.pin) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'crypto.kek: a pkcs11: KEK needs ?module-path=… and pin-source=env:NAME (or pin-value=…)');
    }
    // An HSM KEK is provisioned once (createIfMissing) by the first process to use it.
    return openPkcs11Kek({ modulePath: location.modulePath, pin: location.pin, tokenLabel: location.tokenLabel, keyLabel: location.keyLabel, createIfMissing: true });
  }
  if (!isLocalKekUri(uri)) throw new LangtrainError('ERR_CONFIG_INVALID', `crypto.kek: ${uri.split(':')[0]}: is not a supported KEK URI`);
  return openLocalKek(uri, store.db);
}
