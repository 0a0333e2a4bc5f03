import type { SampledGaussianSteps } from './composition-history.js';
import { OPACUS_DEFAULT_ORDERS } from './rdp-orders.js';
import { rdpToEpsilon } from './rdp-to-dp.js';
import { computeRdp } from './sampled-gaussian-rdp.js';

/**
 * The grid of privacy-loss values on which PRVs are discretised: `size` (even) points
 * tMin, tMin + dt, …, symmetric about 0 up to one extra point, as Opacus'
 * `Domain.create_aligned`.
 */
export interface LossGrid {
  tMin: number;
  tMax: number;
  size: number;
  dt: number;
}

/** The loss value of grid point i (what numpy's linspace gives). */
export function gridPoint(grid: LossGrid, i: number): number {
  return grid.tMin + i * grid.dt;
}

/** ε from the RDP accountant over Opacus' default orders, as Opacus' domain code asks it. */
function rdpEpsilon(entries: readonly SampledGaussianSteps[], delta: number): number {
  const rdp = OPACUS_DEFAULT_ORDERS.map(() => 0);
  for (const { samplingRate, noiseMultiplier, steps } of entries) {
    computeRdp(samplingRate, noiseMultiplier, steps, OPACUS_DEFAULT_ORDERS).forEach((value, i) => (rdp[i]! += value));
  }
  return rdpToEpsilon(OPACUS_DEFAULT_ORDERS, rdp, delta).epsilon;
}

/**
 * Half-width L of a loss domain [-L, L] outside which the composed PRV has negligible mass:
 * Gopi, Lee, Wutschitz 2021, Remark 5.6, bounding the tails with the RDP accountant, in the
 * form Opacus' `compute_safe_domain_size` (and the authors' code) uses, +3 margin included.
 */
export function safeDomainHalfWidth(entries: readonly SampledGaussianSteps[], epsError: number, deltaError: number): number {
  const totalSteps = entries.reduce((sum, entry) => sum + entry.steps, 0);
  let halfWidth = rdpEpsilon(entries, deltaError / 4);
  for (const entry of entries) {
    halfWidth = Math.max(halfWidth, rdpEpsilon([{ ...entry, steps: 1 }], deltaError / (8 * totalSteps)));
  }
  return Math.max(halfWidth, epsError) + 3;
}

/**
 * Mesh size that keeps the discretisation error of the composed ε within `epsError`
 * (Gopi et al. Theorem 5.5, as Opacus sets it): epsError / sqrt(k·log(12/δ_error)/2).
 */
export function meshSize(totalSteps: number, epsError: number, deltaError: number): number {
  return epsError / Math.sqrt((totalSteps * Math.log(12 / deltaError)) / 2);
}

/** [floor(-L/dt)·dt, ceil(L/dt)·dt], widened by one point if needed to an even size (the FFT composition's centring needs it). */
export function alignedGrid(halfWidth: number, dt: number): LossGrid {
  const tMin = Math.floor(-halfWidth / dt) * dt;
  let tMax = Math.ceil(halfWidth / dt) * dt;
  let size = Math.round((tMax - tMin) / dt) + 1;
  if (size % 2 === 1) {
    size += 1;
    tMax += dt;
  }
  return { tMin, tMax, size, dt: (tMax - tMin) / (size - 1) };
}
