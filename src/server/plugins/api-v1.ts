import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SecurityManager } from '../../security-manager.js';
import { accessRoutes, authorizeRoute } from './access-routes.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { authentication } from './authentication.js';
import { keysRoutes } from './keys-routes.js';
import { piiRoutes } from './pii-routes.js';
import { consentRoutes } from './consent-routes.js';
import { lineageRoutes } from './lineage-routes.js';
import { adversarialRoutes } from './adversarial-routes.js';
import { incidentsRoutes } from './incidents-routes.js';
import { monitorRoutes } from './monitor-routes.js';
import { privacyBudgetRoutes } from './privacy-budget-routes.js';
import { requestAudit } from './request-audit.js';
import { secretsRoutes } from './secrets-routes.js';
import { serviceAuth } from './service-auth.js';
import { ssoRoutes } from './sso-routes.js';
import { usersRoutes } from './users-routes.js';
import { webauthnRoutes } from './webauthn-routes.js';

/**
 * `/v1`: one encapsulated scope whose hooks (who the request acts as, request auditing)
 * apply to every domain's routes registered in it, and to nothing outside it (`/healthz`,
 * `/openapi.json`). Each domain adds its routes plugin under `/v1/<group>` and says in its
 * own hooks what a request needs (authentication.ts: requireAuthenticated, requirePermission).
 */
export const apiV1: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security }) => {
  const auth = await security.authenticationManager();
  await app.register(serviceAuth, { security });
  await app.register(authentication, { security, auth });
  await app.register(requestAudit, { security });
  await app.register(authRoutes, { security, auth, prefix: '/auth' });
  if (auth.webauthn) await app.register(webauthnRoutes, { security, auth, prefix: '/auth/mfa/webauthn' });
  if (auth.ssoProviders.length > 0) await app.register(ssoRoutes, { auth, prefix: '/auth/sso' });
  await app.register(usersRoutes, { security, auth, prefix: '/users' });
  const access = await security.accessControl();
  await app.register(authorizeRoute, { security, access, prefix: '/authorize' });
  await app.register(accessRoutes, { security, access, prefix: '/access' });
  await app.register(auditRoutes, { security, prefix: '/audit' });
  await app.register(keysRoutes, { security, prefix: '/keys' });
  await app.register(secretsRoutes, { security, prefix: '/secrets' });
  await app.register(piiRoutes, { security, prefix: '/pii' });
  await app.register(consentRoutes, { security, prefix: '/consent' });
  await app.register(lineageRoutes, { security, prefix: '/lineage' });
  await app.register(privacyBudgetRoutes, { security, prefix: '/privacy/budgets' });
  await app.register(monitorRoutes, { security, prefix: '/monitor' });
  await app.register(incidentsRoutes, { security, prefix: '/incidents' });
  await app.register(adversarialRoutes, { security, prefix: '/adversarial' });
};
