import { describe, expect, it } from 'vitest';
import { CLEAR, afterFailure, lockRemaining, type FailureState } from '../../../src/identity/users/failure-counter.js';

const MINUTE = 60_000;
const RULE = { maxFailures: 5, windowMs: 15 * MINUTE, delayMs: MINUTE, maxDelayMs: 60 * MINUTE };

/** Apply `n` failures at `at`, returning the state and the last lock started. */
function fail(state: FailureState, at: number, n = 1) {
  let lockedForMs: number | null = null;
  for (let i = 0; i < n; i += 1) ({ state, lockedForMs } = afterFailure(state, at, RULE));
  return { state, lockedForMs };
}

describe('failure counter', () => {
  it('locks on the fifth failure in the window and clears the count', () => {
    const four = fail(CLEAR, 0, 4);
    expect(four).toEqual({ state: { failures: 4, windowStartMs: 0, lockedUntilMs: null, lockouts: 0 }, lockedForMs: null });
    const five = fail(four.state, 1000);
    expect(five).toEqual({ state: { failures: 0, windowStartMs: null, lockedUntilMs: 1000 + MINUTE, lockouts: 1 }, lockedForMs: MINUTE });
    expect(lockRemaining(five.state, 1000)).toBe(MINUTE);
    expect(lockRemaining(five.state, 1000 + MINUTE)).toBe(0);
  });

  it('doubles each further lockout up to the maximum: 1, 2, 4, … 60 minutes', () => {
    let state = CLEAR;
    let at = 0;
    const delays: Array<number | null> = [];
    for (let i = 0; i < 9; i += 1) {
      const r = fail(state, at, 5);
      delays.push(r.lockedForMs);
      state = r.state;
      at = state.lockedUntilMs!;
    }
    expect(delays.map((d) => d! / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('forgets failures once the window has passed, and the doubling after a quiet window', () => {
    const four = fail(CLEAR, 0, 4).state;
    expect(fail(four, 15 * MINUTE).state.failures).toBe(1);
    const locked = fail(CLEAR, 0, 5).state;
    // Within a window after the lock ended: the next lock doubles.
    expect(fail(locked, MINUTE, 5).lockedForMs).toBe(2 * MINUTE);
    // A whole window after it ended: back to the first delay.
    expect(fail(locked, MINUTE + 15 * MINUTE, 5).lockedForMs).toBe(MINUTE);
  });
});
