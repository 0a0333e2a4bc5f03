export { SamlServiceProvider, type SamlServiceProviderDeps, type SamlLoginStart, type SamlServiceProviderOptions } from './saml-service-provider.js';
export { DEFAULT_MFA_CONTEXT_CLASSES } from './saml-options.js';
export { samlMigrations } from './saml-schema.js';
export type { SamlFailureReason } from './saml-failure.js';
