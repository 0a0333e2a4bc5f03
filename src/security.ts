/** `langtrain/security`: the seed's `langtrain.security` module (what exists of it). */
export { SecurityManager, type SecurityManagerOptions } from './security-manager.js';
export { EncryptionService, type EncryptionServiceOptions, type RecordPlace } from './crypto/encryption-service.js';
export { transformDataset, type DatasetJob, type DatasetResult } from './crypto/dataset-encryption.js';
export { Keyring, type KeyInfo } from './crypto/keyring/keyring.js';
export { SecretsManager, defaultRotator, type SecretsManagerOptions, type StoreSecretInput, type SecretRotator } from './secrets/index.js';
export { SecurityMonitor, type SecurityMonitorDeps, type StartMonitoringOptions, type Alert, type AlertStatus, type MonitorSnapshot, type AlertQuery } from './threat/monitor/security-monitor.js';
export { AdversarialDefense, DETECTION_METHODS, RESPONSE_ACTIONS, type AdversarialDefenseOptions, type Inspection, type DetectorScore } from './threat/adversarial/adversarial-defense.js';
export { IncidentResponse, type IncidentResponseDeps, type Incident, type IncidentStatus, type ActionOutcome, type Playbook, type PlaybookInput, type BlockedAddress } from './threat/incidents/incident-response.js';
