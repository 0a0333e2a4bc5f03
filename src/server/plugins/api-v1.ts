import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SecurityManager } from '../../security-manager.js';
import { adminAuth } from './admin-auth.js';
import { auditRoutes } from './audit-routes.js';
import { keysRoutes } from './keys-routes.js';
import { secretsRoutes } from './secrets-routes.js';
import { requestAudit } from './request-audit.js';
import { serviceAuth } from './service-auth.js';

/**
 * `/v1`: one encapsulated scope whose hooks (authentication, request auditing) apply to
 * every domain's routes registered in it, and to nothing outside it (`/healthz`,
 * `/openapi.json`). Each domain adds its routes plugin here under `/v1/<group>`.
 */
export const apiV1: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security }) => {
  await app.register(serviceAuth, { security });
  await app.register(adminAuth, { security });
  await app.register(requestAudit, { security });
  await app.register(auditRoutes, { security, prefix: '/audit' });
  await app.register(keysRoutes, { security, prefix: '/keys' });
  await app.register(secretsRoutes, { security, prefix: '/secrets' });
};
