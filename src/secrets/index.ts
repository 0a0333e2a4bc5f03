/** The secrets domain: `SecretsManager` and what its callers need to name. */
export { SecretsManager, defaultRotator, MAX_VALUE_BYTES, type SecretsManagerDeps, type StoreSecretInput, type SecretRotator, type SecretVersionRef } from './secrets-manager.js';
export { type SecretsManagerOptions, type SecretsManagerSettings } from './options.js';
export type { ProviderName, SecretSummary, SecretTags, SecretValue, SecretVersion, SecretVersionInfo } from './provider.js';
export { secretsMigrations } from './schema.js';
export type { AzureTokenCredential } from './providers/azure-credential.js';
