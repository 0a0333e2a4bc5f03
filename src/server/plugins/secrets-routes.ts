import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';

const tags = ['secrets'];
const security = AUTHENTICATED;

const name = z.object({ name: z.string().min(1).max(127) });
const tagMap = z.record(z.string(), z.string());
const versionRef = z.object({ name: z.string(), version: z.string() });

/**
 * The local secrets store over HTTP (`/v1/secrets`). Responses carry values only on GET of
 * one secret; every access is audited by name, never by value.
 */
export const secretsRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'secrets'));
  const secrets = manager.secretsManager();

  app.put(
    '/:name',
    { schema: { tags, security, summary: 'Store a new version', params: name, body: z.object({ value: z.string().min(1), tags: tagMap.optional() }).strict(), response: { 201: versionRef } } },
    async (request, reply) => {
      const stored = await secrets.storeSecret({ name: request.params.name, value: request.body.value, ...(request.body.tags ? { tags: request.body.tags } : {}), actor: actorOf(request.principal!) });
      return reply.code(201).send(stored);
    },
  );

  app.get(
    '/:name',
    {
      schema: {
        tags,
        security,
        summary: 'A secret value: the current version, or ?version=',
        params: name,
        querystring: z.object({ version: z.string().max(64).optional() }),
        response: { 200: z.object({ name: z.string(), version: z.string(), value: z.string(), tags: tagMap, createdAt: z.string().nullable() }) },
      },
    },
    async (request) => {
      const secret = await secrets.getSecret(request.params.name, { ...(request.query.version ? { version: request.query.version } : {}), actor: actorOf(request.principal!) });
      return { name: secret.name, version: secret.version, value: secret.value, tags: secret.tags, createdAt: secret.createdAt ?? null };
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        summary: 'Names, current versions and tags (never values); ?tag=key=value filters',
        querystring: z.object({ tag: z.string().regex(/^[^=]+=.*$/).optional() }),
        response: { 200: z.object({ secrets: z.array(z.object({ name: z.string(), version: z.string(), tags: tagMap, createdAt: z.string().nullable() })) }) },
      },
    },
    async (request) => {
      const [key, ...rest] = (request.query.tag ?? '').split('=');
      const list = await secrets.listSecrets({ ...(request.query.tag ? { tag: { [key!]: rest.join('=') } } : {}), actor: actorOf(request.principal!) });
      return { secrets: list.map((s) => ({ name: s.name, version: s.version, tags: s.tags, createdAt: s.createdAt })) };
    },
  );

  app.post('/:name/rotate', { schema: { tags, security, summary: 'Replace with a fresh random value', params: name, response: { 200: versionRef } } }, async (request) =>
    secrets.rotateSecret(request.params.name, undefined, { actor: actorOf(request.principal!) }),
  );

  app.delete('/:name', { schema: { tags, security, summary: 'Delete: every version destroyed', params: name, response: { 204: z.null() } } }, async (request, reply) => {
    await secrets.deleteSecret(request.params.name, { actor: actorOf(request.principal!) });
    return reply.code(204).send(null);
  });
};
