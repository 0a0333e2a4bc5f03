import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { AuthenticationManager } from '../../identity/authentication-manager.js';
import type { RegistrationResponseJSON } from '../../identity/mfa/webauthn/index.js';
import type { SecurityManager } from '../../security-manager.js';
import { webauthnCredentialReply, webauthnOptionsBody, webauthnRegisterBody } from '../schemas/auth.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { refusal } from './auth-routes.js';
import { requireAuthenticated, requireRecentSignIn } from './authentication.js';

const tags = ['auth'];
const security = AUTHENTICATED;
const options = z.looseObject({ challenge: z.string() });

/**
 * WebAuthn (`biometric`) under `/v1/auth/mfa/webauthn`: options for a pending sign-in
 * (public: the challenge token is the credential), and registration and management of the
 * signed-in user's authenticators. Registered only when `biometric` is among `mfaMethods`.
 */
export const webauthnRoutes: FastifyPluginAsyncZod<{ security: SecurityManager; auth: AuthenticationManager }> = async (app, { security: manager, auth }) => {
  const signedIn = requireAuthenticated(manager);
  const recentlySignedIn = requireRecentSignIn(manager);
  const webauthn = auth.webauthn!;
  const userOf = (request: FastifyRequest) => {
    const p = request.principal;
    if (p?.kind !== 'user') throw new LangtrainError('ERR_FORBIDDEN', 'this needs a signed-in user session, not an API key or service certificate');
    return p.userId;
  };

  app.post('/options', { schema: { tags, summary: 'WebAuthn request options for a pending sign-in', body: webauthnOptionsBody, response: { 200: options } } }, async (request, reply) => {
    const r = await auth.startWebAuthnChallenge(request.body.challenge);
    if (r.status === 'refused') throw refusal(reply, r);
    return r.options as unknown as z.infer<typeof options>;
  });

  app.post('/register/options', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Options for navigator.credentials.create, and the registration token', response: { 200: z.object({ registration: z.string(), options }) } } }, async (request) => {
    const begun = await auth.beginWebAuthnRegistration(userOf(request));
    return { registration: begun.registration, options: begun.options as unknown as z.infer<typeof options> };
  });

  app.post('/register', { onRequest: signedIn, schema: { tags, security, summary: 'Store the new authenticator', body: webauthnRegisterBody, response: { 201: webauthnCredentialReply } } }, async (request, reply) => {
    const { registration, response, name } = request.body;
    const credential = await auth.finishWebAuthnRegistration(userOf(request), registration, response as unknown as RegistrationResponseJSON, name);
    return reply.code(201).send(view(credential));
  });

  app.get('/credentials', { onRequest: signedIn, schema: { tags, security, summary: 'Your authenticators', response: { 200: z.object({ credentials: z.array(webauthnCredentialReply) }) } } }, async (request) => ({
    credentials: (await webauthn.list(userOf(request))).map(view),
  }));

  app.delete('/credentials/:id', { onRequest: recentlySignedIn, schema: { tags, security, summary: 'Remove one of your authenticators', params: z.object({ id: z.string().min(1).max(1024) }), response: { 204: z.null() } } }, async (request, reply) => {
    if (!(await webauthn.remove(userOf(request), request.params.id))) throw new LangtrainError('ERR_NOT_FOUND', 'you have no authenticator with that id');
    return reply.code(204).send(null);
  });
};

const view = (c: { id: string; name: string; createdAt: string; lastUsedAt: string | null; deviceType: string; backedUp: boolean; transports: string[] }) => ({
  id: c.id,
  name: c.name,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
  deviceType: c.deviceType,
  backedUp: c.backedUp,
  transports: c.transports,
});
