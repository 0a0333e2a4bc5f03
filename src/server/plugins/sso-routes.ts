import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { AuthenticationManager, LoginResult } from '../../identity/authentication-manager.js';
import { loginReply } from '../schemas/auth.js';
import { answerSignIn, refusal } from './auth-routes.js';

const tags = ['auth'];
const provider = z.object({ provider: z.string().min(1).max(64) });
/** Browser binding of an SSO sign-in: the token `startSso` returned. */
export const SSO_COOKIE = '__Host-lt_sso';

/**
 * SSO under `/v1/auth/sso`: `GET /:provider/start` redirects to the IdP; the IdP sends the
 * browser back to `/:provider/callback` (OpenID Connect: GET with code and state; SAML: POST
 * of SAMLResponse and RelayState). `GET /:provider/metadata` is the SAML SP metadata.
 *
 * The sign-in is bound to the browser that started it: `start` sets a short-lived HttpOnly
 * cookie holding the sign-in token, and the callback is refused without it (for SAML,
 * RelayState must also be the token's digest, which AuthenticationManager checks), so an attacker cannot finish a sign-in they started in a victim's
 * browser (login CSRF) or the other way round. The cookie is SameSite=None because the SAML
 * answer is a cross-site POST from the IdP, which Lax cookies do not accompany.
 *
 * Success sets the session cookies and answers like `/v1/auth/login` (JSON until a dashboard
 * exists to redirect to); `mfa_required` when the IdP did not assert a second factor and
 * `mfaRequired` is on.
 */
export const ssoRoutes: FastifyPluginAsyncZod<{ auth: AuthenticationManager }> = async (app, { auth }) => {
  // SAML's HTTP-POST binding: an HTML form post, parsed here because no other route takes one.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

  app.get('/', { schema: { tags, summary: 'The configured SSO providers', response: { 200: z.object({ providers: z.array(z.string()) }) } } }, async () => ({ providers: [...auth.ssoProviders] }));

  app.get('/:provider/start', { schema: { tags, summary: 'Redirect to the identity provider', params: provider } }, async (request, reply) => {
    const started = await auth.startSso(request.params.provider, client(request));
    reply.setCookie(SSO_COOKIE, started.token, { path: '/', secure: true, httpOnly: true, sameSite: 'none', expires: new Date(started.expiresAt) });
    return reply.redirect(started.redirectUrl, 302);
  });

  const answer = async (reply: FastifyReply, result: LoginResult) => {
    reply.clearCookie(SSO_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'none' });
    if (result.status === 'refused') throw refusal(reply, result);
    if (result.status === 'mfa_required') return result;
    return answerSignIn(auth, reply, result, 'cookie');
  };

  app.get('/:provider/callback', { schema: { tags, summary: 'OpenID Connect redirect back from the IdP', params: provider, response: { 200: loginReply } } }, async (request, reply) => {
    const token = bindingToken(request);
    return answer(reply, await auth.finishSso({ provider: request.params.provider, token, callback: { url: request.url }, ...client(request) }));
  });

  app.post(
    '/:provider/callback',
    { schema: { tags, summary: 'SAML assertion consumer (HTTP-POST binding)', params: provider, body: z.object({ SAMLResponse: z.string().min(1).max(1_000_000), RelayState: z.string().max(80) }), response: { 200: loginReply } } },
    async (request, reply) => {
      const token = bindingToken(request);
      return answer(reply, await auth.finishSso({ provider: request.params.provider, token, callback: { samlResponse: request.body.SAMLResponse, relayState: request.body.RelayState }, ...client(request) }));
    },
  );

  app.get('/:provider/metadata', { schema: { tags, summary: 'SAML service provider metadata', params: provider } }, async (request, reply) =>
    reply.type('application/samlmetadata+xml').send(auth.samlMetadata(request.params.provider)),
  );
};

function bindingToken(request: FastifyRequest): string {
  const token = request.cookies[SSO_COOKIE];
  if (token === undefined) throw new LangtrainError('ERR_UNAUTHENTICATED', 'this sign-in was not started in this browser (its cookie is missing); start it again');
  return token;
}
