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
    expect(result.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(report.epochs).toHaveLength(50);
    expect(report.epochs.at(-1)!.accuracy).toBeGreaterThan(0.95);
  });

  it('DP-SGD (σ = 1, C = 1, q = 0.1, Poisson batches) also learns, well above the majority rate', async () => {
    // Measured over 200 runs: test accuracy 0.72–0.87 (mean 0.80, sd 0.028), loss ≤ 0.53.
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
