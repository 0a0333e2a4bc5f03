import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { CREDENTIAL_REFERENCE, readCredential, type CredentialReference } from '../../core/credential-reference.js';
import type { Store } from '../../store/database.js';
import { checkRoles } from '../users/user-record.js';
import { OidcSsoProvider, type OidcPendingLogin, type OidcSsoProviderOptions } from './oidc/index.js';
import { parseOidcOptions } from './oidc/oidc-options.js';
import { SamlServiceProvider } from './saml/index.js';
import type { ProvisioningPolicy } from './sso-accounts.js';
import type { SsoIdentity } from './sso-identity.js';

/** What the server keeps between the redirect to the IdP and its answer. */
export type SsoPendingState = { protocol: 'oidc'; pending: OidcPendingLogin } | { protocol: 'saml'; requestId: string };

/** What came back from the IdP: the callback URL (OIDC, a GET) or the posted form (SAML). */
export type SsoCallback = { url: string } | { samlResponse: string; relayState: string };

const PROVISIONING_KEYS = ['jitProvisioning', 'groupRoles', 'defaultRoles', 'roleSync'] as const;

/** Role names checked as UserDirectory will, so a typo fails at start-up rather than at someone's first sign-in. */
const roles = z.array(z.string()).superRefine((value, ctx) => {
  try {
    checkRoles(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const provisioningSchema = z.strictObject({
  jitProvisioning: z.boolean().default(true),
  groupRoles: z.record(z.string().min(1), roles).default({}),
  defaultRoles: roles.default([]),
  roleSync: z.enum(['always', 'on_create']).default('always'),
});

type Entry = { name: string; policy: ProvisioningPolicy } & ({ protocol: 'saml'; saml: SamlServiceProvider } | { protocol: 'oidc'; options: Record<string, unknown>; clientSecret: CredentialReference | null });

/**
 * The seed's `sso_providers`, e.g.
 *
 * ```yaml
 * ssoProviders:
 *   okta: { samlEndpoint: https://acme.okta.com/app/…/sso/saml, certificatePath: /etc/langtrain/okta.pem, groupRoles: { ml-admins: [admin] } }
 *   azure_ad: { tenantId: 0b8d…, clientId: 4f1e…, clientSecret: env:AZURE_CLIENT_SECRET }
 *   keycloak: { issuer: https://id.example.com/realms/ml, clientId: langtrain, clientSecret: file:/run/secrets/kc }
 * ```
 *
 * The protocol follows from the keys: `samlEndpoint` is SAML 2.0; `issuer`, or `tenantId`
 * under the name `azure_ad`, is OpenID Connect. Callback URLs and the SAML entity id default
 * to paths under `publicUrl` (`/v1/auth/sso/<name>/callback`, `/v1/auth/sso/<name>/metadata`).
 * A client secret is given by reference (`env:` or `file:`), never inline.
 *
 * Everything is checked at construction, SAML certificates read; OIDC discovery waits for the
 * first sign-in through the provider (and is retried after a failure), so an IdP that is down
 * when the server starts does not stop it.
 */
export class SsoProviders {
  readonly #entries = new Map<string, Entry>();
  readonly #oidc = new Map<string, Promise<OidcSsoProvider>>();

  constructor(providers: Record<string, unknown>, deps: { store: Store; publicUrl: string | null }) {
    for (const [name, raw] of Object.entries(providers)) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(name, 'must be a mapping of options');
      const all = raw as Record<string, unknown>;
      const protocolOptions = Object.fromEntries(Object.entries(all).filter(([k]) => !(PROVISIONING_KEYS as readonly string[]).includes(k)));
      const provisioning = parseOptions(provisioningSchema, Object.fromEntries(Object.entries(all).filter(([k]) => (PROVISIONING_KEYS as readonly string[]).includes(k))), `ssoProviders.${name}`);
      const policy: ProvisioningPolicy = provisioning;
      const callback = () => defaultUrl(deps.publicUrl, name, 'callback');
      if ('samlEndpoint' in protocolOptions) {
        const saml = new SamlServiceProvider(
          { name, ...protocolOptions, entityId: protocolOptions.entityId ?? defaultUrl(deps.publicUrl, name, 'metadata'), callbackUrl: protocolOptions.callbackUrl ?? callback() } as never,
          { store: deps.store },
        );
        this.#entries.set(name, { name, policy, protocol: 'saml', saml });
      } else if ('issuer' in protocolOptions || 'tenantId' in protocolOptions) {
        if ('tenantId' in protocolOptions && name !== 'azure_ad') throw configError(name, 'tenantId is the azure_ad preset: name the provider azure_ad, or give issuer for any other OpenID Connect provider');
        const { clientSecret, ...rest } = protocolOptions;
        if (clientSecret !== undefined && (typeof clientSecret !== 'string' || !CREDENTIAL_REFERENCE.test(clientSecret))) {
          throw configError(name, 'clientSecret must be a reference, env:NAME or file:PATH, so the secret stays out of configuration files');
        }
        const options = { name, ...rest, redirectUri: rest.redirectUri ?? callback() };
        parseOidcOptions(options); // every problem now, not at the first sign-in
        this.#entries.set(name, { name, policy, protocol: 'oidc', options, clientSecret: (clientSecret as CredentialReference | undefined) ?? null });
      } else {
        throw configError(name, 'needs samlEndpoint and certificatePath (SAML 2.0), issuer and clientId (OpenID Connect), or, as azure_ad, tenantId and clientId');
      }
    }
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  policy(name: string): ProvisioningPolicy {
    return this.#entry(name).policy;
  }

  /** Begin a sign-in: where to send the browser, and what to keep until it comes back. `relayState` rides along (SAML). */
  async start(name: string, relayState: string): Promise<{ redirectUrl: string; state: SsoPendingState }> {
    const entry = this.#entry(name);
    if (entry.protocol === 'saml') {
      const { redirectUrl, requestId } = await entry.saml.start(relayState);
      return { redirectUrl, state: { protocol: 'saml', requestId } };
    }
    const { authorizationUrl, pending } = (await this.#oidcProvider(entry)).start();
    return { redirectUrl: authorizationUrl, state: { protocol: 'oidc', pending } };
  }

  /** Verify the IdP's answer against what `start` kept (ERR_SSO_FAILED naming the reason otherwise). */
  async finish(name: string, callback: SsoCallback, state: SsoPendingState): Promise<SsoIdentity> {
    const entry = this.#entry(name);
    if (entry.protocol === 'saml' && state.protocol === 'saml' && 'samlResponse' in callback) return entry.saml.finish(callback.samlResponse, callback.relayState, state.requestId);
    if (entry.protocol === 'oidc' && state.protocol === 'oidc' && 'url' in callback) return (await this.#oidcProvider(entry)).finish(callback.url, state.pending);
    throw new LangtrainError('ERR_SSO_FAILED', `the answer does not fit provider ${name} (${entry.protocol} expects ${entry.protocol === 'saml' ? 'a posted SAMLResponse' : 'a redirect with code and state'})`, { provider: name, reason: 'callback_invalid' });
  }

  /** SP metadata for a SAML provider (to register at the IdP). */
  samlMetadata(name: string): string {
    const entry = this.#entry(name);
    if (entry.protocol !== 'saml') throw new LangtrainError('ERR_NOT_FOUND', `provider ${name} is OpenID Connect; it has no SAML metadata`);
    return entry.saml.metadata();
  }

  #oidcProvider(entry: Extract<Entry, { protocol: 'oidc' }>): Promise<OidcSsoProvider> {
    let made = this.#oidc.get(entry.name);
    if (!made) {
      const options = { ...entry.options, ...(entry.clientSecret ? { clientSecret: readCredential(entry.clientSecret, `ssoProviders.${entry.name}.clientSecret`) } : {}) } as OidcSsoProviderOptions;
      made = OidcSsoProvider.create(options);
      // A failed discovery is tried again at the next sign-in.
      made.catch(() => this.#oidc.delete(entry.name));
      this.#oidc.set(entry.name, made);
    }
    return made;
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (!entry) throw new LangtrainError('ERR_NOT_FOUND', `no SSO provider named ${JSON.stringify(name)} (configured: ${this.names.join(', ') || 'none'})`);
    return entry;
  }
}

function defaultUrl(publicUrl: string | null, name: string, leaf: 'callback' | 'metadata'): string {
  if (publicUrl === null) throw configError(name, `needs auth.publicUrl (where browsers reach this server) to derive its ${leaf} URL, or give it explicitly`);
  return new URL(`/v1/auth/sso/${encodeURIComponent(name)}/${leaf}`, publicUrl).href;
}

function configError(name: string, message: string): LangtrainError {
  return new LangtrainError('ERR_CONFIG_INVALID', `ssoProviders.${name}: ${message}`, { option: `ssoProviders.${name}` });
}
