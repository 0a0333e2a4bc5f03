import { invalidInput } from '../../core/errors.js';

/** A noise multiplier and the ε it gives. */
export interface NoisePoint {
  noiseMultiplier: number;
  epsilon: number;
}

export interface NoiseSearch {
  /** ε as a function of σ; decreasing (up to the accountant's rounding). */
  epsilonOf: (noiseMultiplier: number) => number;
  targetEpsilon: number;
  /** Accept σ once target - tolerance ≤ ε(σ) ≤ target. */
  tolerance: number;
  /** First σ to try, e.g. an estimate from a cheaper accountant. */
  start: number;
  /** Smallest first bracketing step, as a factor on σ (> 1); later steps at least double (in log σ). */
  firstStep: number;
}

/** Opacus' `MAX_SIGMA`: past it the budget is called unreachable. */
const MAX_NOISE_MULTIPLIER = 1e6;
const MIN_NOISE_MULTIPLIER = 1e-6;
const MAX_NARROWING_STEPS = 200;
/** Aim this much past the predicted crossing, so a bracketing step usually crosses it. */
const STEP_OVERSHOOT = 1.5;

/** g = log(ε/target): positive above the target, ≤ 0 on the accepted side. */
const excess = (point: NoisePoint, target: number) => Math.log(point.epsilon / target);

/**
 * Steps from `start` until one σ meets the target and another does not. Each step aims
 * past the target along the log ε–log σ slope (first taken as -1, ε ∝ 1/σ, then the
 * secant of the last two points) and is at least twice the previous one.
 */
function bracket(
  search: NoiseSearch,
  evaluate: (sigma: number) => NoisePoint,
  accepted: (point: NoisePoint) => boolean,
): { low: NoisePoint; high: NoisePoint } | { answer: NoisePoint } {
  const target = search.targetEpsilon;
  let low: NoisePoint | undefined;
  let high: NoisePoint | undefined;
  let previous: NoisePoint | undefined;
  let current = evaluate(search.start);
  let lastStep = Math.log(search.firstStep) / 2;
  for (;;) {
    if (current.epsilon > target) low = current;
    else high = current;
    if (low && high) return { low, high };
    if (high && accepted(high)) return { answer: high };
    let slope = -1;
    if (previous) {
      const secant = (excess(current, target) - excess(previous, target)) / Math.log(current.noiseMultiplier / previous.noiseMultiplier);
      if (Number.isFinite(secant) && secant < 0) slope = secant;
    }
    const g = excess(current, target);
    const aim = Number.isFinite(g) ? Math.abs(g / slope) * STEP_OVERSHOOT : 0;
    lastStep = Math.max(aim, 2 * lastStep);
    const candidate = current.noiseMultiplier * Math.exp(low ? lastStep : -lastStep);
    if (candidate > MAX_NOISE_MULTIPLIER) {
      throw invalidInput(`targetEpsilon ${target} is unreachable: noiseMultiplier up to ${MAX_NOISE_MULTIPLIER} spends more`, { targetEpsilon: target });
    }
    // Going down (only `high` set): ε stays under the target even as σ → 0.
    if (candidate < MIN_NOISE_MULTIPLIER && high) return { answer: high };
    previous = current;
    current = evaluate(candidate);
  }
}

/**
 * The σ whose ε is in [target - tolerance, target], found as Opacus' `get_noise_multiplier`
 * does — bracket, then narrow the bracket keeping ε(σ_high) ≤ target — but narrowing by
 * Illinois false position on log ε against log σ (nearly linear there) instead of plain
 * bisection: a handful of ε evaluations instead of a dozen, which is what makes PRV
 * calibration affordable. The answer is always an evaluated σ on the conservative side.
 * (Only if ε stays below target even as σ → 10⁻⁶ may it be further below than tolerance.)
 */
export function searchNoiseMultiplier(search: NoiseSearch): NoisePoint {
  const { epsilonOf, targetEpsilon: target, tolerance } = search;
  const evaluate = (noiseMultiplier: number): NoisePoint => ({ noiseMultiplier, epsilon: epsilonOf(noiseMultiplier) });
  const accepted = (point: NoisePoint) => point.epsilon <= target && target - point.epsilon <= tolerance;
  const found = bracket(search, evaluate, accepted);
  if ('answer' in found) return found.answer;

  let { low, high } = found;
  let gLow = excess(low, target);
  let gHigh = excess(high, target);
  let lastMoved: 'low' | 'high' | undefined;
  for (let step = 0; step < MAX_NARROWING_STEPS && !accepted(high); step++) {
    const uLow = Math.log(low.noiseMultiplier);
    const uHigh = Math.log(high.noiseMultiplier);
    const width = uHigh - uLow;
    if (width <= 1e-12) break;
    const falsePosition = Number.isFinite(gLow) && Number.isFinite(gHigh) ? uLow + (gLow / (gLow - gHigh)) * width : Number.NaN;
    // Stay a little inside the bracket so each step shrinks it; bisect when ε is 0 or ∞.
    const u = Number.isNaN(falsePosition) ? uLow + width / 2 : Math.min(Math.max(falsePosition, uLow + width * 1e-3), uHigh - width * 1e-3);
    const next = evaluate(Math.exp(u));
    if (next.epsilon > target) {
      low = next;
      gLow = excess(next, target);
      // Illinois: an endpoint that stays twice in a row has its weight halved.
      if (lastMoved === 'low') gHigh /= 2;
      lastMoved = 'low';
    } else {
      high = next;
      gHigh = excess(next, target);
      if (lastMoved === 'high') gLow /= 2;
      lastMoved = 'high';
    }
  }
  return high;
}
