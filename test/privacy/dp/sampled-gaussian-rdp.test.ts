import { describe, expect, it } from 'vitest';
import { computeRdp, sampledGaussianRdp } from '../../../src/privacy/dp/sampled-gaussian-rdp.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('RDP of the Poisson-subsampled Gaussian mechanism', () => {
  it('matches TF Privacy rdp_accountant_test (commit be8175b, Dec 2020): test_compute_rdp_scalar', () => {
    // compute_rdp(q=0.1, noise_multiplier=2, steps=10, orders=5) ≈ 0.07737, places=5
    expect(computeRdp(0.1, 2, 10, [5])[0]).toBeCloseTo(0.07737, 5);
  });

  it('matches TF Privacy rdp_accountant_test: test_compute_rdp_sequence (fractional and integer orders)', () => {
    // compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100, inf])
    //   ≈ [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307, inf], delta=1e-5
    const rdp = computeRdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100, Infinity]);
    const expected = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307];
    expected.forEach((value, i) => expect(Math.abs(rdp[i]! - value)).toBeLessThanOrEqual(1e-5));
    expect(rdp[5]).toBe(Infinity);
  });

  it('matches dp_accounting rdp_privacy_accountant_test: test_compute_rdp_poisson_sampled_gaussian, rtol 1e-4', () => {
    // Same event (q=0.01, σ=2.5, 50 steps). dp_accounting publishes
    // [6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 1.67416308e02, inf].
    const rdp = computeRdp(0.01, 2.5, 50, [2.5, 5, 50, 100]);
    [1.0854871e-3, 2.18075656e-3, 2.38460375e-2, 1.67416308e2].forEach((value, i) => expect(relativeError(rdp[i]!, value)).toBeLessThanOrEqual(1e-4));
    // At the fractional order 1.5 dp_accounting (since 2024) sums the series' terms by
    // absolute value, a looser upper bound; the signed series of Mironov et al. Sec. 3.3, as
    // Opacus and TF Privacy compute it, gives the exact moment: lower, and TF's 0.00065.
    const [signed] = computeRdp(0.01, 2.5, 50, [1.5]);
    expect(signed).toBeLessThan(6.70579741e-4);
    expect(Math.abs(signed! - 0.00065)).toBeLessThanOrEqual(1e-5);
  });

  // log(A_α) by 40-digit numerical integration of E_{z~N(0,σ²)}[((1-q) + q·e^((2z-1)/2σ²))^α]
  // with mpmath 1.3.0 quad — the check TF Privacy's test_compute_log_a_equals_mp makes, on
  // its parameter list, with its tolerance (rtol 1e-4). RDP = log(A_α)/(α - 1).
  const multiPrecision: [number, number, number, number][] = [
    [1e-7, 0.1, 1.01, 4.003412322526399e-8],
    [1e-6, 0.1, 256, 3260463.2292971606],
    [1e-5, 0.1, 256.1, 3263607.0397884212],
    [1e-6, 1, 27, 8.769511304848498e-10],
    [1e-4, 1, 1.5, 6.4426869538366495e-9],
    [1e-3, 1, 2, 1.7182803522145153e-6],
    [0.01, 10, 20, 1.9129699912842963e-4],
    [0.1, 100, 20.5, 1.9991818458068295e-4],
    [0.99, 0.1, 256, 3263997.427114021],
    [0.999, 100, 256.1, 3.260108037973113],
  ];

  it.each(multiPrecision)('q=%d σ=%d α=%d agrees with multi-precision integration', (q, sigma, order, logA) => {
    expect(relativeError(sampledGaussianRdp(q, sigma, order) * (order - 1), logA)).toBeLessThanOrEqual(1e-4);
  });

  // Opacus 4d0ebc8 (Sep 2025) opacus/accountants/analysis/rdp.py `_compute_rdp(q, sigma, alpha)`,
  // run with numpy 2.4.6 / scipy 1.17.1 and printed with repr(). Same algorithm, so the
  // agreement is to rounding: over 264 (q, σ, α) combinations the largest relative
  // difference measured was 3e-9 (a 2e-5 value at a fractional order, cancellation-bound).
  const opacus: [number, number, number, number][] = [
    [0.001, 0.5, 1.1, 2.3858455297682115e-5],
    [0.001, 4.0, 1024, 25.0854922720648],
    [0.01, 1.0, 1.5, 1.2725374351154145e-4],
    [0.01, 1.0, 2, 1.7181342207453428e-4],
    [0.04, 1.5, 3.9, 1.8332021995636277e-3],
    [0.04, 1.5, 32, 3.788426314311532],
    [0.1, 0.5, 2.5, 1.2886179654395373],
    [0.1, 0.5, 63, 123.66027643776411],
    [0.1, 1.0, 256, 125.68838516154322],
    [0.5, 4.0, 10.9, 0.10132240363729454],
    [0.9, 1.0, 8, 3.879703841434867],
  ];

  it.each(opacus)('q=%d σ=%d α=%d equals Opacus to 1e-8 relative', (q, sigma, order, expected) => {
    expect(relativeError(sampledGaussianRdp(q, sigma, order), expected)).toBeLessThanOrEqual(1e-8);
  });

  it('handles the special cases: q=0 releases nothing, σ=0 is not private, q=1 is the plain Gaussian', () => {
    // TF Privacy rdp_accountant_test: test_compute_rdp_no_data / test_compute_rdp_no_sampling.
    expect(computeRdp(0, 10, 1, [20])).toEqual([0]);
    expect(computeRdp(1, 10, 1, [20])).toEqual([0.1]);
    expect(computeRdp(0, 0, 1, [20])).toEqual([0]);
    expect(computeRdp(0.5, 0, 1, [2, 3.5])).toEqual([Infinity, Infinity]);
    // Mironov 2017 Table II: the Gaussian mechanism has RDP α/(2σ²) at every order.
    expect(computeRdp(1, 2, 7, [1.5, 2, 32])).toEqual([(7 * 1.5) / 8, (7 * 2) / 8, (7 * 32) / 8]);
  });

  it('stays finite where the terms of the moment overflow a double (σ=0.5, large orders)', () => {
    // At σ=0.5 and α=256, e^((i²-i)/(2σ²)) reaches e^130560: only log-space sums survive.
    const rdp = computeRdp(0.01, 0.5, 1000, [2.5, 64, 256, 1024]);
    for (const value of rdp) expect(Number.isFinite(value) && value > 0).toBe(true);
  });

  it('is monotone in the order and decreasing in σ, as Rényi divergences are', () => {
    const orders = [1.1, 1.5, 2, 3.3, 8, 16, 63];
    const rdp = computeRdp(0.02, 1.1, 1, orders);
    for (let i = 1; i < rdp.length; i++) expect(rdp[i]!).toBeGreaterThan(rdp[i - 1]!);
    const noisier = computeRdp(0.02, 1.3, 1, orders);
    noisier.forEach((value, i) => expect(value).toBeLessThan(rdp[i]!));
  });
});
