import { describe, expect, it } from 'vitest';
import { ExampleGradient, perExampleGradients, type EncodedExample } from '../../../src/privacy/training/classifier-model.js';
import { clipFactor, GradientStep } from '../../../src/privacy/training/dp-sgd-step.js';
import { LogisticRegression } from '../../../src/privacy/training/logistic-regression.js';
import { Sgd } from '../../../src/privacy/training/sgd.js';
import { SoftmaxRegression } from '../../../src/privacy/training/softmax-regression.js';
import { featureHashingSchema, hashTextFeatures } from '../../../src/privacy/training/text-features.js';
import { promptInjections } from './prompt-injections.js';

const hashing = featureHashingSchema.parse({ bits: 12 });
const batch: EncodedExample[] = promptInjections('train')
  .slice(0, 40)
  .map((e) => ({ features: hashTextFeatures(e.text, hashing), label: e.label }));
function norm(v: Float64Array): number {
  let squares = 0;
  for (const x of v) squares += x * x;
  return Math.sqrt(squares);
}

describe('per-example clipping', () => {
  it('scales a gradient longer than C to length C (up to Opacus\' 1e-6 stabiliser) and leaves a shorter one alone', () => {
    const g = new ExampleGradient();
    g.reserve(3);
    g.indices.set([0, 5, 9]);
    g.values.set([3, 4, 12]); // norm 13
    g.length = 3;
    const c = 1;
    const clipped = g.toDense(10).map((v) => v * clipFactor(g.l2Norm(), c));
    expect(norm(clipped)).toBeCloseTo(c, 5);
    expect(norm(clipped)).toBeLessThanOrEqual(c);
    expect(clipFactor(0.5, 1)).toBe(1);
    expect(clipFactor(0, 1)).toBe(1);
    expect(clipFactor(13, 1)).toBe(1 / (13 + 1e-6));
  });

  it('bounds the change of the clipped sum by C when any one example is removed (the sensitivity the noise is calibrated to)', () => {
    const model = new SoftmaxRegression(2 ** 12, 2);
    model.parameters.forEach((_, i) => (model.parameters[i] = Math.sin(i) * 3)); // large weights: large, varied gradients
    const c = 0.25;
    const gradients = perExampleGradients(model, batch);
    const clipped = gradients.map((g) => {
      const factor = clipFactor(norm(g), c);
      return g.map((v) => v * factor);
    });
    expect(gradients.filter((g) => norm(g) > c).length).toBeGreaterThan(batch.length / 2);
    const sum = (items: Float64Array[]) => {
      const total = new Float64Array(model.parameters.length);
      for (const g of items) for (let j = 0; j < total.length; j++) total[j]! += g[j]!;
      return total;
    };
    const all = sum(clipped);
    const changes = clipped.map((_, left) => {
      const without = sum(clipped.filter((_, i) => i !== left));
      return norm(all.map((v, j) => v - without[j]!));
    });
    expect(Math.max(...changes)).toBeLessThanOrEqual(c * (1 + 1e-9));
    // And the bound is reached: a clipped example moves the sum by C itself.
    expect(Math.max(...changes)).toBeGreaterThan(c * 0.999);
  });
});

/** Records the noise asked for and adds a known value, so one step's arithmetic can be checked exactly. */
class RecordedNoise {
  stds: number[] = [];
  addTo(target: Float64Array, std: number): void {
    this.stds.push(std);
    for (let i = 0; i < target.length; i++) target[i]! += std * (i % 2 === 0 ? 1 : -1);
  }
  sample(): number {
    throw new Error('dense noise draws through addTo, one pass over every coordinate');
  }
}

describe('GradientStep', () => {
  const settings = { noiseMultiplier: 1.3, clippingNorm: 0.5, expectedBatchSize: 25 };

  it('private: clips, sums, adds N(0, (σC)²) to every coordinate, divides by the expected batch size, steps', () => {
    const model = new LogisticRegression(2 ** 12);
    model.parameters.forEach((_, i) => (model.parameters[i] = Math.cos(i)));
    const before = model.parameters.slice();
    const gradients = perExampleGradients(model, batch);
    const noise = new RecordedNoise();
    const step = new GradientStep(model, new Sgd(model.parameters, 0.1), settings, noise);
    const outcome = step.run(batch);

    expect(noise.stds).toEqual([settings.noiseMultiplier * settings.clippingNorm]);
    expect(outcome.batchSize).toBe(batch.length);
    expect(outcome.clipped).toBe(gradients.filter((g) => norm(g) > settings.clippingNorm).length);
    const factors = gradients.map((g) => clipFactor(norm(g), settings.clippingNorm));
    let worst = 0;
    for (let j = 0; j < before.length; j++) {
      let sum = 0;
      gradients.forEach((g, i) => (sum += g[j]! * factors[i]!));
      const noisy = sum + settings.noiseMultiplier * settings.clippingNorm * (j % 2 === 0 ? 1 : -1);
      worst = Math.max(worst, Math.abs(model.parameters[j]! - (before[j]! - (0.1 * noisy) / settings.expectedBatchSize)));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('private: an empty batch is a step too, of noise alone, and every coordinate moves', () => {
    const model = new LogisticRegression(2 ** 12);
    new GradientStep(model, new Sgd(model.parameters, 0.1), settings).run([]);
    expect(model.parameters.every((v) => v !== 0)).toBe(true);
  });

  it('plain: the mean gradient of the batch, no clipping and no noise', () => {
    const model = new LogisticRegression(2 ** 12);
    const gradients = perExampleGradients(model, batch);
    const noise = new RecordedNoise();
    new GradientStep(model, new Sgd(model.parameters, 0.5), undefined, noise).run(batch);
    expect(noise.stds).toEqual([]);
    let worst = 0;
    for (let j = 0; j < model.parameters.length; j++) {
      const mean = gradients.reduce((acc, g) => acc + g[j]!, 0) / batch.length;
      worst = Math.max(worst, Math.abs(model.parameters[j]! + 0.5 * mean));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('momentum follows PyTorch\'s SGD: v ← μv + g, θ ← θ − ηv', () => {
    const parameters = new Float64Array([1, 1]);
    const sgd = new Sgd(parameters, 0.1, 0.9);
    sgd.step(new Float64Array([1, 0]), 1); // v = (1, 0)
    sgd.step(new Float64Array([1, 2]), 0.5); // v = (0.9 + 0.5, 1)
    expect(parameters[0]).toBeCloseTo(1 - 0.1 - 0.14, 12);
    expect(parameters[1]).toBeCloseTo(1 - 0.1, 12);
  });

  it('refuses settings that would break the guarantee', () => {
    const model = new LogisticRegression(16);
    const sgd = new Sgd(model.parameters, 0.1);
    expect(() => new GradientStep(model, sgd, { ...settings, noiseMultiplier: 0 })).toThrow(/noise multiplier/);
    expect(() => new GradientStep(model, sgd, { ...settings, clippingNorm: Infinity })).toThrow(/clipping norm/);
    expect(() => new GradientStep(model, new Sgd(new Float64Array(17), 0.1), settings)).toThrow(/own parameters/);
  });
});
