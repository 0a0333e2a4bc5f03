import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../../src/core/errors.js';
import { completeFromUserinfo, identityFromClaims, lacksProfileClaims } from '../../../../src/identity/sso/oidc/identity-claims.js';
import type { ClaimRules } from '../../../../src/identity/sso/oidc/oidc-options.js';
import { assertsSecondFactor, DEFAULT_MFA_ACR_VALUES } from '../../../../src/identity/sso/oidc/second-factor.js';

const GENERIC: ClaimRules = {
  provider: 'okta',
  groupsClaim: 'groups',
  emailVerifiedClaims: ['email_verified'],
  emailVerificationRequired: false,
  mfaAmrValues: null,
  mfaAcrValues: [...DEFAULT_MFA_ACR_VALUES],
};
const AZURE: ClaimRules = { ...GENERIC, provider: 'azure_ad', emailVerifiedClaims: ['email_verified', 'xms_edov'], emailVerificationRequired: true, mfaAcrValues: [] };
const DEFAULT_RULE = { mfaAmrValues: null, mfaAcrValues: [...DEFAULT_MFA_ACR_VALUES] };

describe('second factor from amr and acr', () => {
  it.each([
    [['mfa'], true],
    [['pwd', 'mfa'], true],
    [['mca'], true],
    [['pwd', 'otp'], true],
    [['pwd', 'sms'], true],
    [['hwk', 'fpt'], true],
    [['swk', 'pin'], true],
    [['pwd', 'face'], true],
    [['pwd'], false],
    [['otp'], false],
    [['sms'], false],
    [['hwk'], false],
    [['pwd', 'pin', 'kba'], false],
    [['otp', 'hwk'], false],
    [['pwd', 'rba', 'geo'], false],
    [[], false],
    [undefined, false],
    ['mfa', false],
    [[1, 'mfa'], true],
  ])('amr %j → %s', (amr, mfa) => {
    expect(assertsSecondFactor(amr, undefined, DEFAULT_RULE)).toBe(mfa);
  });

  it('an MFA acr counts; other acr values do not', () => {
    expect(assertsSecondFactor(['pwd'], 'https://refeds.org/profile/mfa', DEFAULT_RULE)).toBe(true);
    expect(assertsSecondFactor(undefined, 'http://schemas.openid.net/pape/policies/2007/06/multi-factor', DEFAULT_RULE)).toBe(true);
    expect(assertsSecondFactor(['pwd'], '1', DEFAULT_RULE)).toBe(false);
    expect(assertsSecondFactor(['pwd'], 'urn:mace:incommon:iap:silver', DEFAULT_RULE)).toBe(false);
    expect(assertsSecondFactor(['pwd'], 'gold', { mfaAmrValues: null, mfaAcrValues: ['gold'] })).toBe(true);
  });

  it('configured mfaAmrValues replace the rule', () => {
    const rule = { mfaAmrValues: ['otp', 'hwk'], mfaAcrValues: [] };
    expect(assertsSecondFactor(['otp'], undefined, rule)).toBe(true);
    expect(assertsSecondFactor(['mfa'], undefined, rule)).toBe(false);
    expect(assertsSecondFactor(['pwd', 'sms'], undefined, rule)).toBe(false);
  });
});

describe('identity from claims', () => {
  it('maps the standard claims; username falls back to upn', () => {
    expect(identityFromClaims({ sub: 'u1', email: 'a@example.com', upn: 'a@corp.example', groups: ['g1', 'g2', 'g1'], amr: ['pwd', 'mfa'] }, GENERIC)).toEqual({
      provider: 'okta',
      subject: 'u1',
      email: 'a@example.com',
      username: 'a@corp.example',
      groups: ['g1', 'g2'],
      mfa: true,
    });
    expect(identityFromClaims({ sub: 'u1', preferred_username: 'alice', upn: 'a@corp.example' }, GENERIC).username).toBe('alice');
  });

  it('keeps an email unless the IdP says it is unverified (generic), and only when vouched for (Entra)', () => {
    const email = 'a@example.com';
    expect(identityFromClaims({ sub: 'u', email }, GENERIC).email).toBe(email);
    expect(identityFromClaims({ sub: 'u', email, email_verified: true }, GENERIC).email).toBe(email);
    expect(identityFromClaims({ sub: 'u', email, email_verified: false }, GENERIC).email).toBeNull();
    expect(identityFromClaims({ sub: 'u', email, email_verified: 'false' }, GENERIC).email).toBeNull();
    expect(identityFromClaims({ sub: 'u', email }, AZURE).email).toBeNull();
    expect(identityFromClaims({ sub: 'u', email, xms_edov: false }, AZURE).email).toBeNull();
    expect(identityFromClaims({ sub: 'u', email, xms_edov: true }, AZURE).email).toBe(email);
    expect(identityFromClaims({ sub: 'u', email, xms_edov: '1' }, AZURE).email).toBeNull();
  });

  it('reads groups from the configured claim; a single string is one group; non-strings are ignored', () => {
    const rules = { ...GENERIC, groupsClaim: 'roles' };
    expect(identityFromClaims({ sub: 'u', roles: ['admin', 7, '', null, 'viewer'], groups: ['ignored'] }, rules).groups).toEqual(['admin', 'viewer']);
    expect(identityFromClaims({ sub: 'u', roles: 'admin' }, rules).groups).toEqual(['admin']);
    expect(identityFromClaims({ sub: 'u' }, rules).groups).toEqual([]);
  });

  it('refuses a login whose groups were left out for size (Entra group overage), rather than giving none', () => {
    const overage = { sub: 'u', _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u/getMemberObjects' } } };
    try {
      identityFromClaims(overage, AZURE);
      throw new Error('accepted');
    } catch (err) {
      expect(isLangtrainError(err, 'ERR_SSO_FAILED')).toBe(true);
      expect((err as { details: { reason: string } }).details.reason).toBe('groups_withheld');
    }
  });

  it('refuses claims without a subject', () => {
    expect(() => identityFromClaims({ email: 'a@example.com' }, GENERIC)).toThrow(/no subject/);
    expect(() => identityFromClaims({ sub: '' }, GENERIC)).toThrow(/no subject/);
  });
});

describe('completing the ID token from UserInfo', () => {
  it('takes only what the ID token lacks, each item whole from one source, and never amr or acr', () => {
    const idToken = { sub: 'u', amr: ['pwd'], preferred_username: 'alice' };
    const userinfo = { sub: 'u', email: 'a@example.com', email_verified: false, groups: ['g'], amr: ['mfa'], acr: 'https://refeds.org/profile/mfa', preferred_username: 'other' };
    expect(lacksProfileClaims(idToken, GENERIC)).toBe(true);
    const merged = completeFromUserinfo(idToken, userinfo, GENERIC);
    expect(merged).toEqual({ sub: 'u', amr: ['pwd'], preferred_username: 'alice', email: 'a@example.com', email_verified: false, groups: ['g'] });
    expect(identityFromClaims(merged, GENERIC)).toMatchObject({ email: null, mfa: false, groups: ['g'], username: 'alice' });
  });

  it('keeps the ID token email with its own verification flag', () => {
    const merged = completeFromUserinfo({ sub: 'u', email: 'id@example.com' }, { sub: 'u', email: 'ui@example.com', email_verified: false, groups: [] }, GENERIC);
    expect(identityFromClaims(merged, GENERIC)).toMatchObject({ email: 'id@example.com', groups: [] });
    expect(lacksProfileClaims({ sub: 'u', email: 'x@example.com', groups: [] }, GENERIC)).toBe(false);
  });
});
