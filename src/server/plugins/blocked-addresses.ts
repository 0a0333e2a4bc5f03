import fp from 'fastify-plugin';
import { LangtrainError } from '../../core/errors.js';
import type { SecurityManager } from '../../security-manager.js';

/**
 * Refuses (403) every request from an address an incident playbook blocked (`block_source_ip`),
 * before any other work, health checks excepted (a load balancer's probe is no attacker). The
 * address is the one the server sees after `server.trustProxy`, as the audit log records it.
 */
export const blockedAddresses = fp<{ security: SecurityManager }>(
  async (app, { security }) => {
    const { blocked } = await security.incidentResponse();
    app.addHook('onRequest', async (request) => {
      if (request.url === '/healthz' || request.url.startsWith('/healthz?')) return;
      const until = await blocked.blockedUntil(request.ip);
      if (until !== null) throw new LangtrainError('ERR_FORBIDDEN', `requests from this address are blocked until ${until} by an incident playbook; an administrator can lift it (langtrain incidents unblock ADDRESS)`);
    });
  },
  { name: 'langtrain-blocked-addresses' },
);
