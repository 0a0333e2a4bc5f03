import { LangtrainError, invalidInput } from '../../core/errors.js';
import type { ComposedPrv } from './prv-composition.js';

export interface PrvEpsilonBounds {
  /** Guaranteed lower bound on ε: estimate at δ + δ_error, minus ε_error. */
  lower: number;
  /** Point estimate of ε at δ. */
  estimate: number;
  /** Guaranteed upper bound on ε: estimate at δ - δ_error, plus ε_error (what Opacus reports). */
  upper: number;
}

/**
 * ε bounds from a composed PRV Y: δ(ε) = E[(1 - e^(ε-Y))⁺] (Gopi et al. 2021, Eq. 1 /
 * Proposition 2.7) is decreasing in ε; on the grid, δ(t_i) = Σ_{j≥i} p_j - e^(t_i)·Σ_{j≥i} p_j e^(-t_j).
 * The first grid point whose δ is at most the target fixes which points lie above ε, and
 * ε solves δ(ε) = target exactly on that set. The ±errors give the guaranteed bracket of
 * their Theorem 5.5, as Opacus' `DiscretePRV.compute_epsilon`.
 */
export function epsilonBounds(composed: ComposedPrv, delta: number, deltaError: number, epsError: number): PrvEpsilonBounds {
  const { pmf, tMin, dt } = composed;
  const size = pmf.length;
  // Opacus checks against long double's epsilon; the sums here are in doubles, so this
  // checks against a double's: below it, rounding in the tail sums swamps δ.
  if (Number.EPSILON * size > delta - deltaError) {
    throw invalidInput('delta is too small for the PRV accountant at this precision: rounding would dominate it', { delta, deltaError });
  }
  // Tail sums Σ_{j≥i} p_j and Σ_{j≥i} p_j·e^(-t_j). e^(-t) steps by the factor e^(-dt),
  // re-anchored on an exact exp every 1024 points so rounding cannot drift.
  const tailMass = new Float64Array(size);
  const tailDiscounted = new Float64Array(size);
  const stepFactor = Math.exp(dt);
  let mass = 0;
  let discounted = 0;
  let discount = 0;
  for (let i = size - 1; i >= 0; i--) {
    discount = (size - 1 - i) % 1024 === 0 ? Math.exp(-(tMin + i * dt)) : discount * stepFactor;
    mass += pmf[i]!;
    discounted += pmf[i]! * discount;
    tailMass[i] = mass;
    tailDiscounted[i] = discounted;
  }
  /** -δ(t_i) = e^(t_i)·Σ_{j≥i} p_j e^(-t_j) - Σ_{j≥i} p_j, increasing in i. */
  const negativeDelta = (i: number) => Math.exp(tMin + i * dt) * tailDiscounted[i]! - tailMass[i]!;
  const epsilonAt = (target: number): number => {
    // Leftmost i with -δ(t_i) ≥ -target (numpy searchsorted, side='left').
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (negativeDelta(mid) < -target) lo = mid + 1;
      else hi = mid;
    }
    if (lo <= 0 || lo >= size) {
      throw new LangtrainError('ERR_INTERNAL', 'PRV accountant: the loss grid does not contain ε for this δ', { delta: target });
    }
    return Math.log((tailMass[lo]! - target) / tailDiscounted[lo]!);
  };
  return {
    lower: epsilonAt(delta + deltaError) - epsError,
    estimate: epsilonAt(delta),
    upper: epsilonAt(delta - deltaError) + epsError,
  };
}
