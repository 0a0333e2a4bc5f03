import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../src/core/errors.js';
import { DEFAULT_ORDERS, OPACUS_DEFAULT_ORDERS, RdpAccountant, computeRdp, rdpToEpsilon } from '../../../src/privacy/dp/index.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

/** TF Privacy compute_dp_sgd_privacy_lib.compute_dp_sgd_privacy: its orders, and steps = ceil(epochs·n/batch). */
const TF_ORDERS = [1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5, ...Array.from({ length: 59 }, (_, i) => 5 + i), 128, 256, 512];
function tfDpSgd(n: number, batchSize: number, noiseMultiplier: number, epochs: number, conversion: 'improved' | 'classic') {
  return new RdpAccountant({ orders: TF_ORDERS, conversion }).record({
    noiseMultiplier,
    samplingRate: batchSize / n,
    steps: Math.ceil((epochs * n) / batchSize),
  });
}

describe('RdpAccountant', () => {
  it("reproduces Opacus' test_rdp_accountant: q=0.04, σ=1.5, int(90/0.04)=2250 steps, δ=1e-5 → ε 7.32911117143", () => {
    // opacus/tests/accountants_test.py asserts assertAlmostEqual(epsilon, 7.32911117143) (7 places).
    const opacus = new RdpAccountant({ orders: OPACUS_DEFAULT_ORDERS });
    for (let i = 0; i < 2250; i++) opacus.step({ noiseMultiplier: 1.5, samplingRate: 0.04 });
    const { epsilon, order } = opacus.getEpsilon(1e-5);
    expect(relativeError(epsilon, 7.32911117143)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(epsilon - 7.32911117143)).toBeLessThan(5e-8);
    expect(order).toBe(3.9);
    // The wider default grid finds the same optimum here.
    expect(new RdpAccountant().record({ noiseMultiplier: 1.5, samplingRate: 0.04, steps: 2250 }).getEpsilon(1e-5).epsilon).toBe(epsilon);
  });

  // tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py, test_compute_dp_sgd_privacy
  // (n, batch_size, noise_multiplier, epochs, delta, expected_eps, expected_order).
  // Since TF Privacy commit be8175b (Dec 2020, "Improved conversion from Renyi DP to approx DP")
  // the values use the improved conversion; before it, the classic one.
  const tfCases = [
    { name: 'Test0', n: 60000, batch: 150, sigma: 1.3, epochs: 15, delta: 1e-5, improved: 0.7242234026109595, classic: 0.941870567, order: 19 },
    { name: 'Test1', n: 100000, batch: 100, sigma: 1.0, epochs: 30, delta: 1e-7, improved: 1.4154988495444842, classic: 1.70928734, order: 13 },
    { name: 'Test2', n: 100000000, batch: 1024, sigma: 0.1, epochs: 10, delta: 1e-7, improved: 5907982.3113984, classic: 5907984.81339406, order: 1.25 },
  ];

  it.each(tfCases)("reproduces TF Privacy's $name with the improved conversion (current test values)", ({ n, batch, sigma, epochs, delta, improved, order }) => {
    const result = tfDpSgd(n, batch, sigma, epochs, 'improved').getEpsilon(delta);
    expect(relativeError(result.epsilon, improved)).toBeLessThanOrEqual(1e-6);
    expect(result.order).toBe(order);
  });

  it.each(tfCases)("reproduces TF Privacy's $name with the classic conversion (values before be8175b)", ({ n, batch, sigma, epochs, delta, classic, order }) => {
    const result = tfDpSgd(n, batch, sigma, epochs, 'classic').getEpsilon(delta);
    expect(relativeError(result.epsilon, classic)).toBeLessThanOrEqual(1e-6);
    expect(result.order).toBe(order);
  });

  it("composes heterogeneous steps as TF Privacy's test_check_composition (classic conversion, before be8175b)", () => {
    // q=1e-4, σ=0.4, 40000 steps, then q=0.1, σ=2, 100 steps, δ=1e-5 → ε 8.509656 (places=5) at order 2.5.
    const orders = [1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256];
    const accountant = new RdpAccountant({ orders, conversion: 'classic' })
      .record({ noiseMultiplier: 0.4, samplingRate: 1e-4, steps: 40000 })
      .record({ noiseMultiplier: 2, samplingRate: 0.1, steps: 100 });
    const { epsilon, order } = accountant.getEpsilon(1e-5);
    expect(epsilon).toBeCloseTo(8.509656, 5);
    expect(order).toBe(2.5);
    // The improved conversion is never worse (TF Privacy keeps this as an upper-bound check).
    expect(new RdpAccountant({ orders }).record({ noiseMultiplier: 0.4, samplingRate: 1e-4, steps: 40000 }).record({ noiseMultiplier: 2, samplingRate: 0.1, steps: 100 }).getEpsilon(1e-5).epsilon).toBeLessThanOrEqual(8.509656);
  });

  it("reproduces TF Privacy's test_get_privacy_spent_check_target_delta (classic, before be8175b)", () => {
    // compute_rdp(0.01, 4, 10000, orders 2..32), δ=1e-5 → ε 1.258575 (places=5), order 20.
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const { epsilon, order } = new RdpAccountant({ orders, conversion: 'classic' }).record({ noiseMultiplier: 4, samplingRate: 0.01, steps: 10000 }).getEpsilon(1e-5);
    expect(epsilon).toBeCloseTo(1.258575, 5);
    expect(order).toBe(20);
  });

  it('sums RDP per order over the recorded history, and merges repeated steps as Opacus does', () => {
    const accountant = new RdpAccountant();
    for (let i = 0; i < 300; i++) accountant.step({ noiseMultiplier: 1.1, samplingRate: 0.01 });
    accountant.record({ noiseMultiplier: 0.9, samplingRate: 0.02, steps: 200 }).record({ noiseMultiplier: 0.9, samplingRate: 0.02, steps: 50 });
    accountant.step({ noiseMultiplier: 2, samplingRate: 0.05 });
    expect(accountant.history).toEqual([
      { noiseMultiplier: 1.1, samplingRate: 0.01, steps: 300 },
      { noiseMultiplier: 0.9, samplingRate: 0.02, steps: 250 },
      { noiseMultiplier: 2, samplingRate: 0.05, steps: 1 },
    ]);
    const parts = [computeRdp(0.01, 1.1, 300, DEFAULT_ORDERS), computeRdp(0.02, 0.9, 250, DEFAULT_ORDERS), computeRdp(0.05, 2, 1, DEFAULT_ORDERS)];
    accountant.getRdp().forEach((total, i) => expect(total).toBeCloseTo(parts[0]![i]! + parts[1]![i]! + parts[2]![i]!, 12));
    const whole = accountant.getEpsilon(1e-5);
    expect(whole).toEqual(rdpToEpsilon(DEFAULT_ORDERS, accountant.getRdp(), 1e-5));
    // Composition costs privacy: more than either part alone.
    expect(whole.epsilon).toBeGreaterThan(new RdpAccountant().record({ noiseMultiplier: 1.1, samplingRate: 0.01, steps: 300 }).getEpsilon(1e-5).epsilon);
  });

  it('gives the closed form for q = 1: k Gaussian steps are one Gaussian with RDP kα/(2σ²)', () => {
    // dp_accounting test_compute_epsilon_delta_gaussian: σ=4.530877117 with no sampling is
    // exactly (1, 1e-6)-DP, and the improved conversion over orders 1, 1.001, …, 99.999 gives ε≈1.
    const orders = Array.from({ length: 99000 }, (_, i) => 0.001 * (i + 1000)).filter((order) => order > 1);
    const { epsilon } = new RdpAccountant({ orders }).record({ noiseMultiplier: 4.530877117, samplingRate: 1 }).getEpsilon(1e-6);
    expect(epsilon).toBeCloseTo(1, 6);
    const steps = new RdpAccountant().record({ noiseMultiplier: 3, samplingRate: 1, steps: 7 });
    steps.getRdp().forEach((rdp, i) => expect(rdp).toBeCloseTo((7 * DEFAULT_ORDERS[i]!) / 18, 10));
  });

  it('reports ε 0 for nothing released and ∞ without noise', () => {
    expect(new RdpAccountant().getEpsilon(1e-5).epsilon).toBe(0);
    expect(new RdpAccountant().record({ noiseMultiplier: 1, samplingRate: 0, steps: 10 }).getEpsilon(1e-5).epsilon).toBe(0);
    expect(new RdpAccountant().record({ noiseMultiplier: 0, samplingRate: 0.1, steps: 10 }).getEpsilon(1e-5).epsilon).toBe(Infinity);
  });

  it('stays finite in the overflow regime: σ=0.5 for 1000 steps', () => {
    for (const samplingRate of [0.01, 0.1, 0.5]) {
      const { epsilon, order } = new RdpAccountant().record({ noiseMultiplier: 0.5, samplingRate, steps: 1000 }).getEpsilon(1e-5);
      expect(Number.isFinite(epsilon) && epsilon > 0).toBe(true);
      expect(order).toBeGreaterThan(1);
    }
  });

  it('uses larger orders than Opacus when the optimum passes 63', () => {
    // Much noise, few steps: Opacus' grid stops at its edge (63), the default grid goes on.
    const recorded = { noiseMultiplier: 20, samplingRate: 0.01, steps: 10 };
    const opacus = new RdpAccountant({ orders: OPACUS_DEFAULT_ORDERS }).record(recorded).getEpsilon(1e-5);
    const wider = new RdpAccountant().record(recorded).getEpsilon(1e-5);
    expect(opacus.order).toBe(63);
    expect(wider.order).toBeGreaterThan(63);
    expect(wider.epsilon).toBeLessThan(opacus.epsilon);
  });

  it('refuses bad input with ERR_INVALID_INPUT naming the option', () => {
    const accountant = new RdpAccountant();
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(isLangtrainError(err, 'ERR_INVALID_INPUT')).toBe(true);
        return (err as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => accountant.record({ noiseMultiplier: -1, samplingRate: 0.1 }))).toMatch(/noiseMultiplier/);
    expect(refusal(() => accountant.record({ noiseMultiplier: 1, samplingRate: 1.5 }))).toMatch(/samplingRate/);
    expect(refusal(() => accountant.record({ noiseMultiplier: 1, samplingRate: 0.1, steps: 2.5 }))).toMatch(/steps/);
    expect(refusal(() => accountant.getEpsilon(0))).toMatch(/delta/);
    expect(refusal(() => accountant.getEpsilon(1))).toMatch(/delta/);
    expect(refusal(() => new RdpAccountant({ orders: [1, 2] }))).toMatch(/order/);
  });
});

describe('rdpToEpsilon', () => {
  it('matches dp_accounting test_compute_epsilon_delta_pure_dp: constant RDP 1.1 on orders 2..32, δ=1e-5', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const { epsilon, order } = rdpToEpsilon(orders, orders.map(() => 1.1), 1e-5);
    expect(epsilon).toBeCloseTo(1.32783806176, 10);
    expect(order).toBe(32);
  });

  it('applies the improved formula ε = r + log((α-1)/α) - (log δ + log α)/(α-1) and the classic one', () => {
    const improved = rdpToEpsilon([3], [0.5], 1e-5);
    expect(improved.epsilon).toBeCloseTo(0.5 + Math.log(2 / 3) - (Math.log(1e-5) + Math.log(3)) / 2, 14);
    const classic = rdpToEpsilon([3], [0.5], 1e-5, 'classic');
    expect(classic.epsilon).toBeCloseTo(0.5 - Math.log(1e-5) / 2, 14);
    expect(improved.epsilon).toBeLessThan(classic.epsilon);
  });

  it('guards the orders where the improved bound is not usable, and never reports ε < 0', () => {
    // Orders ≤ 1.01 are skipped (unstable); a KL divergence below -log(1-δ²) is (0, δ)-DP.
    expect(rdpToEpsilon([1.005], [0.1], 1e-5).epsilon).toBe(Infinity);
    expect(rdpToEpsilon([2], [1e-12], 1e-5)).toEqual({ epsilon: 0, order: 2 });
    expect(rdpToEpsilon([2, 3], [Infinity, Infinity], 1e-5).epsilon).toBe(Infinity);
  });
});
