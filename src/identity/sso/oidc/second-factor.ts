/**
 * Whether an ID token asserts that the user passed more than one factor. A single method
 * value is not enough: `otp` or `sms` alone is a passwordless (one-factor) login. Values
 * are RFC 8176's; the IdP must either say so (`mfa`, `mca`) or name methods of two
 * different factor classes (NIST SP 800-63B: something you know, have, are).
 */

const EXPLICIT = new Set(['mfa', 'mca']);
const FACTOR_CLASS: Readonly<Record<string, 'know' | 'have' | 'are'>> = {
  pwd: 'know',
  pin: 'know',
  kba: 'know',
  otp: 'have',
  hwk: 'have',
  swk: 'have',
  sms: 'have',
  tel: 'have',
  sc: 'have',
  pop: 'have',
  fpt: 'are',
  face: 'are',
  iris: 'are',
  retina: 'are',
  vbm: 'are',
};

/** `acr` values that name a multi-factor class: the REFEDS MFA profile and OpenID PAPE's. */
export const DEFAULT_MFA_ACR_VALUES = [
  'https://refeds.org/profile/mfa',
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical',
] as const;

export interface SecondFactorRule {
  /** When set, an `amr` holding any one of these counts, instead of the class rule. */
  mfaAmrValues: readonly string[] | null;
  mfaAcrValues: readonly string[];
}

export function assertsSecondFactor(amr: unknown, acr: unknown, rule: SecondFactorRule): boolean {
  if (typeof acr === 'string' && rule.mfaAcrValues.includes(acr)) return true;
  if (!Array.isArray(amr)) return false;
  const methods = amr.filter((m): m is string => typeof m === 'string');
  if (rule.mfaAmrValues !== null) return methods.some((m) => rule.mfaAmrValues!.includes(m));
  if (methods.some((m) => EXPLICIT.has(m))) return true;
  const classes = new Set(methods.map((m) => FACTOR_CLASS[m]).filter((c) => c !== undefined));
  return classes.size >= 2;
}
