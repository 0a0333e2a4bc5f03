import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidInput, LangtrainError } from '../../core/errors.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { addressParams, blockedAddress, incident, incidentParams, incidentsQuery, playbook, playbookBody, playbookParams } from '../schemas/threat.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';

const tags = ['incidents'];
const security = AUTHENTICATED;

/**
 * `/v1/incidents` (`incidents.read` for GET, `incidents.write` otherwise): playbooks, the
 * incidents alerts opened under them, and the addresses they blocked.
 */
export const incidentsRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'incidents'));
  const incidents = await manager.incidentResponse();

  app.get('/', { schema: { tags, security, summary: 'Incidents, newest first: ?status=open|acknowledged|resolved, ?limit=', querystring: incidentsQuery, response: { 200: z.object({ incidents: z.array(incident) }) } } }, async (request) => ({
    incidents: await incidents.incidents(request.query),
  }));

  for (const status of ['acknowledged', 'resolved'] as const) {
    const verb = status === 'acknowledged' ? 'acknowledge' : 'resolve';
    app.post(`/:id/${verb}`, { schema: { tags, security, summary: `Mark an incident ${status}${status === 'acknowledged' ? ' (stops its escalation)' : ''}`, params: incidentParams, response: { 200: incident } } }, async (request) =>
      incidents.setIncidentStatus(request.params.id, status, actorOf(request.principal!)),
    );
  }

  app.get('/playbooks', { schema: { tags, security, summary: 'Playbooks', response: { 200: z.object({ playbooks: z.array(playbook) }) } } }, async () => ({ playbooks: await incidents.playbooks() }));

  app.put('/playbooks/:name', { schema: { tags, security, summary: 'Save a playbook (replaces one of the same name): triggers are alert rules, actions notify_security_team, block_source_ip, initiate_forensic_analysis', params: playbookParams, body: playbookBody, response: { 200: playbook } } }, async (request) =>
    incidents.createPlaybook({ name: request.params.name, ...request.body }, actorOf(request.principal!)).catch((err: unknown) => {
      throw asRequestError(err);
    }),
  );

  app.delete('/playbooks/:name', { schema: { tags, security, summary: 'Delete a playbook', params: playbookParams, response: { 204: z.null() } } }, async (request, reply) => {
    await incidents.deletePlaybook(request.params.name, actorOf(request.principal!));
    return reply.code(204).send(null);
  });

  app.get('/blocked', { schema: { tags, security, summary: 'Addresses blocked by playbooks, soonest to expire first', response: { 200: z.object({ blocked: z.array(blockedAddress) }) } } }, async () => ({ blocked: await incidents.blocked.list() }));

  app.delete('/blocked/:address', { schema: { tags, security, summary: 'Lift a block', params: addressParams, response: { 204: z.null() } } }, async (request, reply) => {
    await incidents.unblockAddress(request.params.address, actorOf(request.principal!));
    return reply.code(204).send(null);
  });
};

/**
 * A playbook refused by createPlaybook, as the library says it, as an HTTP answer: a trigger or
 * action it does not support is the request's fault (400); one the server is not set up for
 * (no webhook to notify) is the deployment's state (409).
 */
function asRequestError(err: unknown): unknown {
  if (!(err instanceof LangtrainError)) return err;
  if (err.code === 'ERR_CONFIG_UNSUPPORTED_OPTION' || err.code === 'ERR_OPTION_NOT_SUPPORTED_YET') return invalidInput(err.message);
  if (err.code === 'ERR_CONFIG_INVALID') return new LangtrainError('ERR_CONFLICT', err.message);
  return err;
}
