import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';
import { MODEL_KINDS, type ClassifierModel, type ModelKind } from './classifier-model.js';
import { LogisticRegression } from './logistic-regression.js';
import { SoftmaxRegression } from './softmax-regression.js';
import { featureHashingSchema, hashTextFeatures, type FeatureHashing, type SparseVector } from './text-features.js';

export type Label = string | number;

export interface LabelledText {
  text: string;
  label: Label;
}

/** What a private training run spent: the inputs a privacy accountant turns into ε for a δ. */
export interface PrivacyParameters {
  noiseMultiplier: number;
  samplingRate: number;
  clippingNorm: number;
  /** DP-SGD steps actually run (a refused step is not counted). */
  steps: number;
}

export interface Evaluation {
  count: number;
  accuracy: number;
  /** Mean cross-entropy (natural log). */
  loss: number;
}

export function createClassifierModel(kind: ModelKind, featureCount: number, classCount: number, parameters?: Float64Array): ClassifierModel {
  if (kind === 'logistic') {
    if (classCount !== 2) throw invalidInput(`logistic regression tells 2 classes apart, not ${classCount}: use softmax`, { classCount });
    return new LogisticRegression(featureCount, parameters);
  }
  return new SoftmaxRegression(featureCount, classCount, parameters);
}

/** A trained model with what it needs to read text: the feature hashing it was trained with and its labels. */
export class TextClassifier {
  private readonly classOf: Map<Label, number>;

  constructor(
    readonly model: ClassifierModel,
    readonly hashing: FeatureHashing,
    readonly labels: readonly Label[],
    readonly privacy?: PrivacyParameters,
  ) {
    if (labels.length !== model.classCount) throw invalidInput(`the model has ${model.classCount} classes but ${labels.length} labels were given`);
    if (model.featureCount !== 2 ** hashing.bits) throw invalidInput(`the model has ${model.featureCount} features but the hashing makes 2^${hashing.bits}`);
    this.classOf = new Map(labels.map((label, index) => [label, index]));
  }

  features(text: string): SparseVector {
    return hashTextFeatures(text, this.hashing);
  }

  /** The class index of `label`; refuses a label the model does not know. */
  classIndex(label: Label): number {
    const index = this.classOf.get(label);
    if (index === undefined) throw invalidInput(`label ${JSON.stringify(label)} is not one of the model's labels`, { labels: [...this.labels] });
    return index;
  }

  predict(text: string): Label {
    return this.labels[this.model.predict(this.features(text))]!;
  }

  probabilities(text: string): Array<{ label: Label; probability: number }> {
    const p = this.model.probabilities(this.features(text));
    return this.labels.map((label, c) => ({ label, probability: p[c]! }));
  }

  evaluate(examples: readonly LabelledText[]): Evaluation {
    let correct = 0;
    let loss = 0;
    for (const { text, label } of examples) {
      const example = { features: this.features(text), label: this.classIndex(label) };
      if (this.model.predict(example.features) === example.label) correct++;
      loss += this.model.loss(example);
    }
    const count = examples.length;
    return { count, accuracy: count ? correct / count : 0, loss: count ? loss / count : 0 };
  }

  /** A JSON document: hashing, labels, the DP parameters if any, and the weights as little-endian float64 in base64 (exact and ~3× smaller than decimals). */
  toJSON(): SerializedTextClassifier {
    const { parameters } = this.model;
    const bytes = Buffer.alloc(parameters.length * 8);
    for (let i = 0; i < parameters.length; i++) bytes.writeDoubleLE(parameters[i]!, i * 8);
    return {
      format: FORMAT,
      version: 1,
      model: this.model.kind,
      hashing: { ...this.hashing },
      labels: [...this.labels],
      ...(this.privacy ? { privacy: { ...this.privacy } } : {}),
      parameters: { encoding: 'float64le-base64', count: parameters.length, data: bytes.toString('base64') },
    };
  }

  /** Reads what `toJSON` wrote; anything else is refused with the reason. */
  static fromJSON(document: unknown): TextClassifier {
    const parsed = serializedSchema.safeParse(document);
    if (!parsed.success) {
      throw invalidInput(`not a langtrain text classifier: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ')}`);
    }
    const { model, hashing, labels, privacy, parameters } = parsed.data;
    if (new Set(labels).size !== labels.length) throw invalidInput('the classifier\'s labels repeat');
    const bytes = Buffer.from(parameters.data, 'base64');
    if (bytes.length !== parameters.count * 8) throw invalidInput(`the classifier's parameters hold ${bytes.length} bytes, not ${parameters.count} float64 values`);
    const weights = new Float64Array(parameters.count);
    for (let i = 0; i < weights.length; i++) weights[i] = bytes.readDoubleLE(i * 8);
    if (!weights.every(Number.isFinite)) throw invalidInput('the classifier\'s parameters include a value that is not a finite number');
    return new TextClassifier(createClassifierModel(model, 2 ** hashing.bits, labels.length, weights), hashing, labels, privacy);
  }
}

const FORMAT = 'langtrain-text-classifier';

const serializedSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  model: z.enum(MODEL_KINDS),
  hashing: featureHashingSchema.required(),
  labels: z.array(z.union([z.string(), z.number()])).min(2),
  privacy: z
    .strictObject({
      noiseMultiplier: z.number().positive(),
      samplingRate: z.number().positive().max(1),
      clippingNorm: z.number().positive(),
      steps: z.number().int().min(0),
    })
    .optional(),
  parameters: z.strictObject({
    encoding: z.literal('float64le-base64'),
    count: z.number().int().positive(),
    data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  }),
});

export type SerializedTextClassifier = z.input<typeof serializedSchema>;
