import type { Server as HttpsServer } from 'node:https';
import cookie from '@fastify/cookie';
import Fastify, { errorCodes, type FastifyHttpsOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { MAX_SUBJECT_ID } from '../privacy/subject-id.js';
import type { SecurityManager } from '../security-manager.js';
import { errorHandler, notFoundHandler } from './error-reply.js';
import { loggerOptions, type LogDestination } from './logger.js';
import { apiV1 } from './plugins/api-v1.js';
import { health } from './plugins/health.js';
import { openApi } from './plugins/openapi.js';
import { blockedAddresses } from './plugins/blocked-addresses.js';
import { requestRate } from './plugins/rate-limit.js';
import { helmetHeaders, securityHeaders } from './plugins/security-headers.js';
import { tlsOptions } from './tls.js';

/**
 * The longest path parameter the router lets through (longer: 414); each route's schema then
 * holds its parameters to their own limits. The longest any route takes is a subject id:
 * MAX_SUBJECT_ID UTF-16 code units, each at most 3 bytes of UTF-8 (a surrogate pair is 2 units
 * for 4 bytes), each byte sent as `%XX`. find-my-way measures the decoded value today; the
 * bound as sent keeps a full-length id routable should it ever measure the raw one.
 */
const MAX_PARAM_LENGTH = MAX_SUBJECT_ID * 3 * 3;

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
  const handleError = errorHandler(server.bodyLimit);
  const headers = helmetHeaders();
  const serverOptions: FastifyServerOptions = {
    logger: loggerOptions(server, options.logStream),
    bodyLimit: server.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router fails a path that does not decode or a parameter over MAX_PARAM_LENGTH before
    // any hook runs; Fastify's own reply echoes the path (a subject id) and has none of our headers.
    frameworkErrors: (err, request, reply) => {
      reply.headers(headers).header('x-request-id', request.id);
      handleError(err, request, reply);
    },
    // Request ids are ours (req-1, req-2…); a client-sent id is never trusted into the log.
    requestIdHeader: false,
    ...(server.trustProxy ? { trustProxy: server.trustProxy.split(',').map((a) => a.trim()) } : {}),
  };
  // Fastify types an HTTPS server separately; both answer the same FastifyInstance API.
  const app = (https ? Fastify({ ...serverOptions, https } as FastifyHttpsOptions<HttpsServer>) : Fastify(serverOptions)) as unknown as FastifyInstance;
  const zod = app.withTypeProvider<ZodTypeProvider>();
  zod.setValidatorCompiler(validatorCompiler);
  zod.setSerializerCompiler(serializerCompiler);
  zod.setErrorHandler(handleError);
  zod.setNotFoundHandler(notFoundHandler);
  // Set first, so error replies carry it too: it ties a generic 500 to its log line.
  zod.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Bodies are JSON: a text/plain one would reach the schema as a string ("expected object") rather than be refused as the wrong type (415).
  zod.removeContentTypeParser('text/plain');
  // Bodies are parsed as sent; a gzip one would be read as its compressed bytes ("not valid JSON").
  zod.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    // only for a body: a stray header on a GET harms nothing
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && encoding && encoding !== 'identity') throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE();
    return payload;
  });

  await zod.register(cookie);
  await zod.register(securityHeaders);
  await zod.register(blockedAddresses, { security });
  await zod.register(requestRate, { rate: server.rateLimit, redis: security.redis });
  await zod.register(openApi);
  await zod.register(health, { security });
  await zod.register(apiV1, { security, prefix: '/v1' });
  await zod.ready();
  return app;
}
