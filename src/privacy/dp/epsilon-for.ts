import { z } from 'zod';
import { accountantField, accountedSamplingRateField, deltaField, parseAtDoor, positiveNoiseMultiplierField, stepsField } from './options.js';
import { prvEpsilon } from './prv-accountant.js';
import { rdpToEpsilon } from './rdp-to-dp.js';
import { DEFAULT_ORDERS } from './rdp-orders.js';
import { computeRdp } from './sampled-gaussian-rdp.js';

export interface EpsilonForOptions {
  /** σ: noise standard deviation over the clipping norm (> 0: σ = 0 gives no privacy). */
  noiseMultiplier: number;
  /** q: Poisson sampling rate (0 ≤ q ≤ 1). */
  samplingRate: number;
  /** Number of steps (a positive integer). */
  steps: number;
  /** δ of the guarantee (0 < δ < 1). */
  delta: number;
  /** `prv` (tighter; Opacus' default) or `rdp`. */
  accountant: 'rdp' | 'prv';
}

export interface EpsilonForResult {
  epsilon: number;
  /** The RDP order that gave ε (RDP accountant only). */
  order?: number;
}

const optionsSchema = z.strictObject({
  noiseMultiplier: positiveNoiseMultiplierField,
  samplingRate: accountedSamplingRateField,
  steps: stepsField,
  delta: deltaField,
  accountant: accountantField,
});

/**
 * ε spent by `steps` steps of DP-SGD with Poisson sampling at (σ, q), for δ: what an
 * accountant that recorded those steps reports (PRV: the upper bound; RDP: the improved
 * conversion over {@link DEFAULT_ORDERS}).
 */
export function epsilonFor(options: EpsilonForOptions): EpsilonForResult {
  const { noiseMultiplier, samplingRate, steps, delta, accountant } = parseAtDoor(optionsSchema, options, 'epsilonFor');
  if (accountant === 'prv') {
    return { epsilon: prvEpsilon([{ noiseMultiplier, samplingRate, steps }], delta, { epsError: 0.01, deltaError: delta / 1000 }).epsilon };
  }
  if (samplingRate === 0) return { epsilon: 0 };
  return rdpToEpsilon(DEFAULT_ORDERS, computeRdp(samplingRate, noiseMultiplier, steps, DEFAULT_ORDERS), delta);
}
