import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fileProblem, LangtrainError } from '../../../core/errors.js';
import { parseOptions } from '../../../core/options.js';

/**
 * AuthnContextClassRef values taken as a second factor when `mfaContextClasses` is not
 * given. Password-only classes (`Password`, `PasswordProtectedTransport`) are absent on
 * purpose: they are what most IdPs send after a password alone.
 */
export const DEFAULT_MFA_CONTEXT_CLASSES = [
  // Not in the SAML 2.0 class list, but the name several IdPs give "more than one factor".
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor',
  // SAML 2.0 authentication context classes that are two-factor by definition.
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered',
  // REFEDS MFA profile (research and education federations).
  'https://refeds.org/profile/mfa',
  // AD FS after multi-factor authentication; Entra ID (Azure AD) sends it in its
  // authnmethodsreferences attribute instead, which is read as well (saml-assertion.ts).
  'http://schemas.microsoft.com/claims/multipleauthn',
  // Okta's step-up class for "two factors, any kind".
  'urn:okta:loa:2fa:any',
] as const;

/** At most this much clock difference with the IdP is forgiven (Shibboleth's default). */
const DEFAULT_CLOCK_SKEW_MS = 3 * 60_000;
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An absolute https URL; plain http only on loopback (a local test IdP). The ACS URL
 * receives bearer assertions, which anyone on the path could replay from plain http.
 */
function secureUrl(what: string) {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${what} must be an absolute URL` });
      return;
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return;
    ctx.addIssue({ code: 'custom', message: `${what} must use https (http only on localhost)` });
  });
}

const nonEmpty = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/**
 * The seed's `sso_providers={"okta": {"saml_endpoint": ..., "certificate_path": ...}}`
 * entry in camelCase, plus what a service provider needs that the seed leaves out.
 */
const optionsSchema = z.strictObject({
  /** The provider's name, as the key of `ssoProviders` (`okta`); becomes `SsoIdentity.provider`. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-", as the ssoProviders key'),
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  samlEndpoint: secureUrl('samlEndpoint'),
  /** A PEM file with the IdP's signing certificate; several certificates (a rotation) are all trusted. */
  certificatePath: nonEmpty(4096),
  /** Our entity id (the AuthnRequest Issuer), as registered at the IdP. */
  entityId: nonEmpty(1024),
  /** Our Assertion Consumer Service URL, where the browser posts the SAMLResponse. */
  callbackUrl: secureUrl('callbackUrl'),
  /** The Audience the assertion must name; default `entityId`. */
  audience: nonEmpty(1024).optional(),
  /** Attribute holding group names; default the first present of `groups`, the Entra ID groups claim, `memberOf`. */
  groupsAttribute: nonEmpty(1024).optional(),
  /** Attribute holding the login name; default `username`, `uid`, UPN/name claims, else an email-shaped NameID. */
  usernameAttribute: nonEmpty(1024).optional(),
  /** Attribute holding the email; default `email`, `mail`, their OID and claim names, else an email-format NameID. */
  emailAttribute: nonEmpty(1024).optional(),
  /** AuthnContextClassRef values that mean the user passed a second factor. */
  mfaContextClasses: z.array(nonEmpty(1024)).default([...DEFAULT_MFA_CONTEXT_CLASSES]),
  /** Clock difference with the IdP forgiven on NotBefore/NotOnOrAfter. */
  maxClockSkewMs: z.number().int().min(0).max(MAX_CLOCK_SKEW_MS, `must be at most ${MAX_CLOCK_SKEW_MS} (10 minutes)`).default(DEFAULT_CLOCK_SKEW_MS),
});

export type SamlServiceProviderOptions = z.input<typeof optionsSchema>;

export interface SamlServiceProviderSettings extends Omit<z.output<typeof optionsSchema>, 'audience'> {
  audience: string;
  /** The PEM certificates read from `certificatePath`. */
  idpCertificates: string[];
}

/** Checked once, at construction: every problem is named, and the certificate file is read and parsed now. */
export function parseSamlServiceProviderOptions(options: unknown): SamlServiceProviderSettings {
  const owner = typeof (options as { name?: unknown })?.name === 'string' ? `SamlServiceProvider(${(options as { name: string }).name})` : 'SamlServiceProvider';
  const settings = parseOptions(optionsSchema, options, owner);
  return {
    ...settings,
    audience: settings.audience ?? settings.entityId,
    idpCertificates: readIdpCertificates(settings.certificatePath, owner),
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readIdpCertificates(path: string, owner: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${owner}: cannot read the IdP certificate at certificatePath ${path}: ${fileProblem(err)}`, { option: 'certificatePath', path });
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${owner}: certificatePath ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); export the IdP's signing certificate as PEM`, {
      option: 'certificatePath',
      path,
    });
  }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw new LangtrainError('ERR_CONFIG_INVALID', `${owner}: certificate ${index + 1} in certificatePath ${path} is not a valid X.509 certificate`, { option: 'certificatePath', path });
    }
  }
  return blocks;
}
