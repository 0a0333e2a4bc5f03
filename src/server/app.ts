import type { Server as HttpsServer } from 'node:https';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyHttpsOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SecurityManager } from '../security-manager.js';
import { errorHandler, notFoundHandler } from './error-reply.js';
import { loggerOptions, type LogDestination } from './logger.js';
import { apiV1 } from './plugins/api-v1.js';
import { health } from './plugins/health.js';
import { openApi } from './plugins/openapi.js';
import { requestRate } from './plugins/rate-limit.js';
import { securityHeaders } from './plugins/security-headers.js';
import { tlsOptions } from './tls.js';

export interface BuildServerOptions {
  /** Where the pino log goes (default stdout); tests pass a stream they read. */
  logStream?: LogDestination;
}

/**
 * The HTTP server, a thin shell over `security`: a tree of plugins, root hooks first
 * (security headers, rate limit), then the public routes (`/healthz`, `/openapi.json`)
 * and the authenticated `/v1` scope. Ready when it resolves: plugin errors surface here,
 * not on the first request. The caller owns `security` and closes it after the server.
 */
export async function buildServer(security: SecurityManager, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const { server } = security.config;
  const https = tlsOptions(server);
  const serverOptions: FastifyServerOptions = {
    logger: loggerOptions(server, options.logStream),
    bodyLimit: server.bodyLimit,
    // Request ids are ours (req-1, req-2…); a client-sent id is never trusted into the log.
    requestIdHeader: false,
    ...(server.trustProxy ? { trustProxy: server.trustProxy.split(',').map((a) => a.trim()) } : {}),
  };
  // Fastify types an HTTPS server separately; both answer the same FastifyInstance API.
  const app = (https ? Fastify({ ...serverOptions, https } as FastifyHttpsOptions<HttpsServer>) : Fastify(serverOptions)) as unknown as FastifyInstance;
  const zod = app.withTypeProvider<ZodTypeProvider>();
  zod.setValidatorCompiler(validatorCompiler);
  zod.setSerializerCompiler(serializerCompiler);
  zod.setErrorHandler(errorHandler(server.bodyLimit));
  zod.setNotFoundHandler(notFoundHandler);
  // Set first, so error replies carry it too: it ties a generic 500 to its log line.
  zod.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await zod.register(cookie);
  await zod.register(securityHeaders);
  await zod.register(requestRate, { rate: server.rateLimit, redis: security.redis });
  await zod.register(openApi);
  await zod.register(health, { security });
  await zod.register(apiV1, { security, prefix: '/v1' });
  await zod.ready();
  return app;
}
