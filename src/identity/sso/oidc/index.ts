export { OidcSsoProvider, type OidcLoginStart, type OidcPendingLogin, type OidcSsoProviderDeps } from './oidc-sso-provider.js';
export type { AzureAdOidcOptions, GenericOidcOptions, OidcSsoProviderOptions } from './oidc-options.js';
export type { SsoFailureReason } from './sso-failure.js';
