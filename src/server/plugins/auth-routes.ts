import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { Authenticated, AuthenticationManager, CompleteMfaInput, EnrolmentRequired, Refused } from '../../identity/authentication-manager.js';
import { createAdminWithSetupCode } from '../../identity/login/first-admin.js';
import { maskPhone } from '../../identity/mfa/sms/sms-sender.js';
import type { User } from '../../identity/users/user-directory.js';
import type { SecurityManager } from '../../security-manager.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import {
  apiKeyId,
  apiKeyReply,
  codeBody,
  createApiKeyBody,
  issuedApiKeyReply,
  loginBody,
  loginReply,
  authenticatedReply,
  mfaVerifyBody,
  passwordChangeBody,
  phoneBody,
  phoneConfirmBody,
  sessionId,
  sessionReply,
  setupBody,
  smsStartBody,
  userReply,
  whoamiReply,
} from '../schemas/auth.js';
import { clearSessionCookies, setSessionCookies } from '../session-cookies.js';
import { bearerToken, requireAuthenticated, requireRecentSignIn } from './authentication.js';

const tags = ['auth'];
const security = AUTHENTICATED;

/** What callers see of an account: never a hash or secret (User holds none). */
export const userView = (u: User) => ({ id: u.id, username: u.username, roles: u.roles, mfa: u.mfa, hasPassword: u.hasPassword, phone: u.phone === null ? null : maskPhone(u.phone), disabled: u.disabled, createdAt: u.createdAt, passwordChangedAt: u.passwordChangedAt });

const clientOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/**
 * Sign-in and self-service over HTTP (`/v1/auth`). Public: `login`, `mfa/sms`, `mfa/verify`,
 * `setup`. Everything else acts on the signed-in account.
 *
 * Refusals say as little as the AuthenticationManager does: a wrong username and a wrong
 * password read the same (401); a locked account or throttled address is 429 with
 * `Retry-After`.
 */
export const authRoutes: FastifyPluginAsyncZod<{ security: SecurityManager; auth: AuthenticationManager }> = async (app, { security: manager, auth }) => {
  const signedIn = requireAuthenticated(manager);
  const recentlySignedIn = requireRecentSignIn(manager);
  /** Routes that act on the account behind a session (not an API key or a service). */
  const userOf = (request: FastifyRequest) => {
    const p = request.principal;
    if (p?.kind !== 'user') throw new LangtrainError('ERR_FORBIDDEN', 'this needs a signed-in user session, not an API key or service certificate');
    return p;
  };

  const finish = (reply: FastifyReply, result: Authenticated | EnrolmentRequired, mode: 'cookie' | 'token') => answerSignIn(auth, reply, result, mode);

  app.post('/login', { schema: { tags, summary: 'Sign in with username and password', body: loginBody, response: { 200: loginReply } } }, async (request, reply) => {
    const { username, password, mode } = request.body;
    const result = await auth.login({ username, password, ...clientOf(request) });
    if (result.status === 'mfa_required') return result;
    if (result.status === 'refused') throw refusal(reply, result);
    return finish(reply, result, mode);
  });

  app.post('/mfa/sms', { schema: { tags, summary: 'Send an SMS code for a pending sign-in', body: smsStartBody, response: { 200: z.object({ phone: z.string(), expiresAt: z.string() }) } } }, async (request, reply) => {
    const sent = await auth.startSmsChallenge(request.body.challenge);
    if (sent.status === 'refused') throw refusal(reply, sent);
    return { phone: sent.phone, expiresAt: sent.expiresAt };
  });

  app.post('/mfa/verify', { schema: { tags, summary: 'Finish a sign-in with a second factor', body: mfaVerifyBody, response: { 200: authenticatedReply } } }, async (request, reply) => {
    const { mode, ...answer } = request.body;
    const result = await auth.completeMfa(answer as CompleteMfaInput);
    if (result.status === 'refused') throw refusal(reply, result);
    return finish(reply, result, mode);
  });

  app.post('/setup', { schema: { tags, summary: 'Create an administrator with a setup code (printed by `langtrain serve`)', body: setupBody, response: { 201: userReply } } }, async (request, reply) => {
    const admin = await createAdminWithSetupCode({ setupCodes: manager.setupCodes, users: auth.users, audit: manager.audit }, request.body, clientOf(request));
    if (admin === null) throw new LangtrainError('ERR_UNAUTHENTICATED', 'the setup code is not valid or already used; `langtrain serve --new-setup-code` prints a new one');
    return reply.code(201).send(userView(admin));
  });

  app.get('/session', { onRequest: signedIn, schema: { tags, security, summary: 'Who this request acts as', response: { 200: whoamiReply } } }, async (request) => {
    const p = request.principal!;
    const user = p.kind === 'service' ? null : await auth.users.get(p.userId);
    return {
      principal: p.kind,
      user: user ? userView(user) : null,
      session: p.kind === 'user' ? { id: p.sessionId, mfa: p.mfa } : null,
      apiKey: p.kind === 'api_key' ? { id: p.keyId, permissions: [...p.permissions] } : null,
      service: p.kind === 'service' ? p.name : null,
    };
  });

  app.post('/logout', { onRequest: signedIn, schema: { tags, security, summary: 'End this session', response: { 204: z.null() } } }, async (request, reply) => {
    await auth.sessions.revoke(userOf(request).sessionId);
    clearSessionCookies(reply);
    return reply.code(204).send(null);
  });

  app.get('/sessions', { onRequest: signedIn, schema: { tags, security, summary: 'Your live sessions', response: { 200: z.object({ sessions: z.array(sessionReply) }) } } }, async (request) => {
    const p = userOf(request);
    const sessions = await auth.sessions.list(p.userId);
    return { sessions: sessions.map(({ revokedAt: _, userId: __, ...s }) => ({ ...s, current: s.id === p.sessionId })) };
  });

  app.delete('/sessions/:id', { onRequest: signedIn, schema: { tags, security, summary: 'End one of your sessions', params: sessionId, response: { 204: z.null() } } }, async (request, reply) => {
    const p = userOf(request);
    const own = (await auth.sessions.list(p.userId)).some((s) => s.id === request.params.id);
    if (!own || !(await auth.sessions.revoke(request.params.id))) throw new LangtrainError('ERR_NOT_FOUND', 'you have no live session with that id');
    return reply.code(204).send(null);
  });

  app.post('/sessions/revoke-others', { onRequest: signedIn, schema: { tags, security, summary: 'End all your other sessions', response: { 200: z.object({ revoked: z.number() }) } } }, async (request) => {
    const p = userOf(request);
    let revoked = 0;
    for (const s of await auth.sessions.list(p.userId)) if (s.id !== p.sessionId && (await auth.sessions.revoke(s.id))) revoked += 1;
    return { revoked };
  });

  app.post('/password', { onRequest: signedIn, schema: { tags, security, summary: 'Change your password (ends your other sessions)', body: passwordChangeBody, response: { 204: z.null() } } }, async (request, reply) => {
    const p = userOf(request);
    const user = (await auth.users.get(p.userId))!;
    const checked = await auth.users.authenticate({ username: user.username, password: request.body.currentPassword, ...clientOf(request) });
    if (!checked.ok) throw refusal(reply, { status: 'refused', ...checked } as Refused);
    await auth.users.setPassword(p.userId, request.body.newPassword, clientOf(request));
    for (const s of await auth.sessions.list(p.userId)) if (s.id !== p.sessionId) await auth.sessions.revoke(s.id);
    return reply.code(204).send(null);
  });

  app.post('/mfa/totp', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Start TOTP enrolment: the secret and otpauth URI, shown once', response: { 200: z.object({ secret: z.string(), uri: z.string() }) } } }, async (request) =>
    auth.users.enrolTotp(userOf(request).userId, clientOf(request)),
  );

  app.post('/mfa/totp/confirm', { onRequest: signedIn, schema: { tags, security, summary: 'Confirm TOTP enrolment with a current code', body: codeBody, response: { 204: z.null() } } }, async (request, reply) => {
    const r = await auth.users.confirmTotp(userOf(request).userId, request.body.code, clientOf(request));
    if (!r.ok) throw new LangtrainError('ERR_INVALID_INPUT', r.reason === 'not_enrolled' ? 'start enrolment first: POST /v1/auth/mfa/totp' : 'that code is wrong or already used; enter the current one');
    return reply.code(204).send(null);
  });

  app.post(
    '/mfa/sms/phone',
    { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Send a code to a new SMS number to prove you hold it', body: phoneBody, response: { 200: z.object({ verification: z.string(), phone: z.string(), expiresAt: z.string() }) } } },
    async (request, reply) => {
      const r = await auth.startPhoneVerification(userOf(request).userId, request.body.phone);
      if (r.status === 'refused') throw refusal(reply, r);
      return { verification: r.verification, phone: r.phone, expiresAt: r.expiresAt };
    },
  );

  app.post(
    '/mfa/sms/phone/confirm',
    { onRequest: signedIn, schema: { tags, security, summary: 'Confirm the number with the code it received', body: phoneConfirmBody, response: { 200: z.object({ phone: z.string() }) } } },
    async (request, reply) => {
      const r = await auth.confirmPhone(userOf(request).userId, request.body.verification, request.body.code, clientOf(request));
      if (r.status === 'refused') throw refusal(reply, r);
      return { phone: r.phone };
    },
  );

  app.post('/mfa/recovery-codes', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Replace your recovery codes (shown once)', response: { 200: z.object({ codes: z.array(z.string()) }) } } }, async (request) => ({
    codes: await auth.users.generateRecoveryCodes(userOf(request).userId, clientOf(request)),
  }));

  app.post('/api-keys', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Create an API key (the key is shown once)', body: createApiKeyBody, response: { 201: issuedApiKeyReply } } }, async (request, reply) => {
    const issued = await auth.createApiKey({ userId: userOf(request).userId, ...request.body, client: clientOf(request) });
    return reply.code(201).send(issued);
  });

  app.get('/api-keys', { onRequest: signedIn, schema: { tags, security, summary: 'Your API keys (never the secrets)', response: { 200: z.object({ apiKeys: z.array(apiKeyReply) }) } } }, async (request) => {
    // A session only: a narrow API key must not read the metadata of all its owner's keys.
    return { apiKeys: await auth.apiKeys.list(userOf(request).userId) };
  });

  const ownKey = async (request: FastifyRequest, id: string) => {
    const keys = await auth.apiKeys.list(userOf(request).userId);
    if (!keys.some((k) => k.id === id)) throw new LangtrainError('ERR_NOT_FOUND', 'you have no API key with that id');
  };

  app.delete('/api-keys/:id', { onRequest: signedIn, schema: { tags, security, summary: 'Revoke one of your API keys', params: apiKeyId, response: { 204: z.null() } } }, async (request, reply) => {
    await ownKey(request, request.params.id);
    await auth.apiKeys.revoke(request.params.id, clientOf(request));
    return reply.code(204).send(null);
  });

  app.post('/api-keys/:id/rotate', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Issue a successor; the old key works for the grace window', params: apiKeyId, response: { 201: issuedApiKeyReply } } }, async (request, reply) => {
    await ownKey(request, request.params.id);
    return reply.code(201).send(await auth.apiKeys.rotate(request.params.id, clientOf(request)));
  });

  app.post(
    '/api-keys/successor',
    { onRequest: signedIn, schema: { tags, security, summary: 'With the current key as bearer: fetch its auto-rotated successor, once', response: { 200: issuedApiKeyReply } } },
    async (request) => {
      if (request.principal?.kind !== 'api_key') throw new LangtrainError('ERR_FORBIDDEN', 'send the current API key as the bearer token');
      return auth.apiKeys.claimSuccessor(bearerToken(request.headers.authorization)!, clientOf(request));
    },
  );
};

/** Answer a finished sign-in: cookies (browsers) or the token in the body (scripts). */
export async function answerSignIn(auth: AuthenticationManager, reply: FastifyReply, result: Authenticated | EnrolmentRequired, mode: 'cookie' | 'token') {
  const user = (await auth.users.get(result.session.userId))!;
  const csrfToken = auth.sessions.csrfToken(result.session.id);
  if (mode === 'cookie') setSessionCookies(reply, { token: result.token, csrfToken, expiresAt: result.session.expiresAt });
  return {
    status: result.status,
    user: userView(user),
    session: { id: result.session.id, expiresAt: result.session.expiresAt, mfa: result.session.mfa },
    csrfToken,
    ...(mode === 'token' ? { token: result.token } : {}),
  };
}

/** The HTTP answer for a refused sign-in step (see the plugin comment). */
export function refusal(reply: FastifyReply, r: Refused): LangtrainError {
  if (r.retryAfterMs !== undefined && ['locked', 'ip_throttled', 'rate_limited', 'too_many_attempts'].includes(r.reason)) {
    reply.header('retry-after', Math.max(1, Math.ceil(r.retryAfterMs / 1000)));
  }
  switch (r.reason) {
    case 'invalid_credentials':
    case 'disabled':
      return new LangtrainError('ERR_UNAUTHENTICATED', 'wrong username or password');
    case 'locked':
    case 'ip_throttled':
      return new LangtrainError('ERR_RATE_LIMITED', `too many failed sign-ins; try again in ${Math.ceil((r.retryAfterMs ?? 60_000) / 1000)} s`);
    case 'rate_limited':
    case 'too_many_attempts':
      return new LangtrainError('ERR_RATE_LIMITED', 'too many codes requested or tried; wait, then sign in again');
    case 'session_limit':
      return new LangtrainError('ERR_SESSION_LIMIT', 'you have as many sessions as allowed; sign out elsewhere first');
    case 'invalid_challenge':
    case 'challenge_expired':
      return new LangtrainError('ERR_UNAUTHENTICATED', 'the sign-in expired or was already finished; sign in again');
    case 'method_not_available':
      return new LangtrainError('ERR_INVALID_INPUT', 'that second factor is not available for this account');
    case 'sms_not_started':
      return new LangtrainError('ERR_INVALID_INPUT', 'request an SMS code first: POST /v1/auth/mfa/sms');
    case 'webauthn_not_started':
      return new LangtrainError('ERR_INVALID_INPUT', 'get the WebAuthn options first: POST /v1/auth/mfa/webauthn/options');
    case 'sso_failed':
      return new LangtrainError('ERR_UNAUTHENTICATED', 'the identity provider answer was refused (the audit log has the reason); sign in again');
    case 'not_provisioned':
      return new LangtrainError('ERR_FORBIDDEN', 'this identity has no account here; ask an administrator to create or link one');
    case 'account_conflict':
      return new LangtrainError('ERR_FORBIDDEN', 'a local account already has this username; ask an administrator to link it to your identity provider account');
    case 'invalid_code':
    case 'used':
    case 'code_expired':
      return new LangtrainError('ERR_UNAUTHENTICATED', 'that code is wrong, used or expired');
  }
}
