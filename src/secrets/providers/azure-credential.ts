import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { checkEndpoint } from './check-endpoint.js';
import { readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { requestJson } from './http-json.js';
import { readAnswer } from './read-answer.js';

/**
 * Bearer tokens for Azure Key Vault, from one of three sources:
 * - `accessToken`: a token by reference (a sidecar or `az account get-access-token` writes it);
 * - `clientSecret`: a service principal, through the Microsoft identity platform's OAuth 2.0
 *   client credentials grant (`POST {authorityHost}/{tenantId}/oauth2/v2.0/token`), the token
 *   cached until five minutes before it expires;
 * - `credential`: any `TokenCredential` from `@azure/identity` (managed identity, workload
 *   identity, Azure CLI...), used as that package's clients use it.
 */
export interface AzureTokenCredential {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface AzureClientSecret {
  tenantId: string;
  clientId: string;
  secret: CredentialReference;
  /** Default https://login.microsoftonline.com (other clouds have their own). */
  authorityHost: string;
}

export interface AzureCredentialOptions {
  accessToken?: CredentialReference;
  clientSecret?: AzureClientSecret;
  credential?: AzureTokenCredential;
  /** Default https://vault.azure.net/.default. */
  scope: string;
  timeoutMs: number;
}

/** Renew this long before expiry, so a token never expires mid-request. */
const EARLY_RENEWAL_MS = 5 * 60_000;

const tokenAnswer = z.looseObject({ token_type: z.string(), expires_in: z.coerce.number(), access_token: z.string().min(1) });

const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_request']);

export class AzureTokenSource {
  #cached: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;
  /** The client secret last read, so error messages can be checked against it. */
  #lastSecret: string | undefined;

  constructor(private readonly options: AzureCredentialOptions) {
    if (options.clientSecret) checkEndpoint(options.clientSecret.authorityHost, 'azureKv.clientSecret.authorityHost');
  }

  async token(): Promise<string> {
    const o = this.options;
    if (o.accessToken) return readCredential(o.accessToken, 'azureKv.accessToken');
    if (this.#cached && Date.now() < this.#cached.renewAt) return this.#cached.token;
    // One request in flight however many callers need a token at once.
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Strings error messages must not quote: the client secret and the current token. */
  sensitive(): string[] {
    return [this.#cached?.token, this.#lastSecret].filter((s): s is string => s !== undefined);
  }

  async #fetch(): Promise<string> {
    const o = this.options;
    if (o.credential) {
      let got: { token: string; expiresOnTimestamp: number } | null;
      try {
        got = await o.credential.getToken(o.scope);
      } catch (err) {
        throw new LangtrainError('ERR_PROVIDER_DENIED', `Azure Key Vault: the credential gave no token for ${o.scope} (${(err as Error).name ?? 'error'})`, { provider: 'azure_kv' });
      }
      if (!got?.token) throw new LangtrainError('ERR_PROVIDER_DENIED', `Azure Key Vault: the credential gave no token for ${o.scope}`, { provider: 'azure_kv' });
      this.#cached = { token: got.token, renewAt: got.expiresOnTimestamp - EARLY_RENEWAL_MS };
      return got.token;
    }
    const c = o.clientSecret!;
    const secret = readCredential(c.secret, 'azureKv.clientSecret.secret');
    this.#lastSecret = secret;
    const url = new URL(`${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`, c.authorityHost.endsWith('/') ? c.authorityHost : `${c.authorityHost}/`);
    const operation = `acquiring a token for client ${c.clientId}`;
    const answer = await requestJson({
      provider: 'azure_kv',
      operation,
      method: 'POST',
      url,
      headers: {},
      form: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: secret, scope: o.scope }),
      sensitive: [secret],
      timeoutMs: o.timeoutMs,
      readError: (body) => {
        const b = body as { error?: unknown; error_description?: unknown };
        return { ...(typeof b.error === 'string' ? { code: b.error } : {}), ...(typeof b.error_description === 'string' ? { message: b.error_description } : {}) };
      },
      codeFor: (status, code) => (status === 400 && code !== undefined && CREDENTIAL_ERRORS.has(code) ? 'ERR_PROVIDER_DENIED' : undefined),
    });
    const token = readAnswer(tokenAnswer, answer.body, 'azure_kv', operation);
    if (token.token_type.toLowerCase() !== 'bearer') throw new LangtrainError('ERR_STORE_UNAVAILABLE', `Azure Key Vault: ${operation}: token type ${token.token_type} is not Bearer`, { provider: 'azure_kv' });
    this.#cached = { token: token.access_token, renewAt: Date.now() + token.expires_in * 1000 - EARLY_RENEWAL_MS };
    return token.access_token;
  }
}
