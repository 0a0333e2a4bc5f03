import { z } from 'zod';
import { keysOnly, parseOptions } from '../core/options.js';

/**
 * The keys the public stores' methods take (UserDirectory, SessionStore, ApiKeyStore,
 * PasswordPolicy): a key a method does not know (a typo, `user_agent` for `userAgent`) is
 * refused naming the supported ones rather than silently ignored. The stores check the values
 * themselves, with their own messages, so these schemas only check the keys: an error names a
 * key, never the value given (a password, code or token).
 */
/** Who asked, for the audit trail. */
export const clientKeys = keysOnly(['ip', 'userAgent']);

/** `UserDirectory.createUser`. */
export const createUserKeys = keysOnly(['username', 'password', 'roles', 'mfa']);
/** `UserDirectory.authenticate`. */
export const authenticateKeys = keysOnly(['username', 'password', 'ip', 'userAgent']);
/** `SessionStore.create`. */
export const createSessionKeys = keysOnly(['userId', 'ip', 'userAgent', 'mfa']);
/** `ApiKeyStore.create`. */
export const createApiKeyKeys = keysOnly(['userId', 'permissions', 'expiryDays', 'autoRotate', 'rateLimit', 'environment', 'name']).extend({ client: clientKeys.optional() });
/** `ApiKeyStore.verify`'s options. */
export const verifyApiKeyKeys = keysOnly(['permission']).extend({ client: clientKeys.optional() });
/** `MemoryRateLimiter`'s options. */
export const memoryRateLimiterKeys = keysOnly(['maxKeys', 'now']);
/** `RedisRateLimiter`'s options. */
export const redisRateLimiterKeys = keysOnly(['namespace', 'now']);
/** `PasswordPolicy.check` and `enforce`: who is setting the password. */
export const passwordContextKeys = keysOnly(['mfa', 'username']);

/**
 * Refuse (ERR_CONFIG_UNSUPPORTED_OPTION) an argument with a key `schema` does not list, naming
 * `owner` (`UserDirectory.createUser`) and the supported keys. An omitted argument (undefined or
 * null) passes: the method's own checks decide whether it may be omitted.
 */
export function checkKeys(schema: z.ZodObject, input: unknown, owner: string): void {
  if (input === undefined || input === null) return;
  parseOptions(schema, input, owner);
}
