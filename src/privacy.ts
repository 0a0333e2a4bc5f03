/** `langtrain/privacy`: the seed's `langtrain.privacy` module. */
export { DataProtectionManager, type DataProtectionManagerOptions } from './privacy/data-protection-manager.js';
export { ENTITY_TYPES, type EntityType, type Finding } from './privacy/pii/entity-types.js';
export { PIIDetector, type DatasetFiles, type DatasetShards, type PIIDetectorDeps, type PIIDetectorOptions, type ProcessDatasetOptions } from './privacy/pii/pii-detector.js';
export type { RedactDatasetReport, RedactedRecords } from './privacy/pii/dataset-redaction.js';
export type { RedactShardsReport } from './privacy/pii/dataset-shards.js';
export { DEFAULT_CONFIDENCE_THRESHOLD, REDACTION_METHODS, type RedactionMethod } from './privacy/pii/pii-options.js';
export { piiRedactionKeys } from './privacy/pii/pii-keys.js';
export type { Candidate, Recognizer } from './privacy/pii/recognizer.js';
export { ConsentManager, type RecordConsentInput, type WithdrawConsentInput } from './privacy/consent/consent-manager.js';
export { filterByConsent } from './privacy/consent/consent-filter.js';
export { LineageStore, digestFile } from './privacy/lineage/lineage-store.js';
export { eraseSubject, type ErasureReport } from './privacy/erasure.js';
export { RdpAccountant, PrvAccountant, epsilonFor, getNoiseMultiplier, rdpToEpsilon, DEFAULT_ORDERS, type EpsilonForOptions, type EpsilonForResult, type NoiseCalibration, type NoiseCalibrationOptions } from './privacy/dp/index.js';
export { BudgetLedger, composedEpsilon, ACCOUNTANTS, type PrivacyBudget, type BudgetSpend, type Reservation, type MechanismSteps, type AccountantName } from './privacy/budget/budget-ledger.js';
export { budgetMigrations } from './privacy/budget/schema.js';
export { trainClassifier, TextClassifier, MODEL_KINDS, type TrainClassifierOptions, type TrainingReport, type TrainingProgress, type EpochMetrics, type Label, type LabelledText, type PrivacyParameters, type ModelKind } from './privacy/training/index.js';
export { DifferentialPrivacy, NOISE_MECHANISMS, type DifferentialPrivacyOptions } from './privacy/differential-privacy.js';
export { train, type TrainOptions, type TrainDeps, type TrainReport, type TrainResult, type PrivacyReport } from './privacy/train.js';
