import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExampleGradient, perExampleGradients, type ClassifierModel, type EncodedExample } from '../../../src/privacy/training/classifier-model.js';
import { LogisticRegression } from '../../../src/privacy/training/logistic-regression.js';
import { SoftmaxRegression } from '../../../src/privacy/training/softmax-regression.js';
import { featureHashingSchema, hashTextFeatures } from '../../../src/privacy/training/text-features.js';
import { promptInjections } from './prompt-injections.js';

// 2^8 buckets keep a dense finite-difference check over every parameter cheap.
const hashing = featureHashingSchema.parse({ bits: 8 });
const texts = promptInjections('train').slice(0, 6);

function randomParameters(size: number): Float64Array {
  const words = new Uint32Array(size);
  randomFillSync(words);
  return Float64Array.from(words, (w) => (w / 2 ** 32 - 0.5) * 2);
}

/** Central differences, (L(θ + h·e_i) − L(θ − h·e_i)) / 2h, for every parameter. */
function numericGradient(model: ClassifierModel, example: EncodedExample): Float64Array {
  const h = 1e-6;
  const g = new Float64Array(model.parameters.length);
  for (let i = 0; i < g.length; i++) {
    const keep = model.parameters[i]!;
    model.parameters[i] = keep + h;
    const up = model.loss(example);
    model.parameters[i] = keep - h;
    const down = model.loss(example);
    model.parameters[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

describe.each([
  ['logistic', () => new LogisticRegression(2 ** 8, randomParameters(2 ** 8 + 1)), (label: number) => label],
  ['softmax (3 classes)', () => new SoftmaxRegression(2 ** 8, 3, randomParameters(3 * (2 ** 8 + 1))), (label: number, i: number) => (label + i) % 3],
] as const)('%s regression', (_name, make, labelOf) => {
  const model = make();
  const batch: EncodedExample[] = texts.map((e, i) => ({ features: hashTextFeatures(e.text, hashing), label: labelOf(e.label, i) }));

  it('per-example gradients match finite differences of the loss', () => {
    const analytic = perExampleGradients(model, batch);
    batch.forEach((example, i) => {
      const numeric = numericGradient(model, example);
      const a = analytic[i]!;
      let worst = 0;
      for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - numeric[j]!));
      expect(worst).toBeLessThan(1e-6);
      // Zero outside the example's features and the biases: the sparsity the trainer relies on.
      const touched = a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      expect(touched).toBeLessThanOrEqual((example.features.indices.length + 1) * (model.kind === 'logistic' ? 1 : model.classCount));
    });
  });

  it('writes each gradient sparsely with distinct indices, and returns the example\'s loss', () => {
    const buffer = new ExampleGradient();
    for (const example of batch) {
      const loss = model.exampleGradient(example, buffer);
      expect(loss).toBeCloseTo(model.loss(example), 12);
      const indices = [...buffer.indices.subarray(0, buffer.length)];
      expect(new Set(indices).size).toBe(indices.length);
      expect(buffer.l2Norm()).toBeCloseTo(Math.hypot(...buffer.toDense(model.parameters.length)), 12);
    }
  });

  it('parametersRead names every parameter an example reads and no other (lazy noise catches up exactly these)', () => {
    const buffer = new ExampleGradient();
    for (const example of batch) {
      model.parametersRead(example.features, buffer);
      const read = new Set(buffer.indices.subarray(0, buffer.length));
      expect(read.size).toBe(buffer.length);
      // The gradient's support lies inside the read set.
      model.exampleGradient(example, buffer);
      for (const j of buffer.indices.subarray(0, buffer.length)) expect(read.has(j)).toBe(true);
      // Scrambling every parameter outside the read set changes nothing the model says about the example.
      const before = { loss: model.loss(example), p: model.probabilities(example.features) };
      const kept = model.parameters.slice();
      const scramble = randomParameters(kept.length);
      for (let j = 0; j < kept.length; j++) if (!read.has(j)) model.parameters[j] = scramble[j]! * 100;
      expect(model.loss(example)).toBe(before.loss);
      expect(model.probabilities(example.features)).toEqual(before.p);
      // And each parameter in it does matter to the loss (a bias always; a feature's weight unless its value is 0).
      const numeric = numericGradient(model, example);
      const moved = [...read].filter((j) => numeric[j] !== 0).length;
      expect(moved).toBe(read.size);
      model.parameters.set(kept);
    }
  });

  it('gives probabilities that sum to 1, a loss of −log p(label), and predicts the most probable class', () => {
    for (const example of batch) {
      const p = model.probabilities(example.features);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(model.loss(example)).toBeCloseTo(-Math.log(p[example.label]!), 9);
      expect(model.predict(example.features)).toBe(p.indexOf(Math.max(...p)));
    }
  });
});

it('logistic regression stays finite at extreme scores', () => {
  const model = new LogisticRegression(4);
  model.parameters[4] = 800; // bias alone: z = 800
  const features = { indices: new Int32Array(0), values: new Float64Array(0) };
  expect(model.loss({ features, label: 1 })).toBe(0);
  expect(model.loss({ features, label: 0 })).toBeCloseTo(800, 9);
  const softmax = new SoftmaxRegression(4, 2);
  softmax.parameters[4] = 800;
  expect(softmax.loss({ features, label: 1 })).toBeCloseTo(800, 9);
});
