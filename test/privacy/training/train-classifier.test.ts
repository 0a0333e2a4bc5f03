import { describe, expect, it } from 'vitest';
import { trainClassifier, type PrivateStepRequest, type TrainingProgress } from '../../../src/privacy/training/train-classifier.js';
import { promptInjections } from './prompt-injections.js';

const train = promptInjections('train');
const test = promptInjections('test');
// 60 of the 116 test texts are injections: always answering "injection" scores 0.517.
const MAJORITY_RATE = 60 / 116;

describe('trainClassifier on deepset/prompt-injections (train 546, test 116)', () => {
  it('plain minibatch SGD learns a useful classifier', async () => {
    // Measured over 10 runs: test accuracy 0.81–0.85 (mean 0.83).
    const report = await trainClassifier({ examples: train, labels: [0, 1], epochs: 50, learningRate: 5, batchSize: 55 });
    const result = report.classifier.evaluate(test);
    console.log(`plain logistic, batch 55, 50 epochs (${report.stepsRun} steps), lr 5: test accuracy ${result.accuracy.toFixed(3)}, loss ${result.loss.toFixed(3)}`);
    expect(report.stopReason).toBe('completed');
    expect(report.stepsRun).toBe(50 * 10);
    expect(report.privacy).toBeUndefined();
    expect(report.noise).toBeUndefined();
    expect(result.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(report.epochs).toHaveLength(50);
    expect(report.epochs.at(-1)!.accuracy).toBeGreaterThan(0.95);
  });

  it('DP-SGD (σ = 1, C = 1, q = 0.1, Poisson batches) also learns, well above the majority rate', async () => {
    // Measured over 200 runs: test accuracy 0.72–0.87 (mean 0.80, sd 0.028), loss ≤ 0.53, with
    // dense noise; with lazy noise (used here), 0.69–0.88 (mean 0.80, sd 0.030), loss ≤ 0.55.
    // ε ≈ 10 (PRV accountant) or 11 (RDP) at δ = 1e-5 for these 200 steps: a weak guarantee,
    // chosen so a single run's accuracy sits far enough above the floor never to flake.
    const progress: TrainingProgress[] = [];
    const report = await trainClassifier({
      examples: train,
      labels: [0, 1],
      features: { charNgrams: [2, 4] },
      epochs: 20,
      learningRate: 3,
      privacy: { noiseMultiplier: 1, clippingNorm: 1, samplingRate: 0.1 },
      onProgress: (p) => progress.push(p),
    });
    const result = report.classifier.evaluate(test);
    console.log(`DP-SGD logistic, σ 1, C 1, q 0.1 (expected batch ${report.batchSize.toFixed(1)}), 20 epochs (${report.stepsRun} steps), lr 3: test accuracy ${result.accuracy.toFixed(3)}, loss ${result.loss.toFixed(3)}`);
    expect(report.stopReason).toBe('completed');
    expect(report.stepsRun).toBe(200);
    expect(report.noise).toBe('lazy');
    expect(report.batchSize).toBeCloseTo(54.6, 9);
    expect(report.privacy).toEqual({ noiseMultiplier: 1, clippingNorm: 1, samplingRate: 0.1, steps: 200 });
    expect(report.classifier.privacy).toEqual(report.privacy);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.65);
    expect(result.accuracy).toBeGreaterThan(MAJORITY_RATE + 0.1);
    expect(result.loss).toBeLessThan(0.65); // the untrained model's is ln 2 ≈ 0.693
    expect(progress).toHaveLength(200);
    expect(progress.filter((p) => p.epoch).map((p) => p.epoch!.steps)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
  });

  it('trains a softmax model the same way', async () => {
    // Measured over 5 runs: 0.84–0.86.
    const report = await trainClassifier({ examples: train, model: 'softmax', epochs: 50, learningRate: 5, batchSize: 55 });
    const result = report.classifier.evaluate(test);
    console.log(`plain softmax, batch 55, 50 epochs, lr 5: test accuracy ${result.accuracy.toFixed(3)}`);
    expect(report.classifier.model.kind).toBe('softmax');
    expect(result.accuracy).toBeGreaterThanOrEqual(0.75);
  });
});

describe('noise: lazy when the optimiser allows it, dense otherwise', () => {
  it('returns a model whose never-read weights carry every step\'s noise, N(0, T·(ησC/B)²), also when the ledger stops it mid-epoch', async () => {
    // 7 steps (stopped in epoch 2 of 5 steps each): catch-ups for the epoch-1 metrics, the
    // partial epoch's and the returned model. ~44 000 of the 2^16 weights belong to no
    // training text; their sample variance has relative standard error under 0.7%, so 8 of
    // them (5.4%) bounds it, while a step of noise missed or doubled would be off by 1/7.
    const privacy = { noiseMultiplier: 1.3, clippingNorm: 0.7, samplingRate: 0.2 };
    const learningRate = 2;
    const report = await trainClassifier({
      examples: train,
      labels: [0, 1],
      epochs: 3,
      learningRate,
      privacy: { ...privacy, beforeStep: (step) => (step.index === 7 ? 'stop' : undefined) },
    });
    expect(report.noise).toBe('lazy');
    expect(report.stepsRun).toBe(7);
    expect(report.epochs.map((e) => e.steps)).toEqual([5, 7]);
    // The last metrics were taken on the returned model: the coordinates they read had been
    // caught up, and the final catch-up of all the others left them as they were.
    const last = report.classifier.evaluate(train);
    expect(report.epochs.at(-1)!.loss).toBeCloseTo(last.loss, 12);
    expect(report.epochs.at(-1)!.accuracy).toBe(last.accuracy);
    const read = new Set(train.flatMap((e) => [...report.classifier.features(e.text).indices]));
    const weights = report.classifier.model.parameters.subarray(0, 2 ** 16).filter((_, j) => !read.has(j));
    const n = weights.length;
    expect(n).toBeGreaterThan(40_000);
    const stepStd = (learningRate * privacy.noiseMultiplier * privacy.clippingNorm) / report.batchSize;
    const expected = 7 * stepStd * stepStd;
    const mean = weights.reduce((a, b) => a + b, 0) / n;
    const variance = weights.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(8 * Math.sqrt(expected / n));
    expect(Math.abs(variance / expected - 1)).toBeLessThan(8 * Math.sqrt(2 / (n - 1)));
  });

  it('momentum takes dense noise (its velocity spreads each step\'s noise over every later step), and still learns', async () => {
    const report = await trainClassifier({
      examples: train,
      labels: [0, 1],
      features: { charNgrams: [2, 4] },
      epochs: 10,
      learningRate: 1.5,
      momentum: 0.5,
      privacy: { noiseMultiplier: 1, clippingNorm: 1, samplingRate: 0.1 },
    });
    expect(report.noise).toBe('dense');
    // Measured over 200 runs: test accuracy 0.67–0.86 (mean 0.77, sd 0.037).
    const result = report.classifier.evaluate(test);
    console.log(`DP-SGD logistic with momentum 0.5 (dense noise), σ 1, C 1, q 0.1, 10 epochs, lr 1.5: test accuracy ${result.accuracy.toFixed(3)}`);
    expect(result.accuracy).toBeGreaterThan(MAJORITY_RATE + 0.05);
  });
});

describe('beforeStep: the privacy ledger\'s veto', () => {
  const examples = train.slice(0, 100);
  const privacy = { noiseMultiplier: 1.1, clippingNorm: 1, samplingRate: 0.2 };

  it('is asked before every private step, with σ and q, and "stop" ends training before that step', async () => {
    const asked: PrivateStepRequest[] = [];
    const report = await trainClassifier({
      examples,
      epochs: 3,
      learningRate: 1,
      privacy: { ...privacy, beforeStep: (step) => (asked.push(step), step.index === 7 ? 'stop' : undefined) },
    });
    expect(asked).toEqual(Array.from({ length: 8 }, (_, index) => ({ index, noiseMultiplier: 1.1, samplingRate: 0.2 })));
    expect(report.stopReason).toBe('budget');
    expect(report.stepsRun).toBe(7);
    expect(report.plannedSteps).toBe(15);
    expect(report.privacy!.steps).toBe(7);
    // Epoch 1 (steps 1–5) completed; epoch 2 stopped after 2 of its steps and is reported as it stands.
    expect(report.epochs.map((e) => [e.epoch, e.steps])).toEqual([[1, 5], [2, 7]]);
  });

  it('a refusal by throwing stops the same way and is kept as the cause; a step refused at once means no training at all', async () => {
    const refusal = new Error('privacy budget spent');
    const report = await trainClassifier({
      examples,
      epochs: 2,
      learningRate: 1,
      privacy: {
        ...privacy,
        beforeStep: () => {
          throw refusal;
        },
      },
    });
    expect(report.stopReason).toBe('budget');
    expect(report.stopCause).toBe(refusal);
    expect(report.stepsRun).toBe(0);
    expect(report.epochs).toEqual([]);
    expect(report.classifier.model.parameters.every((v) => v === 0)).toBe(true);
  });

  it('may answer asynchronously (a ledger writes to its database first)', async () => {
    let charged = 0;
    const report = await trainClassifier({
      examples,
      epochs: 1,
      learningRate: 1,
      privacy: { ...privacy, beforeStep: async () => (++charged > 3 ? 'stop' : undefined) },
    });
    expect(report.stepsRun).toBe(3);
    expect(report.stopReason).toBe('budget');
  });
});

describe('options are checked at the door', () => {
  const examples = train.slice(0, 20);

  it.each([
    ['an unknown option', { examples, epochs: 1, learningRate: 1, learningrate: 1 }, /unknown option learningrate/],
    ['no examples', { examples: [], epochs: 1, learningRate: 1 }, /at least one example/],
    ['an unsupported model', { examples, epochs: 1, learningRate: 1, model: 'forest' }, /model: supported: logistic, softmax/],
    ['a sampling rate above 1', { examples, epochs: 1, learningRate: 1, privacy: { noiseMultiplier: 1, clippingNorm: 1, samplingRate: 2 } }, /samplingRate/],
    ['no noise', { examples, epochs: 1, learningRate: 1, privacy: { noiseMultiplier: 0, clippingNorm: 1, samplingRate: 0.1 } }, /noiseMultiplier/],
    ['a fixed batch size with privacy', { examples, epochs: 1, learningRate: 1, batchSize: 5, privacy: { noiseMultiplier: 1, clippingNorm: 1, samplingRate: 0.1 } }, /batchSize is for plain training/],
  ])('refuses %s', async (_what, options, message) => {
    await expect(trainClassifier(options as never)).rejects.toThrow(message);
  });

  it('refuses logistic regression over three labels, and a label outside the given list', async () => {
    const three = examples.map((e, i) => ({ ...e, label: i % 3 }));
    await expect(trainClassifier({ examples: three, epochs: 1, learningRate: 1 })).rejects.toThrow(/use softmax/);
    await expect(trainClassifier({ examples: three, labels: [0, 1], model: 'softmax', epochs: 1, learningRate: 1 })).rejects.toThrow(/label 2 is not one of/);
  });
});
