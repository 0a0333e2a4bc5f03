import { randomFillSync } from 'node:crypto';
import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { MODEL_KINDS, parametersReadBy, type EncodedExample } from './classifier-model.js';
import { GradientStep, type NoiseMode } from './dp-sgd-step.js';
import { PoissonSampler } from './poisson-sampling.js';
import { Sgd } from './sgd.js';
import { createClassifierModel, TextClassifier, type Label, type PrivacyParameters } from './text-classifier.js';
import { featureHashingSchema, hashTextFeatures } from './text-features.js';

/** What the privacy ledger is asked before each DP-SGD step; `index` counts from 0 in this run. */
export interface PrivateStepRequest {
  index: number;
  noiseMultiplier: number;
  samplingRate: number;
}

/**
 * Called before each private step, so a budget ledger can charge the step first and refuse
 * it when the budget would be exceeded: return 'stop', or throw (a refusal, whatever its
 * cause: no step runs without approval). The trainer then stops with reason 'budget'.
 */
export type BeforePrivateStep = (step: PrivateStepRequest) => void | 'stop' | Promise<void | 'stop'>;

const fn = <T>() => z.custom<T>((value) => typeof value === 'function', 'must be a function');
const label = z.union([z.string(), z.number()]);

/** The most epochs one run trains: past it a typo (an extra zero) runs for hours. */
export const MAX_EPOCHS = 10_000;

const optionsSchema = z.strictObject({
  examples: z.array(z.object({ text: z.string(), label })).min(1, 'needs at least one example'),
  model: z.enum(MODEL_KINDS, { message: `supported: ${MODEL_KINDS.join(', ')}` }).default('logistic'),
  /**
   * The classes, in order. Give them for private training: otherwise they are read from the
   * examples, and a label only one person's example carries would show in the model file.
   */
  labels: z.array(label).min(2).optional(),
  features: featureHashingSchema.prefault({}),
  epochs: z.number().int().positive().max(MAX_EPOCHS),
  learningRate: z.number().positive(),
  momentum: z.number().min(0).lt(1).default(0),
  /** Fixed batch size of plain (non-private) training; private training draws Poisson batches of q·N expected instead. */
  batchSize: z.number().int().positive().optional(),
  privacy: z
    .strictObject({
      /** σ: noise std is σ·C on the summed gradient. */
      noiseMultiplier: z.number().positive(),
      /** C: each example's gradient is clipped to this L2 norm (Opacus' max_grad_norm). */
      clippingNorm: z.number().positive(),
      /** q: each example joins each step's batch with this probability; an epoch is 1/q steps. */
      samplingRate: z.number().positive().max(1),
      beforeStep: fn<BeforePrivateStep>().optional(),
    })
    .optional(),
  onProgress: fn<(progress: TrainingProgress) => void>().optional(),
});

export type TrainClassifierOptions = z.input<typeof optionsSchema>;

/**
 * Measured on the training examples themselves, so NOT covered by the DP guarantee: for the
 * operator watching a run, not for publication. Evaluate a held-out set for that.
 */
export interface EpochMetrics {
  epoch: number;
  /** Steps run so far, this epoch included. */
  steps: number;
  loss: number;
  accuracy: number;
}

export interface TrainingProgress {
  stepsRun: number;
  plannedSteps: number;
  /** Set on the step that ends an epoch. */
  epoch?: EpochMetrics;
}

export interface TrainingReport {
  classifier: TextClassifier;
  stepsRun: number;
  plannedSteps: number;
  stopReason: 'completed' | 'budget';
  /** What `beforeStep` threw, when it refused that way. */
  stopCause?: unknown;
  /**
   * Expected batch size q·N when private (N, the number of examples, taken as public, as
   * Opacus does), fixed batch size otherwise.
   */
  batchSize: number;
  epochs: EpochMetrics[];
  privacy?: PrivacyParameters;
  /**
   * Private runs: how the noise was added. 'lazy' (plain SGD) draws a coordinate's noise
   * when it is next read, with the same distribution of the model as 'dense' (see
   * lazy-noise.ts) at a fraction of the cost; momentum needs 'dense'.
   */
  noise?: NoiseMode;
}

/** Default fixed batch size of plain training. */
const DEFAULT_BATCH_SIZE = 32;

/**
 * Trains a text classifier over hashed n-gram features, with DP-SGD when `privacy` is given
 * (Poisson batches, per-example clipping, Gaussian noise) and plain minibatch SGD otherwise.
 */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainingReport> {
  const settings = parseOptions(optionsSchema, options, 'trainClassifier');
  const { privacy } = settings;
  if (privacy && settings.batchSize !== undefined) {
    throw invalidInput('trainClassifier: batchSize is for plain training; private batches are drawn with probability privacy.samplingRate (q·N expected)', { field: 'batchSize' });
  }
  const labels = settings.labels ?? distinctLabels(settings.examples.map((e) => e.label));
  if (new Set(labels).size !== labels.length) throw invalidInput('trainClassifier: labels repeat', { field: 'labels' });
  if (labels.length < 2) throw invalidInput('trainClassifier: the examples carry only one label; a classifier needs two or more', { field: 'examples' });

  const featureCount = 2 ** settings.features.bits;
  const model = createClassifierModel(settings.model, featureCount, labels.length);
  const untrained = new TextClassifier(model, settings.features, labels);
  const examples: EncodedExample[] = settings.examples.map(({ text, label }) => ({ features: hashTextFeatures(text, settings.features), label: untrained.classIndex(label) }));
  const n = examples.length;

  const optimizer = new Sgd(model.parameters, settings.learningRate, settings.momentum);
  const batchSize = privacy ? privacy.samplingRate * n : Math.min(settings.batchSize ?? DEFAULT_BATCH_SIZE, n);
  // Lazy noise whenever the optimiser allows it (plain SGD at its constant rate): the same
  // model in distribution at ~2.4× dense noise's step rate on the prompt-injection set (bench/dp.ts).
  const noise: NoiseMode = settings.momentum === 0 ? 'lazy' : 'dense';
  const step = new GradientStep(model, optimizer, privacy && { noiseMultiplier: privacy.noiseMultiplier, clippingNorm: privacy.clippingNorm, expectedBatchSize: batchSize, noise });
  const stepsPerEpoch = privacy ? Math.max(1, Math.round(1 / privacy.samplingRate)) : Math.ceil(n / batchSize);
  const plannedSteps = stepsPerEpoch * settings.epochs;
  const nextBatch = privacy ? poissonBatches(examples, privacy.samplingRate) : shuffledBatches(examples, batchSize);

  // The epoch metrics read only the training examples' coordinates (~1/4 of 2^16 on the
  // prompt-injection set): with lazy noise, those are caught up before each, not all of them.
  const readByMetrics = step.noiseMode === 'lazy' ? parametersReadBy(model, examples) : undefined;
  const epochs: EpochMetrics[] = [];
  const measure = (epoch: number): EpochMetrics => {
    step.catchUp(readByMetrics);
    let loss = 0;
    let correct = 0;
    for (const example of examples) {
      loss += model.loss(example);
      if (model.predict(example.features) === example.label) correct++;
    }
    return { epoch, steps: stepsRun, loss: loss / n, accuracy: correct / n };
  };

  let stepsRun = 0;
  let stopReason: TrainingReport['stopReason'] = 'completed';
  let stopCause: unknown;
  training: for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (privacy?.beforeStep) {
        try {
          const verdict = await privacy.beforeStep({ index: stepsRun, noiseMultiplier: privacy.noiseMultiplier, samplingRate: privacy.samplingRate });
          if (verdict === 'stop') stopReason = 'budget';
        } catch (err) {
          stopReason = 'budget';
          stopCause = err;
        }
        if (stopReason === 'budget') {
          if (s > 0) epochs.push(measure(epoch));
          break training;
        }
      }
      step.run(nextBatch(s));
      stepsRun++;
      const ended = s === stepsPerEpoch - 1 ? measure(epoch) : undefined;
      if (ended) epochs.push(ended);
      settings.onProgress?.({ stepsRun, plannedSteps, ...(ended ? { epoch: ended } : {}) });
    }
  }

  step.catchUp();
  const spent: PrivacyParameters | undefined = privacy && { noiseMultiplier: privacy.noiseMultiplier, samplingRate: privacy.samplingRate, clippingNorm: privacy.clippingNorm, steps: stepsRun };
  return {
    classifier: new TextClassifier(model, settings.features, labels, spent),
    stepsRun,
    plannedSteps,
    stopReason,
    ...(stopCause !== undefined ? { stopCause } : {}),
    batchSize,
    epochs,
    ...(spent ? { privacy: spent, noise } : {}),
  };
}

/** Numbers ascending, then strings in code-point order: a stable class order whatever the input order. */
function distinctLabels(labels: Label[]): Label[] {
  return [...new Set(labels)].sort((a, b) => (typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1));
}

function poissonBatches(examples: readonly EncodedExample[], samplingRate: number): (s: number) => EncodedExample[] {
  const sampler = new PoissonSampler(examples.length, samplingRate);
  return () => Array.from(sampler.next(), (i) => examples[i]!);
}

/**
 * Plain training's batches: a fresh shuffle each epoch (Fisher–Yates), cut into fixed-size
 * slices. One `randomFillSync` per epoch rather than a `randomInt` per swap (~1 µs each,
 * as much as a whole plain step here); the modulo-free scaling is biased by under n/2^32,
 * harmless for an order that protects nothing.
 */
function shuffledBatches(examples: readonly EncodedExample[], batchSize: number): (s: number) => EncodedExample[] {
  const order = examples.slice();
  const words = new Uint32Array(order.length);
  return (s) => {
    if (s === 0) {
      randomFillSync(words);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor((words[i]! * (i + 1)) / 4_294_967_296);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    return order.slice(s * batchSize, (s + 1) * batchSize);
  };
}
