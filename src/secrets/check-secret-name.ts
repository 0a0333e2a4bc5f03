import { invalidInput } from '../core/errors.js';

/**
 * Secret names every provider can hold: 1–127 characters, letters, digits and `_ . -`,
 * starting with a letter or digit. 127 is Azure Key Vault's limit; AWS allows 512 and Vault
 * any path, but a name that works on one provider should work on all, so a secret can move.
 * No `/`: Vault and AWS would read it as a folder, Azure refuses it.
 */
const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,126}$/;

export function checkSecretName(name: unknown): string {
  if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
    // The rejected text is not echoed: a caller who swapped name and value would otherwise
    // see the value in an error message.
    throw invalidInput('secret name must be 1-127 letters, digits and _ . - starting with a letter or digit');
  }
  return name;
}
