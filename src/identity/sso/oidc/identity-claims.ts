import type { SsoIdentity } from '../sso-identity.js';
import type { ClaimRules } from './oidc-options.js';
import { ssoFailure } from './sso-failure.js';
import { assertsSecondFactor } from './second-factor.js';

export type Claims = Readonly<Record<string, unknown>>;

/**
 * Maps the claims of a verified login onto `SsoIdentity`. Pure: `claims` are the ID token's,
 * completed from UserInfo where it lacked them (see `completeFromUserinfo`).
 */
export function identityFromClaims(claims: Claims, rules: ClaimRules): SsoIdentity {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject.length === 0) {
    throw ssoFailure(rules.provider, 'claims_invalid', 'the ID token has no subject (sub)');
  }
  return {
    provider: rules.provider,
    subject,
    email: verifiedEmail(claims, rules),
    username: stringClaim(claims.preferred_username) ?? stringClaim(claims.upn),
    groups: groupsOf(claims, rules),
    mfa: assertsSecondFactor(claims.amr, claims.acr, rules),
  };
}

/**
 * Adds what the ID token lacks from the UserInfo response (whose `sub` openid-client has
 * checked). Each item comes whole from one source, so an email is never paired with
 * another source's verification flag; `amr` and `acr` only ever come from the ID token.
 */
export function completeFromUserinfo(idToken: Claims, userinfo: Claims, rules: ClaimRules): Claims {
  const merged: Record<string, unknown> = { ...idToken };
  const take = (present: string, names: readonly string[]) => {
    if (idToken[present] !== undefined) return;
    for (const n of names) if (userinfo[n] !== undefined) merged[n] = userinfo[n];
  };
  take('email', ['email', ...rules.emailVerifiedClaims]);
  take(rules.groupsClaim, [rules.groupsClaim]);
  if (idToken.preferred_username === undefined && idToken.upn === undefined) take('preferred_username', ['preferred_username', 'upn']);
  return merged;
}

/** Whether UserInfo could add something the ID token lacks. */
export function lacksProfileClaims(idToken: Claims, rules: ClaimRules): boolean {
  return idToken.email === undefined || idToken[rules.groupsClaim] === undefined;
}

/**
 * Whether the IdP left the groups out for size and points elsewhere instead: OIDC
 * distributed claims (`_claim_names`), as Entra does beyond 200 groups ("group overage").
 */
export function groupsWithheld(claims: Claims, groupsClaim: string): boolean {
  const names = claims._claim_names;
  return typeof names === 'object' && names !== null && groupsClaim in names;
}

function verifiedEmail(claims: Claims, rules: ClaimRules): string | null {
  const email = stringClaim(claims.email);
  if (email === null) return null;
  const flags = rules.emailVerifiedClaims.map((n) => claims[n]);
  // Some IdPs send the flag as the string "true"/"false" (Cognito, older Entra B2C).
  const said = (v: boolean) => flags.some((f) => f === v || f === String(v));
  if (rules.emailVerificationRequired) return said(true) ? email : null;
  return said(false) ? null : email;
}

function groupsOf(claims: Claims, rules: ClaimRules): string[] {
  if (claims[rules.groupsClaim] === undefined && groupsWithheld(claims, rules.groupsClaim)) {
    // Empty groups would silently demote (or JIT-provision) the user with no group roles.
    throw ssoFailure(
      rules.provider,
      'groups_withheld',
      `the IdP left the "${rules.groupsClaim}" claim out (too many groups, e.g. Entra group overage); limit the groups it sends to the application's groups`,
    );
  }
  const value = claims[rules.groupsClaim];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return [...new Set(list.filter((g): g is string => typeof g === 'string' && g.length > 0))];
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
