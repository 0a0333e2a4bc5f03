import { invalidInput } from '../../core/errors.js';
import type { ClassifierModel, EncodedExample, ExampleGradient } from './classifier-model.js';
import type { SparseVector } from './text-features.js';

/**
 * Binary logistic regression: p(class 1 | x) = σ(w·x + b). Parameters are `w` (one per
 * feature) then `b`, so an example's gradient (σ(z) − y)·(x, 1) touches only its own
 * features and the bias.
 */
export class LogisticRegression implements ClassifierModel {
  readonly kind = 'logistic' as const;
  readonly classCount = 2;
  readonly parameters: Float64Array;

  constructor(readonly featureCount: number, parameters?: Float64Array) {
    if (parameters && parameters.length !== featureCount + 1) throw invalidInput(`a logistic regression over ${featureCount} features has ${featureCount + 1} parameters, not ${parameters.length}`);
    this.parameters = parameters ?? new Float64Array(featureCount + 1);
  }

  private score(features: SparseVector): number {
    const { indices, values } = features;
    let z = this.parameters[this.featureCount]!;
    for (let k = 0; k < indices.length; k++) z += this.parameters[indices[k]!]! * values[k]!;
    return z;
  }

  exampleGradient(example: EncodedExample, into: ExampleGradient): number {
    const { indices, values } = example.features;
    const z = this.score(example.features);
    const residual = sigmoid(z) - example.label;
    into.reserve(indices.length + 1);
    for (let k = 0; k < indices.length; k++) {
      into.indices[k] = indices[k]!;
      into.values[k] = residual * values[k]!;
    }
    into.indices[indices.length] = this.featureCount;
    into.values[indices.length] = residual;
    into.length = indices.length + 1;
    return crossEntropy(z, example.label);
  }

  parametersRead(features: SparseVector, into: ExampleGradient): void {
    const { indices } = features;
    into.reserve(indices.length + 1);
    into.indices.set(indices);
    into.indices[indices.length] = this.featureCount;
    into.length = indices.length + 1;
  }

  probabilities(features: SparseVector): Float64Array {
    const p = sigmoid(this.score(features));
    return Float64Array.of(1 - p, p);
  }

  predict(features: SparseVector): number {
    return this.score(features) > 0 ? 1 : 0;
  }

  loss(example: EncodedExample): number {
    return crossEntropy(this.score(example.features), example.label);
  }
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** −log p(label) = softplus(z) − label·z, in the form that neither overflows nor loses small values. */
function crossEntropy(z: number, label: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - label * z;
}
