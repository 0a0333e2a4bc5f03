import type { SparseVector } from './text-features.js';

/** One training example after feature hashing: its features and its class index (0 … classCount - 1). */
export interface EncodedExample {
  readonly features: SparseVector;
  readonly label: number;
}

export const MODEL_KINDS = ['logistic', 'softmax'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * One example's gradient over all parameters, kept sparse: for a linear model over hashed
 * features only the rows of the example's non-zero features (and the biases) are non-zero,
 * a few hundred entries out of 2^16 or more. `indices[0 … length)` are distinct, so the
 * L2 norm is the norm of `values[0 … length)` alone. Reused across examples: one buffer per
 * trainer, grown on demand, so the hot loop allocates nothing.
 */
export class ExampleGradient {
  indices = new Int32Array(1024);
  values = new Float64Array(1024);
  length = 0;

  /** Room for `capacity` entries; contents are not kept. */
  reserve(capacity: number): void {
    if (capacity <= this.indices.length) return;
    const size = 2 ** Math.ceil(Math.log2(capacity));
    this.indices = new Int32Array(size);
    this.values = new Float64Array(size);
  }

  l2Norm(): number {
    let squares = 0;
    for (let k = 0; k < this.length; k++) squares += this.values[k]! * this.values[k]!;
    return Math.sqrt(squares);
  }

  /** `target += factor · this`, the scatter-add of one (clipped) gradient into a dense sum. */
  addTo(target: Float64Array, factor: number): void {
    const { indices, values } = this;
    for (let k = 0; k < this.length; k++) target[indices[k]!]! += factor * values[k]!;
  }

  /** A dense copy, for inspection and tests. */
  toDense(size: number): Float64Array {
    const dense = new Float64Array(size);
    this.addTo(dense, 1);
    return dense;
  }
}

/**
 * A classifier over sparse features whose parameters live in one flat array, so the
 * optimiser and the DP noise treat every model alike: a pass over `parameters`.
 */
export interface ClassifierModel {
  readonly kind: ModelKind;
  /** Number of classes the model tells apart. */
  readonly classCount: number;
  /** Width of the feature space (2^bits). */
  readonly featureCount: number;
  /** All parameters; optimisers update it in place. */
  readonly parameters: Float64Array;
  /** Writes the gradient of `loss(example)` with respect to `parameters` into `into`; returns the loss. */
  exampleGradient(example: EncodedExample, into: ExampleGradient): number;
  /**
   * Writes into `into.indices[0 … into.length)` every parameter the model reads for
   * `features` (its scores, loss and gradient; `into.values` is left as it was): no other
   * parameter changes anything about such an example, and its gradient is zero elsewhere.
   * Lazy DP noise relies on it: these coordinates alone must carry their noise before the
   * example's gradient is taken.
   */
  parametersRead(features: SparseVector, into: ExampleGradient): void;
  /** Class probabilities, one per class. */
  probabilities(features: SparseVector): Float64Array;
  /** The most probable class index. */
  predict(features: SparseVector): number;
  /** Cross-entropy of the true class (natural log). */
  loss(example: EncodedExample): number;
}

/** Each example's own gradient, as dense arrays: the reference form for tests and audits (the trainer uses `exampleGradient`). */
export function perExampleGradients(model: ClassifierModel, batch: readonly EncodedExample[]): Float64Array[] {
  const buffer = new ExampleGradient();
  return batch.map((example) => {
    model.exampleGradient(example, buffer);
    return buffer.toDense(model.parameters.length);
  });
}

/** Every parameter some example of `examples` reads (`parametersRead`), ascending. */
export function parametersReadBy(model: ClassifierModel, examples: readonly EncodedExample[]): Int32Array {
  const read = new Uint8Array(model.parameters.length);
  const buffer = new ExampleGradient();
  for (const example of examples) {
    model.parametersRead(example.features, buffer);
    for (let k = 0; k < buffer.length; k++) read[buffer.indices[k]!] = 1;
  }
  const union: number[] = [];
  for (let j = 0; j < read.length; j++) if (read[j]) union.push(j);
  return Int32Array.from(union);
}
