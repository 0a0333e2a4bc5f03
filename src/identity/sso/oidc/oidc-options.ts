import { z } from 'zod';
import { durationField, parseOptions } from '../../../core/options.js';
import { azureAdIssuer, azureTenantProblem, isAzureAdHost } from './azure-ad.js';
import { DEFAULT_MFA_ACR_VALUES } from './second-factor.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether plain http may be used for `url`: only to this machine, for development and tests. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** An absolute https URL (http only to a loopback host) without credentials, query or fragment. */
const endpointField = (what: string) =>
  z.string().transform((value, ctx): URL => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${what} is not an absolute URL` });
      return z.NEVER;
    }
    const problem =
      url.username || url.password
        ? 'must not carry credentials'
        : url.search || url.hash
          ? 'must not have a query or fragment'
          : url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))
            ? null
            : `${url.protocol}//${url.host} must use https (plain http is allowed only to 127.0.0.1, [::1] or localhost)`;
    if (problem === null) return url;
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

/** An OAuth scope token (RFC 6749 §3.3: printable ASCII except space, `"` and `\`). */
const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'each scope must be one scope token, without spaces');
const claimName = z.string().min(1).max(256);

const shared = {
  clientId: z.string().min(1),
  /** The resolved secret (resolve an `env:`/`file:` reference first). Absent: a public client, PKCE only. */
  clientSecret: z.string().min(1).optional(),
  /** The callback registered at the IdP; `finish` resolves relative callback URLs against it. */
  redirectUri: endpointField('redirectUri'),
  /** How long a started login may take before `finish` refuses it. */
  loginTimeout: durationField('loginTimeout').prefault('10m'),
  /** Ask the UserInfo endpoint for email, username and groups the ID token lacks. */
  userinfo: z.boolean().default(true),
};

const genericSchema = z.strictObject({
  /** The seed's `sso_providers` key (`okta`, `keycloak`), reported as `SsoIdentity.provider`. */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, _ or -, starting with a letter'),
  /**
   * Discovered at `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal it.
   * Not Microsoft's host: openid-client accepts any issuer published there, `{tenantid}`
   * templates included, so Entra goes through the azure_ad preset, which pins the tenant.
   */
  issuer: endpointField('issuer').refine((url) => !isAzureAdHost(url), "Microsoft Entra ID needs name: 'azure_ad' with tenantId instead of issuer"),
  ...shared,
  scopes: z
    .array(scopeToken)
    .refine((s) => s.includes('openid'), 'must include openid')
    .default(['openid', 'email', 'profile']),
  groupsClaim: claimName.default('groups'),
  /** `amr` values any one of which counts as a second factor; default: the rule in second-factor.ts. */
  mfaAmrValues: z.array(claimName).min(1).optional(),
  /** `acr` values that count as a second factor. */
  mfaAcrValues: z.array(z.string().min(1)).default([...DEFAULT_MFA_ACR_VALUES]),
});

const azureSchema = z.strictObject({
  name: z.literal('azure_ad'),
  /** Directory (tenant) id or a verified domain of the tenant; one tenant only. */
  tenantId: z.string().superRefine((value, ctx) => {
    const problem = azureTenantProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
  ...shared,
});

export type GenericOidcOptions = z.input<typeof genericSchema>;
export type AzureAdOidcOptions = z.input<typeof azureSchema>;
/** Options of `OidcSsoProvider.create`: a generic issuer, or the `azure_ad` preset. */
export type OidcSsoProviderOptions = GenericOidcOptions | AzureAdOidcOptions;

/** How the claims of a verified login become an `SsoIdentity`. */
export interface ClaimRules {
  provider: string;
  groupsClaim: string;
  /**
   * Claims that say the email is verified. `required`: the email is kept only when one of
   * them is `true`; otherwise it is dropped only when one of them is `false`.
   */
  emailVerifiedClaims: readonly string[];
  emailVerificationRequired: boolean;
  mfaAmrValues: readonly string[] | null;
  mfaAcrValues: readonly string[];
}

export interface OidcSettings {
  issuer: URL;
  /** Set for azure_ad: the tenant whose issuer discovery must confirm. */
  azureTenantId: string | null;
  clientId: string;
  clientSecret: string | null;
  redirectUri: URL;
  scopes: readonly string[];
  loginTimeoutMs: number;
  userinfo: boolean;
  claims: ClaimRules;
}

/** Checked once, at the door; every problem is named (parseOptions). */
export function parseOidcOptions(options: unknown): OidcSettings {
  const name = (options as { name?: unknown } | null)?.name;
  if (name === 'azure_ad') {
    const o = parseOptions(azureSchema, options, 'OidcSsoProvider azure_ad');
    return {
      issuer: new URL(azureAdIssuer(o.tenantId)),
      azureTenantId: o.tenantId,
      clientId: o.clientId,
      clientSecret: o.clientSecret ?? null,
      redirectUri: o.redirectUri,
      scopes: ['openid', 'email', 'profile'],
      loginTimeoutMs: o.loginTimeout,
      userinfo: o.userinfo,
      claims: {
        provider: o.name,
        groupsClaim: 'groups',
        // Entra never sends email_verified for work accounts, and its `email` is a directory
        // attribute an admin of any tenant can set (the "nOAuth" takeover): only xms_edov
        // (email domain owner verified, an optional claim) vouches for it.
        emailVerifiedClaims: ['email_verified', 'xms_edov'],
        emailVerificationRequired: true,
        mfaAmrValues: null,
        mfaAcrValues: [],
      },
    };
  }
  const o = parseOptions(genericSchema, options, `OidcSsoProvider${typeof name === 'string' ? ` ${name}` : ''}`);
  return {
    issuer: o.issuer,
    azureTenantId: null,
    clientId: o.clientId,
    clientSecret: o.clientSecret ?? null,
    redirectUri: o.redirectUri,
    scopes: o.scopes,
    loginTimeoutMs: o.loginTimeout,
    userinfo: o.userinfo,
    claims: {
      provider: o.name,
      groupsClaim: o.groupsClaim,
      emailVerifiedClaims: ['email_verified'],
      emailVerificationRequired: false,
      mfaAmrValues: o.mfaAmrValues ?? null,
      mfaAcrValues: o.mfaAcrValues,
    },
  };
}
