export { MAX_EPOCHS, trainClassifier, type BeforePrivateStep, type EpochMetrics, type PrivateStepRequest, type TrainClassifierOptions, type TrainingProgress, type TrainingReport } from './train-classifier.js';
export { TextClassifier, type Evaluation, type Label, type LabelledText, type PrivacyParameters, type SerializedTextClassifier } from './text-classifier.js';
export { MODEL_KINDS, type ClassifierModel, type ModelKind } from './classifier-model.js';
export { hashTextFeatures, tokenize, type FeatureHashing, type FeatureHashingOptions, type SparseVector } from './text-features.js';
export { GradientStep, clipFactor, type DpSgdSettings, type NoiseMode, type NoiseSource, type StepOutcome } from './dp-sgd-step.js';
export { GaussianNoise } from './gaussian-noise.js';
export { PoissonSampler } from './poisson-sampling.js';
