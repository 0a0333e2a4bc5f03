import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';
import type { SampledGaussianSteps } from './composition-history.js';
import { accountantField, deltaField, parseAtDoor, samplingRateField, stepsField } from './options.js';
import { prvEpsilon } from './prv-accountant.js';
import { rdpToEpsilon } from './rdp-to-dp.js';
import { DEFAULT_ORDERS } from './rdp-orders.js';
import { computeRdp } from './sampled-gaussian-rdp.js';
import { searchNoiseMultiplier, type NoisePoint } from './noise-search.js';

export interface NoiseCalibrationOptions {
  /** The ε to reach at the end of training (> 0). */
  targetEpsilon: number;
  /** δ of the guarantee (0 < δ < 1), typically below 1/dataset size. */
  delta: number;
  /** q: Poisson sampling rate, batch size / dataset size (0 < q ≤ 1). */
  samplingRate: number;
  /** Number of steps (batches). Give this or `epochs`. */
  steps?: number;
  /** Number of epochs; steps = floor(epochs / samplingRate), as Opacus' int(epochs / sample_rate). */
  epochs?: number;
  /** `rdp` (fast) or `prv` (tighter, so less noise for the same ε; Opacus' default). */
  accountant: 'rdp' | 'prv';
  /** The returned σ spends ε in [target - tolerance, target]. Default 0.01, or a tenth of a target below 0.1. */
  epsilonTolerance?: number;
}

export interface NoiseCalibration {
  /** σ to use: the noise standard deviation over the clipping norm. */
  noiseMultiplier: number;
  /** ε that σ spends over `steps` (≤ targetEpsilon), from the chosen accountant. */
  epsilon: number;
  /** Steps accounted (from `epochs` when given). */
  steps: number;
}

const optionsSchema = z
  .strictObject({
    targetEpsilon: z.number({ error: 'targetEpsilon must be a number' }).gt(0, { error: 'targetEpsilon must be > 0' }),
    delta: deltaField,
    samplingRate: samplingRateField,
    steps: stepsField.optional(),
    epochs: z.number({ error: 'epochs must be a number' }).gt(0, { error: 'epochs must be > 0' }).optional(),
    accountant: accountantField,
    epsilonTolerance: z.number({ error: 'epsilonTolerance must be a number' }).gt(0, { error: 'epsilonTolerance must be > 0' }).optional(),
  })
  .refine((o) => (o.steps === undefined) !== (o.epochs === undefined), { error: 'give exactly one of steps or epochs' })
  .refine((o) => o.epsilonTolerance === undefined || o.epsilonTolerance < o.targetEpsilon, {
    error: 'epsilonTolerance must be below targetEpsilon: leave it out to get the default (0.01, or a tenth of a smaller target)',
  })
  .refine((o) => o.epochs === undefined || Math.floor(o.epochs / o.samplingRate) >= 1, {
    error: 'epochs / samplingRate must be at least one step',
  });

/** Opacus' `epsilon_tolerance`. */
const DEFAULT_EPSILON_TOLERANCE = 0.01;

/**
 * A fixed 0.01 band would be wider than a target below it (ε 0.005 could not be asked for at
 * all), so a small target gets a band of a tenth of itself: σ then spends at least 90% of it.
 */
function defaultEpsilonTolerance(targetEpsilon: number): number {
  return Math.min(DEFAULT_EPSILON_TOLERANCE, targetEpsilon / 10);
}

/** PRV's default precision (Opacus): ε reported to within 0.01, δ to within δ/1000. */
const PRV_EPS_ERROR = 0.01;
/**
 * A 20× coarser grid: its ε estimate stayed within ~1e-3 of the fine one on the published
 * cases (measured) at ~1/10 of the cost, close enough to steer the search, never to answer.
 */
const PRV_COARSE_EPS_ERROR = 0.2;
const PRV_MODEL_CORRECTIONS = 3;

/** PRV reports ε as an upper bound PRV_EPS_ERROR above its estimate, so no σ can be shown to spend less. */
function refuseTargetBelowPrvPrecision(targetEpsilon: number): void {
  if (targetEpsilon > PRV_EPS_ERROR) return;
  throw invalidInput(
    `getNoiseMultiplier: targetEpsilon ${targetEpsilon} is not above ${PRV_EPS_ERROR}, the precision of the prv accountant's epsilon, so no noise multiplier can be shown to meet it: use the rdp accountant`,
    { targetEpsilon },
  );
}

function rdpEpsilon(steps: SampledGaussianSteps, delta: number): number {
  return rdpToEpsilon(DEFAULT_ORDERS, computeRdp(steps.samplingRate, steps.noiseMultiplier, steps.steps, DEFAULT_ORDERS), delta).epsilon;
}

/**
 * PRV calibration: every fine PRV evaluation costs a large FFT, so the search runs on a
 * coarse-grid model of it, started from the RDP answer (PRV is tighter, so its σ lies a
 * little below), and the fine accountant only checks the candidate. A miss corrects the
 * model's offset and tries again; only then does the search run on fine evaluations.
 */
function calibratePrv(base: Omit<SampledGaussianSteps, 'noiseMultiplier'>, delta: number, target: number, tolerance: number, rdpAnswer: number): NoisePoint {
  const at = (noiseMultiplier: number) => [{ ...base, noiseMultiplier }];
  const fine = (noiseMultiplier: number) =>
    prvEpsilon(at(noiseMultiplier), delta, { epsError: PRV_EPS_ERROR, deltaError: delta / 1000 }).epsilon;
  const coarse = (noiseMultiplier: number) =>
    prvEpsilon(at(noiseMultiplier), delta, { epsError: PRV_COARSE_EPS_ERROR, deltaError: delta / 1000 }).estimate;
  let offset = PRV_EPS_ERROR;
  let start = rdpAnswer;
  for (let attempt = 0; attempt < PRV_MODEL_CORRECTIONS; attempt++) {
    // The model's ε never drops below its offset (the coarse estimate tends to 0 as σ grows), and
    // at small ε the offset grows past the target: then only the fine accountant can answer.
    if (offset >= target - tolerance / 4) break;
    const guess = searchNoiseMultiplier({
      epsilonOf: (sigma) => coarse(sigma) + offset,
      targetEpsilon: target - tolerance / 4,
      tolerance: tolerance / 2,
      start,
      firstStep: 1.05,
    });
    const epsilon = fine(guess.noiseMultiplier);
    if (epsilon <= target && target - epsilon <= tolerance) return { noiseMultiplier: guess.noiseMultiplier, epsilon };
    offset += epsilon - guess.epsilon;
    start = guess.noiseMultiplier;
  }
  return searchNoiseMultiplier({ epsilonOf: fine, targetEpsilon: target, tolerance, start, firstStep: 1.02 });
}

/**
 * The noise multiplier σ for DP-SGD with Poisson sampling that spends at most
 * `targetEpsilon` (at `delta`) over the run, and no more than `epsilonTolerance` below it —
 * Opacus' `get_noise_multiplier`. Throws ERR_INVALID_INPUT naming the option for bad input,
 * when even σ = 10⁶ cannot meet the target, or for a prv target not above its 0.01 precision.
 *
 * @example
 * getNoiseMultiplier({ targetEpsilon: 8, delta: 1e-5, samplingRate: 0.04, epochs: 90, accountant: 'rdp' });
 * // { noiseMultiplier: ≈1.41, epsilon: ≈7.99, steps: 2250 }
 */
export function getNoiseMultiplier(options: NoiseCalibrationOptions): NoiseCalibration {
  const parsed = parseAtDoor(optionsSchema, options, 'getNoiseMultiplier');
  if (parsed.accountant === 'prv') refuseTargetBelowPrvPrecision(parsed.targetEpsilon);
  const tolerance = parsed.epsilonTolerance ?? defaultEpsilonTolerance(parsed.targetEpsilon);
  const steps = parsed.steps ?? Math.floor(parsed.epochs! / parsed.samplingRate);
  const base = { samplingRate: parsed.samplingRate, steps };
  const rdp = searchNoiseMultiplier({
    epsilonOf: (noiseMultiplier) => rdpEpsilon({ ...base, noiseMultiplier }, parsed.delta),
    targetEpsilon: parsed.targetEpsilon,
    tolerance,
    start: 1,
    firstStep: 2,
  });
  const found = parsed.accountant === 'rdp' ? rdp : calibratePrv(base, parsed.delta, parsed.targetEpsilon, tolerance, rdp.noiseMultiplier);
  return { noiseMultiplier: found.noiseMultiplier, epsilon: found.epsilon, steps };
}
