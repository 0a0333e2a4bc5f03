import { invalidInput } from '../../core/errors.js';
import type { ClassifierModel, EncodedExample, ExampleGradient } from './classifier-model.js';
import type { SparseVector } from './text-features.js';

/**
 * Multinomial logistic (softmax) regression. Parameters are one row per class, each the
 * class's weights for every feature then its bias, so an example's gradient row k is
 * (p_k − [k = y])·(x, 1): every class's row, but only at the example's own features.
 */
export class SoftmaxRegression implements ClassifierModel {
  readonly kind = 'softmax' as const;
  readonly parameters: Float64Array;
  private readonly logits: Float64Array;
  private readonly scores: Float64Array;

  constructor(readonly featureCount: number, readonly classCount: number, parameters?: Float64Array) {
    if (!Number.isInteger(classCount) || classCount < 2) throw invalidInput('a softmax regression needs at least 2 classes', { classCount });
    const size = classCount * (featureCount + 1);
    if (parameters && parameters.length !== size) throw invalidInput(`a softmax regression over ${featureCount} features and ${classCount} classes has ${size} parameters, not ${parameters.length}`);
    this.parameters = parameters ?? new Float64Array(size);
    this.logits = new Float64Array(classCount);
    this.scores = new Float64Array(classCount);
  }

  /** Leaves the logits in `this.logits`, the probabilities in `this.scores`; returns log Σ exp(z), the normaliser. */
  private softmax(features: SparseVector): number {
    const { indices, values } = features;
    const row = this.featureCount + 1;
    let max = -Infinity;
    for (let c = 0; c < this.classCount; c++) {
      const offset = c * row;
      let z = this.parameters[offset + this.featureCount]!;
      for (let k = 0; k < indices.length; k++) z += this.parameters[offset + indices[k]!]! * values[k]!;
      this.logits[c] = z;
      if (z > max) max = z;
    }
    let total = 0;
    for (let c = 0; c < this.classCount; c++) {
      const e = Math.exp(this.logits[c]! - max);
      this.scores[c] = e;
      total += e;
    }
    for (let c = 0; c < this.classCount; c++) this.scores[c]! /= total;
    return max + Math.log(total);
  }

  exampleGradient(example: EncodedExample, into: ExampleGradient): number {
    const { indices, values } = example.features;
    const normaliser = this.softmax(example.features);
    const row = this.featureCount + 1;
    const width = indices.length + 1;
    into.reserve(this.classCount * width);
    let n = 0;
    for (let c = 0; c < this.classCount; c++) {
      const residual = this.scores[c]! - (c === example.label ? 1 : 0);
      const offset = c * row;
      for (let k = 0; k < indices.length; k++) {
        into.indices[n] = offset + indices[k]!;
        into.values[n++] = residual * values[k]!;
      }
      into.indices[n] = offset + this.featureCount;
      into.values[n++] = residual;
    }
    into.length = n;
    return normaliser - this.logits[example.label]!;
  }

  parametersRead(features: SparseVector, into: ExampleGradient): void {
    const { indices } = features;
    const row = this.featureCount + 1;
    into.reserve(this.classCount * (indices.length + 1));
    let n = 0;
    for (let c = 0; c < this.classCount; c++) {
      const offset = c * row;
      for (let k = 0; k < indices.length; k++) into.indices[n++] = offset + indices[k]!;
      into.indices[n++] = offset + this.featureCount;
    }
    into.length = n;
  }

  probabilities(features: SparseVector): Float64Array {
    this.softmax(features);
    return this.scores.slice();
  }

  predict(features: SparseVector): number {
    this.softmax(features);
    let best = 0;
    for (let c = 1; c < this.classCount; c++) if (this.scores[c]! > this.scores[best]!) best = c;
    return best;
  }

  loss(example: EncodedExample): number {
    return this.softmax(example.features) - this.logits[example.label]!;
  }
}
