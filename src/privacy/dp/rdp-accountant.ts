import { z } from 'zod';
import { CompositionHistory } from './composition-history.js';
import { conversionField, deltaField, ordersField, parseAtDoor } from './options.js';
import { rdpToEpsilon, type RdpConversion, type RdpEpsilon } from './rdp-to-dp.js';
import { DEFAULT_ORDERS } from './rdp-orders.js';
import { computeRdp } from './sampled-gaussian-rdp.js';

export interface RdpAccountantOptions {
  /** RDP orders α (> 1) to optimise over. Default: {@link DEFAULT_ORDERS}. */
  orders?: readonly number[];
  /** RDP → (ε, δ) conversion. Default `improved` (what Opacus reports). */
  conversion?: RdpConversion;
}

const optionsSchema = z.strictObject({
  orders: ordersField.optional(),
  conversion: conversionField.default('improved'),
});

/**
 * Rényi-DP accountant for DP-SGD with Poisson sampling, as Opacus' `RDPAccountant`: the
 * RDP of every recorded step is summed per order (RDP composes additively, Mironov 2017,
 * Proposition 1) and converted to (ε, δ) at the best order.
 *
 * @example
 * const accountant = new RdpAccountant();
 * accountant.record({ noiseMultiplier: 1.1, samplingRate: 256 / 60_000, steps: 1000 });
 * accountant.getEpsilon(1e-5); // { epsilon, order }
 */
export class RdpAccountant extends CompositionHistory {
  readonly orders: readonly number[];
  readonly conversion: RdpConversion;
  constructor(options: RdpAccountantOptions = {}) {
    super();
    const parsed = parseAtDoor(optionsSchema, options, 'RdpAccountant');
    this.orders = Object.freeze([...(parsed.orders ?? DEFAULT_ORDERS)]);
    this.conversion = parsed.conversion;
  }


  /** Total RDP at each of {@link orders} over everything recorded. */
  getRdp(): number[] {
    const total = this.orders.map(() => 0);
    for (const { samplingRate, noiseMultiplier, steps } of this.history) {
      computeRdp(samplingRate, noiseMultiplier, steps, this.orders).forEach((rdp, index) => {
        total[index]! += rdp;
      });
    }
    return total;
  }

  /**
   * ε spent so far for this δ, and the order that gave it. Nothing recorded (or q = 0 only)
   * is ε = 0 with order NaN.
   */
  getEpsilon(delta: number): RdpEpsilon {
    parseAtDoor(deltaField, delta, 'getEpsilon');
    const rdp = this.getRdp();
    if (rdp.every((value) => value === 0)) return { epsilon: 0, order: Number.NaN };
    return rdpToEpsilon(this.orders, rdp, delta, this.conversion);
  }
}
