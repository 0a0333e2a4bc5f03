import fp from 'fastify-plugin';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';

/**
 * At `audit.level: detailed`, every successful authenticated request in the enclosing
 * scope becomes an `api.request` entry: who (`user:<id>`, `api_key:<id>` or `service:<CN>`), method, route pattern and
 * status. Never bodies, headers or query strings: they can hold secrets and personal data,
 * and the route pattern says what was done.
 *
 * Written after the response (onResponse), so auditing adds no latency; writes still in
 * flight are awaited when the server closes, so none is lost on shutdown.
 */
export const requestAudit = fp<{ security: SecurityManager }>(
  async (app, { security }) => {
    if (security.config.audit.level !== 'detailed') return;
    const inFlight = new Set<Promise<void>>();
    app.addHook('onResponse', async (request, reply) => {
      if (request.principal === null || reply.statusCode >= 400) return;
      const actor = actorOf(request.principal);
      const write = security.audit
        .record({
          eventType: 'api.request',
          level: 'detailed',
          result: 'success',
          userId: actor,
          additionalData: { method: request.method, route: request.routeOptions.url ?? '', status: reply.statusCode },
        })
        .then(
          () => undefined,
          (err: unknown) => request.log.error({ err }, 'could not record the request in the audit log'),
        )
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
    });
    app.addHook('onClose', async () => {
      await Promise.all(inFlight);
    });
  },
  { name: 'langtrain-request-audit', dependencies: ['langtrain-authentication'] },
);
