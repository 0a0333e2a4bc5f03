import type { Redis } from 'ioredis';
import { LangtrainError } from '../../core/errors.js';
import type { Rate } from '../../core/units.js';
import type { RedisConnection } from '../../store/redis.js';
import { checkRateArguments, type RateDecision, type RateLimiter } from './rate-limiter.js';
import { checkKeys, redisRateLimiterKeys } from '../input-keys.js';

/**
 * The sliding window counter of `sliding-window-counter.ts`, run in Redis so every server
 * instance draws on one budget per key. One Lua script reads, decides and writes, so
 * concurrent requests from any number of instances cannot both take the last unit (a
 * read-then-write from the client could). State is one hash per key and window length
 * (`w` window index, `p` previous count, `c` current count) under the connection's key
 * prefix; it is written only when a request is allowed, with a TTL that ends when its counts
 * have aged out, so idle keys vanish by themselves.
 *
 * The clock is Redis's own `TIME`, so instances with skewed clocks still agree on windows.
 * Lua numbers are doubles: `checkRateArguments` keeps every product an exact integer.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local W = tonumber(ARGV[1])
local L = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = math.floor(now / W)
local elapsed = now - window * W
local previous, current, lag = 0, 0, 0
local s = redis.call('HMGET', KEYS[1], 'w', 'p', 'c')
local sw, sp, sc = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
if sw and sp and sc then
  if sw > window then
    window = sw; elapsed = 0; previous = sp; current = sc; lag = sw * W - now
  elseif sw == window then
    previous = sp; current = sc
  elseif sw == window - 1 then
    previous = sc
  end
end
local allowed = previous * (W - elapsed) + (current + 1) * W <= L * W
if allowed then current = current + 1 end
local used = previous * (W - elapsed) + current * W
local remaining = math.max(0, math.floor((L * W - used) / W))
local retry = 0
if not allowed then
  if current < L then
    retry = lag + W - math.floor(((L - current - 1) * W) / previous) - elapsed
  else
    retry = lag + W - elapsed + W - math.floor(((L - 1) * W) / current)
  end
end
local reset = lag
if current > 0 then reset = lag + 2 * W - elapsed elseif previous > 0 then reset = lag + W - elapsed end
if allowed then
  local f = function(x) return string.format('%.0f', x) end
  redis.call('HSET', KEYS[1], 'w', f(window), 'p', f(previous), 'c', f(current))
  redis.call('PEXPIRE', KEYS[1], f(window * W + 2 * W - now))
end
return { allowed and 1 or 0, remaining, retry, reset }
`;

const COMMAND = 'langtrainRateLimitTake';

type ScriptClient = Redis & {
  [COMMAND](key: string, windowMs: number, limit: number, now: number): Promise<[number, number, number, number]>;
};

export interface RedisRateLimiterOptions {
  /** Key namespace under the connection's prefix; default `rate`. */
  readonly namespace?: string;
  /**
   * Clock in milliseconds; default: Redis's `TIME`, shared by all instances. Only tests
   * should pass one (to compare with the memory limiter on the same fake clock).
   */
  readonly now?: () => number;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly client: ScriptClient;
  private readonly namespace: string;
  private readonly now: (() => number) | undefined;

  constructor(connection: Pick<RedisConnection, 'client'>, options: RedisRateLimiterOptions = {}) {
    checkKeys(redisRateLimiterKeys, options, 'RedisRateLimiter');
    const client = connection.client as ScriptClient;
    // ioredis sends EVALSHA, falls back to EVAL on NOSCRIPT, and prefixes the key argument.
    if (typeof client[COMMAND] !== 'function') client.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.client = client;
    this.namespace = options.namespace ?? 'rate';
    this.now = options.now;
  }

  async take(key: string, rate: Rate): Promise<RateDecision> {
    checkRateArguments(key, rate);
    const now = this.now ? Math.floor(this.now()) : -1;
    let reply: [number, number, number, number];
    try {
      reply = await this.client[COMMAND](`${this.namespace}:${rate.windowMs}:${key}`, rate.windowMs, rate.limit, now);
    } catch (err) {
      // The caller decides whether to fail open or closed; the message names no key.
      throw new LangtrainError('ERR_STORE_UNAVAILABLE', `rate limit check in Redis failed: ${(err as Error).message}`, {}, { cause: err });
    }
    const [allowed, remaining, retryAfterMs, resetMs] = reply;
    return { allowed: allowed === 1, remaining, retryAfterMs, resetMs };
  }
}
