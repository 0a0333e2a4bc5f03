import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, redisPrefix } from '../support/services.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

describe('request rate limit', () => {
  it('answers 429 ERR_RATE_LIMITED after server.rateLimit, unknown routes and failed logins included', async () => {
    const { app } = await f.serve({ server: { rateLimit: '3/minute' } });
    const codes = [];
    for (const url of ['/healthz', '/nope', '/v1/audit/events', '/healthz']) codes.push((await app.inject({ method: 'GET', url })).statusCode);
    expect(codes).toEqual([200, 404, 401, 429]);
    const limited = await app.inject({ method: 'GET', url: '/healthz' });
    expect(json(limited)).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.stringMatching(/^rate limit of 3 requests exceeded; retry in \d+ s$/) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-security-policy']).toBeDefined();
  });

  it('shares one budget through Redis between two server instances', async () => {
    // A second instance: its own manager on the same store and Redis, as behind a load balancer.
    const { first, a, b } = await f.twoInstances({ server: { rateLimit: '3/minute' } }, { label: 'rate' });
    const keyPrefix = first.security.config.store.redisKeyPrefix;
    const raw = new Redis(REDIS_URL);
    f.defer(() => void raw.quit());
    const hit = async (app: typeof a) => (await app.inject({ method: 'GET', url: '/healthz' })).statusCode;
    expect([await hit(a), await hit(a), await hit(b)]).toEqual([200, 200, 200]);
    expect(await hit(b)).toBe(429);
    expect(await hit(a)).toBe(429);
    // The counter lives under this deployment's key prefix, nowhere else.
    expect(await raw.keys(`${keyPrefix}ratelimit:*`)).toHaveLength(1);
    expect(json(await b.inject({ method: 'GET', url: '/healthz' })).error.code).toBe('ERR_RATE_LIMITED');
  });

  it('reports Redis in /healthz when configured', async () => {
    const { app } = await f.serve({ store: { redisUrl: REDIS_URL, redisKeyPrefix: redisPrefix('health') } });
    expect(json(await app.inject({ method: 'GET', url: '/healthz' }))).toEqual({ ok: true, store: 'sqlite', redis: true });
  });
});
