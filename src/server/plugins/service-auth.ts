import { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SecurityManager } from '../../security-manager.js';
import { routeOf } from '../logger.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** `service:<CN>` of the verified client certificate that authenticated this request; null when none did. */
    servicePrincipal: string | null;
  }
}

/** What a CN may be to name a service: no spaces, controls or separators that could confuse the audit log. */
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/**
 * Service-to-service authentication by client certificate (mTLS). Registered in the `/v1`
 * scope before admin-auth: when the TLS connection carries a peer certificate that verified
 * against `server.clientCa` (`socket.authorized`), the request is authenticated as the
 * service principal `service:<subject CN>` and admin-auth lets it through.
 *
 * No certificate, or plain HTTP: nothing happens, the bearer token check decides. A
 * certificate that was presented but did not verify (possible only when
 * `server.requireClientCert` is false; otherwise the handshake already failed) is recorded
 * as a failed authentication, and the request still falls through to the bearer check.
 */
export const serviceAuth = fp<{ security: SecurityManager }>(
  async (app, { security }) => {
    app.decorateRequest('servicePrincipal', null);
    if (security.config.server.clientCa === undefined) return;
    app.addHook('onRequest', async (request) => {
      const socket = request.raw.socket;
      if (!(socket instanceof TLSSocket)) return;
      const peer = socket.getPeerCertificate();
      // An empty object when the client sent no certificate.
      if (peer === null || peer === undefined || Object.keys(peer).length === 0) return;
      const cn: unknown = peer.subject?.CN;
      if (socket.authorized && typeof cn === 'string' && SERVICE_NAME.test(cn)) {
        request.servicePrincipal = `service:${cn}`;
        return;
      }
      await recordRejected(security, request);
    });
  },
  { name: 'langtrain-service-auth' },
);

async function recordRejected(security: SecurityManager, request: FastifyRequest): Promise<void> {
  try {
    await security.audit.record({
      eventType: 'api.authentication',
      result: 'failure',
      additionalData: { ip: request.ip, route: routeOf(request), reason: 'client_certificate_rejected' },
    });
  } catch (err) {
    request.log.error({ err }, 'could not record a rejected client certificate in the audit log');
  }
}
