import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../../src/core/errors.js';
import { azureAdIssuer, azureTenantProblem, isAzureAdTenantIssuer } from '../../../../src/identity/sso/oidc/azure-ad.js';
import { OidcSsoProvider } from '../../../../src/identity/sso/oidc/index.js';
import { parseOidcOptions } from '../../../../src/identity/sso/oidc/oidc-options.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const GENERIC = { name: 'okta', issuer: 'https://example.okta.com', clientId: 'client-1', clientSecret: 's3cret-value', redirectUri: 'https://langtrain.example/sso/okta/callback' };

function refusal(options: unknown): string {
  try {
    parseOidcOptions(options);
  } catch (err) {
    if (isLangtrainError(err, 'ERR_CONFIG_UNSUPPORTED_OPTION')) return err.message;
    throw err;
  }
  throw new Error('options were accepted');
}

describe('OIDC options', () => {
  it('fills the defaults', () => {
    const s = parseOidcOptions(GENERIC);
    expect(s.issuer.href).toBe('https://example.okta.com/');
    expect(s.scopes).toEqual(['openid', 'email', 'profile']);
    expect(s.loginTimeoutMs).toBe(600_000);
    expect(s.userinfo).toBe(true);
    expect(s.claims).toMatchObject({ provider: 'okta', groupsClaim: 'groups', mfaAmrValues: null, emailVerificationRequired: false });
  });

  it('refuses an unknown option, naming it and the supported ones, before any network call', async () => {
    const err = await OidcSsoProvider.create({ ...GENERIC, colour: 'blue' } as never).catch((e: unknown) => e);
    expect(isLangtrainError(err, 'ERR_CONFIG_UNSUPPORTED_OPTION')).toBe(true);
    expect((err as Error).message).toContain('unknown option colour');
    expect((err as Error).message).toContain('supported: name, issuer, clientId, clientSecret, redirectUri, loginTimeout, userinfo, scopes, groupsClaim, mfaAmrValues, mfaAcrValues');
  });

  it('refuses plain http except to a loopback host', () => {
    expect(refusal({ ...GENERIC, issuer: 'http://idp.example.com' })).toContain('issuer: http://idp.example.com must use https (plain http is allowed only to 127.0.0.1, [::1] or localhost)');
    expect(refusal({ ...GENERIC, issuer: 'http://10.0.0.5:8080' })).toContain('must use https');
    expect(refusal({ ...GENERIC, redirectUri: 'http://langtrain.example/cb' })).toContain('redirectUri: http://langtrain.example must use https');
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:8080/realms/dev', 'http://[::1]:9000']) {
      expect(parseOidcOptions({ ...GENERIC, issuer }).issuer.protocol).toBe('http:');
    }
  });

  it('refuses URLs with credentials, queries or fragments, and non-URLs', () => {
    expect(refusal({ ...GENERIC, issuer: 'https://user:pw@idp.example.com' })).toContain('must not carry credentials');
    expect(refusal({ ...GENERIC, issuer: 'https://idp.example.com/?tenant=1' })).toContain('must not have a query or fragment');
    expect(refusal({ ...GENERIC, issuer: 'idp.example.com' })).toContain('issuer is not an absolute URL');
  });

  it('needs openid among the scopes, each one token', () => {
    expect(refusal({ ...GENERIC, scopes: ['email'] })).toContain('scopes: must include openid');
    expect(refusal({ ...GENERIC, scopes: ['openid email'] })).toContain('one scope token');
  });

  it('refuses a provider name that is not a plain key, and missing required options', () => {
    expect(refusal({ ...GENERIC, name: 'Okta Prod' })).toContain('name: must be lower-case');
    expect(refusal({ name: 'okta' })).toMatch(/issuer: .*clientId: .*redirectUri: /s);
  });

  it('sends Microsoft issuers through the azure_ad preset, which pins the tenant', () => {
    expect(refusal({ ...GENERIC, issuer: 'https://login.microsoftonline.com/common/v2.0' })).toContain("needs name: 'azure_ad' with tenantId");
  });
});

describe('Azure AD preset', () => {
  const AZURE = { name: 'azure_ad', tenantId: TENANT, clientId: '00000000-aaaa-bbbb-cccc-111111111111', clientSecret: 'x', redirectUri: 'https://langtrain.example/sso/azure/callback' };

  it('derives the v2.0 issuer of the tenant', () => {
    expect(azureAdIssuer(TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(azureAdIssuer(TENANT.toUpperCase())).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(azureAdIssuer('Contoso.onmicrosoft.com')).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    const s = parseOidcOptions(AZURE);
    expect(s.issuer.href).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(s.azureTenantId).toBe(TENANT);
    expect(s.scopes).toEqual(['openid', 'email', 'profile']);
    // Entra's email is trusted only with xms_edov (or email_verified) true.
    expect(s.claims).toMatchObject({ provider: 'azure_ad', groupsClaim: 'groups', emailVerificationRequired: true, emailVerifiedClaims: ['email_verified', 'xms_edov'] });
  });

  it('takes a GUID or a verified domain, never a multi-tenant endpoint', () => {
    expect(azureTenantProblem(TENANT)).toBeNull();
    expect(azureTenantProblem('contoso.onmicrosoft.com')).toBeNull();
    expect(azureTenantProblem('contoso.com')).toBeNull();
    for (const multi of ['common', 'organizations', 'Consumers']) expect(azureTenantProblem(multi)).toContain('multi-tenant');
    for (const bad of ['contoso', '72f988bf-86f1-41af-91ab', '../common', 'contoso.com/v2.0', '']) expect(azureTenantProblem(bad)).toContain('must be the directory (tenant) id');
    expect(refusal({ ...AZURE, tenantId: 'common' })).toContain('tenantId: "common" is a multi-tenant endpoint');
  });

  it('has only its own options: an issuer is refused as unknown', () => {
    const message = refusal({ ...AZURE, issuer: 'https://login.microsoftonline.com/x/v2.0' });
    expect(message).toContain('unknown option issuer (supported: name, tenantId, clientId, clientSecret, redirectUri, loginTimeout, userinfo)');
  });

  it("accepts from discovery only a single tenant's issuer, and the configured one when given a GUID", () => {
    expect(isAzureAdTenantIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`, TENANT)).toBe(true);
    expect(isAzureAdTenantIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`, 'contoso.com')).toBe(true);
    expect(isAzureAdTenantIssuer('https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', TENANT)).toBe(false);
    expect(isAzureAdTenantIssuer('https://login.microsoftonline.com/{tenantid}/v2.0', 'contoso.com')).toBe(false);
    expect(isAzureAdTenantIssuer(`https://sts.windows.net/${TENANT}/`, TENANT)).toBe(false);
  });
});
