import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { inspection } from '../schemas/threat.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission } from './authentication.js';

const tags = ['adversarial'];
const security = AUTHENTICATED;

/**
 * `/v1/adversarial/inspect` (`adversarial.check`): an input to a language model checked for prompt
 * injection before the caller passes it on (AdversarialDefense with every detection method;
 * adversarial inputs are rejected and recorded for review by digest).
 */
export const adversarialRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requirePermission(manager, 'adversarial.check'));
  // built at the first request, not at start: its classifier takes about a second to train (once per process)
  let defense: ReturnType<SecurityManager['adversarialDefense']> | undefined;
  app.post(
    '/inspect',
    { schema: { tags, security, summary: 'Check an input to a model for prompt injection: the verdict, its score and why', body: z.strictObject({ text: z.string().max(100_000) }), response: { 200: inspection } } },
    async (request) => {
      if (defense === undefined) {
        defense = manager.adversarialDefense();
        defense.catch(() => (defense = undefined)); // a failed build is tried again at the next request
      }
      return (await defense).inspect(request.body.text, { actor: actorOf(request.principal!) });
    },
  );
};
