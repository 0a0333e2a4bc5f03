/** `langtrain`: the composition root and configuration. Other areas have their own import paths. */
export { SecurityManager, type SecurityManagerOptions } from './security-manager.js';
export { loadConfig, type Config, type ConfigInput, type LoadConfigOptions } from './core/config.js';
export { LangtrainError, type ErrorCode } from './core/errors.js';
export type { AuditSink, AuditEventInput, AuditReceipt } from './core/audit-sink.js';
/** The seed's `langtrain.train(dataset, privacy_engine, max_grad_norm, noise_multiplier)`; `SecurityManager.train` keeps the budget in the store. */
export { train, type TrainOptions, type TrainResult } from './privacy/train.js';
