import { sql } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SecurityManager } from '../../security-manager.js';

const healthSchema = z.object({
  ok: z.boolean(),
  store: z.enum(['sqlite', 'postgres']),
  redis: z.boolean().optional().describe('Present when store.redisUrl is set: whether Redis answered'),
});

/**
 * `GET /healthz` for load balancers and orchestrators: no authentication, no secrets, only
 * whether the store (and Redis, when configured) answer right now. 503 when one does not,
 * so the balancer takes this instance out of rotation.
 */
export const health: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness and store reachability', response: { 200: healthSchema, 503: healthSchema } } },
    async (request, reply) => {
      const store = await answers(() => sql`SELECT 1`.execute(security.store.db), request.log);
      const redis = security.redis ? await answers(() => security.redis!.client.ping(), request.log) : undefined;
      const ok = store && redis !== false;
      return reply.code(ok ? 200 : 503).send({ ok, store: security.store.dialect, ...(redis === undefined ? {} : { redis }) });
    },
  );
};

async function answers(probe: () => Promise<unknown>, log: { warn: (obj: object, msg: string) => void }): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (err) {
    log.warn({ err }, 'health probe failed');
    return false;
  }
}
