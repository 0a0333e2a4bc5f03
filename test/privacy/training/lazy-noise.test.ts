import { describe, expect, it } from 'vitest';
import { ExampleGradient, type ClassifierModel, type EncodedExample } from '../../../src/privacy/training/classifier-model.js';
import { GradientStep, type NoiseMode } from '../../../src/privacy/training/dp-sgd-step.js';
import { LazyNoise } from '../../../src/privacy/training/lazy-noise.js';
import { LogisticRegression } from '../../../src/privacy/training/logistic-regression.js';
import { PoissonSampler } from '../../../src/privacy/training/poisson-sampling.js';
import { Sgd } from '../../../src/privacy/training/sgd.js';
import { featureHashingSchema, hashTextFeatures } from '../../../src/privacy/training/text-features.js';
import { promptInjections } from './prompt-injections.js';

/**
 * Lazy noise must give every value read the distribution dense noise gives it: N(0, k·s²)
 * after k steps of noise alone, s = ησC/B. The checks compare sample statistics over tens of
 * thousands of coordinates with that exact variance. The sample variance of n normals has
 * relative standard error √(2/n); the bound is 8 of them (6.25% at n = 32 768), which a
 * correct implementation misses about once in 10^15 runs, while a step of noise missing or
 * counted twice moves the variance by 1/k ≥ 11% (k ≤ 9 steps between checks here): far
 * outside the bound, so such an error cannot pass either.
 */
const FEATURES = 2 ** 17;
const settings = { noiseMultiplier: 1.2, clippingNorm: 0.8, expectedBatchSize: 4 };
const LEARNING_RATE = 0.5;
const s = (LEARNING_RATE * settings.noiseMultiplier * settings.clippingNorm) / settings.expectedBatchSize;

function stats(values: ArrayLike<number>): { mean: number; variance: number; n: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, variance: squares / (n - 1), n };
}

/** Normals of this variance: mean and variance each within 8 standard errors. */
function expectNoiseOfVariance(values: ArrayLike<number>, variance: number): void {
  const got = stats(values);
  expect(got.n).toBeGreaterThanOrEqual(32_768);
  expect(Math.abs(got.mean)).toBeLessThan(8 * Math.sqrt(variance / got.n));
  expect(Math.abs(got.variance / variance - 1)).toBeLessThan(8 * Math.sqrt(2 / (got.n - 1)));
}

/** An example that reads the weights [from, to) (so they are caught up) but whose gradient is 0 there: its feature values are 0. */
function readingExample(from: number, to: number): EncodedExample {
  return { features: { indices: Int32Array.from({ length: to - from }, (_, k) => from + k), values: new Float64Array(to - from) }, label: 1 };
}

/** Logistic regression that records, for each example, the weights it read at the moment it read them. */
class ReadRecorder implements ClassifierModel {
  readonly kind = 'logistic' as const;
  readonly classCount = 2;
  readonly featureCount = FEATURES;
  readonly inner = new LogisticRegression(FEATURES);
  readonly parameters = this.inner.parameters;
  readonly reads: Float64Array[] = [];
  exampleGradient(example: EncodedExample, into: ExampleGradient): number {
    this.reads.push(Float64Array.from(example.features.indices, (j) => this.parameters[j]!));
    return this.inner.exampleGradient(example, into);
  }
  parametersRead(features: EncodedExample['features'], into: ExampleGradient): void {
    this.inner.parametersRead(features, into);
  }
  probabilities(features: EncodedExample['features']): Float64Array {
    return this.inner.probabilities(features);
  }
  predict(features: EncodedExample['features']): number {
    return this.inner.predict(features);
  }
  loss(example: EncodedExample): number {
    return this.inner.loss(example);
  }
}

describe.each<NoiseMode>(['lazy', 'dense'])('%s noise gives each value read its accrued noise, (steps so far)·s²', (noise) => {
  // 9 steps, all empty (noise alone) but two: step 3 reads weights [0, 65 536), step 7 reads
  // [32 768, 98 304). Their gradient there is 0, so those weights hold noise alone too.
  const model = new ReadRecorder();
  const step = new GradientStep(model, new Sgd(model.parameters, LEARNING_RATE), { ...settings, noise });
  for (let t = 0; t < 9; t++) step.run(t === 3 ? [readingExample(0, 65_536)] : t === 7 ? [readingExample(32_768, 98_304)] : []);
  step.catchUp();
  const [atStep3, atStep7] = model.reads as [Float64Array, Float64Array];
  const half = 32_768;

  it('a weight read at step 3 has 3 steps of noise (empty batches are steps too)', () => {
    expectNoiseOfVariance(atStep3, 3 * s * s);
  });

  it('at step 7, 7 steps: the weights read at step 3 owe the 4 since, the others all 7', () => {
    expectNoiseOfVariance(atStep7.subarray(0, half), 7 * s * s);
    expectNoiseOfVariance(atStep7.subarray(half), 7 * s * s);
    // The 4 steps added to the weights read twice are fresh noise: independent of the 3 before.
    const before = atStep3.subarray(half);
    const increments = atStep7.subarray(0, half).map((v, k) => v - before[k]!);
    expectNoiseOfVariance(increments, 4 * s * s);
    const covariance = increments.reduce((acc, v, k) => acc + v * before[k]!, 0) / increments.length;
    const correlation = covariance / Math.sqrt(4 * s * s * 3 * s * s);
    expect(Math.abs(correlation)).toBeLessThan(8 / Math.sqrt(increments.length));
  });

  it('after the last step and a catch-up, every weight has all 9 steps of noise, whichever step read it', () => {
    const weights = model.parameters;
    expectNoiseOfVariance(weights.subarray(0, half), 9 * s * s); // read at step 3 only
    expectNoiseOfVariance(weights.subarray(half, 2 * half), 9 * s * s); // read at steps 3 and 7
    expectNoiseOfVariance(weights.subarray(2 * half, 3 * half), 9 * s * s); // read at step 7 only
    expectNoiseOfVariance(weights.subarray(3 * half, FEATURES), 9 * s * s); // never read
  });
});

describe('lazy noise on real text (deepset/prompt-injections, hashed into 2^16 buckets)', () => {
  const bits = 16;
  const hashing = featureHashingSchema.parse({ bits });
  const examples: EncodedExample[] = promptInjections('train').map((e) => ({ features: hashTextFeatures(e.text, hashing), label: e.label }));

  it('weights no example ever reads end as pure noise of T·s², as with dense noise; catch-ups between steps change nothing', () => {
    const q = 0.1;
    const privacy = { noiseMultiplier: 1, clippingNorm: 1, expectedBatchSize: q * examples.length };
    const hit = new Uint8Array(2 ** bits);
    for (const e of examples) for (const j of e.features.indices) hit[j] = 1;
    const sampler = new PoissonSampler(examples.length, q);
    const results = (['lazy', 'dense'] as const).map((noise) => {
      const model = new LogisticRegression(2 ** bits);
      const step = new GradientStep(model, new Sgd(model.parameters, 3), { ...privacy, noise });
      for (let t = 1; t <= 9; t++) {
        step.run(Array.from(sampler.next(), (i) => examples[i]!));
        if (t % 4 === 0) step.catchUp(); // a whole-model read between steps
      }
      step.catchUp();
      return model.parameters.filter((_, j) => j < 2 ** bits && !hit[j]);
    });
    const stepStd = (3 * privacy.noiseMultiplier * privacy.clippingNorm) / privacy.expectedBatchSize;
    for (const untouched of results) expectNoiseOfVariance(untouched, 9 * stepStd * stepStd);
  });

  it('changes nothing but the noise: with every draw 0, lazy and dense steps give the same model, step by step', () => {
    const silent = { addTo: () => {}, sample: () => 0 };
    const privacy = { noiseMultiplier: 1, clippingNorm: 0.5, expectedBatchSize: 40 };
    const lazyModel = new LogisticRegression(2 ** bits);
    const denseModel = new LogisticRegression(2 ** bits);
    const lazy = new GradientStep(lazyModel, new Sgd(lazyModel.parameters, 3), { ...privacy, noise: 'lazy' }, silent);
    const dense = new GradientStep(denseModel, new Sgd(denseModel.parameters, 3), { ...privacy, noise: 'dense' }, silent);
    const sampler = new PoissonSampler(examples.length, 0.07);
    for (let t = 0; t < 20; t++) {
      const batch = Array.from(sampler.next(), (i) => examples[i]!);
      expect(lazy.run(batch)).toEqual(dense.run(batch));
      expect(lazyModel.parameters.every((v, j) => v === denseModel.parameters[j])).toBe(true);
    }
    expect(lazyModel.parameters.some((v) => v !== 0)).toBe(true);
  });
});

describe('when lazy noise applies', () => {
  it('needs plain SGD: refused with momentum, whose velocity carries every step\'s noise into every later update', () => {
    const model = new LogisticRegression(16);
    const settingsLazy = { ...settings, noise: 'lazy' as const };
    expect(() => new GradientStep(model, new Sgd(model.parameters, 0.1, 0.9), settingsLazy)).toThrow(/lazy noise needs plain SGD/);
    expect(new GradientStep(model, new Sgd(model.parameters, 0.1, 0.9), settings).noiseMode).toBe('dense');
    expect(new GradientStep(model, new Sgd(model.parameters, 0.1), settingsLazy).noiseMode).toBe('lazy');
    expect(new GradientStep(model, new Sgd(model.parameters, 0.1)).noiseMode).toBeUndefined();
  });

  it('a catch-up is idempotent, and each draw scales with √(steps owed)', () => {
    const parameters = new Float64Array(4);
    const lazy = new LazyNoise(parameters, 0.5, { sample: () => 1 });
    for (let t = 0; t < 9; t++) lazy.endStep();
    lazy.catchUp(Int32Array.of(1, 3), 2);
    lazy.catchUp(Int32Array.of(3), 1);
    expect([...parameters]).toEqual([0, 0.5 * 3, 0, 0.5 * 3]);
    for (let t = 0; t < 4; t++) lazy.endStep();
    lazy.catchUpAll();
    expect([...parameters]).toEqual([0.5 * Math.sqrt(13), 0.5 * 3 + 0.5 * 2, 0.5 * Math.sqrt(13), 0.5 * 3 + 0.5 * 2]);
    expect(lazy.stepsEnded).toBe(13);
  });
});
