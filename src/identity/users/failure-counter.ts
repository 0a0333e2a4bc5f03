/**
 * Failed-attempt accounting for one subject (an account or a client IP): pure, no I/O, so the
 * rule is tested alone and the store only persists its state.
 *
 * - Failures count within a window that starts at the first failure; once the window has
 *   passed, the count starts again.
 * - The `maxFailures`-th failure in a window locks the subject for
 *   `min(maxDelay, delay × 2^(lockouts − 1))`: 1 min, 2, 4, … 1 h with the defaults. The
 *   count is cleared, so the next lock needs `maxFailures` fresh failures.
 * - `lockouts` (the doubling) is cleared by a success, by an admin unlock, or when a whole
 *   window passes after a lock ended without a new one.
 * - Attempts while locked are refused before any check and do not count: a locked subject is
 *   not kept locked for ever by its attacker.
 */
export interface FailureState {
  failures: number;
  windowStartMs: number | null;
  lockedUntilMs: number | null;
  lockouts: number;
}

export interface FailureRule {
  maxFailures: number;
  windowMs: number;
  delayMs: number;
  maxDelayMs: number;
}

export const CLEAR: FailureState = Object.freeze({ failures: 0, windowStartMs: null, lockedUntilMs: null, lockouts: 0 });

/** Milliseconds the subject stays locked at `nowMs`; 0 when it is not. */
export function lockRemaining(state: FailureState, nowMs: number): number {
  return state.lockedUntilMs !== null && state.lockedUntilMs > nowMs ? state.lockedUntilMs - nowMs : 0;
}

/** The state after one more failure at `nowMs`, and the lock it starts, if any. */
export function afterFailure(state: FailureState, nowMs: number, rule: FailureRule): { state: FailureState; lockedForMs: number | null } {
  let { failures, windowStartMs, lockouts } = state;
  const { lockedUntilMs } = state;
  if (lockedUntilMs !== null && nowMs >= lockedUntilMs + rule.windowMs) lockouts = 0;
  if (windowStartMs === null || nowMs - windowStartMs >= rule.windowMs) {
    failures = 0;
    windowStartMs = nowMs;
  }
  failures += 1;
  if (failures < rule.maxFailures) return { state: { failures, windowStartMs, lockedUntilMs, lockouts }, lockedForMs: null };
  lockouts += 1;
  // 2^(lockouts−1) overflows nothing: the exponent is capped long before doubles lose integers.
  const lockedForMs = Math.min(rule.maxDelayMs, rule.delayMs * 2 ** Math.min(lockouts - 1, 40));
  return { state: { failures: 0, windowStartMs: null, lockedUntilMs: nowMs + lockedForMs, lockouts }, lockedForMs };
}
