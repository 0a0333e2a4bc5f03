export { webauthnMigrations } from './schema.js';
export {
  WebAuthnCredentials,
  ERR_WEBAUTHN_CREDENTIAL_EXISTS,
  ERR_WEBAUTHN_REJECTED,
  type WebAuthnAuthenticationResult,
  type WebAuthnCeremony,
  type WebAuthnCredentialsDeps,
} from './webauthn-credentials.js';
export type { WebAuthnCredential, WebAuthnTransport } from './credential-record.js';
export type { WebAuthnOptions } from './webauthn-options.js';
export type { RefusedCheck } from './refused-check.js';
export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
