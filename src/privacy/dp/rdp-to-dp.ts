/**
 * Conversion of an RDP curve to an (ε, δ)-DP guarantee, minimised over the orders.
 *
 * - `improved` (default, what Opacus since v0.14 (2021) and TF Privacy / dp_accounting since Dec 2020
 *   report): ε = r(α) + log((α-1)/α) - (log δ + log α)/(α - 1).
 *   Balle et al. 2020, "Hypothesis Testing Interpretations and Rényi Differential Privacy",
 *   Theorem 21; Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential
 *   Privacy", Proposition 12 (arXiv:2004.00010 v4); Asoodeh et al. 2020, Eq. 20.
 * - `classic`: ε = r(α) - log(δ)/(α - 1) (Mironov 2017, "Rényi Differential Privacy",
 *   Proposition 3), which older published values (TF Privacy before Dec 2020) use.
 */
export type RdpConversion = 'improved' | 'classic';

export interface RdpEpsilon {
  /** ε of the (ε, δ) guarantee; Infinity when no order gives a finite bound. */
  epsilon: number;
  /** The RDP order α that gave the smallest ε (NaN when none did). */
  order: number;
}

/**
 * The improved bound divides by α - 1 and is numerically unstable as α → 1 (and of no use
 * there); dp_accounting skips orders up to 1.01 for the same reason.
 */
const SMALLEST_USABLE_ORDER = 1.01;

function epsilonAtOrder(order: number, rdp: number, delta: number, conversion: RdpConversion): number {
  if (Number.isNaN(rdp) || rdp === Infinity) return Infinity;
  if (conversion === 'classic') return order > 1 ? rdp - Math.log(delta) / (order - 1) : Infinity;
  // Rényi divergence of order α ≥ 1 bounds the KL divergence, total variation is at most
  // sqrt(1 - exp(-KL)) (Bretagnolle–Huber), and total variation ≤ δ is (0, δ)-DP; the
  // same shortcut as dp_accounting's compute_epsilon.
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  if (order <= SMALLEST_USABLE_ORDER) return Infinity;
  return rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1);
}

/**
 * Smallest ε over the orders for the given δ, and the order that achieved it.
 * A negative bound is reported as 0: (ε, δ)-DP for ε < 0 implies (0, δ)-DP.
 */
export function rdpToEpsilon(orders: readonly number[], rdp: readonly number[], delta: number, conversion: RdpConversion = 'improved'): RdpEpsilon {
  let best: RdpEpsilon = { epsilon: Infinity, order: Number.NaN };
  orders.forEach((order, index) => {
    const epsilon = epsilonAtOrder(order, rdp[index] ?? Infinity, delta, conversion);
    if (epsilon < best.epsilon) best = { epsilon, order };
  });
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}
