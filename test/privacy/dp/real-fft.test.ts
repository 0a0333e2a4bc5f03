import { describe, expect, it } from 'vitest';
import { RealFft } from '../../../src/privacy/dp/real-fft.js';

/** The defining sum X[k] = Σ_j x[j]·e^(-2πijk/N), O(N²). */
function naiveDft(x: Float64Array): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      sr += x[j]! * Math.cos((2 * Math.PI * j * k) / n);
      si -= x[j]! * Math.sin((2 * Math.PI * j * k) / n);
    }
    re.push(sr);
    im.push(si);
  }
  return { re, im };
}

describe('RealFft', () => {
  it.each([4, 8, 32, 64, 256, 2048])('matches the defining DFT sum and inverts it (size %i)', (size) => {
    const x = Float64Array.from({ length: size }, (_, j) => Math.sin(j * 1.7) + (j % 5) / 3);
    const fft = new RealFft(size);
    const re = new Float64Array(size / 2 + 1);
    const im = new Float64Array(size / 2 + 1);
    fft.forward(x, re, im);
    const expected = naiveDft(x);
    // Both sides round: the O(N²) sum accumulates ~N·2^-52 of the signal's scale.
    const tolerance = 1e-13 * size;
    for (let k = 0; k <= size / 2; k++) {
      expect(Math.abs(re[k]! - expected.re[k]!)).toBeLessThan(tolerance);
      expect(Math.abs(im[k]! - expected.im[k]!)).toBeLessThan(tolerance);
    }
    const back = new Float64Array(size);
    fft.inverse(re, im, back);
    for (let j = 0; j < size; j++) expect(back[j]).toBeCloseTo(x[j]!, 13);
  });

  it('zero-pads a shorter input', () => {
    const fft = new RealFft(8);
    const re = new Float64Array(5);
    const im = new Float64Array(5);
    fft.forward(Float64Array.of(1, 2, 3), re, im);
    const expected = naiveDft(Float64Array.of(1, 2, 3, 0, 0, 0, 0, 0));
    for (let k = 0; k <= 4; k++) expect(re[k]).toBeCloseTo(expected.re[k]!, 12);
  });

  it('only takes powers of two', () => {
    expect(() => new RealFft(12)).toThrow(RangeError);
  });
});
