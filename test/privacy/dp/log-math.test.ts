import { describe, expect, it } from 'vitest';
import { logAdd, logErfc, logSub } from '../../../src/privacy/dp/log-math.js';

describe('log-space arithmetic', () => {
  it('adds and subtracts numbers held as logarithms, with -Infinity as zero', () => {
    expect(logAdd(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAdd(-Infinity, 1.5)).toBe(1.5);
    expect(logSub(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSub(2, -Infinity)).toBe(2);
    expect(logSub(2, 2)).toBe(-Infinity);
    // Far beyond exp's range, where the naive sum would be Infinity - Infinity.
    expect(logAdd(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSub(1001, 1000)).toBeCloseTo(1000 + Math.log(Math.E - 1), 12);
  });

  it('refuses a subtraction whose result would be negative', () => {
    expect(() => logSub(1, 2)).toThrow(RangeError);
  });
});

describe('logErfc', () => {
  // Reference: scipy 1.17.1, log(2) + scipy.special.log_ndtr(-x·√2) — the expression Opacus'
  // `_log_erfc` uses — printed with repr().
  const scipy: [number, number][] = [
    [-3, 0.6931361352504468],
    [0.5, -0.7350111298370848],
    [5, -27.200889545537446],
    [24.99, -628.2917397318874],
    [25.01, -629.2925384570195],
    [30, -903.9741171106442],
    [100, -10005.177585122668],
    [1000, -1000007.4801207221],
  ];

  it.each(scipy)('log(erfc(%d)) matches scipy to 1e-14 relative, past where erfc underflows', (x, expected) => {
    expect(Math.abs(logErfc(x) - expected)).toBeLessThanOrEqual(1e-14 * Math.abs(expected));
  });
});
