import { z } from 'zod';
import { apiKeyRequestSchema } from '../../identity/method-inputs.js';

/** How the client wants its session: a cookie pair (browsers), or the token in the body (scripts, the CLI). */
const mode = z.enum(['cookie', 'token']).default('cookie');

export const loginBody = z.object({ username: z.string().min(1).max(254), password: z.string().min(1).max(4096), mode }).strict();
/** A WebAuthn answer as the browser's JSON form of the credential (SimpleWebAuthn's *ResponseJSON); the library checks its inside. */
const webauthnResponse = z.looseObject({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal('public-key'), response: z.looseObject({}) });

export const mfaVerifyBody = z.union([
  z.object({ challenge: z.string().min(1).max(128), method: z.enum(['totp', 'sms', 'recovery']), code: z.string().min(1).max(64), mode }).strict(),
  z.object({ challenge: z.string().min(1).max(128), method: z.literal('biometric'), response: webauthnResponse, mode }).strict(),
]);
export const webauthnOptionsBody = z.object({ challenge: z.string().min(1).max(128) }).strict();
export const webauthnRegisterBody = z.object({ registration: z.string().min(1).max(128), response: webauthnResponse, name: z.string().max(64).optional() }).strict();
export const webauthnCredentialReply = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  deviceType: z.string(),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});
export const smsStartBody = z.object({ challenge: z.string().min(1).max(128) }).strict();
export const setupBody = z.object({ setupCode: z.string().min(1).max(128), username: z.string().min(1).max(254), password: z.string().min(1).max(4096) }).strict();
export const codeBody = z.object({ code: z.string().min(1).max(64) }).strict();
export const phoneBody = z.object({ phone: z.string().min(1).max(32) }).strict();
export const phoneConfirmBody = z.object({ verification: z.string().min(1).max(128), code: z.string().min(1).max(16) }).strict();
export const passwordChangeBody = z.object({ currentPassword: z.string().min(1).max(4096), newPassword: z.string().min(1).max(4096) }).strict();

export const userReply = z.object({
  id: z.string(),
  username: z.string(),
  roles: z.array(z.string()),
  mfa: z.boolean(),
  hasPassword: z.boolean(),
  /** Masked (`***23`): the full number is the user's own business. */
  phone: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  passwordChangedAt: z.string(),
});

export const sessionReply = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  mfa: z.boolean(),
  current: z.boolean(),
});

export const authenticatedReply = z.object({
  /** `enrolment_required`: a session that may only enrol a second factor (mfaRequired, none yet); sign in again afterwards. */
  status: z.enum(['authenticated', 'enrolment_required']),
  user: userReply,
  session: z.object({ id: z.string(), expiresAt: z.string(), mfa: z.boolean() }),
  /** Echo it in `X-CSRF-Token` on writes made with the session cookie. */
  csrfToken: z.string(),
  /** Only with `mode: "token"`: send it as `Authorization: Bearer <token>`. */
  token: z.string().optional(),
});
export const loginReply = z.union([
  authenticatedReply,
  z.object({ status: z.literal('mfa_required'), challenge: z.string(), methods: z.array(z.string()), expiresAt: z.string() }),
]);

export const whoamiReply = z.object({
  principal: z.enum(['user', 'api_key', 'service']),
  user: userReply.nullable(),
  session: z.object({ id: z.string(), mfa: z.boolean() }).nullable(),
  apiKey: z.object({ id: z.string(), permissions: z.array(z.string()) }).nullable(),
  service: z.string().nullable(),
});

export const sessionId = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'a session id: 32 hex characters') });
export const userId = z.object({ id: z.string().min(1).max(64) });

/** The same fields, defaults and limits as `AuthenticationManager.createApiKey` (one schema, identity/method-inputs.ts). */
export const createApiKeyBody = apiKeyRequestSchema;
export const issuedApiKeyReply = z.object({ key: z.string(), id: z.string(), expiresAt: z.string() });
export const apiKeyReply = z.object({
  id: z.string(),
  name: z.string().nullable(),
  environment: z.enum(['live', 'test']),
  permissions: z.array(z.string()),
  rateLimit: z.string().nullable(),
  autoRotate: z.boolean(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  rotatedFrom: z.string().nullable(),
  rotatedTo: z.string().nullable(),
  graceUntil: z.string().nullable(),
  successorPending: z.boolean(),
  status: z.string(),
});
export const apiKeyId = z.object({ id: z.string().min(1).max(64) });

export const createUserBody = z
  .object({ username: z.string().min(1).max(254), password: z.string().min(1).max(4096).optional(), roles: z.array(z.string()).max(100).default([]) })
  .strict();
export const ssoLinkBody = z.object({ provider: z.string().min(1).max(64), subject: z.string().min(1).max(1024) }).strict();
export const rolesBody = z.object({ roles: z.array(z.string()).max(100) }).strict();
