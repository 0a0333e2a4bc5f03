import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LangtrainError } from '../../core/errors.js';
import type { SecurityManager } from '../../security-manager.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Id of the admin token that authenticated this request; null when none did. */
    adminTokenId: string | null;
  }
}

/** The credential from `Authorization: Bearer <token>`, or null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * Every route in the enclosing scope (all of `/v1` until user authentication lands)
 * requires `Authorization: Bearer <admin token>`.
 *
 * The check is an `onRequest` hook, the earliest point that knows the route: an
 * unauthenticated caller is turned away before its body is read or validated, so it can
 * neither make the server buffer a body nor probe the schemas through validation errors.
 * The rate limiter (a root hook) still runs first, which bounds the audit entries a flood
 * of bad tokens can cause.
 *
 * Each failure is recorded in the audit log (address and route, never the presented
 * token). The reply never echoes the token either.
 */
export const adminAuth = fp<{ security: SecurityManager }>(
  async (app, { security }) => {
    app.decorateRequest('adminTokenId', null);
    app.addHook('onRequest', async (request, reply) => {
      // Already authenticated by a verified client certificate (service-auth, registered first).
      if (request.servicePrincipal !== null) return;
      const presented = bearerToken(request.headers.authorization);
      const tokenId = presented === null ? null : await security.adminTokens.verify(presented);
      if (tokenId !== null) {
        request.adminTokenId = tokenId;
        return;
      }
      await recordFailure(security, request, presented === null ? 'missing' : 'invalid');
      // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
      reply.header('www-authenticate', presented === null ? 'Bearer realm="langtrain"' : 'Bearer realm="langtrain", error="invalid_token"');
      throw new LangtrainError(
        'ERR_UNAUTHENTICATED',
        presented === null ? 'this route needs the header "Authorization: Bearer <admin token>"' : 'the bearer token is not a valid admin token',
      );
    });
  },
  { name: 'langtrain-admin-auth', dependencies: ['langtrain-service-auth'] },
);

async function recordFailure(security: SecurityManager, request: FastifyRequest, reason: 'missing' | 'invalid'): Promise<void> {
  try {
    await security.audit.record({
      eventType: 'api.authentication',
      result: 'failure',
      additionalData: { ip: request.ip, route: request.routeOptions.url ?? request.url.split('?')[0]!, reason },
    });
  } catch (err) {
    // The request is refused either way; a log that cannot be written is a server fault to see.
    request.log.error({ err }, 'could not record a failed authentication in the audit log');
  }
}
