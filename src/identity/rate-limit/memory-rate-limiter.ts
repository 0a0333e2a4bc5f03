import type { Rate } from '../../core/units.js';
import { invalidInput } from '../../core/errors.js';
import { checkRateArguments, type RateDecision, type RateLimiter } from './rate-limiter.js';
import { slidingWindowTake, type WindowCounts } from './sliding-window-counter.js';
import { checkKeys, memoryRateLimiterKeys } from '../input-keys.js';

export interface MemoryRateLimiterOptions {
  /** Most keys held at once; beyond it the least recently charged key is dropped. Default 100,000. */
  readonly maxKeys?: number;
  /** Clock in milliseconds since the epoch; default `Date.now` (tests pass a fake one). */
  readonly now?: () => number;
}

interface Entry extends WindowCounts {
  readonly expiresAt: number;
}

/** Entries checked for expiry per `take`: enough to sweep the map faster than it grows. */
const SWEEP_PER_TAKE = 2;

/**
 * A sliding window counter limiter for a single process (one server, tests, or a local
 * guard in front of Redis). Memory is bounded twice over: an entry expires once its counts
 * have aged out (two windows after its window began) and an incremental sweep removes
 * expired entries a couple per call; and at most `maxKeys` entries are kept, dropping the
 * least recently charged. Dropping a live entry forgets that key's usage (it fails open for
 * that key), so size `maxKeys` above the number of keys active within two windows
 * (each entry is on the order of 150 bytes).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private sweep: Iterator<[string, Entry]> | undefined;

  constructor(options: MemoryRateLimiterOptions = {}) {
    checkKeys(memoryRateLimiterKeys, options, 'MemoryRateLimiter');
    this.maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(this.maxKeys) || this.maxKeys < 1) {
      throw invalidInput('maxKeys must be a positive whole number', { option: 'maxKeys' });
    }
    this.now = options.now ?? Date.now;
  }

  /** Keys currently held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  async take(key: string, rate: Rate): Promise<RateDecision> {
    return this.takeNow(key, rate);
  }

  /** Synchronous `take`, for callers in a hot path that know they use this limiter. */
  takeNow(key: string, rate: Rate): RateDecision {
    checkRateArguments(key, rate);
    const now = this.now();
    this.sweepSome(now);
    // The window length is part of the name: counts kept for one window length mean nothing
    // for another, should a key's configured rate change.
    const name = `${rate.windowMs}:${key}`;
    let stored = this.entries.get(name);
    if (stored && stored.expiresAt <= now) {
      this.entries.delete(name);
      stored = undefined;
    }
    const { decision, next, expiresAt } = slidingWindowTake(stored, rate, now);
    if (next) {
      // Delete then set: Map order becomes least recently charged first.
      this.entries.delete(name);
      this.entries.set(name, { ...next, expiresAt });
      if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    }
    return decision;
  }

  /** Advance a resumable pass over the map, removing expired entries. */
  private sweepSome(now: number): void {
    for (let i = 0; i < SWEEP_PER_TAKE; i++) {
      this.sweep ??= this.entries.entries();
      const step = this.sweep.next();
      if (step.done) {
        this.sweep = undefined;
        return;
      }
      const [name, entry] = step.value;
      if (entry.expiresAt <= now) this.entries.delete(name);
    }
  }
}
