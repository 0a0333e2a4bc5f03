import { randomInt } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthorizationRequest, Decision } from '../../access/model.js';
import type { AccessControl } from '../../access/store/access-control.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { accessDocument, authorizeBody, authorizeReply, binding, idParams, nameParams, policyBody, roleBody, snapshotReply } from '../schemas/access.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission, requireResourcePermission } from './authentication.js';

const tags = ['access'];
const security = AUTHENTICATED;

/**
 * `POST /v1/authorize` (for policy enforcement points: one request or a batch; permission
 * `authz.check`), logged to the audit log as `access.decision` per `access.decisionLog`.
 */
export const authorizeRoute: FastifyPluginAsyncZod<{ security: SecurityManager; access: AccessControl }> = async (app, { security: manager, access }) => {
  const { decisionLog, decisionSampleRate } = manager.config.access;
  // Audit writes still in flight are awaited when the server closes, so none is lost on shutdown.
  const inFlight = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.all(inFlight);
  });
  const log = (request: FastifyRequest, asked: AuthorizationRequest, decision: Decision) => {
    if (decisionLog === 'none' || (decisionLog === 'denied' && decision.allowed)) return;
    if (decisionSampleRate < 1 && randomInt(1_000_000) >= decisionSampleRate * 1_000_000) return;
    // Written after the answer: auditing adds no latency to the decision. Attributes are not copied (they may be personal data).
    const write: Promise<unknown> = manager.audit
      .record({
        eventType: 'access.decision',
        level: decision.allowed ? 'detailed' : 'basic',
        result: decision.allowed ? 'allowed' : 'denied',
        userId: asked.principal.id,
        additionalData: { action: asked.action, resourceType: asked.resource.type, resourceId: asked.resource.id, asker: actorOf(request.principal!), reasons: decision.reasons as never },
      })
      .catch((err: unknown) => request.log.error({ err }, 'could not record a decision in the audit log'))
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  };

  app.post(
    '/',
    { onRequest: requirePermission(manager, 'authz.check'), schema: { tags, security, summary: 'Decide one request, or {requests: [...]} (up to 1000)', body: authorizeBody, response: { 200: authorizeReply } } },
    async (request) => {
      const authorizer = await access.authorizer();
      const decide = (asked: AuthorizationRequest) => {
        const decision = authorizer.decide(asked);
        log(request, asked, decision);
        return decision;
      };
      const body = request.body;
      return 'requests' in body ? { decisions: (body.requests as AuthorizationRequest[]).map(decide) } : decide(body as AuthorizationRequest);
    },
  );
};

/** `/v1/access`: the roles, bindings and policies themselves (`access.read` / `access.write`); every change audited, used at once here and by every other instance within a second. */
export const accessRoutes: FastifyPluginAsyncZod<{ security: SecurityManager; access: AccessControl }> = async (app, { security: manager, access }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'access'));
  const actor = (request: FastifyRequest) => actorOf(request.principal!);

  app.get('/', { schema: { tags, security, summary: 'Every role, binding and policy, with the revision', response: { 200: snapshotReply } } }, async () => access.store.snapshot());

  app.put('/', { schema: { tags, security, summary: 'Replace everything with a document (a policy file as JSON), atomically', body: accessDocument, response: { 200: snapshotReply } } }, async (request) =>
    access.store.replaceAll(request.body, actor(request)),
  );

  app.put('/roles/:name', { schema: { tags, security, summary: 'Create or replace a role', params: nameParams, body: roleBody, response: { 200: snapshotReply } } }, async (request) =>
    access.store.putRole({ name: request.params.name, ...request.body }, actor(request)),
  );

  app.delete('/roles/:name', { schema: { tags, security, summary: 'Delete a role that no other role inherits and no binding names', params: nameParams, response: { 200: snapshotReply } } }, async (request) =>
    access.store.deleteRole(request.params.name, actor(request)),
  );

  app.post('/bindings', { schema: { tags, security, summary: 'Bind a principal to a role (optionally scoped, optionally expiring)', body: binding, response: { 201: z.object({ id: z.string(), revision: z.number() }) } } }, async (request, reply) => {
    const { id, snapshot } = await access.store.addBinding(request.body, actor(request));
    return reply.code(201).send({ id, revision: snapshot.revision });
  });

  app.delete('/bindings/:id', { schema: { tags, security, summary: 'Remove a binding', params: idParams, response: { 200: snapshotReply } } }, async (request) =>
    access.store.deleteBinding(request.params.id, actor(request)),
  );

  app.put('/policies/:name', { schema: { tags, security, summary: 'Create or replace a policy (its condition is compiled first)', params: nameParams, body: policyBody, response: { 200: snapshotReply } } }, async (request) =>
    access.store.putPolicy({ name: request.params.name, ...request.body }, actor(request)),
  );

  app.delete('/policies/:name', { schema: { tags, security, summary: 'Delete a policy', params: nameParams, response: { 200: snapshotReply } } }, async (request) =>
    access.store.deletePolicy(request.params.name, actor(request)),
  );
};
