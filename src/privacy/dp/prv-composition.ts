import type { DiscretePrv } from './prv-discretisation.js';
import type { LossGrid } from './prv-domain.js';
import { RealFft } from './real-fft.js';

/** The distribution of the sum of the composed PRVs, on the grid shifted by `tMin`. */
export interface ComposedPrv {
  pmf: Float64Array;
  /** Loss value of pmf[0]; point i is tMin + i·dt. */
  tMin: number;
  dt: number;
}

function nextPowerOfTwo(n: number): number {
  let size = 4;
  while (size < n) size *= 2;
  return size;
}

/** Below this log-modulus a spectrum value is under the smallest double (e^-745). */
const NEGLIGIBLE_LOG_MODULUS = -745;

/**
 * Transforms built recently, by size: calibration alternates a coarse and a fine grid, and
 * building a large twiddle table is a measurable part of one composition. Two entries keep
 * both without holding on to many large tables.
 */
const recentTransforms = new Map<number, RealFft>();

function fftOfSize(size: number): RealFft {
  let fft = recentTransforms.get(size);
  if (!fft) {
    fft = new RealFft(size);
    if (recentTransforms.size >= 2) recentTransforms.delete(recentTransforms.keys().next().value!);
    recentTransforms.set(size, fft);
  }
  return fft;
}

/**
 * Composes discretised PRVs, each `count` times, by multiplying their Fourier transforms
 * (Gopi, Lee, Wutschitz 2021, Sec. 5; Koskela et al. 2020): the sum of k independent
 * losses has the k-fold convolution of their pmfs, i.e. the k-th power of their spectra.
 *
 * The transform has power-of-two sizes, so the grid is zero-padded to the next one, where
 * Opacus runs a circular FFT of the grid's own size. Either way mass that strays more than
 * the grid's width from the composed loss's centre wraps around; the grid's half-width
 * (Remark 5.6 bound) makes that mass negligible, and padding only makes it wrap less.
 * Unlike Opacus, which convolves different PRVs pairwise in the loss domain, all of them
 * are multiplied in the frequency domain and transformed back once. Powers are taken in
 * polar form, summing count·log|z| and count·arg z, so |z|^count underflows cleanly to 0.
 */
export function composePrvs(parts: readonly { prv: DiscretePrv; count: number }[], grid: LossGrid): ComposedPrv {
  const size = nextPowerOfTwo(grid.size);
  const fft = fftOfSize(size);
  const bins = size / 2 + 1;
  const logModulus = new Float64Array(bins);
  const angle = new Float64Array(bins);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  let totalCount = 0;
  let totalShift = 0;
  for (const { prv, count } of parts) {
    fft.forward(prv.pmf, re, im);
    // |z|^count is negligible below this |z|²; comparing first spares a log for most bins.
    const negligibleSquaredModulus = Math.exp((2 * NEGLIGIBLE_LOG_MODULUS) / count);
    for (let k = 0; k < bins; k++) {
      if (logModulus[k]! < NEGLIGIBLE_LOG_MODULUS) continue;
      const squaredModulus = re[k]! * re[k]! + im[k]! * im[k]!;
      if (squaredModulus < negligibleSquaredModulus) {
        logModulus[k] = -Infinity;
        continue;
      }
      logModulus[k] = logModulus[k]! + (count / 2) * Math.log(squaredModulus);
      if (logModulus[k]! >= NEGLIGIBLE_LOG_MODULUS) angle[k] = angle[k]! + count * Math.atan2(im[k]!, re[k]!);
    }
    totalCount += count;
    totalShift += count * prv.shift;
  }
  for (let k = 0; k < bins; k++) {
    const modulus = logModulus[k]! < NEGLIGIBLE_LOG_MODULUS ? 0 : Math.exp(logModulus[k]!);
    re[k] = modulus === 0 ? 0 : modulus * Math.cos(angle[k]!);
    im[k] = modulus === 0 ? 0 : modulus * Math.sin(angle[k]!);
  }
  const signal = new Float64Array(size);
  fft.inverse(re, im, signal);

  // The sum of n grid indices i_j lands at S = Σ i_j; the composed grid keeps the single
  // grid's range, so its point k is S = k + (n - 1)·(-tMin/dt).
  const centreSteps = Math.round(-grid.tMin / grid.dt);
  const offset = ((totalCount - 1) * centreSteps) % size;
  const pmf = new Float64Array(grid.size);
  const wrapAt = Math.min(grid.size, size - offset);
  pmf.set(signal.subarray(offset, offset + wrapAt));
  pmf.set(signal.subarray(0, grid.size - wrapAt), wrapAt);
  return { pmf, tMin: grid.tMin + totalShift, dt: grid.dt };
}
