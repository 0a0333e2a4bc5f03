import { z } from 'zod';

export const keyName = z.object({ name: z.string().min(1).max(200) });
export const keyVersionParams = z.object({ name: z.string().min(1).max(200), version: z.coerce.number().int().min(1) });

export const keyInfo = z.object({
  name: z.string(),
  keyId: z.number(),
  purpose: z.enum(['data', 'subject', 'system']),
  primaryVersion: z.number(),
  minDecryptionVersion: z.number(),
  rotationIntervalMs: z.number().nullable(),
  createdAt: z.string(),
  versions: z.array(z.object({ version: z.number(), createdAt: z.string(), destroyedAt: z.string().nullable() })),
});

export const createKeyBody = z
  .object({
    name: z.string().min(1).max(200),
    /** Rotation interval in milliseconds; null for never; omitted for the configured default. */
    rotationIntervalMs: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const minVersionBody = z.object({ version: z.number().int().min(1) }).strict();

/** Vault-transit-style encryption as a service: base64 in and out, context bound as associated data. */
export const encryptBody = z.object({ plaintext: z.base64(), context: z.string().max(1024).default('') }).strict();
export const decryptBody = z.object({ ciphertext: z.base64(), context: z.string().max(1024).default('') }).strict();
export const ciphertextReply = z.object({ ciphertext: z.string(), keyVersion: z.number() });
export const plaintextReply = z.object({ plaintext: z.string() });
