import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRate, type Rate } from '../../../src/core/units.js';
import { MemoryRateLimiter } from '../../../src/identity/rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from '../../../src/identity/rate-limit/redis-rate-limiter.js';
import { openRedis, type RedisConnection } from '../../../src/store/redis.js';
import { REDIS_URL, redisPrefix } from '../../support/services.js';

describe('RedisRateLimiter', () => {
  let prefix: string;
  let raw: Redis;
  let first: RedisConnection;
  let second: RedisConnection;

  beforeEach(async () => {
    prefix = redisPrefix('rate-limit');
    raw = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await raw.connect();
    // Two connections with the same prefix: two server instances behind a load balancer.
    first = await openRedis(REDIS_URL, prefix);
    second = await openRedis(REDIS_URL, prefix);
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    const left = await raw.keys(`${prefix}*`);
    if (left.length > 0) await raw.del(...left);
    await raw.quit();
  });

  it('allows up to the limit, then refuses with a retryAfterMs after which it allows again', async () => {
    const limiter = new RedisRateLimiter(first);
    const rate = parseRate('2/second');
    const a = await limiter.take('alice', rate);
    const b = await limiter.take('alice', rate);
    expect([a.allowed, b.allowed]).toEqual([true, true]);
    expect([a.remaining, b.remaining]).toEqual([1, 0]);
    expect(a.retryAfterMs).toBe(0);
    const refused = await limiter.take('alice', rate);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    // Both went into the current window, so the wait ends inside the next one: (0, 2 s].
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(refused.resetMs).toBeGreaterThan(refused.retryAfterMs);
    await sleep(refused.retryAfterMs + 20);
    expect((await limiter.take('alice', rate)).allowed).toBe(true);
  });

  it('slides: the window after a full one is not a fresh budget', async () => {
    const limiter = new RedisRateLimiter(first);
    const rate = parseRate('2/second');
    // Start just after a window boundary of Redis's clock, so both land early in one window.
    const [, micros] = await raw.time();
    await sleep(1_000 - Number(micros) / 1_000 + 10);
    expect((await limiter.take('k', rate)).allowed).toBe(true);
    expect((await limiter.take('k', rate)).allowed).toBe(true);
    // Into the next window, but still well inside the sliding window: the previous window's
    // two requests weigh 2 × (1 − elapsed) > 1, so nothing yet (a fixed window would allow 2).
    await sleep(1_000);
    const early = await limiter.take('k', rate);
    expect(early.allowed).toBe(false);
    expect(early.retryAfterMs).toBeGreaterThan(0);
    expect(early.retryAfterMs).toBeLessThanOrEqual(500);
  });

  it('shares one budget between two instances on two connections', async () => {
    const a = new RedisRateLimiter(first);
    const b = new RedisRateLimiter(second);
    const rate = parseRate('5/minute');
    const allowed = [];
    for (const limiter of [a, b, a, b, a, b, a]) allowed.push((await limiter.take('shared', rate)).allowed);
    expect(allowed).toEqual([true, true, true, true, true, false, false]);
  });

  it('never hands out the last unit twice under concurrency (one atomic script)', async () => {
    const a = new RedisRateLimiter(first);
    const b = new RedisRateLimiter(second);
    const rate = parseRate('10/minute');
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('race', rate)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('keeps different keys independent', async () => {
    const limiter = new RedisRateLimiter(first);
    const rate = parseRate('1/minute');
    expect((await limiter.take('alice', rate)).allowed).toBe(true);
    expect((await limiter.take('alice', rate)).allowed).toBe(false);
    expect((await limiter.take('bob', rate)).allowed).toBe(true);
    expect((await limiter.take('alice', parseRate('1/hour'))).allowed).toBe(true);
  });

  it('stores one hash per key under the connection prefix, with a TTL, and writes nothing on refusal', async () => {
    const limiter = new RedisRateLimiter(first);
    const rate = parseRate('1/minute');
    await limiter.take('alice', rate);
    const name = `${prefix}rate:60000:alice`;
    expect(await raw.keys(`${prefix}*`)).toEqual([name]);
    expect(await raw.keys('rate:*')).not.toContain('rate:60000:alice');
    const fields = await raw.hgetall(name);
    expect(fields).toMatchObject({ p: '0', c: '1' });
    expect(Number(fields.w)).toBeGreaterThan(28_000_000); // minutes since 1970: a window index
    const ttl = await raw.pttl(name);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    await limiter.take('alice', rate);
    expect(await raw.hgetall(name)).toEqual(fields);
  });

  it('lets idle keys expire by themselves', async () => {
    const limiter = new RedisRateLimiter(first, { namespace: 'idle' });
    await limiter.take('brief', parseRate('1/second'));
    const name = `${prefix}idle:1000:brief`;
    expect(await raw.exists(name)).toBe(1);
    expect(await raw.pttl(name)).toBeLessThanOrEqual(2_000);
    await sleep(2_050);
    expect(await raw.exists(name)).toBe(0);
  });

  it('decides exactly as the memory limiter on the same clock (Lua and TypeScript agree)', async () => {
    let t = Date.now();
    const now = () => t;
    const memory = new MemoryRateLimiter({ now });
    const redis = new RedisRateLimiter(first, { now });
    const rates: Rate[] = [parseRate('3/second'), parseRate('7/minute'), { limit: 13, windowMs: 2_500 }, parseRate('1/second')];
    let seed = 2024;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      t += Math.floor(random() * 400);
      const rate = rates[Math.floor(random() * rates.length)]!;
      const key = `k${Math.floor(random() * 3)}`;
      const [m, r] = [await memory.take(key, rate), await redis.take(key, rate)];
      expect(r, `step ${i}: ${key} ${JSON.stringify(rate)} at ${t}`).toEqual(m);
      if (!m.allowed) refused++;
    }
    // Both branches of the decision were exercised, not only "allowed".
    expect(refused).toBeGreaterThan(40);
  });

  it('does not refill the budget when an injected clock steps back (the Lua clock-behind branch)', async () => {
    let t = Date.now();
    const limiter = new RedisRateLimiter(first, { now: () => t });
    const rate = parseRate('3/minute');
    for (let i = 0; i < 3; i++) expect((await limiter.take('k', rate)).allowed).toBe(true);
    const windowStart = Math.floor(t / 60_000) * 60_000;
    t -= 90_000;
    const refused = await limiter.take('k', rate);
    expect(refused.allowed).toBe(false);
    // Measured from the stepped-back clock: until the stored window starts, then 60 s + 20 s.
    expect(refused.retryAfterMs).toBe(windowStart - t + 80_000);
    expect(refused.resetMs).toBe(windowStart - t + 120_000);
  });

  it('works with two limiters on one connection (the script is defined once)', async () => {
    const a = new RedisRateLimiter(first);
    const b = new RedisRateLimiter(first);
    const rate = parseRate('1/minute');
    expect((await a.take('k', rate)).allowed).toBe(true);
    expect((await b.take('k', rate)).allowed).toBe(false);
  });

  it('reports an unreachable Redis as ERR_STORE_UNAVAILABLE, and a bad rate as ERR_INVALID_INPUT', async () => {
    const lost = await openRedis(REDIS_URL, prefix);
    const limiter = new RedisRateLimiter(lost);
    await lost.close();
    await expect(limiter.take('k', parseRate('1/second'))).rejects.toThrow(expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }));
    await expect(new RedisRateLimiter(first).take('k', { limit: 0, windowMs: 1_000 })).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
    expect(() => new RedisRateLimiter(first, { prefix: 'rl' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: 'RedisRateLimiter: unknown option prefix (supported: namespace, now)' }),
    );
  });
});
