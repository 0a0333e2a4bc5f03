/**
 * Adaptive Gauss–Kronrod (7, 15) quadrature, the rule of QUADPACK's `qk15` (Piessens et
 * al. 1983) that scipy's `quad` builds on. Used for the mean of a truncated privacy loss
 * distribution, whose integrand is smooth on the intervals the caller splits it into.
 */

/** Kronrod abscissae on [0, 1] (symmetric); the odd indices are the Gauss-7 nodes. */
const KRONROD_NODES = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const KRONROD_WEIGHTS = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
/** Gauss-7 weights for KRONROD_NODES[1], [3], [5] and the centre. */
const GAUSS_WEIGHTS = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

function kronrod15(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const centre = (a + b) / 2;
  const halfWidth = (b - a) / 2;
  const fCentre = f(centre);
  let kronrod = fCentre * KRONROD_WEIGHTS[7]!;
  let gauss = fCentre * GAUSS_WEIGHTS[3]!;
  for (let k = 0; k < 7; k++) {
    const offset = halfWidth * KRONROD_NODES[k]!;
    const pair = f(centre - offset) + f(centre + offset);
    kronrod += KRONROD_WEIGHTS[k]! * pair;
    if (k % 2 === 1) gauss += GAUSS_WEIGHTS[(k - 1) / 2]! * pair;
  }
  return { value: kronrod * halfWidth, error: Math.abs((kronrod - gauss) * halfWidth) };
}

/**
 * An interval is accepted once its error estimate is below its share of the tolerance or
 * at the rounding level of its value (asking for more would split forever); the depth cap
 * bounds the work if the integrand is not smooth where the caller said it was.
 */
const ROUNDING_LEVEL = 1e-14;
const MAX_DEPTH = 30;

/**
 * ∫_a^b f, splitting an interval until the Kronrod and Gauss estimates agree to
 * `tolerance` (absolute, shared out by interval width).
 */
export function integrate(f: (x: number) => number, a: number, b: number, tolerance = 1e-13): number {
  if (!(b > a)) return 0;
  const refine = (lo: number, hi: number, tol: number, depth: number): number => {
    const { value, error } = kronrod15(f, lo, hi);
    if (error <= Math.max(tol, ROUNDING_LEVEL * Math.abs(value)) || depth >= MAX_DEPTH) return value;
    const mid = (lo + hi) / 2;
    return refine(lo, mid, tol / 2, depth + 1) + refine(mid, hi, tol / 2, depth + 1);
  };
  return refine(a, b, tolerance, 0);
}
