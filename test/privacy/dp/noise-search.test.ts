import { describe, expect, it } from 'vitest';
import { searchNoiseMultiplier } from '../../../src/privacy/dp/noise-search.js';

describe('searchNoiseMultiplier', () => {
  it('lands in [target - tolerance, target] from either side, in a handful of evaluations', () => {
    for (const start of [0.01, 1, 300]) {
      let evaluations = 0;
      const found = searchNoiseMultiplier({
        epsilonOf: (sigma) => {
          evaluations += 1;
          return 3 / (sigma * sigma) + 0.2 / sigma;
        },
        targetEpsilon: 2,
        tolerance: 0.001,
        start,
        firstStep: 2,
      });
      expect(found.epsilon).toBeLessThanOrEqual(2);
      expect(found.epsilon).toBeGreaterThanOrEqual(1.999);
      expect(found.epsilon).toBe(3 / found.noiseMultiplier ** 2 + 0.2 / found.noiseMultiplier);
      expect(evaluations).toBeLessThan(20);
    }
  });

  it('copes with ε = ∞ below some σ (no noise to speak of) by bisecting', () => {
    const found = searchNoiseMultiplier({
      epsilonOf: (sigma) => (sigma < 0.5 ? Infinity : 1 / sigma),
      targetEpsilon: 1.5,
      tolerance: 0.01,
      start: 0.1,
      firstStep: 2,
    });
    expect(found.epsilon).toBeLessThanOrEqual(1.5);
    expect(found.epsilon).toBeGreaterThanOrEqual(1.49);
  });

  it('keeps to the conservative side when ε jumps over the band', () => {
    // A step function has no σ in the band: the answer is the smallest σ found under target.
    const found = searchNoiseMultiplier({ epsilonOf: (sigma) => (sigma < 1 ? 5 : 1), targetEpsilon: 2, tolerance: 0.01, start: 3, firstStep: 2 });
    expect(found.epsilon).toBe(1);
    expect(found.noiseMultiplier).toBeGreaterThanOrEqual(1);
    expect(found.noiseMultiplier).toBeLessThan(1 + 1e-9);
  });
});
