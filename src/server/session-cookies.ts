import type { FastifyReply } from 'fastify';

/**
 * The browser's session cookies. `__Host-` makes the browser refuse them unless Secure, host-only
 * and `Path=/`, so a sibling subdomain cannot plant or overwrite them. Browsers treat
 * http://localhost as a secure context, so Secure cookies work in local development too.
 *
 * - the session cookie: HttpOnly (no script reads it), SameSite=Strict (never sent on
 *   cross-site requests);
 * - the CSRF cookie: readable by the page's script, which echoes it in `X-CSRF-Token`.
 */
export const SESSION_COOKIE = '__Host-lt_session';
export const CSRF_COOKIE = '__Host-lt_csrf';

export function setSessionCookies(reply: FastifyReply, input: { token: string; csrfToken: string; expiresAt: string }): void {
  const common = { path: '/', secure: true, sameSite: 'strict' as const, expires: new Date(input.expiresAt) };
  reply.setCookie(SESSION_COOKIE, input.token, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, input.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply): void {
  const common = { path: '/', secure: true, sameSite: 'strict' as const };
  reply.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, common);
}
