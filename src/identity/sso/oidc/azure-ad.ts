/**
 * Microsoft Entra ID (Azure AD) as an OpenID Connect issuer. One tenant per provider: the
 * multi-tenant endpoints (`common`, `organizations`, `consumers`) publish an issuer with a
 * `{tenantid}` placeholder that openid-client fills from the token's own `tid`, so any
 * tenant's users would be accepted.
 */

const AUTHORITY = 'https://login.microsoftonline.com';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name with at least two labels (`contoso.onmicrosoft.com`, `contoso.com`). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** Why `tenantId` cannot be used, or null when it can. */
export function azureTenantProblem(tenantId: string): string | null {
  if (MULTI_TENANT.has(tenantId.toLowerCase())) {
    return `"${tenantId}" is a multi-tenant endpoint, which would let users of any tenant sign in; give your tenant's id (a GUID) or verified domain`;
  }
  if (GUID.test(tenantId) || DOMAIN.test(tenantId)) return null;
  return 'must be the directory (tenant) id, a GUID, or one of its verified domains such as contoso.onmicrosoft.com';
}

/** The v2.0 issuer of a single tenant: `https://login.microsoftonline.com/<tenantId>/v2.0`. */
export function azureAdIssuer(tenantId: string): string {
  return `${AUTHORITY}/${tenantId.toLowerCase()}/v2.0`;
}

/**
 * Whether a discovered issuer is one tenant's v2.0 issuer, and that tenant's when `tenantId`
 * is a GUID. Discovery by domain answers with the GUID issuer, which openid-client accepts
 * for this host without comparing it to the address asked; this check takes its place.
 */
export function isAzureAdTenantIssuer(discovered: string, tenantId: string): boolean {
  const match = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(discovered);
  const tenant = match?.[1];
  if (tenant === undefined || !GUID.test(tenant)) return false;
  return !GUID.test(tenantId) || tenant.toLowerCase() === tenantId.toLowerCase();
}

/** An issuer on Microsoft's login host can only be configured through the azure_ad preset. */
export function isAzureAdHost(issuer: URL): boolean {
  return issuer.origin === AUTHORITY;
}
