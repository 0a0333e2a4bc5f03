import erfc from '@stdlib/math-base-special-erfc';

/**
 * Arithmetic on numbers stored as their natural logarithm. The moments of the sampled
 * Gaussian grow like exp(α²/2σ²) and overflow a double after a few dozen terms, so the
 * RDP sums (Mironov, Talwar, Zhang 2019, Sec. 3.3) are carried out in log space.
 * Zero is -Infinity.
 */

/** log(exp(logX) + exp(logY)). */
export function logAdd(logX: number, logY: number): number {
  const small = Math.min(logX, logY);
  const large = Math.max(logX, logY);
  if (small === -Infinity) return large;
  return Math.log1p(Math.exp(small - large)) + large;
}

/**
 * log(exp(logX) - exp(logY)) for logX >= logY. A negative difference is a bug in the
 * caller's series (it would be a negative moment), so it throws rather than returning NaN.
 */
export function logSub(logX: number, logY: number): number {
  if (logX < logY) throw new RangeError('log-space subtraction with a negative result');
  if (logY === -Infinity) return logX;
  if (logX === logY) return -Infinity;
  const gap = logX - logY;
  // expm1 overflows past ~709: the subtrahend is then below double precision of the minuend.
  return gap > 700 ? logX : Math.log(Math.expm1(gap)) + logY;
}

/** Past this point erfc(x) nears the bottom of the double range and loses digits. */
const ERFC_ASYMPTOTIC_FROM = 25;

/**
 * log(erfc(x)), accurate for large x where erfc itself underflows (it is 0 past x ≈ 27).
 * Beyond x = 25 it uses the asymptotic series
 * erfc(x) = exp(-x²)/(x√π) · Σ (-1)^k (2k-1)!!/(2x²)^k (Abramowitz & Stegun 7.1.23),
 * whose ninth term is below 1e-17 there.
 */
export function logErfc(x: number): number {
  if (x < ERFC_ASYMPTOTIC_FROM) return Math.log(erfc(x));
  const inverseTwoXSquared = 1 / (2 * x * x);
  let term = 1;
  let series = 1;
  for (let k = 1; k <= 9; k++) {
    term *= -(2 * k - 1) * inverseTwoXSquared;
    series += term;
  }
  return -x * x - Math.log(x) - 0.5 * Math.log(Math.PI) + Math.log(series);
}
