import type { Rate } from '../../core/units.js';
import { invalidInput } from '../../core/errors.js';

/**
 * Per-key rate limits (per API key, per account, per client address): the interface the
 * memory and Redis limiters share. Rates come from `parseRate('1000/hour')`.
 */
export interface RateDecision {
  /** Whether this request is within the rate; a refused request does not use up budget. */
  readonly allowed: boolean;
  /** Requests still allowed right now, after this one (for a `RateLimit-Remaining` header). */
  readonly remaining: number;
  /** 0 when allowed; otherwise the wait until one request would be allowed (`Retry-After`). */
  readonly retryAfterMs: number;
  /** The wait, with no further requests, until the whole budget is available again. */
  readonly resetMs: number;
}

export interface RateLimiter {
  /** Count one request for `key` against `rate`, unless it would exceed it. */
  take(key: string, rate: Rate): Promise<RateDecision>;
}

/** Longest key accepted: keys are identifiers (key ids, account ids, addresses), not payloads. */
export const MAX_RATE_KEY_LENGTH = 512;

/**
 * The sliding-window arithmetic multiplies counts by window lengths; keeping `limit × windowMs`
 * below 2^51 keeps every intermediate an exact integer in a double (JavaScript and Lua alike).
 */
const MAX_LIMIT_TIMES_WINDOW = 2 ** 51;

/** Validate a `take` call's arguments once, the same way for every limiter. */
export function checkRateArguments(key: string, rate: Rate): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_RATE_KEY_LENGTH) {
    throw invalidInput(`rate limit key must be a non-empty string of at most ${MAX_RATE_KEY_LENGTH} characters`, { option: 'key' });
  }
  const { limit, windowMs } = rate ?? ({} as Partial<Rate>);
  if (!Number.isSafeInteger(limit) || limit! < 1 || !Number.isSafeInteger(windowMs) || windowMs! < 1 || limit! * windowMs! > MAX_LIMIT_TIMES_WINDOW) {
    throw invalidInput('rate must have a positive whole limit and windowMs (from parseRate), with limit × windowMs below 2^51', {
      option: 'rate',
    });
  }
}
