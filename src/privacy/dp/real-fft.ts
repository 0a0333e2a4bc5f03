/**
 * Fast Fourier transform of real signals whose length is a power of two, for the PRV
 * composition (pmf → spectrum → power → pmf).
 *
 * Written here rather than taken from fft.js: fft.js keeps its twiddle table in a plain JS
 * Array of 2·size entries, and building one for size 2^19 took 85–180 ms on the dev
 * machine (measured) — more than the transforms themselves, with a calibration target of
 * 50 ms — and its transforms were no faster than these. Typed arrays here build the table
 * in about 10 ms.
 *
 * A real signal x of length N is packed as z[j] = x[2j] + i·x[2j+1], transformed with an
 * N/2-point complex FFT, and unpacked with X[k] = E[k] + W^k·O[k],
 * E = (Z[k] + conj Z[N/2-k])/2, O = (Z[k] - conj Z[N/2-k])/(2i), W = e^(-2πi/N)
 * (Press et al., Numerical Recipes, 3rd ed., Sec. 12.3); the inverse runs the same steps
 * backwards.
 */
export class RealFft {
  readonly size: number;
  readonly #half: number;
  /** cos and sin of 2πk/size for k = 0..size/2. */
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  readonly #bitReversed: Uint32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError('RealFft size must be a power of two ≥ 4');
    this.size = size;
    const half = size / 2;
    this.#half = half;
    this.#cos = new Float64Array(half + 1);
    this.#sin = new Float64Array(half + 1);
    // One quadrant of cosines gives the rest: sin θ = cos(π/2 - θ), cos(π - θ) = -cos θ.
    const quarter = size / 4;
    for (let k = 0; k <= quarter; k++) this.#cos[k] = Math.cos((2 * Math.PI * k) / size);
    for (let k = 0; k <= quarter; k++) this.#sin[k] = this.#cos[quarter - k]!;
    for (let k = quarter + 1; k <= half; k++) {
      this.#cos[k] = -this.#cos[half - k]!;
      this.#sin[k] = this.#sin[half - k]!;
    }
    const bits = Math.log2(half);
    this.#bitReversed = new Uint32Array(half);
    for (let j = 1; j < half; j++) {
      this.#bitReversed[j] = (this.#bitReversed[j >>> 1]! >>> 1) | ((j & 1) << (bits - 1));
    }
    this.#re = new Float64Array(half);
    this.#im = new Float64Array(half);
  }

  /** In-place complex FFT of #re/#im (length size/2); sign -1 forward, +1 inverse (unscaled). */
  #complexTransform(sign: 1 | -1): void {
    const re = this.#re;
    const im = this.#im;
    const n = this.#half;
    const rev = this.#bitReversed;
    for (let j = 0; j < n; j++) {
      const r = rev[j]!;
      if (r > j) {
        const tr = re[j]!;
        re[j] = re[r]!;
        re[r] = tr;
        const ti = im[j]!;
        im[j] = im[r]!;
        im[r] = ti;
      }
    }
    const cos = this.#cos;
    const sin = this.#sin;
    const size = this.size;
    // Radix-2 stages fused in pairs (radix-2²): one pass over memory does the stages of
    // lengths 2m and 4m, which halves the passes — large transforms are memory-bound.
    // With an odd number of stages the first (length 2, twiddle 1) runs alone.
    let quarter = 1;
    if (Math.log2(n) % 2 === 1) {
      for (let a = 0; a < n; a += 2) {
        const tr = re[a + 1]!;
        const ti = im[a + 1]!;
        re[a + 1] = re[a]! - tr;
        im[a + 1] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
      quarter = 2;
    }
    for (; quarter * 4 <= n; quarter *= 4) {
      const length = quarter * 4;
      // e^(∓2πi·j/L) = W_size^(j·size/L), entries of the shared table.
      const strideA = size / (2 * quarter);
      const strideB = size / length;
      for (let start = 0; start < n; start += length) {
        for (let j = 0; j < quarter; j++) {
          const ar = cos[j * strideA]!;
          const ai = sign * sin[j * strideA]!;
          const br = cos[j * strideB]!;
          const bi = sign * sin[j * strideB]!;
          const i0 = start + j;
          const i1 = i0 + quarter;
          const i2 = i1 + quarter;
          const i3 = i2 + quarter;
          // Stage of length 2m: (i0, i1) and (i2, i3), twiddle w_2m^j.
          let tr = re[i1]! * ar - im[i1]! * ai;
          let ti = re[i1]! * ai + im[i1]! * ar;
          const y0r = re[i0]! + tr;
          const y0i = im[i0]! + ti;
          const y1r = re[i0]! - tr;
          const y1i = im[i0]! - ti;
          tr = re[i3]! * ar - im[i3]! * ai;
          ti = re[i3]! * ai + im[i3]! * ar;
          const y2r = re[i2]! + tr;
          const y2i = im[i2]! + ti;
          const y3r = re[i2]! - tr;
          const y3i = im[i2]! - ti;
          // Stage of length 4m: (i0, i2) with w_4m^j, (i1, i3) with w_4m^(j+m) = w_4m^j·(∓i).
          const ur = y2r * br - y2i * bi;
          const ui = y2r * bi + y2i * br;
          const vr0 = y3r * br - y3i * bi;
          const vi0 = y3r * bi + y3i * br;
          const vr = -sign * vi0;
          const vi = sign * vr0;
          re[i0] = y0r + ur;
          im[i0] = y0i + ui;
          re[i2] = y0r - ur;
          im[i2] = y0i - ui;
          re[i1] = y1r + vr;
          im[i1] = y1i + vi;
          re[i3] = y1r - vr;
          im[i3] = y1i - vi;
        }
      }
    }
  }

  /** Spectrum X[0..size/2] of the real signal `input` (length ≤ size, zero-padded). */
  forward(input: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const re = this.#re;
    const im = this.#im;
    const n = this.#half;
    for (let j = 0; j < n; j++) {
      re[j] = input[2 * j] ?? 0;
      im[j] = input[2 * j + 1] ?? 0;
    }
    this.#complexTransform(-1);
    for (let k = 0; k <= n; k++) {
      const zr = re[k % n]!;
      const zi = im[k % n]!;
      const cr = re[(n - k) % n]!;
      const ci = -im[(n - k) % n]!;
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      // O = (Z - conj Z')/(2i): dividing by i maps (a + bi) to (b - ai).
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = this.#cos[k]!;
      const wi = -this.#sin[k]!;
      outRe[k] = er + wr * or - wi * oi;
      outIm[k] = ei + wr * oi + wi * or;
    }
  }

  /** The real signal (length size) whose spectrum is X[0..size/2] (Hermitian beyond): the normalised inverse. */
  inverse(inRe: Float64Array, inIm: Float64Array, output: Float64Array): void {
    const re = this.#re;
    const im = this.#im;
    const n = this.#half;
    for (let k = 0; k < n; k++) {
      const xr = inRe[k]!;
      const xi = inIm[k]!;
      const cr = inRe[n - k]!;
      const ci = -inIm[n - k]!;
      const er = (xr + cr) / 2;
      const ei = (xi + ci) / 2;
      const dr = (xr - cr) / 2;
      const di = (xi - ci) / 2;
      // O = (X - conj X')·W^(-k)/2 with W^(-k) = cos + i·sin; then Z = E + i·O.
      const wr = this.#cos[k]!;
      const wi = this.#sin[k]!;
      const or = dr * wr - di * wi;
      const oi = dr * wi + di * wr;
      re[k] = er - oi;
      im[k] = ei + or;
    }
    this.#complexTransform(1);
    for (let j = 0; j < n; j++) {
      output[2 * j] = re[j]! / n;
      output[2 * j + 1] = im[j]! / n;
    }
  }
}
