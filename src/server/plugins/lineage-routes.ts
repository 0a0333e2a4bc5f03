import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { LineageParameters } from '../../privacy/lineage/schema.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { digestParams, lineageEdge, lineageGraph, lineageQuery, nameArtifactBody, recordEdgeBody, refParams, subjectArtifacts, subjectsBody, userIdParams } from '../schemas/privacy.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';

const tags = ['lineage'];
const security = AUTHENTICATED;

/**
 * `/v1/lineage` (`lineage.read` for GET, `lineage.write` otherwise): transformations between
 * artifact digests, artifact names, and which subjects an artifact holds. Digests are
 * computed by the caller (the pipeline holds the files), as `sha256:<hex>` of the bytes.
 */
export const lineageRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'lineage'));
  const lineage = await manager.lineage();

  app.post('/edges', { schema: { tags, security, summary: 'Record that outputDigest was made from inputDigest by operation', body: recordEdgeBody, response: { 201: lineageEdge } } }, async (request, reply) => {
    const { parameters, at, ...edge } = request.body;
    // The store checks the parameters (plain JSON the audit log takes, without secrets or personal
    // data) before it writes, takes the edge back if its audit record fails, and checks that `at` exists and is not in the future.
    const made = await lineage.recordTransformation({ ...edge, ...(parameters ? { parameters: parameters as LineageParameters } : {}), ...(at ? { at } : {}), actor: actorOf(request.principal!) });
    return reply.code(201).send(made);
  });

  app.post(
    '/artifacts/:digest/name',
    { schema: { tags, security, summary: 'Name an artifact (kind:name); a name names one digest for good', params: digestParams, body: nameArtifactBody, response: { 200: z.object({ digest: z.string(), name: z.string() }) } } },
    async (request) => {
      await lineage.nameArtifact(request.params.digest, request.body.name);
      return { digest: request.params.digest, name: request.body.name };
    },
  );

  app.post(
    '/artifacts/:digest/subjects',
    { schema: { tags, security, summary: 'Record which data subjects an artifact holds (complete: all of them, so erasure of anyone else stops there)', params: digestParams, body: subjectsBody, response: { 200: z.object({ digest: z.string(), added: z.number() }) } } },
    async (request) => ({ digest: request.params.digest, added: await lineage.recordSubjects(request.params.digest, request.body.subjectIds, { complete: request.body.complete ?? false }) }),
  );

  app.get(
    '/subjects/:userId/artifacts',
    { schema: { tags, security, summary: "Artifacts holding a subject's data, directly or downstream", params: userIdParams, response: { 200: subjectArtifacts } } },
    async (request) => ({ subjectId: request.params.userId, artifacts: await lineage.artifactsContaining(request.params.userId) }),
  );

  // A wildcard: a name may hold `/` (GET /v1/lineage/dataset:org/clean-v1), which `/:ref` would take for another route.
  app.get(
    '/*',
    { schema: { tags, security, summary: 'The lineage of an artifact (digest, or name, which may hold /): ?direction=upstream|downstream, ?depth=', params: refParams, querystring: lineageQuery, response: { 200: lineageGraph } } },
    async (request) => {
      const ref = request.params['*'];
      // A name is kind:name, so a path whose first segment has no ":" is no artifact but a route
      // not found (`subjects/a/b/artifacts`: a subject id with an unencoded /).
      const first = ref.split('/', 1)[0]!;
      if (ref.includes('/') && !first.includes(':')) {
        throw new LangtrainError('ERR_NOT_FOUND', 'no lineage route has this path: an artifact is named kind:name, and a subject id or name holding / is encoded as %2F in the path');
      }
      return lineage.lineageOf(ref, { direction: request.query.direction, ...(request.query.depth !== undefined ? { depth: request.query.depth } : {}) });
    },
  );
};
