import { randomBytes } from 'node:crypto';
import { HttpStandIn, isObject, isStringMap, parseJson, type RecordedRequest, type Reply } from './http-stand-in.js';

/**
 * A stand-in for Azure Key Vault's secrets REST API (api-version 7.4) and for the Microsoft
 * identity platform's client-credentials token endpoint, written from
 * https://learn.microsoft.com/rest/api/keyvault/secrets and
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow —
 * only what the `azure_kv` provider uses:
 *   POST   /{tenant}/oauth2/v2.0/token             form: grant_type, client_id, client_secret, scope
 *   PUT    /secrets/{name}?api-version=7.4         { value, tags?, contentType?, attributes? }
 *   GET    /secrets/{name}[/{version}]?api-version=7.4
 *   GET    /secrets?api-version=7.4, GET /secrets/{name}/versions?api-version=7.4 (pages of two, nextLink)
 *   DELETE /secrets/{name}?api-version=7.4         (soft delete: the name stays taken)
 * It checks the bearer token (401 with WWW-Authenticate when absent or unknown, 403
 * ForbiddenByRbac for a denied client), api-version, secret names (letters, digits, -) and
 * bodies, and answers SecretBundle / SecretListResult / DeletedSecretBundle / KeyVaultError.
 */
export interface AzureStandInOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** A client that gets tokens but is denied every secret operation. */
  deniedClientId?: string;
  /** Make list pages point their nextLink at this origin (to test that it is refused). */
  nextLinkOrigin?: string;
}

interface Version {
  id: string;
  value: string;
  tags: Record<string, string> | undefined;
  created: number;
}

interface Secret {
  versions: Version[];
  deleted?: number;
}

const SCOPE = 'https://vault.azure.net/.default';
const PAGE = 2;

export class AzureKeyVaultStandIn {
  readonly secrets = new Map<string, Secret>();
  /** Issued tokens and whether their client is denied. */
  readonly #tokens = new Map<string, { denied: boolean }>();
  tokensIssued = 0;

  private constructor(
    readonly http: HttpStandIn,
    private readonly options: AzureStandInOptions,
  ) {}

  static async start(options: AzureStandInOptions): Promise<AzureKeyVaultStandIn> {
    let standIn: AzureKeyVaultStandIn | undefined;
    const http = await HttpStandIn.start((request) => standIn!.handle(request));
    standIn = new AzureKeyVaultStandIn(http, options);
    return standIn;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** A token as the identity platform would issue it, for tests that pass one by reference. */
  issueToken(denied = false): string {
    const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}.sig`;
    this.#tokens.set(token, { denied });
    this.tokensIssued += 1;
    return token;
  }

  handle(request: RecordedRequest): Reply {
    if (request.method === 'POST' && request.path === `/${this.options.tenantId}/oauth2/v2.0/token`) return this.token(request);
    const auth = String(request.headers['authorization'] ?? '');
    const challenge = { 'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.options.tenantId}", resource="https://vault.azure.net"` };
    if (!auth.startsWith('Bearer ')) return { ...kvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'), headers: challenge };
    const token = this.#tokens.get(auth.slice('Bearer '.length));
    if (!token) return { ...kvError(401, 'Unauthorized', 'AKV10032: Invalid issuer. Expected one of https://sts.windows.net/..., found something else.'), headers: challenge };
    if (request.query.get('api-version') !== '7.4') return kvError(400, 'BadParameter', 'The request URI contains an invalid or missing api-version.');
    if (token.denied) {
      return { status: 403, body: { error: { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource. Action: Microsoft.KeyVault/vaults/secrets/getSecret/action', innererror: { code: 'ForbiddenByRbac' } } } };
    }
    const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'secrets') return kvError(404, 'NotFound', 'route not found');
    const [, name, third] = parts;
    if (name === undefined && request.method === 'GET') return this.listSecrets(request);
    if (name === undefined) return kvError(405, 'BadParameter', 'method not allowed');
    if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) return kvError(400, 'BadParameter', 'The request URI contains an invalid name: names may only contain alphanumeric characters and dashes.');
    if (request.method === 'PUT' && third === undefined) return this.set(name, request);
    if (request.method === 'GET' && third === 'versions') return this.listVersions(name, request);
    if (request.method === 'GET') return this.get(name, third);
    if (request.method === 'DELETE' && third === undefined) return this.delete(name);
    return kvError(405, 'BadParameter', 'method not allowed');
  }

  private token(request: RecordedRequest): Reply {
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return oauthError(400, 'invalid_request', 'AADSTS900144: The request body must contain form parameters.');
    const form = new URLSearchParams(request.body);
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (form.get('scope') !== SCOPE) return oauthError(400, 'invalid_scope', 'AADSTS70011: The provided value for the input parameter scope is not valid.');
    const clientId = form.get('client_id');
    if (clientId !== this.options.clientId && clientId !== this.options.deniedClientId) return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`);
    if (form.get('client_secret') !== this.options.clientSecret) return oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    const token = this.issueToken(clientId === this.options.deniedClientId);
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  }

  private set(name: string, request: RecordedRequest): Reply {
    let body: unknown;
    try {
      body = parseJson(request.body);
    } catch {
      return kvError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (!isObject(body) || typeof body['value'] !== 'string') return kvError(400, 'BadParameter', 'Property value is required.');
    for (const key of Object.keys(body)) if (!['value', 'tags', 'contentType', 'attributes'].includes(key)) return kvError(400, 'BadParameter', `Unknown property ${key}.`);
    const tags = body['tags'];
    if (tags !== undefined && (!isStringMap(tags) || Object.keys(tags).length > 15)) return kvError(400, 'BadParameter', 'Tags must be at most 15 string values.');
    const secret = this.secrets.get(name);
    if (secret?.deleted) {
      return kvError(409, 'Conflict', `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`);
    }
    const version: Version = { id: randomBytes(16).toString('hex'), value: body['value'], tags: tags as Record<string, string> | undefined, created: Math.floor(Date.now() / 1000) };
    const state = secret ?? { versions: [] };
    state.versions.push(version);
    this.secrets.set(name, state);
    return { status: 200, body: this.bundle(name, version) };
  }

  private get(name: string, version: string | undefined): Reply {
    const secret = this.secrets.get(name);
    const found = secret && !secret.deleted ? (version === undefined || version === '' ? secret.versions.at(-1) : secret.versions.find((v) => v.id === version)) : undefined;
    if (!found) return kvError(404, 'SecretNotFound', `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`);
    return { status: 200, body: this.bundle(name, found) };
  }

  private listSecrets(request: RecordedRequest): Reply {
    const live = [...this.secrets].filter(([, s]) => !s.deleted).sort(([a], [b]) => a.localeCompare(b));
    return this.page(request, '/secrets', live.map(([name, s]) => ({ id: `${this.url}/secrets/${name}`, attributes: attributes(s.versions.at(-1)!), ...(s.versions.at(-1)!.tags ? { tags: s.versions.at(-1)!.tags } : {}) })));
  }

  private listVersions(name: string, request: RecordedRequest): Reply {
    const secret = this.secrets.get(name);
    if (!secret || secret.deleted) return kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    return this.page(request, `/secrets/${name}/versions`, secret.versions.map((v) => ({ id: `${this.url}/secrets/${name}/${v.id}`, attributes: attributes(v), ...(v.tags ? { tags: v.tags } : {}) })));
  }

  private page(request: RecordedRequest, path: string, items: unknown[]): Reply {
    const start = Number(request.query.get('$skiptoken') ?? 0);
    const next = start + PAGE < items.length ? `${this.options.nextLinkOrigin ?? this.url}${path}?api-version=7.4&$skiptoken=${start + PAGE}&maxresults=${PAGE}` : null;
    return { status: 200, body: { value: items.slice(start, start + PAGE), nextLink: next } };
  }

  private delete(name: string): Reply {
    const secret = this.secrets.get(name);
    if (!secret || secret.deleted) return kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    const now = Math.floor(Date.now() / 1000);
    secret.deleted = now;
    const current = secret.versions.at(-1)!;
    const { value: _value, ...rest } = this.bundle(name, current);
    return { status: 200, body: { recoveryId: `${this.url}/deletedsecrets/${name}`, deletedDate: now, scheduledPurgeDate: now + 90 * 86_400, ...rest } };
  }

  private bundle(name: string, version: Version): Record<string, unknown> {
    return { value: version.value, id: `${this.url}/secrets/${name}/${version.id}`, attributes: attributes(version), ...(version.tags ? { tags: version.tags } : {}) };
  }
}

function attributes(version: Version): Record<string, unknown> {
  return { enabled: true, created: version.created, updated: version.created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

export function kvError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString(), trace_id: 'stand-in', correlation_id: 'stand-in' } };
}
