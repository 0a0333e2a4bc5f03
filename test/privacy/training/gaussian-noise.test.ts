import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { GaussianNoise } from '../../../src/privacy/training/gaussian-noise.js';

const normalCdf = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const N = 1 << 18;

/** Bounds at 6 standard errors: a correct sampler fails one of these about once in 10^8 runs. */
describe('GaussianNoise', () => {
  const sigma = 1;
  const clippingNorm = 1;
  const noise = new GaussianNoise();
  const z = new Float64Array(N);
  noise.addTo(z, sigma * clippingNorm);

  it('has mean ≈ 0 and standard deviation ≈ σ·C', () => {
    const mean = z.reduce((a, b) => a + b, 0) / N;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(N));
    // The sample variance of N normals has standard error σ²·√(2/(N−1)).
    expect(Math.abs(variance - 1)).toBeLessThan(6 * Math.sqrt(2 / (N - 1)));
  });

  it('follows the normal distribution (Kolmogorov–Smirnov statistic below its p = 1e-9 critical value)', () => {
    const sorted = Float64Array.from(z).sort();
    let d = 0;
    for (let i = 0; i < N; i++) {
      const f = normalCdf(sorted[i]!);
      d = Math.max(d, (i + 1) / N - f, f - i / N);
    }
    // Asymptotic KS: P(D > t/√n) ≈ 2·exp(−2t²); t = √(ln(2e9)/2) ≈ 3.27.
    expect(d).toBeLessThan(Math.sqrt(Math.log(2e9) / 2) / Math.sqrt(N));
  });

  it('puts the right mass in the tail beyond R = 3.4426, drawn by the ziggurat\'s separate tail algorithm', () => {
    const tail = z.reduce((n, v) => n + (Math.abs(v) > 3.442619855899 ? 1 : 0), 0);
    const expected = 2 * normalCdf(-3.442619855899) * N;
    expect(Math.abs(tail - expected)).toBeLessThan(6 * Math.sqrt(expected));
    // And symmetrically: as many draws below 0 as above, within 6 standard errors.
    const negative = z.reduce((n, v) => n + (v < 0 ? 1 : 0), 0);
    expect(Math.abs(negative - N / 2)).toBeLessThan(6 * Math.sqrt(N / 4));
  });

  it('scales with the standard deviation asked for, and adds to what is there', () => {
    const target = new Float64Array(N).fill(10);
    noise.addTo(target, 2.5);
    const mean = target.reduce((a, b) => a + b, 0) / N;
    const variance = target.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean - 10)).toBeLessThan((6 * 2.5) / Math.sqrt(N));
    expect(Math.abs(variance / 6.25 - 1)).toBeLessThan(6 * Math.sqrt(2 / (N - 1)));
  });

  it('never repeats: two draws of many coordinates share no value', () => {
    const a = new Float64Array(4096);
    const b = new Float64Array(4096);
    new GaussianNoise().addTo(a, 1);
    new GaussianNoise().addTo(b, 1);
    const seen = new Set(a);
    expect(b.some((v) => seen.has(v))).toBe(false);
  });
});
