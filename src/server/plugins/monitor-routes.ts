import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { alert, alertParams, alertsQuery, monitorSnapshot } from '../schemas/threat.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';

const tags = ['monitor'];
const security = AUTHENTICATED;

/**
 * `/v1/monitor` (`monitor.read` for GET, `monitor.write` otherwise): the security monitor's
 * alerts and what it measures. The monitor itself runs when the configuration enables it
 * (`monitoring.enabled`); its alerts are in the store either way.
 */
export const monitorRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'monitor'));
  const monitor = await manager.monitor();

  app.get('/alerts', { schema: { tags, security, summary: 'Alerts, newest first: ?status=open|acknowledged|resolved, ?rule=, ?limit= (default 100)', querystring: alertsQuery, response: { 200: z.object({ alerts: z.array(alert) }) } } }, async (request) => ({
    alerts: await monitor.alerts(request.query),
  }));

  for (const status of ['acknowledged', 'resolved'] as const) {
    const verb = status === 'acknowledged' ? 'acknowledge' : 'resolve';
    app.post(`/alerts/:id/${verb}`, { schema: { tags, security, summary: `Mark an alert ${status} (recorded in the audit log with who did it)`, params: alertParams, response: { 200: alert } } }, async (request) =>
      monitor.setAlertStatus(request.params.id, status, actorOf(request.principal!)),
    );
  }

  app.get('/status', { schema: { tags, security, summary: 'Whether the monitor runs, how far it has read, and its metrics over the window (error rates, request patterns, resource usage)', response: { 200: monitorSnapshot } } }, async () => monitor.snapshot());
};
