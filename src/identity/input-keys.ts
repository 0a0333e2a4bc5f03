import { z } from 'zod';
import { parseOptions } from '../core/options.js';

/**
 * The keys the public stores' methods take (UserDirectory, SessionStore, ApiKeyStore,
 * PasswordPolicy): a key a method does not know (a typo, `user_agent` for `userAgent`) is
 * refused naming the supported ones rather than silently ignored. The stores check the values
 * themselves, with their own messages, so these schemas only check the keys: an error names a
 * key, never the value given (a password, code or token).
 */
const given = z.unknown().optional();

/** Who asked, for the audit trail. */
export const clientKeys = z.strictObject({ ip: given, userAgent: given });

/** `UserDirectory.createUser`. */
export const createUserKeys = z.strictObject({ username: given, password: given, roles: given, mfa: given });
/** `UserDirectory.authenticate`. */
export const authenticateKeys = z.strictObject({ username: given, password: given, ip: given, userAgent: given });
/** `SessionStore.create`. */
export const createSessionKeys = z.strictObject({ userId: given, ip: given, userAgent: given, mfa: given });
/** `ApiKeyStore.create`. */
export const createApiKeyKeys = z.strictObject({
  userId: given,
  permissions: given,
  expiryDays: given,
  autoRotate: given,
  rateLimit: given,
  environment: given,
  name: given,
  client: clientKeys.optional(),
});
/** `ApiKeyStore.verify`'s options. */
export const verifyApiKeyKeys = z.strictObject({ permission: given, client: clientKeys.optional() });
/** `MemoryRateLimiter`'s options. */
export const memoryRateLimiterKeys = z.strictObject({ maxKeys: given, now: given });
/** `RedisRateLimiter`'s options. */
export const redisRateLimiterKeys = z.strictObject({ namespace: given, now: given });
/** `PasswordPolicy.check` and `enforce`: who is setting the password. */
export const passwordContextKeys = z.strictObject({ mfa: given, username: given });

/**
 * Refuse (ERR_CONFIG_UNSUPPORTED_OPTION) an argument with a key `schema` does not list, naming
 * `owner` (`UserDirectory.createUser`) and the supported keys. An omitted argument (undefined or
 * null) passes: the method's own checks decide whether it may be omitted.
 */
export function checkKeys(schema: z.ZodObject, input: unknown, owner: string): void {
  if (input === undefined || input === null) return;
  parseOptions(schema, input, owner);
}
