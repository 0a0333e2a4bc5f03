import { invalidInput } from '../../core/errors.js';
import { ExampleGradient, type ClassifierModel, type EncodedExample } from './classifier-model.js';
import { GaussianNoise } from './gaussian-noise.js';
import { LazyNoise } from './lazy-noise.js';
import type { Sgd } from './sgd.js';

/** Opacus adds this to the norm before dividing, so a zero gradient divides by nothing. */
const CLIPPING_EPSILON = 1e-6;

/**
 * The factor that clips a per-example gradient of L2 norm `norm` to at most `clippingNorm`
 * (Opacus' `min(1, C / (‖g‖ + 1e−6))`). It bounds each example's share of the summed
 * gradient by C, the sensitivity the Gaussian noise is calibrated to.
 */
export function clipFactor(norm: number, clippingNorm: number): number {
  return Math.min(1, clippingNorm / (norm + CLIPPING_EPSILON));
}

/** DP-SGD's parameters for one step. `expectedBatchSize` is q·N for Poisson batches. */
export interface DpSgdSettings {
  noiseMultiplier: number;
  clippingNorm: number;
  expectedBatchSize: number;
  /**
   * 'dense' (default): every coordinate gets its noise in every step. 'lazy': a coordinate's
   * noise is drawn when it is next read (lazy-noise.ts); the same model in distribution, but
   * `model.parameters` lacks owed noise between steps, so call `catchUp()` before reading
   * the whole model. Plain SGD only: refused with momentum.
   */
  noise?: NoiseMode;
}

export type NoiseMode = 'dense' | 'lazy';

/** Where the noise comes from: `GaussianNoise` (node:crypto); tests substitute a known one. */
export type NoiseSource = Pick<GaussianNoise, 'addTo' | 'sample'>;

export interface StepOutcome {
  /** Examples in the batch (varies under Poisson sampling; may be 0). */
  batchSize: number;
  /** Sum of the examples' losses before the update (not private: for the operator only). */
  lossSum: number;
  /** Examples whose gradient was scaled down by clipping (not private either). */
  clipped: number;
}

/**
 * One minibatch step: every example's gradient, summed, then the optimiser. With `privacy`
 * it is a DP-SGD step (Abadi et al. 2016, "Deep Learning with Differential Privacy"), in
 * Opacus' `DPOptimizer` order: clip each example's gradient to C, sum, add N(0, (σC)²) to
 * every coordinate, divide by the expected batch size q·N (not the drawn one, which would
 * itself depend on the data), then step. Without `privacy`, the plain mean gradient, so
 * the two differ by clipping and noise only.
 *
 * The gradients are sparse but the noise is not: every coordinate gets noise, including
 * those no example in the batch touched, or which coordinates moved would tell which
 * features (words) the batch held. Lazy noise defers, never skips, that of the untouched.
 */
export class GradientStep {
  private readonly gradient = new ExampleGradient();
  private readonly sum: Float64Array;
  private readonly lazy: LazyNoise | undefined;

  constructor(
    private readonly model: ClassifierModel,
    private readonly optimizer: Sgd,
    private readonly privacy?: DpSgdSettings,
    private readonly noise: NoiseSource = new GaussianNoise(),
  ) {
    if (optimizer.parameters !== model.parameters) throw invalidInput('the optimiser must update the model\'s own parameters');
    if (privacy) {
      const { noiseMultiplier, clippingNorm, expectedBatchSize } = privacy;
      if (!(noiseMultiplier > 0 && Number.isFinite(noiseMultiplier))) throw invalidInput('the noise multiplier must be a positive number', { noiseMultiplier });
      if (!(clippingNorm > 0 && Number.isFinite(clippingNorm))) throw invalidInput('the clipping norm must be a positive number', { clippingNorm });
      if (!(expectedBatchSize > 0 && Number.isFinite(expectedBatchSize))) throw invalidInput('the expected batch size must be positive', { expectedBatchSize });
      if (privacy.noise === 'lazy') {
        // Momentum carries every step's noise into later updates of every coordinate, read or not: nothing to defer.
        if (optimizer.momentum !== 0) throw invalidInput('lazy noise needs plain SGD: with momentum, use dense noise', { momentum: optimizer.momentum });
        this.lazy = new LazyNoise(model.parameters, (optimizer.learningRate * noiseMultiplier * clippingNorm) / expectedBatchSize, noise);
      }
    }
    this.sum = new Float64Array(model.parameters.length);
  }

  /** How private steps are noised; undefined for plain steps. */
  get noiseMode(): NoiseMode | undefined {
    if (!this.privacy) return undefined;
    return this.lazy ? 'lazy' : 'dense';
  }

  /**
   * Gives coordinates the noise they are owed (lazy noise), before they are read: those in
   * `coordinates` when given, else every one (before the whole model is read). A no-op with
   * dense noise, where no noise waits.
   */
  catchUp(coordinates?: Int32Array): void {
    if (!this.lazy) return;
    if (coordinates) this.lazy.catchUp(coordinates, coordinates.length);
    else this.lazy.catchUpAll();
  }

  run(batch: readonly EncodedExample[]): StepOutcome {
    const { model, gradient, sum, privacy, lazy } = this;
    let lossSum = 0;
    let clipped = 0;
    for (const example of batch) {
      if (lazy) {
        // Within a step θ changes only by catch-ups, and a coordinate caught up stays put until
        // the update: catching up each example's coordinates just before it reads them shows
        // every example of the batch the same θ.
        model.parametersRead(example.features, gradient);
        lazy.catchUp(gradient.indices, gradient.length);
      }
      lossSum += model.exampleGradient(example, gradient);
      let factor = 1;
      if (privacy) {
        factor = clipFactor(gradient.l2Norm(), privacy.clippingNorm);
        if (factor < 1) clipped++;
      }
      gradient.addTo(sum, factor);
    }
    if (privacy) {
      if (!lazy) this.noise.addTo(sum, privacy.noiseMultiplier * privacy.clippingNorm);
      this.optimizer.step(sum, 1 / privacy.expectedBatchSize);
      lazy?.endStep();
    } else {
      this.optimizer.step(sum, batch.length > 0 ? 1 / batch.length : 0);
    }
    return { batchSize: batch.length, lossSum, clipped };
  }
}
