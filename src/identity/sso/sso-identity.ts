/**
 * What a single sign-on provider (OIDC or SAML) asserts about the person who signed in,
 * once its response has been verified. Both protocols map onto this one shape, so
 * provisioning and the second-factor rule do not care which protocol was used.
 */
export interface SsoIdentity {
  /** The configured provider name, e.g. `okta` or `azure_ad` (the seed's `sso_providers` keys). */
  provider: string;
  /** The IdP's stable subject: OIDC `sub` (with `iss`), SAML NameID. Never an email, which can change owner. */
  subject: string;
  /** Verified email when the IdP asserts one, else null. */
  email: string | null;
  /** A human-readable login name (preferred_username, UPN, NameID when it is an email), else null. */
  username: string | null;
  /** Group names or ids the IdP asserts (OIDC `groups` claim, SAML groups attribute); empty when none. */
  groups: string[];
  /**
   * Whether the IdP asserts that the user passed a second factor (OIDC `amr` containing
   * `mfa`/`otp`/`hwk`/`swk`/`sms`/... or an MFA `acr`; SAML `AuthnContextClassRef` of a
   * multi-factor class). When false and `mfaRequired`, the login still needs a local second factor.
   */
  mfa: boolean;
}
