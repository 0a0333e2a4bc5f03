import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Rate } from '../../core/units.js';
import { LangtrainError } from '../../core/errors.js';
import type { RedisConnection } from '../../store/redis.js';

export interface RequestRateOptions {
  /** `server.rateLimit`, e.g. "1200/minute" parsed. */
  rate: Rate;
  /** Shared counters for several instances; in-process counters without it. */
  redis: RedisConnection | undefined;
}

/**
 * Per-client request rate, counted by IP.
 *
 * The limiter is a root `onRequest` hook rather than a per-route one, so it sees every
 * request (unknown routes and failed authentications included) before any other work
 * (token lookup, audit write, body parsing) is spent on it.
 *
 * With `store.redisUrl` the counters live in Redis under the configured key prefix, so the
 * instances behind a load balancer share one budget per client. If Redis is unreachable the
 * request fails (500) rather than going unlimited.
 */
export const requestRate = fp<RequestRateOptions>(
  async (app, { rate, redis }) => {
    await app.register(rateLimit, {
      global: false,
      max: rate.limit,
      timeWindow: rate.windowMs,
      ...(redis ? { redis: redis.client, nameSpace: 'ratelimit:' } : {}),
      skipOnError: false,
      errorResponseBuilder: (_request, context) =>
        new LangtrainError('ERR_RATE_LIMITED', `rate limit of ${context.max} requests exceeded; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`),
    });
    app.addHook('onRequest', app.rateLimit());
  },
  { name: 'langtrain-request-rate' },
);
