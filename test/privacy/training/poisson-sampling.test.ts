import { describe, expect, it } from 'vitest';
import { PoissonSampler } from '../../../src/privacy/training/poisson-sampling.js';

/** Bounds at 6 standard errors or wider: a correct sampler does not fail them in practice. */
describe('PoissonSampler', () => {
  it('draws batches of mean q·N and variance N·q(1−q), of varying size', () => {
    const n = 10_000;
    const q = 0.05;
    const steps = 400;
    const sampler = new PoissonSampler(n, q);
    const sizes: number[] = [];
    let firstIncluded = 0;
    let ordered = true;
    for (let s = 0; s < steps; s++) {
      const batch = sampler.next();
      sizes.push(batch.length);
      if (batch[0] === 0) firstIncluded++;
      for (let k = 1; k < batch.length; k++) ordered &&= batch[k]! > batch[k - 1]!;
      ordered &&= batch.length === 0 || batch[batch.length - 1]! < n;
    }
    expect(ordered).toBe(true);
    const mean = sizes.reduce((a, b) => a + b, 0) / steps;
    const variance = sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / (steps - 1);
    const expectedVariance = n * q * (1 - q);
    expect(Math.abs(mean - n * q)).toBeLessThan(6 * Math.sqrt(expectedVariance / steps));
    // Sample variance of ~normal sizes: standard error σ²·√(2/(steps−1)).
    expect(Math.abs(variance - expectedVariance)).toBeLessThan(6 * expectedVariance * Math.sqrt(2 / (steps - 1)));
    expect(new Set(sizes).size).toBeGreaterThan(20);
    // One given example joins a step with probability q, independently of the others.
    expect(Math.abs(firstIncluded - steps * q)).toBeLessThan(6 * Math.sqrt(steps * q * (1 - q)));
  });

  it('allows an empty batch: with N·q small most steps are empty', () => {
    const sampler = new PoissonSampler(10, 0.01);
    const sizes = Array.from({ length: 50 }, () => sampler.next().length);
    // P(no empty batch in 50 steps) = (1 − 0.99^10)^50 ≈ 1e-51.
    expect(sizes).toContain(0);
  });

  it('takes everyone at q = 1', () => {
    expect([...new PoissonSampler(5, 1).next()]).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a rate outside (0, 1]', () => {
    expect(() => new PoissonSampler(10, 0)).toThrow(/sampling rate/);
    expect(() => new PoissonSampler(10, 1.5)).toThrow(/sampling rate/);
  });
});
