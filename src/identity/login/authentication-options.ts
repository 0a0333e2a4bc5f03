import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { durationField, parseOptions } from '../../core/options.js';

/** Second factors `AuthenticationManager` runs: `biometric` is WebAuthn (passkeys, platform authenticators) with user verification. */
export const SUPPORTED_MFA_METHODS = ['totp', 'sms', 'biometric'] as const;
export type MfaMethod = (typeof SUPPORTED_MFA_METHODS)[number];

/**
 * The seed's `AuthenticationManager(mfa_required, mfa_methods, sso_providers,
 * session_timeout, concurrent_sessions, idle_timeout)` in camelCase.
 */
export const authenticationManagerOptionsSchema = z.strictObject({
  /** Every sign-in needs a second factor; an account with none gets a session that may only enrol one (`enrolment_required`). */
  mfaRequired: z.boolean().default(false),
  /** Second factors offered, a subset of `totp`, `sms`, `biometric`. */
  mfaMethods: z.array(z.string()).min(1, 'list at least one method (totp, sms, biometric)').default(['totp']),
  /** Named SSO providers (SAML 2.0 or OpenID Connect), checked by SsoProviders (sso/sso-providers.ts). */
  ssoProviders: z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((providers, ctx) => {
      for (const name of Object.keys(providers)) {
        if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `${JSON.stringify(name)}: provider names are lower-case letters, digits, _ or -, starting with a letter` });
      }
    }),
  /**
   * The session settings belong to the SessionStore (`AuthenticationManager.sessionOptions`
   * extracts them for it). Given here they must equal the store's, so one configuration
   * cannot say two things.
   */
  sessionTimeout: durationField('sessionTimeout').optional(),
  idleTimeout: durationField('idleTimeout').optional(),
  concurrentSessions: z.number().int().min(1).nullable().optional(),
});

export type AuthenticationManagerOptions = z.input<typeof authenticationManagerOptionsSchema>;

export interface AuthenticationManagerSettings {
  mfaRequired: boolean;
  mfaMethods: readonly MfaMethod[];
  /** Names of the configured SSO providers (their options go to SsoProviders). */
  ssoProviders: readonly string[];
  sessionTimeout?: number;
  idleTimeout?: number;
  concurrentSessions?: number | null;
}

export function parseAuthenticationManagerOptions(options: unknown): AuthenticationManagerSettings {
  const s = parseOptions(authenticationManagerOptionsSchema, options, 'AuthenticationManager');
  const unknown = s.mfaMethods.filter((m) => !(SUPPORTED_MFA_METHODS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    throw new LangtrainError(
      'ERR_CONFIG_UNSUPPORTED_OPTION',
      `AuthenticationManager: mfaMethods: unsupported ${unknown.map((m) => JSON.stringify(m)).join(', ')} (supported: ${SUPPORTED_MFA_METHODS.join(', ')})`,
      { option: 'mfaMethods', unsupported: unknown, supported: [...SUPPORTED_MFA_METHODS] },
    );
  }
  return {
    mfaRequired: s.mfaRequired,
    mfaMethods: Object.freeze([...new Set(s.mfaMethods)] as MfaMethod[]),
    ssoProviders: Object.keys(s.ssoProviders).sort(),
    ...(s.sessionTimeout !== undefined ? { sessionTimeout: s.sessionTimeout } : {}),
    ...(s.idleTimeout !== undefined ? { idleTimeout: s.idleTimeout } : {}),
    ...(s.concurrentSessions !== undefined ? { concurrentSessions: s.concurrentSessions } : {}),
  };
}
