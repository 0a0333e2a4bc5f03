import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';
import { CompositionHistory, type SampledGaussianSteps } from './composition-history.js';
import { deltaField, parseAtDoor } from './options.js';
import { composePrvs } from './prv-composition.js';
import { discretise } from './prv-discretisation.js';
import { alignedGrid, meshSize, safeDomainHalfWidth } from './prv-domain.js';
import { epsilonBounds, type PrvEpsilonBounds } from './prv-epsilon.js';
import { SampledGaussianPrv } from './sampled-gaussian-prv.js';

export interface PrvPrecision {
  /** Allowed error in ε; the reported ε is the estimate plus this. Default 0.01 (Opacus). */
  epsError?: number;
  /** Allowed error in δ. Default δ/1000 (Opacus). */
  deltaError?: number;
}

export interface PrvEpsilon extends PrvEpsilonBounds {
  /** The guaranteed upper bound on ε (= `upper`), as Opacus' PRVAccountant reports. */
  epsilon: number;
}

const precisionSchema = z.strictObject({
  epsError: z.number().gt(0, { error: 'epsError must be > 0' }).optional(),
  deltaError: z.number().gt(0, { error: 'deltaError must be > 0' }).optional(),
});

/**
 * Largest grid composed (2^24 points, ~130 MB per array of doubles). The grid grows with
 * sqrt(steps)·ε: the heaviest published Opacus case (q=0.05, σ=1.5, 50 000 steps, ε≈73)
 * needs 11 million points and takes seconds; beyond this the RDP accountant is the tool.
 */
const MAX_GRID_SIZE = 2 ** 24;

const NOTHING_RELEASED: PrvEpsilon = Object.freeze({ epsilon: 0, lower: 0, estimate: 0, upper: 0 });
const NOT_PRIVATE: PrvEpsilon = Object.freeze({ epsilon: Infinity, lower: Infinity, estimate: Infinity, upper: Infinity });

/**
 * ε of the composition of `entries`, by numerical composition of privacy loss random
 * variables (Gopi, Lee, Wutschitz 2021; Opacus' PRVAccountant): grid, discretise, compose
 * by FFT, read ε off the composed distribution. Inputs are trusted: the accountant,
 * epsilonFor and calibration validate them.
 */
export function prvEpsilon(entries: readonly SampledGaussianSteps[], delta: number, precision: Required<PrvPrecision>): PrvEpsilon {
  const { epsError, deltaError } = precision;
  const released = entries.filter((entry) => entry.samplingRate > 0);
  if (released.length === 0) return NOTHING_RELEASED;
  if (released.some((entry) => entry.noiseMultiplier === 0)) return NOT_PRIVATE;
  const totalSteps = released.reduce((sum, entry) => sum + entry.steps, 0);
  const grid = alignedGrid(safeDomainHalfWidth(released, epsError, deltaError), meshSize(totalSteps, epsError, deltaError));
  if (!(grid.size <= MAX_GRID_SIZE)) {
    throw invalidInput(`PRV accounting of this run needs a grid of ${grid.size} points (limit ${MAX_GRID_SIZE}): use the RDP accountant or a larger epsError`, {
      gridSize: grid.size,
    });
  }
  const parts = released.map((entry) => ({
    prv: discretise(new SampledGaussianPrv(entry.samplingRate, entry.noiseMultiplier), grid),
    count: entry.steps,
  }));
  const bounds = epsilonBounds(composePrvs(parts, grid), delta, deltaError, epsError);
  return { epsilon: bounds.upper, ...bounds };
}

/**
 * Privacy-loss-distribution accountant for DP-SGD with Poisson sampling, as Opacus'
 * `PRVAccountant` (its default): tighter than RDP, with ε reported as a guaranteed upper
 * bound within `epsError` of the estimate. Cost grows with the total number of steps (the
 * grid gets finer as sqrt(steps)) and with ε (the grid gets wider), not with the number of
 * recorded entries; a run needing more than 2^24 grid points, or a δ within rounding of
 * grid size × 2^-52, is refused with ERR_INVALID_INPUT.
 *
 * @example
 * const accountant = new PrvAccountant();
 * accountant.record({ noiseMultiplier: 1.1, samplingRate: 256 / 60_000, steps: 1000 });
 * accountant.getEpsilon(1e-5).epsilon;
 */
export class PrvAccountant extends CompositionHistory {

  /** ε spent so far for this δ: `epsilon` is the upper bound; `estimate` and `lower` come with it. */
  getEpsilon(delta: number, precision: PrvPrecision = {}): PrvEpsilon {
    parseAtDoor(deltaField, delta, 'getEpsilon');
    const parsed = parseAtDoor(precisionSchema, precision, 'getEpsilon');
    return prvEpsilon(this.history, delta, { epsError: parsed.epsError ?? 0.01, deltaError: parsed.deltaError ?? delta / 1000 });
  }
}
