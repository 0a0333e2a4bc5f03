import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { LangtrainError } from '../../core/errors.js';
import type { ApiKeyRateState } from '../../identity/api-keys/api-key-store.js';
import type { AuthenticationManager, SignedInSession } from '../../identity/authentication-manager.js';
import type { SecurityManager } from '../../security-manager.js';
import { routeOf } from '../logger.js';
import { mayPerform, type Principal } from '../principal.js';
import { CSRF_COOKIE, SESSION_COOKIE, clearSessionCookies } from '../session-cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who this request acts as; null when it presented no credential (public routes only). */
    principal: Principal | null;
    /** The user id of a session that may only enrol a second factor (mfaRequired) and asked for another route; else null. */
    confinedToEnrolment: string | null;
  }
}

/** The credential from `Authorization: Bearer <token>`, or null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a session without a second factor may do under mfaRequired: see itself, leave, and enrol one. */
const ENROLMENT_ROUTES = new Set([
  '/v1/auth/session',
  '/v1/auth/logout',
  '/v1/auth/mfa/totp',
  '/v1/auth/mfa/totp/confirm',
  '/v1/auth/mfa/recovery-codes',
  '/v1/auth/mfa/sms/phone',
  '/v1/auth/mfa/sms/phone/confirm',
  '/v1/auth/mfa/webauthn/register/options',
  '/v1/auth/mfa/webauthn/register',
]);
const API_KEY_PREFIX = /^lt_(?:live|test)_/;

/**
 * Works out who a `/v1` request acts as, in this order: a verified client certificate
 * (service-auth, registered first); `Authorization: Bearer` with an API key (`lt_live_…`) or a
 * session token (`lts_…`); the session cookie. It never lets a request through by itself:
 * routes say what they need with {@link requireAuthenticated} or {@link requirePermission}.
 *
 * - A bearer credential that does not verify is refused at once (401), even on a public
 *   route: a client that sends one believes it is signed in and should learn it is not.
 * - An API key's rate limit is enforced here; every answer to a key carries the IETF
 *   `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` headers, and a refusal 429
 *   with `Retry-After`.
 * - A session or key of a disabled (or deleted) account is refused: the account, not only the
 *   credential, must still be good.
 * - A stale session cookie is cleared and the request continues unauthenticated (so the login
 *   page still works). With a live one, a write (not GET/HEAD/OPTIONS) must carry the
 *   session's CSRF token in `X-CSRF-Token`, else 403: the cookie alone proves nothing about
 *   who composed the request.
 * - Failures are audited (`api.authentication`) with address, route and reason, never the
 *   credential.
 */
export const authentication = fp<{ security: SecurityManager; auth: AuthenticationManager }>(
  async (app, { security, auth }) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('confinedToEnrolment', null);
    app.addHook('onRequest', async (request, reply) => {
      const principal = await resolvePrincipal(security, auth, request, reply);
      // Under mfaRequired a session without a second factor exists only to enrol one.
      if (principal?.kind === 'user' && !principal.mfa && auth.settings.mfaRequired && !ENROLMENT_ROUTES.has(request.routeOptions.url ?? '')) {
        request.confinedToEnrolment = principal.userId;
        return;
      }
      request.principal = principal;
    });
  },
  { name: 'langtrain-authentication', dependencies: ['langtrain-service-auth'] },
);

async function resolvePrincipal(security: SecurityManager, auth: AuthenticationManager, request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
  if (request.servicePrincipal !== null) return { kind: 'service', name: request.servicePrincipal.slice('service:'.length) };
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== null) return API_KEY_PREFIX.test(bearer) ? apiKeyPrincipal(security, auth, request, reply, bearer) : sessionPrincipal(security, auth, request, reply, bearer);
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined) return null;
  const signedIn = await auth.authenticateSession(cookie);
  const principal = signedIn.ok ? userPrincipal(signedIn, 'cookie') : null;
  if (principal === null) {
    clearSessionCookies(reply);
    return null;
  }
  if (!SAFE_METHODS.has(request.method) && !auth.sessions.csrfTokenMatches(principal.sessionId, request.headers['x-csrf-token'])) {
    await recordFailure(security, request, 'csrf_token_mismatch', { userId: principal.userId });
    throw new LangtrainError('ERR_CSRF', `a write with the session cookie needs the header X-CSRF-Token (from the login answer or the ${CSRF_COOKIE} cookie)`);
  }
  return principal;
}

async function apiKeyPrincipal(security: SecurityManager, auth: AuthenticationManager, request: FastifyRequest, reply: FastifyReply, key: string): Promise<Principal> {
  const v = await auth.verifyApiKey(key, { client: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null } });
  if (v.ok) {
    if (v.rateLimit) rateLimitHeaders(reply, v.rateLimit);
    const owner = await auth.users.get(v.userId);
    if (owner && !owner.disabled) return { kind: 'api_key', userId: v.userId, ownerUsername: owner.username, keyId: v.id, permissions: v.permissions, ownerRoles: owner.roles };
    await recordFailure(security, request, 'api_key_owner_disabled', { userId: v.userId });
    throw unauthenticated(reply, 'the API key belongs to a disabled account');
  }
  if (v.reason === 'rate_limited') {
    rateLimitHeaders(reply, v.rateLimit);
    reply.header('retry-after', Math.max(1, Math.ceil(v.retryAfterMs / 1000)));
    throw new LangtrainError('ERR_RATE_LIMITED', `this API key's rate limit is used up; retry in ${Math.ceil(v.retryAfterMs / 1000)} s`);
  }
  // The store audited the refusal with the key id; an unparseable or unknown key has none.
  if (v.reason === 'malformed' || v.reason === 'unknown') await recordFailure(security, request, `api_key_${v.reason}`);
  throw unauthenticated(reply, `the API key is not valid (${v.reason === 'malformed' || v.reason === 'unknown' ? 'unknown key' : v.reason.replace('_', ' ')})`);
}

async function sessionPrincipal(security: SecurityManager, auth: AuthenticationManager, request: FastifyRequest, reply: FastifyReply, token: string): Promise<Principal> {
  const signedIn = await auth.authenticateSession(token);
  if (signedIn.ok) return userPrincipal(signedIn, 'bearer');
  await recordFailure(security, request, signedIn.reason === 'account_disabled' ? 'account_disabled' : 'invalid_bearer_token', signedIn.reason === 'account_disabled' ? { userId: signedIn.userId } : {});
  throw unauthenticated(reply, 'the bearer token is not a live session or API key; sign in again');
}

/**
 * The session's user as a principal. Roles come from the account as it is now, not as it was
 * at sign-in: a demotion takes effect at once on the instance that made it, within a second
 * on the others (AuthenticationManager.authenticateSession).
 */
function userPrincipal({ session, user }: SignedInSession, via: 'cookie' | 'bearer'): Extract<Principal, { kind: 'user' }> {
  return { kind: 'user', userId: session.userId, username: user.username, roles: user.roles, mfa: session.mfa, sessionId: session.id, via, signedInAt: session.createdAt };
}

/** IETF draft-ietf-httpapi-ratelimit-headers (the names most gateways send today). */
function rateLimitHeaders(reply: FastifyReply, state: ApiKeyRateState): void {
  reply.header('ratelimit-limit', state.limit);
  reply.header('ratelimit-remaining', state.remaining);
  reply.header('ratelimit-reset', Math.ceil(state.resetMs / 1000));
}

function unauthenticated(reply: FastifyReply, message: string): LangtrainError {
  // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
  reply.header('www-authenticate', 'Bearer realm="langtrain", error="invalid_token"');
  return new LangtrainError('ERR_UNAUTHENTICATED', message);
}

/** Route hook: 401 unless the request carries a valid credential. */
export function requireAuthenticated(security: SecurityManager): onRequestHookHandler {
  return async (request, reply) => {
    if (request.principal === null) throw await missingCredential(security, request, reply);
  };
}

/** How recent a sign-in must be to change how the account signs in or to mint credentials (Keycloak's default is 5 min). */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/**
 * Route hook for changes that would let a thief keep an account (second factors, recovery
 * codes, phone, API keys): the session must have signed in within the last 10 minutes, as
 * GitHub's sudo mode and Keycloak's "max age" for credential setup ask. A stolen session
 * cookie or a script in the page can use the account for a while, but cannot make that last.
 */
export function requireRecentSignIn(security: SecurityManager): onRequestHookHandler {
  return async (request, reply) => {
    const principal = request.principal;
    if (principal === null) throw await missingCredential(security, request, reply);
    if (principal.kind !== 'user') throw new LangtrainError('ERR_FORBIDDEN', 'this needs a signed-in user session, not an API key or service certificate');
    if (Date.now() - Date.parse(principal.signedInAt) <= RECENT_SIGN_IN_MS) return;
    await recordFailure(security, request, 'reauthentication_required', { userId: principal.userId });
    throw new LangtrainError('ERR_REAUTH_REQUIRED', `sign in again first: this change needs a sign-in from the last ${RECENT_SIGN_IN_MS / 60_000} minutes`);
  };
}

/** Route hook: 401 without a credential, 403 without `permission` (see `mayPerform`). */
export function requirePermission(security: SecurityManager, permission: string): onRequestHookHandler {
  return async (request, reply) => {
    const principal = request.principal;
    if (principal === null) throw await missingCredential(security, request, reply);
    if (mayPerform(principal, permission, await (await security.accessControl()).authorizer())) return;
    await recordFailure(security, request, 'forbidden', { permission });
    throw new LangtrainError('ERR_FORBIDDEN', `this needs the permission ${permission}, which your account${principal.kind === 'api_key' ? ' or API key' : ''} does not have`);
  };
}

/** Route hooks for a resource's routes: reads (GET/HEAD) need `<resource>.read`, everything else `<resource>.write`. */
export function requireResourcePermission(security: SecurityManager, resource: string): onRequestHookHandler {
  const read = requirePermission(security, `${resource}.read`);
  const write = requirePermission(security, `${resource}.write`);
  return function (request, reply) {
    return (SAFE_METHODS.has(request.method) ? read : write).call(this, request, reply, () => undefined);
  } as onRequestHookHandler;
}

async function missingCredential(security: SecurityManager, request: FastifyRequest, reply: FastifyReply): Promise<LangtrainError> {
  if (request.confinedToEnrolment !== null) {
    await recordFailure(security, request, 'mfa_enrolment_required', { userId: request.confinedToEnrolment });
    return new LangtrainError('ERR_MFA_ENROLMENT_REQUIRED', 'this server requires a second factor: enrol one (POST /v1/auth/mfa/totp, /v1/auth/mfa/webauthn/register/options or /v1/auth/mfa/sms/phone), then sign in again');
  }
  await recordFailure(security, request, 'missing');
  reply.header('www-authenticate', 'Bearer realm="langtrain"');
  return new LangtrainError('ERR_UNAUTHENTICATED', 'sign in first: send "Authorization: Bearer <session token or API key>", or the session cookie from POST /v1/auth/login');
}

/** `userId`: the account a refused credential belongs to, before it became the request's principal. */
async function recordFailure(security: SecurityManager, request: FastifyRequest, reason: string, { permission, userId }: { permission?: string; userId?: string } = {}): Promise<void> {
  const principal = request.principal;
  const who = principal ? (principal.kind === 'service' ? `service:${principal.name}` : principal.userId) : userId;
  try {
    await security.audit.record({
      eventType: 'api.authentication',
      result: reason === 'forbidden' ? 'denied' : 'failure',
      ...(who !== undefined ? { userId: who } : {}),
      additionalData: { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null, route: routeOf(request), reason, ...(permission ? { permission } : {}) },
    });
  } catch (err) {
    // The request is refused either way; a log that cannot be written is a server fault to see.
    request.log.error({ err }, 'could not record a failed authentication in the audit log');
  }
}
