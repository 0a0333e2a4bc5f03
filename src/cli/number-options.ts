import { availableParallelism } from 'node:os';
import { invalidInput } from '../core/errors.js';

/**
 * Number options are read as numbers written out, never through `Number()` alone: it takes
 * `''` as 0, `0x1` as 1, and ` 1 ` too, none of which is what a user means by a threshold or a
 * thread count; an empty `--workers ""` (a shell variable left unset) silently ran everything
 * in one thread.
 */
const WHOLE = /^\d+$/;

/** A whole number from `min` (to `max` when given), e.g. `--depth 2`. */
export function wholeNumberOption(value: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!WHOLE.test(value) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw invalidInput(`${option} must be a whole number ${range}; got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Privacy parameters are written in scientific notation as often as not (δ = 1e-5 in Opacus and
 * the papers), so these take an exponent too; never a sign: none of them is ever negative.
 */
const REAL = /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/** Where a real number option may lie: an end given as `above` or `below` is open, as `from` or `to` closed; an end left out is unbounded. Each end is given once. */
export type Interval = ({ above: number; from?: never } | { from: number; above?: never } | { above?: never; from?: never }) &
  ({ below: number; to?: never } | { to: number; below?: never } | { below?: never; to?: never });

/**
 * A real number in `range`, in plain or scientific notation, e.g. `--threshold 0.5`,
 * `--delta 1e-5`; `why` says why the range is what it is, when a user could not guess it.
 */
export function realNumberOption(value: string, option: string, range: Interval, why?: string): number {
  const n = Number(value);
  if (!REAL.test(value) || !Number.isFinite(n) || !isWithin(n, range)) {
    throw invalidInput(`${option} must be a number ${describeInterval(range)}${why === undefined ? '' : ` (${why})`}, in plain or scientific notation (e.g. 0.25, 1e-5); got ${JSON.stringify(value)}`);
  }
  return n;
}

function isWithin(n: number, { above, from, below, to }: Interval): boolean {
  return (above === undefined || n > above) && (from === undefined || n >= from) && (below === undefined || n < below) && (to === undefined || n <= to);
}

function describeInterval({ above, from, below, to }: Interval): string {
  if (from !== undefined && to !== undefined) return `from ${from} to ${to}`;
  const ends = [above === undefined ? undefined : `> ${above}`, from === undefined ? undefined : `≥ ${from}`, below === undefined ? undefined : `< ${below}`, to === undefined ? undefined : `≤ ${to}`];
  return ends.filter((end) => end !== undefined).join(' and ');
}

/**
 * Worker threads per core at most. The work is CPU-bound: past a few threads per core more add
 * memory, not speed (`pii redact --workers 200` on two cores took 3.8 GB).
 */
export const WORKERS_PER_CORE = 4;

/** `--workers N`: 0 (the work runs in this thread) to 4 per core. */
export function workersOption(value: string): number {
  const max = WORKERS_PER_CORE * availableParallelism();
  const n = Number(value);
  if (!WHOLE.test(value) || n > max) throw invalidInput(`--workers must be a whole number from 0 (run in this thread) to ${max} (${WORKERS_PER_CORE} per core); got ${JSON.stringify(value)}`);
  return n;
}
