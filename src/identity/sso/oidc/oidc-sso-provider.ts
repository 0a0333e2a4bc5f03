import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { secretsEqual } from '../../../core/constant-time.js';
import { invalidInput } from '../../../core/errors.js';
import type { SsoIdentity } from '../sso-identity.js';
import { isAzureAdTenantIssuer } from './azure-ad.js';
import { completeFromUserinfo, identityFromClaims, lacksProfileClaims, type Claims } from './identity-claims.js';
import { parseOidcOptions, type OidcSettings, type OidcSsoProviderOptions } from './oidc-options.js';
import { fromProtocolError, oauthErrorCode, ssoFailure } from './sso-failure.js';

/** Per-request timeout of every call to the IdP (discovery, token, JWKS, UserInfo). */
const REQUEST_TIMEOUT_SECONDS = 10;

/**
 * What the caller keeps server-side (never in the browser) between `start` and `finish`:
 * the values that bind the callback to this login. `codeVerifier` is a secret.
 */
export interface OidcPendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** When the login started, ms since the epoch. */
  createdAt: number;
}

export interface OidcLoginStart {
  /** Send the browser here (HTTP 302/303). */
  authorizationUrl: string;
  pending: OidcPendingLogin;
}

export interface OidcSsoProviderDeps {
  /** Default: the system clock. Only the age of a pending login is measured with it. */
  clock?: () => Date;
}

/**
 * An OpenID Connect relying party for one IdP: authorization code flow with PKCE (S256),
 * state and nonce, on openid-client, which verifies the ID token (signature against the
 * discovered JWKS, iss, aud, azp, exp, iat, nonce) and the RFC 9207 `iss` parameter. It holds
 * no per-login state, so any instance can finish a login another one started.
 */
export class OidcSsoProvider {
  readonly #settings: OidcSettings;
  readonly #config: client.Configuration;
  readonly #clock: () => Date;

  private constructor(settings: OidcSettings, config: client.Configuration, clock: () => Date) {
    this.#settings = settings;
    this.#config = config;
    this.#clock = clock;
  }

  /** Validates `options` (ERR_CONFIG_UNSUPPORTED_OPTION) and discovers the issuer (ERR_SSO_FAILED, reason discovery_failed). */
  static async create(options: OidcSsoProviderOptions, deps: OidcSsoProviderDeps = {}): Promise<OidcSsoProvider> {
    const settings = parseOidcOptions(options);
    return new OidcSsoProvider(settings, await discover(settings), deps.clock ?? (() => new Date()));
  }

  /** The configured name, reported as `SsoIdentity.provider`. */
  get name(): string {
    return this.#settings.claims.provider;
  }

  /** The issuer as discovered (for Entra, with the tenant's GUID). */
  get issuer(): string {
    return this.#config.serverMetadata().issuer;
  }

  start(): OidcLoginStart {
    const pending: OidcPendingLogin = {
      state: randomToken(),
      nonce: randomToken(),
      codeVerifier: randomToken(),
      createdAt: this.#clock().getTime(),
    };
    const url = client.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.#settings.redirectUri.href,
      response_type: 'code',
      scope: this.#settings.scopes.join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl: url.href, pending };
  }

  /**
   * Completes the login the IdP redirected back to. `callbackUrl` is the URL the browser
   * requested, absolute or relative to `redirectUri` (a request's path and query). Every
   * refusal is ERR_SSO_FAILED with `details.reason` (see SsoFailureReason).
   */
  async finish(callbackUrl: string | URL, pending: OidcPendingLogin): Promise<SsoIdentity> {
    const provider = this.name;
    checkPending(pending);
    const age = this.#clock().getTime() - pending.createdAt;
    if (age > this.#settings.loginTimeoutMs) {
      throw ssoFailure(provider, 'login_expired', `the login took longer than ${Math.round(this.#settings.loginTimeoutMs / 1000)} s; start again`);
    }
    const callback = this.#callbackParameters(callbackUrl);
    const state = callback.searchParams.get('state');
    if (state === null || !secretsEqual(state, pending.state)) {
      throw ssoFailure(provider, 'state_mismatch', state === null ? 'the callback has no state' : 'the callback state does not match this login');
    }
    const idpError = callback.searchParams.get('error');
    if (idpError !== null) {
      const error = oauthErrorCode(idpError);
      throw ssoFailure(provider, 'idp_error', `the IdP answered with error "${error}"`, { error });
    }
    if (!callback.searchParams.has('code')) throw ssoFailure(provider, 'callback_invalid', 'the callback has no authorization code');

    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(this.#config, callback, {
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        pkceCodeVerifier: pending.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw fromProtocolError(provider, 'token', err, this.issuer);
    }
    // Present: expectedNonce makes openid-client require and verify an ID token.
    let claims: Claims = tokens.claims() as Claims;
    if (this.#settings.userinfo && lacksProfileClaims(claims, this.#settings.claims) && this.#config.serverMetadata().userinfo_endpoint) {
      claims = completeFromUserinfo(claims, await this.#userinfo(tokens.access_token, claims.sub as string), this.#settings.claims);
    }
    return identityFromClaims(claims, this.#settings.claims);
  }

  /** The callback's parameters on the configured redirect URI, which the token request must repeat exactly. */
  #callbackParameters(callbackUrl: string | URL): URL {
    let received: URL;
    try {
      received = new URL(callbackUrl, this.#settings.redirectUri);
    } catch {
      throw ssoFailure(this.name, 'callback_invalid', 'the callback is not a URL');
    }
    const url = new URL(this.#settings.redirectUri);
    url.search = received.search;
    return url;
  }

  async #userinfo(accessToken: string, subject: string): Promise<Claims> {
    try {
      return (await client.fetchUserInfo(this.#config, accessToken, subject)) as Claims;
    } catch (err) {
      throw fromProtocolError(this.name, 'userinfo', err, this.issuer);
    }
  }
}

async function discover(settings: OidcSettings): Promise<client.Configuration> {
  const provider = settings.claims.provider;
  const issuer = settings.issuer.href;
  let config: client.Configuration;
  try {
    config = await client.discovery(settings.issuer, settings.clientId, undefined, clientAuthentication(settings.clientSecret), {
      timeout: REQUEST_TIMEOUT_SECONDS,
      // The options only allow http for loopback hosts (local IdPs in development and tests).
      execute: settings.issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
    });
  } catch (err) {
    throw fromProtocolError(provider, 'discovery', err, issuer);
  }
  if (settings.azureTenantId !== null && !isAzureAdTenantIssuer(config.serverMetadata().issuer, settings.azureTenantId)) {
    throw ssoFailure(provider, 'discovery_failed', `discovery of ${issuer} failed: the discovery document does not name a single tenant's issuer`, { issuer });
  }
  return config;
}

/** client_secret_basic unless the IdP supports only client_secret_post (RFC 8414: absent means basic). */
function clientAuthentication(secret: string | null): client.ClientAuth {
  if (secret === null) return client.None();
  const basic = client.ClientSecretBasic(secret);
  const post = client.ClientSecretPost(secret);
  return (as, c, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const postOnly = Array.isArray(methods) && !methods.includes('client_secret_basic') && methods.includes('client_secret_post');
    (postOnly ? post : basic)(as, c, body, headers);
  };
}

/** 256 random bits, base64url (43 characters): state, nonce and PKCE verifier alike (RFC 7636 §4.1). */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function checkPending(pending: OidcPendingLogin): void {
  const p = pending as Partial<Record<keyof OidcPendingLogin, unknown>> | null;
  const token = (v: unknown) => typeof v === 'string' && v.length >= 16;
  if (!p || !token(p.state) || !token(p.nonce) || !token(p.codeVerifier) || !Number.isFinite(p.createdAt)) {
    throw invalidInput('pending must be what OidcSsoProvider.start() returned: state, nonce, codeVerifier and createdAt', { option: 'pending' });
  }
}
