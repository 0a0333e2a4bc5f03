import { z } from 'zod';
import { durationField, parseOptions } from '../../core/options.js';
import { MIN_PEPPER_BYTES } from './api-key-format.js';

/** `ApiKeyStore`'s options, checked once at construction. */
const optionsSchema = z.strictObject({
  /**
   * The HMAC key for stored hashes (api-key-format.ts) and, through HKDF, for sealed
   * successors (successor-seal.ts). From the secrets provider; changing it invalidates every key.
   */
  pepper: z.custom<Buffer>((v) => Buffer.isBuffer(v) && v.length >= MIN_PEPPER_BYTES, {
    message: `must be a Buffer of at least ${MIN_PEPPER_BYTES} bytes`,
  }),
  /** How long a rotated-out key keeps working after `rotate` (or after its successor is claimed). */
  rotationGrace: durationField('rotationGrace').prefault('24h'),
});

export type ApiKeyStoreOptions = z.input<typeof optionsSchema>;
export type ApiKeyStoreSettings = z.output<typeof optionsSchema>;

export function parseApiKeyStoreOptions(options: unknown): ApiKeyStoreSettings {
  return parseOptions(optionsSchema, options, 'ApiKeyStore');
}
