import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { AuthenticationManager } from '../../identity/authentication-manager.js';
import { refuseUnknownRoles } from '../../access/store/known-roles.js';
import type { SecurityManager } from '../../security-manager.js';
import { createUserBody, rolesBody, sessionReply, ssoLinkBody, userId, userReply } from '../schemas/auth.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { userView } from './auth-routes.js';
import { requirePermission, requireResourcePermission } from './authentication.js';

const tags = ['users'];
const security = AUTHENTICATED;
const clientOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/** Account administration (`/v1/users`): reads need `users.read`, changes `users.write`. */
export const usersRoutes: FastifyPluginAsyncZod<{ security: SecurityManager; auth: AuthenticationManager }> = async (app, { security: manager, auth }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'users'));
  // Giving an account roles, or an IdP identity that opens it, is granting access: it needs
  // `access.write` too, so a helpdesk role with `users.write` cannot make anyone an admin.
  const grantsAccess = requirePermission(manager, 'access.write');
  const refuseUnknown = async (roles: readonly string[]) =>
    refuseUnknownRoles((await manager.accessControl()).store, roles, 'GET /v1/access lists the roles; PUT /v1/access/roles/:name creates one');
  const mustGet = async (id: string) => {
    const user = await auth.users.get(id);
    if (!user) throw new LangtrainError('ERR_NOT_FOUND', 'no such user; GET /v1/users lists them');
    return user;
  };

  app.get('/', { schema: { tags, security, summary: 'All accounts', response: { 200: z.object({ users: z.array(userReply) }) } } }, async () => ({
    users: (await auth.users.list()).map(userView),
  }));

  app.post('/', { schema: { tags, security, summary: 'Create an account (without a password it can sign in only through SSO until one is set); roles need access.write', body: createUserBody, response: { 201: userReply } } }, async (request, reply) => {
    const { username, password, roles } = request.body;
    if (roles.length > 0) await grantsAccess.call(app, request, reply, () => undefined);
    await refuseUnknown(roles);
    const user = await auth.users.createUser({ username, roles, ...(password !== undefined ? { password } : {}) }, clientOf(request));
    return reply.code(201).send(userView(user));
  });

  app.get('/:id', { schema: { tags, security, summary: 'One account', params: userId, response: { 200: userReply } } }, async (request) => userView(await mustGet(request.params.id)));

  app.put('/:id/roles', { onRequest: grantsAccess, schema: { tags, security, summary: 'Replace the account roles (needs access.write too)', params: userId, body: rolesBody, response: { 200: userReply } } }, async (request) => {
    await refuseUnknown(request.body.roles);
    return userView(await auth.users.setRoles(request.params.id, request.body.roles, clientOf(request)));
  });

  app.post('/:id/disable', { schema: { tags, security, summary: 'Disable the account, end its sessions and revoke its API keys', params: userId, response: { 200: userReply } } }, async (request) => {
    await auth.disableUser(request.params.id, clientOf(request));
    return userView(await mustGet(request.params.id));
  });

  app.post(
    '/:id/sso-links',
    { onRequest: grantsAccess, schema: { tags, security, summary: 'Link the account to an identity provider subject (OIDC sub, SAML NameID)', params: userId, body: ssoLinkBody, response: { 204: z.null() } } },
    async (request, reply) => {
      await mustGet(request.params.id);
      await auth.linkSsoIdentity(request.params.id, request.body.provider, request.body.subject, clientOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/reset-mfa',
    {
      schema: {
        tags,
        security,
        summary: 'Remove every second factor (lost device) and end the sessions; the next sign-in enrols afresh',
        params: userId,
        response: { 200: z.object({ totp: z.boolean(), recoveryCodes: z.number(), webauthnCredentials: z.number(), phone: z.boolean(), sessionsRevoked: z.number() }) },
      },
    },
    async (request) => auth.resetSecondFactors(request.params.id, clientOf(request)),
  );

  app.post('/:id/unlock', { schema: { tags, security, summary: 'End a lockout now', params: userId, response: { 200: userReply } } }, async (request) => {
    const user = await mustGet(request.params.id);
    await auth.users.unlock(user.username, clientOf(request));
    return userView(user);
  });

  app.get('/:id/sessions', { schema: { tags, security, summary: 'The account live sessions', params: userId, response: { 200: z.object({ sessions: z.array(sessionReply) }) } } }, async (request) => {
    await mustGet(request.params.id);
    const current = request.principal?.kind === 'user' ? request.principal.sessionId : null;
    return { sessions: (await auth.sessions.list(request.params.id)).map(({ revokedAt: _, userId: __, ...s }) => ({ ...s, current: s.id === current })) };
  });

  app.delete('/:id/sessions', { schema: { tags, security, summary: 'End every session of the account', params: userId, response: { 200: z.object({ revoked: z.number() }) } } }, async (request) => {
    await mustGet(request.params.id);
    return { revoked: await auth.sessions.revokeAllForUser(request.params.id) };
  });
};
