import { z } from 'zod';
import { parseOptions } from '../core/options.js';
import { API_KEY_ENVIRONMENTS, type ApiKeyEnvironment } from './api-keys/api-key-format.js';
import { MAX_API_KEY_EXPIRY_DAYS, MAX_API_KEY_NAME } from './api-keys/api-key-store.js';
import { MAX_PERMISSIONS } from '../core/permissions.js';

/**
 * The option objects `AuthenticationManager`'s methods take, each a strict schema: a key the
 * method does not know (a typo, `expiry_days` for `expiryDays`) is refused naming the supported
 * ones rather than silently ignored. Where a store checks a value itself (with its own message,
 * or refusing a sign-in without saying why), the schema only checks that the key is known. The
 * API key request is the exception: its schema is also the HTTP body's, whose defaults and
 * bounds it holds, so its values are checked here (ERR_CONFIG_UNSUPPORTED_OPTION, naming the field).
 */

/** Who asked, for the audit trail (`ip`, `userAgent`). */
export const clientSchema = z.strictObject({
  ip: z.string().nullable().optional(),
  userAgent: z.string().nullable().optional(),
});
export type ClientInput = z.input<typeof clientSchema>;

/**
 * What an API key request sets, shared by `AuthenticationManager.createApiKey` and the body of
 * `POST /api/v1/auth/api-keys` (server/schemas/auth.ts), so the two cannot drift apart. The
 * defaults are the seed's `create_api_key(expiry_days=30, auto_rotate=True, rate_limit="1000/hour")`.
 */
export const apiKeyRequestFields = {
  /** Grants: `resource.action`, `resource.*` or `*`. */
  permissions: z.array(z.string()).min(1).max(MAX_PERMISSIONS),
  /** Whole days from now. */
  expiryDays: z.number().int().min(1).max(MAX_API_KEY_EXPIRY_DAYS).default(30),
  autoRotate: z.boolean().default(true),
  /** E.g. `1000/hour`; null for no per-key limit. */
  rateLimit: z.string().max(32).nullable().default('1000/hour'),
  environment: z.enum(API_KEY_ENVIRONMENTS as [ApiKeyEnvironment, ...ApiKeyEnvironment[]]).default('live'),
  name: z.string().max(MAX_API_KEY_NAME).nullable().default(null),
};

/** `POST /api/v1/auth/api-keys`: the request fields, for the signed-in user. */
export const apiKeyRequestSchema = z.strictObject(apiKeyRequestFields);

/** `AuthenticationManager.createApiKey`: the request fields, for `userId`, with the client for the audit trail. */
export const createApiKeyOptionsSchema = z.strictObject({
  userId: z.string().min(1),
  ...apiKeyRequestFields,
  client: clientSchema.optional(),
});
export type CreateApiKeyOptions = z.input<typeof createApiKeyOptionsSchema>;

/** `login`: username and password are checked by UserDirectory (a bad one is `invalid_credentials`, as any wrong password). */
export const loginInputSchema = z.strictObject({
  username: z.unknown(),
  password: z.unknown(),
  ip: clientSchema.shape.ip,
  userAgent: clientSchema.shape.userAgent,
});

/** `completeMfa` with a code (`totp`, `sms`, `recovery`). */
export const codeAnswerSchema = z.strictObject({ challenge: z.unknown(), method: z.unknown(), code: z.unknown() });
/** `completeMfa` with a WebAuthn assertion (`biometric`). */
export const assertionAnswerSchema = z.strictObject({ challenge: z.unknown(), method: z.unknown(), response: z.unknown() });

/** `finishSso`: the IdP's answer is `{ url }` (OpenID Connect) or `{ samlResponse, relayState }` (SAML). */
export const finishSsoInputSchema = z.strictObject({
  provider: z.string(),
  token: z.string(),
  callback: z.union([z.strictObject({ url: z.string() }), z.strictObject({ samlResponse: z.string(), relayState: z.string() })], {
    error: 'must be { url } (OpenID Connect) or { samlResponse, relayState } (SAML)',
  }),
  ip: clientSchema.shape.ip,
  userAgent: clientSchema.shape.userAgent,
});

/** `verifyApiKey`'s options. */
export const verifyApiKeyOptionsSchema = z.strictObject({
  permission: z.string().optional(),
  client: clientSchema.optional(),
});

/** `parseOptions` for a method's argument: the owner is the method, as `AuthenticationManager.createApiKey`. */
export function parseMethodInput<S extends z.ZodObject>(schema: S, input: unknown, method: string): z.output<S> {
  return parseOptions(schema, input, `AuthenticationManager.${method}`);
}
