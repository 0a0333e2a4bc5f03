import { randomInt } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthorizationRequest, Decision } from '../../access/model.js';
import type { AccessControl } from '../../access/store/access-control.js';
import { isLangtrainError } from '../../core/errors.js';
import type { SecurityManager } from '../../security-manager.js';
import { CLIENT_ERROR_LOG_MESSAGE, describeError } from '../error-reply.js';
import { routeOf } from '../logger.js';
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
  const answerError = app.errorHandler;
  app.setErrorHandler((err, request, reply) => {
    const details = refusalDetails(err);
    if (details === undefined) return answerError.call(app, err, request, reply);
    sendRefusal(err, details, manager.config.server.bodyLimit, request, reply);
  });
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

/**
 * The details of a refused change that describe the caller's own input (which policy, role or
 * binding, the field, the reason, the place inside a condition, who still depends on a role),
 * so a program can point at it. Picked by name: anything else in details stays on the server.
 */
const SHOWN_DETAILS = ['policy', 'role', 'binding', 'field', 'reason', 'position', 'problems', 'inheritedBy', 'bindings', 'boundTo'] as const;

function refusalDetails(err: unknown): Record<string, unknown> | undefined {
  if (!isLangtrainError(err, 'ERR_POLICY_INVALID') && !isLangtrainError(err, 'ERR_INVALID_INPUT')) return undefined;
  const shown = Object.fromEntries(SHOWN_DETAILS.filter((key) => err.details[key] !== undefined).map((key) => [key, err.details[key]]));
  return Object.keys(shown).length > 0 ? shown : undefined;
}

/**
 * The app's error body (error-reply.ts) plus `details`. That body never carries details because
 * in general they may describe the server; those of a refused access change describe only the
 * caller's own input. Logged as the app's handler logs a client error.
 */
function sendRefusal(err: unknown, details: Record<string, unknown>, bodyLimit: number, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(err, bodyLimit);
  request.log.info({ code: body.error.code, status, route: routeOf(request) }, CLIENT_ERROR_LOG_MESSAGE);
  void reply.code(status).type('application/json; charset=utf-8').send({ error: { ...body.error, details } });
}
