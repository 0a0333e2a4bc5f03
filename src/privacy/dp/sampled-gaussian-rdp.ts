import { logAdd, logErfc, logSub } from './log-math.js';

/**
 * Rényi DP of the Poisson-subsampled Gaussian mechanism (each record joins a batch with
 * probability q; Gaussian noise of standard deviation σ·sensitivity is added to the sum),
 * following Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled
 * Gaussian Mechanism", Sec. 3.3 — the computation Opacus' `analysis/rdp.py` and TF
 * Privacy's `rdp_accountant.py` implement. RDP at order α is log(A_α)/(α - 1) with
 * A_α = E_{z~N(0,σ²)}[((1-q) + q·exp((2z-1)/(2σ²)))^α].
 */

/**
 * The fractional-order series stops once both its terms fall below e^-30 (A_α ≥ 1, so that
 * is ~1e-13 relative), as Opacus does. It converges in tens of terms for practical σ; the
 * cap keeps a pathological (q, σ, α) from looping: that order is then left out (Infinity).
 */
const NEGLIGIBLE_LOG_TERM = -30;
const MAX_FRACTIONAL_TERMS = 10_000;

/**
 * log(A_α) for integer α ≥ 2: the binomial expansion of the mixture's α-th moment,
 * Σ_i C(α,i)·q^i·(1-q)^(α-i)·exp((i²-i)/(2σ²)), summed as max + log Σ exp(term - max).
 */
function logAIntegerOrder(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const terms = new Float64Array(alpha + 1);
  let logBinomial = 0;
  let largest = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinomial += Math.log((alpha - i + 1) / i);
    terms[i] = logBinomial + i * logQ + (alpha - i) * log1mQ + (i * i - i) / (2 * sigma * sigma);
    largest = Math.max(largest, terms[i]!);
  }
  let sum = 0;
  for (let i = 0; i <= alpha; i++) sum += Math.exp(terms[i]! - largest);
  return largest + Math.log(sum);
}

/**
 * log(A_α) for fractional α: the integral is split at z0, where the two mixture
 * components cross, and each half expanded as a generalised binomial series whose
 * coefficients C(α,i) = α(α-1)…(α-i+1)/i! alternate in sign once i > α, hence the signed
 * log-space sums.
 */
function logAFractionalOrder(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const logHalf = Math.log(0.5);
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logAbsBinomial = 0;
  let positive = true;
  for (let i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
    if (i > 0) {
      logAbsBinomial += Math.log(Math.abs((alpha - i + 1) / i));
      if (alpha - i + 1 < 0) positive = !positive;
    }
    const j = alpha - i;
    const logT0 = logAbsBinomial + i * logQ + j * log1mQ;
    const logT1 = logAbsBinomial + j * logQ + i * log1mQ;
    const logE0 = logHalf + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = logHalf + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (positive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      // A partial sum cannot go negative for a convergent series; if rounding says it
      // would, this order gives no usable bound and is left out rather than guessed.
      if (logS0 > logA0 || logS1 > logA1) return Infinity;
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < NEGLIGIBLE_LOG_TERM) return logAdd(logA0, logA1);
  }
  return Infinity;
}

/**
 * RDP ε(α) of one step of the Poisson-subsampled Gaussian mechanism.
 * Special cases: q = 0 releases nothing (0); σ = 0 is not private (∞); q = 1 is the plain
 * Gaussian mechanism, α/(2σ²) (Mironov 2017, Table II).
 */
export function sampledGaussianRdp(samplingRate: number, noiseMultiplier: number, order: number): number {
  if (samplingRate === 0) return 0;
  if (noiseMultiplier === 0) return Infinity;
  if (samplingRate === 1) return order / (2 * noiseMultiplier * noiseMultiplier);
  if (order === Infinity) return Infinity;
  const logA = Number.isInteger(order)
    ? logAIntegerOrder(samplingRate, noiseMultiplier, order)
    : logAFractionalOrder(samplingRate, noiseMultiplier, order);
  return logA / (order - 1);
}

/** RDP at each order of `steps` compositions of the mechanism (RDP adds up under composition). */
export function computeRdp(samplingRate: number, noiseMultiplier: number, steps: number, orders: readonly number[]): number[] {
  return orders.map((order) => {
    const perStep = sampledGaussianRdp(samplingRate, noiseMultiplier, order);
    return perStep === 0 ? 0 : perStep * steps;
  });
}
