/** Opacus' `RDPAccountant.DEFAULT_ALPHAS`: 1.1 … 10.9 by 0.1, then 12 … 63. */
export const OPACUS_DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
]);

/**
 * Opacus' orders plus larger ones: with much noise or few steps the best order passes 63,
 * and an optimum at the grid's edge means the grid, not the mechanism, set ε.
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([...OPACUS_DEFAULT_ORDERS, 64, 80, 96, 128, 160, 192, 256, 512, 1024]);
