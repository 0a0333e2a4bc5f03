import { LangtrainError } from '../../core/errors.js';
import { gridPoint, type LossGrid } from './prv-domain.js';
import type { SampledGaussianPrv } from './sampled-gaussian-prv.js';

/** A PRV truncated to the grid and discretised on it, then shifted so its mean is exact. */
export interface DiscretePrv {
  /** Probability of each grid point; sums to 1. */
  pmf: Float64Array;
  /** Added to every grid point: continuous mean minus discrete mean (less than dt/2). */
  shift: number;
}

/**
 * Gopi, Lee, Wutschitz 2021, Sec. 5 (Opacus' `discretize`): truncate the PRV to
 * [tMin, tMax], give each grid point the mass of the cell of width dt around it, and
 * shift the grid by the difference of the means — the mean-preserving step their error
 * bound (Theorem 5.5) relies on.
 */
export function discretise(prv: SampledGaussianPrv, grid: LossGrid): DiscretePrv {
  const edges = new Float64Array(grid.size + 1);
  for (let i = 0; i <= grid.size; i++) {
    edges[i] = Math.min(Math.max(gridPoint(grid, i) - grid.dt / 2, grid.tMin), grid.tMax);
  }
  const pmf = prv.massesBetween(edges);
  const remaining = prv.massesBetween(Float64Array.of(grid.tMin, grid.tMax))[0]!;
  let discreteMean = 0;
  for (let i = 0; i < grid.size; i++) {
    pmf[i]! /= remaining;
    discreteMean += gridPoint(grid, i) * pmf[i]!;
  }
  const shift = prv.truncatedMean(grid.tMin, grid.tMax) - discreteMean;
  if (!(Math.abs(shift) < grid.dt / 2)) {
    throw new LangtrainError('ERR_INTERNAL', 'PRV discretisation: the discrete mean differs from the continuous one by dt/2 or more', { shift, dt: grid.dt });
  }
  return { pmf, shift };
}
