import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { durationField, parseOptions } from '../../core/options.js';

/** Second factors `AuthenticationManager` can run today. */
export const SUPPORTED_MFA_METHODS = ['totp', 'sms'] as const;
export type MfaMethod = (typeof SUPPORTED_MFA_METHODS)[number];
/** Named by the seed but not built yet: refused with ERR_OPTION_NOT_SUPPORTED_YET, not silently ignored. */
const PLANNED_MFA_METHODS = ['biometric'] as const;

/**
 * The seed's `AuthenticationManager(mfa_required, mfa_methods, sso_providers,
 * session_timeout, concurrent_sessions, idle_timeout)` in camelCase.
 */
const optionsSchema = z.strictObject({
  /** Every sign-in needs a second factor; an account with none usable is refused (`mfa_enrolment_required`). */
  mfaRequired: z.boolean().default(false),
  /** Second factors offered, a subset of `totp`, `sms`. */
  mfaMethods: z.array(z.string()).min(1, 'list at least one method (totp, sms)').default(['totp']),
  /** SSO (SAML 2.0, OAuth 2.0, OIDC) is not built yet: only an empty map (or nothing) is accepted. */
  ssoProviders: z.record(z.string(), z.unknown()).optional(),
  /**
   * The session settings belong to the SessionStore (`AuthenticationManager.sessionOptions`
   * extracts them for it). Given here they must equal the store's, so one configuration
   * cannot say two things.
   */
  sessionTimeout: durationField('sessionTimeout').optional(),
  idleTimeout: durationField('idleTimeout').optional(),
  concurrentSessions: z.number().int().min(1).nullable().optional(),
});

export type AuthenticationManagerOptions = z.input<typeof optionsSchema>;

export interface AuthenticationManagerSettings {
  mfaRequired: boolean;
  mfaMethods: readonly MfaMethod[];
  sessionTimeout?: number;
  idleTimeout?: number;
  concurrentSessions?: number | null;
}

export function parseAuthenticationManagerOptions(options: unknown): AuthenticationManagerSettings {
  const s = parseOptions(optionsSchema, options, 'AuthenticationManager');
  const unknown = s.mfaMethods.filter((m) => !(SUPPORTED_MFA_METHODS as readonly string[]).includes(m) && !(PLANNED_MFA_METHODS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    throw new LangtrainError(
      'ERR_CONFIG_UNSUPPORTED_OPTION',
      `AuthenticationManager: mfaMethods: unsupported ${unknown.map((m) => JSON.stringify(m)).join(', ')} (supported: ${SUPPORTED_MFA_METHODS.join(', ')}; biometric (WebAuthn) is planned)`,
      { option: 'mfaMethods', unsupported: unknown, supported: [...SUPPORTED_MFA_METHODS], planned: [...PLANNED_MFA_METHODS] },
    );
  }
  if (s.mfaMethods.includes('biometric')) {
    throw new LangtrainError(
      'ERR_OPTION_NOT_SUPPORTED_YET',
      `AuthenticationManager: mfaMethods "biometric" (WebAuthn) is not built yet; use ${SUPPORTED_MFA_METHODS.join(', ')}`,
      { option: 'mfaMethods', value: 'biometric', supported: [...SUPPORTED_MFA_METHODS] },
    );
  }
  const providers = Object.keys(s.ssoProviders ?? {});
  if (providers.length > 0) {
    throw new LangtrainError('ERR_OPTION_NOT_SUPPORTED_YET', `AuthenticationManager: ssoProviders (${providers.join(', ')}): SSO (SAML 2.0, OAuth 2.0, OpenID Connect) is not built yet; leave ssoProviders out`, {
      option: 'ssoProviders',
      providers,
    });
  }
  return {
    mfaRequired: s.mfaRequired,
    mfaMethods: Object.freeze([...new Set(s.mfaMethods)] as MfaMethod[]),
    ...(s.sessionTimeout !== undefined ? { sessionTimeout: s.sessionTimeout } : {}),
    ...(s.idleTimeout !== undefined ? { idleTimeout: s.idleTimeout } : {}),
    ...(s.concurrentSessions !== undefined ? { concurrentSessions: s.concurrentSessions } : {}),
  };
}
