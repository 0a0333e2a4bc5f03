import { describe, expect, it } from 'vitest';
import { parseRate, type Rate } from '../../../src/core/units.js';
import { MemoryRateLimiter } from '../../../src/identity/rate-limit/memory-rate-limiter.js';
import { slidingWindowTake, type WindowCounts } from '../../../src/identity/rate-limit/sliding-window-counter.js';

/** A clock the test moves by hand, starting at a window boundary of every rate used here. */
function fakeClock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms), start };
}

const TEN_PER_SECOND = parseRate('10/second');

describe('MemoryRateLimiter', () => {
  it('allows up to the limit, then refuses with a sensible retryAfterMs', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rate = parseRate('5/minute');
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.take('alice', rate));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(decisions.every((d) => d.retryAfterMs === 0)).toBe(true);

    const refused = await limiter.take('alice', rate);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    // All five were at the start of a window: the next is allowed 1/5 into the following one.
    expect(refused.retryAfterMs).toBe(60_000 + 12_000);
    expect(refused.resetMs).toBe(120_000);
  });

  it('allows exactly when retryAfterMs has passed, not a millisecond earlier (property)', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const clock = fakeClock();
      const limiter = new MemoryRateLimiter({ now: clock.now });
      const rate: Rate = { limit: 1 + Math.floor(random() * 20), windowMs: 1_000 * (1 + Math.floor(random() * 60)) };
      // Spend the budget at random moments until refused.
      let refused;
      for (;;) {
        clock.advance(Math.floor(random() * (rate.windowMs / rate.limit)));
        const d = await limiter.take('k', rate);
        if (!d.allowed) {
          refused = d;
          break;
        }
      }
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2 * rate.windowMs);
      clock.advance(refused.retryAfterMs - 1);
      expect((await limiter.take('k', rate)).allowed, `round ${round}, ${JSON.stringify(rate)}`).toBe(false);
      clock.advance(1);
      expect((await limiter.take('k', rate)).allowed, `round ${round}, ${JSON.stringify(rate)}`).toBe(true);
    }
  });

  it('slides: a burst at the end of one window still counts at the start of the next', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    clock.advance(900);
    for (let i = 0; i < 10; i++) expect((await limiter.take('k', TEN_PER_SECOND)).allowed).toBe(true);

    // A fixed window would hand out ten more at 1000 ms; the sliding window has none yet.
    clock.set(clock.start + 1_000);
    const atBoundary = await limiter.take('k', TEN_PER_SECOND);
    expect(atBoundary).toMatchObject({ allowed: false, retryAfterMs: 100 });

    // Each tenth of the window that passes frees one request (the burst's weight falls by 1).
    clock.set(clock.start + 1_100);
    expect(await limiter.take('k', TEN_PER_SECOND)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.take('k', TEN_PER_SECOND)).allowed).toBe(false);
    clock.set(clock.start + 1_500);
    const mid = [];
    for (let i = 0; i < 5; i++) mid.push((await limiter.take('k', TEN_PER_SECOND)).allowed);
    expect(mid).toEqual([true, true, true, true, false]); // 10 × 0.5 + 1 + 4 = 10; a fifth would make 11

    // Two windows after the burst, only this window's requests count.
    clock.set(clock.start + 2_000);
    const next = await limiter.take('k', TEN_PER_SECOND);
    expect(next.allowed).toBe(true);
    expect(next.remaining).toBe(10 - 5 - 1);
  });

  it('does not count refused requests, so a client hammering the limit recovers', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rate = parseRate('2/second');
    await limiter.take('k', rate);
    await limiter.take('k', rate);
    for (let i = 0; i < 100; i++) expect((await limiter.take('k', rate)).allowed).toBe(false);
    clock.advance(2_000);
    expect(await limiter.take('k', rate)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('keeps keys, and one key under two window lengths, independent', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rate = parseRate('1/minute');
    expect((await limiter.take('alice', rate)).allowed).toBe(true);
    expect((await limiter.take('alice', rate)).allowed).toBe(false);
    expect((await limiter.take('bob', rate)).allowed).toBe(true);
    expect((await limiter.take('alice', parseRate('1/hour'))).allowed).toBe(true);
    expect((await limiter.take('alice', parseRate('1/hour'))).allowed).toBe(false);
  });

  it('handles parseRate("1000/hour") end to end', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rate = parseRate('1000/hour');
    let allowed = 0;
    for (let i = 0; i < 1_200; i++) {
      if ((await limiter.take('api-key-1', rate)).allowed) allowed++;
      clock.advance(1_000); // one a second: 1,200 requests over 20 minutes
    }
    expect(allowed).toBe(1_000);
    const refused = await limiter.take('api-key-1', rate);
    expect(refused.allowed).toBe(false);
    // 20 minutes in, the current window is full: wait 40 minutes to its end plus 3.6 s.
    expect(refused.retryAfterMs).toBe(40 * 60_000 + 3_600);
  });

  it('does not refill the budget when the clock steps back', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rate = parseRate('3/minute');
    clock.advance(120_000);
    for (let i = 0; i < 3; i++) await limiter.take('k', rate);
    clock.advance(-90_000); // 90 s before the window the three were counted in
    // Refused, and the wait runs from the stepped-back clock: 90 s to that window, then 80 s.
    expect(await limiter.take('k', rate)).toMatchObject({ allowed: false, retryAfterMs: 90_000 + 80_000, resetMs: 90_000 + 120_000 });
  });

  it('bounds memory: expired entries are swept, and at most maxKeys are kept (least recent dropped)', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now, maxKeys: 3 });
    const rate = parseRate('1/second');
    for (const key of ['a', 'b', 'c', 'd']) await limiter.take(key, rate);
    expect(limiter.size).toBe(3);
    // 'a' was dropped (least recently charged), so it starts afresh; 'd' is still limited.
    expect((await limiter.take('d', rate)).allowed).toBe(false);
    expect((await limiter.take('a', rate)).allowed).toBe(true);

    const big = new MemoryRateLimiter({ now: clock.now });
    for (let i = 0; i < 1_000; i++) await big.take(`key-${i}`, rate);
    expect(big.size).toBe(1_000);
    // Two windows later every entry has aged out; ongoing traffic on one key sweeps them.
    clock.advance(2_000);
    for (let i = 0; i < 600; i++) {
      await big.take('busy', { limit: 1_000_000, windowMs: 1_000 });
    }
    expect(big.size).toBe(1);
  });

  it('refuses a bad key or rate with ERR_INVALID_INPUT', async () => {
    const limiter = new MemoryRateLimiter();
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_INPUT' });
    await expect(limiter.take('', TEN_PER_SECOND)).rejects.toThrow(invalid);
    await expect(limiter.take('x'.repeat(513), TEN_PER_SECOND)).rejects.toThrow(invalid);
    await expect(limiter.take('k', { limit: 0, windowMs: 1_000 })).rejects.toThrow(invalid);
    await expect(limiter.take('k', { limit: 1.5, windowMs: 1_000 })).rejects.toThrow(invalid);
    await expect(limiter.take('k', { limit: 1e9, windowMs: 86_400_000 })).rejects.toThrow(invalid);
    await expect(limiter.take('k', undefined as unknown as Rate)).rejects.toThrow(invalid);
    expect(() => new MemoryRateLimiter({ maxKeys: 0 })).toThrow(invalid);
  });

  it('refuses an unknown option naming the supported ones', () => {
    expect(() => new MemoryRateLimiter({ max_keys: 10 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: 'MemoryRateLimiter: unknown option max_keys (supported: maxKeys, now)' }),
    );
  });
});

describe('slidingWindowTake (the pure decision)', () => {
  it('never allows more than the limit inside one fixed window, nor 2× in any sliding one (property)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const rate: Rate = { limit: 7, windowMs: 1_000 };
    let state: WindowCounts | undefined;
    let now = 0;
    const allowedAt: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      now += Math.floor(random() * 60);
      const { decision, next } = slidingWindowTake(state, rate, now);
      if (next) state = next;
      if (decision.allowed) allowedAt.push(now);
      expect(decision.remaining).toBeGreaterThanOrEqual(0);
      expect(decision.remaining).toBeLessThanOrEqual(rate.limit);
    }
    const perWindow = new Map<number, number>();
    for (const t of allowedAt) perWindow.set(Math.floor(t / 1_000), (perWindow.get(Math.floor(t / 1_000)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBe(rate.limit);
    let lo = 0;
    for (let hi = 0; hi < allowedAt.length; hi++) {
      while (allowedAt[hi]! - allowedAt[lo]! >= 1_000) lo++;
      expect(hi - lo + 1).toBeLessThan(2 * rate.limit);
    }
  });

  it('reports the time until the whole budget is back as resetMs', () => {
    const rate: Rate = { limit: 3, windowMs: 1_000 };
    const first = slidingWindowTake(undefined, rate, 10_250);
    expect(first.decision).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, resetMs: 1_750 });
    expect(first.expiresAt).toBe(12_000);
    const later = slidingWindowTake(first.next!, rate, 11_250);
    expect(later.decision).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0, resetMs: 1_750 });
    // With only the previous window counted, the budget is back at the end of this window.
    expect(slidingWindowTake(first.next!, { limit: 1, windowMs: 1_000 }, 11_250).decision).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 750,
      resetMs: 750,
    });
  });
});
