import erfc from '@stdlib/math-base-special-erfc';
import { logAdd } from './log-math.js';
import { integrate } from './quadrature.js';

/**
 * Cells beyond the point where Pr[Y > t] < 1e-30 are left at 0: that is far below what the
 * composed δ can resolve (≥ grid size × 2^-52, enforced in prv-epsilon), and skipping their
 * erfc evaluations saves most of the grid for larger q.
 */
const NEGLIGIBLE_UPPER_TAIL = 1e-30;

/**
 * The privacy loss random variable (PRV) of one step of the Poisson-subsampled Gaussian
 * mechanism (add/remove neighbours): Y = log(P(X)/Q(X)) with X ~ P, where
 * P = (1-q)·N(0, σ²) + q·N(1, σ²) and Q = N(0, σ²). Its CDF is Gopi, Lee, Wutschitz 2021,
 * "Numerical Composition of Differential Privacy", Propositions B1 and B4 — the formulas of
 * Opacus' `PoissonSubsampledGaussianPRV`.
 *
 * Y is increasing in X: Y ≤ t exactly when X ≤ σ²·z(t) + 1/2 with z(t) = log((e^t - 1 + q)/q),
 * and Y > log(1 - q) always.
 */
export class SampledGaussianPrv {
  readonly #q: number;
  readonly #logQ: number;
  readonly #sigma: number;
  readonly #sigmaSquared: number;
  /** √2·σ: erfc's argument is (X - mean)/(√2σ). */
  readonly #erfcScale: number;
  /** Y never falls to or below log(1 - q) (−∞ when q = 1: the plain Gaussian). */
  readonly #lowestLoss: number;

  constructor(samplingRate: number, noiseMultiplier: number) {
    this.#q = samplingRate;
    this.#logQ = Math.log(samplingRate);
    this.#sigma = noiseMultiplier;
    this.#sigmaSquared = noiseMultiplier * noiseMultiplier;
    this.#erfcScale = Math.SQRT2 * noiseMultiplier;
    this.#lowestLoss = Math.log1p(-samplingRate);
  }

  /** z(t) = log((e^t - 1 + q)/q), written to keep digits for t near 0 and not overflow for large t. */
  #z(t: number): number {
    const q = this.#q;
    if (q === 1) return t;
    const logNumerator = t > 30 ? t + Math.log1p((q - 1) * Math.exp(-t)) : Math.log(Math.expm1(t) + q);
    return logNumerator - this.#logQ;
  }

  /**
   * Pr[Y ≤ t] (lower) or Pr[Y > t] (upper) for t above the lowest loss, given z(t); each
   * tail from its own erfc terms, so a tail far below 1e-16 keeps its digits.
   */
  #tail(z: number, lower: boolean): number {
    const q = this.#q;
    const a = (z * this.#sigmaSquared - 0.5) / this.#erfcScale;
    const b = (z * this.#sigmaSquared + 0.5) / this.#erfcScale;
    return lower ? (q * erfc(-a) + (1 - q) * erfc(-b)) / 2 : (q * erfc(a) + (1 - q) * erfc(b)) / 2;
  }

  /**
   * Pr[edges[i] ≤ Y < edges[i+1]] for ascending edges. Below the median of Y (z < 0) the
   * lower tail holds the digits, above it the upper tail; each difference is taken
   * between the tails its edges have.
   */
  massesBetween(edges: Float64Array): Float64Array {
    const masses = new Float64Array(edges.length - 1);
    let previousLower = true;
    let previousTail = 0;
    for (let i = 0; i < edges.length; i++) {
      const t = edges[i]!;
      let lower = true;
      let tail = 0;
      if (t > this.#lowestLoss) {
        const z = this.#z(t);
        lower = z < 0;
        tail = this.#tail(z, lower);
      }
      if (i > 0) {
        if (previousLower && lower) masses[i - 1] = tail - previousTail;
        else if (!previousLower && !lower) masses[i - 1] = previousTail - tail;
        else masses[i - 1] = 1 - tail - previousTail;
        if (!lower && tail < NEGLIGIBLE_UPPER_TAIL) break;
      }
      previousLower = lower;
      previousTail = tail;
    }
    return masses;
  }

  /** Pr[Y ≤ t]. */
  cdf(t: number): number {
    if (t <= this.#lowestLoss) return 0;
    const z = this.#z(t);
    return z < 0 ? this.#tail(z, true) : 1 - this.#tail(z, false);
  }

  /** The value of X (the noisy output) at which the loss equals t, for t above the lowest loss. */
  #outputAt(t: number): number {
    return this.#sigmaSquared * this.#z(t) + 0.5;
  }

  /**
   * E[Y | tMin ≤ Y < tMax]: the mean the discretisation must preserve (Gopi et al. Sec. 5).
   * Opacus integrates the truncated CDF in the loss variable, where the density is a spike
   * of width ~q around 0; here the same expectation is taken over the output X, where the
   * integrand log-likelihood × mixture density is smooth, so Gauss–Kronrod converges fast.
   */
  truncatedMean(tMin: number, tMax: number): number {
    const q = this.#q;
    const sigma = this.#sigma;
    const logQ = Math.log(q);
    const log1mQ = Math.log1p(-q);
    const normalDensity = (x: number) => Math.exp((-x * x) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    const lossAt = (x: number) => logAdd(log1mQ, logQ + (2 * x - 1) / (2 * sigma * sigma));
    const integrand = (x: number) => lossAt(x) * ((1 - q) * normalDensity(x) + q * normalDensity(x - 1));
    // Beyond 12σ from both mixture centres the density is below e^-72 of its peak, and
    // the loss grows only linearly in X: that tail adds nothing a double can hold.
    const lo = Math.max(tMin > this.#lowestLoss ? this.#outputAt(tMin) : -Infinity, -12 * sigma);
    const hi = Math.min(this.#outputAt(tMax), 1 + 12 * sigma);
    const breaks = [lo, ...[-4 * sigma, 0, 0.5, 1, 1 + 4 * sigma].filter((x) => x > lo && x < hi), hi];
    let moment = 0;
    for (let k = 0; k + 1 < breaks.length; k++) moment += integrate(integrand, breaks[k]!, breaks[k + 1]!);
    return moment / (this.cdf(tMax) - this.cdf(tMin));
  }
}
