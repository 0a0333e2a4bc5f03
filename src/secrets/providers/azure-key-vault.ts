import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { SecretSummary, SecretTags, SecretValue, SecretVersionInfo, SecretsProvider, StoredSecretVersion } from '../provider.js';
import { AzureTokenSource, type AzureCredentialOptions } from './azure-credential.js';
import { checkEndpoint } from './check-endpoint.js';
import { requestJson, type HttpJsonResponse } from './http-json.js';
import { isoTime, readAnswer, unexpectedAnswer } from './read-answer.js';

/**
 * Azure Key Vault secrets over the documented REST API, api-version 7.4, with `fetch`
 * (https://learn.microsoft.com/rest/api/keyvault/secrets):
 *
 * - write    `PUT    {vault}/secrets/{name}?api-version=7.4`  `{ value, tags }` (a new version each time)
 * - read     `GET    {vault}/secrets/{name}/{version}?api-version=7.4` (no version: the current one)
 * - list     `GET    {vault}/secrets?api-version=7.4`, versions `GET {vault}/secrets/{name}/versions`,
 *            following `nextLink` only on the vault's own origin (it carries the bearer token)
 * - delete   `DELETE {vault}/secrets/{name}?api-version=7.4`: Azure's soft delete; the secret
 *            stays recoverable (and its name taken) for the vault's retention period, 7–90 days.
 *
 * Why not `@azure/keyvault-secrets`: its current release needs Node 22 (we support 20), and
 * its bearer-token policy refuses any non-https URL, so it cannot be pointed at a plain-http
 * loopback stand-in to test our use of it. The REST API is small and stable; this file is it.
 *
 * Azure names allow only letters, digits and `-`: `_` and `.` become `-`, and the real name
 * is kept in the tag `langtrain-name`, so two names that map to one Azure name are refused
 * instead of overwriting each other. Tags are per version in Azure; a write without tags
 * carries the current ones forward. Reads of the current version and listing fetch the
 * current version (the only way Azure names it), so they appear as SecretGet in Azure logs.
 * At rest Key Vault encrypts secrets with AES-256 (keys in its HSM-backed hierarchy).
 *
 * Tested against: a stand-in of these endpoints and of the identity platform's token
 * endpoint, written from the documentation (test/secrets/stand-ins/azure-key-vault.ts:
 * node:http on 127.0.0.1; checks the bearer token, api-version and bodies, answers the
 * documented SecretBundle / SecretListResult / error shapes). Not tested against Azure.
 */
export interface AzureKeyVaultProviderOptions extends AzureCredentialOptions {
  /** e.g. https://my-vault.vault.azure.net (plain http only to loopback). */
  vaultUrl: string;
}

export const API_VERSION = '7.4';
/** Tag holding the LangTrain name of a secret whose Azure name had to change. */
export const NAME_TAG = 'langtrain-name';

const attributes = z.looseObject({ enabled: z.boolean().optional(), created: z.number(), updated: z.number().optional() });
const bundle = z.looseObject({ value: z.string(), id: z.string(), attributes, tags: z.record(z.string(), z.string()).nullish() });
const item = z.looseObject({ id: z.string(), attributes, tags: z.record(z.string(), z.string()).nullish(), managed: z.boolean().optional() });
const page = z.looseObject({ value: z.array(item), nextLink: z.string().nullish() });

type Bundle = z.infer<typeof bundle>;

const LIST_CONCURRENCY = 8;

/** The Azure name of a LangTrain secret name (see the file comment). */
export function azureName(name: string): string {
  return name.replace(/[_.]/g, '-');
}

export class AzureKeyVaultProvider implements SecretsProvider {
  readonly name = 'azure_kv' as const;
  readonly atRestEncryption = 'AES-256-GCM' as const;
  readonly #vault: URL;
  readonly #tokens: AzureTokenSource;

  constructor(private readonly options: AzureKeyVaultProviderOptions) {
    this.#vault = checkEndpoint(options.vaultUrl, 'azureKv.vaultUrl');
    this.#tokens = new AzureTokenSource(options);
  }

  async put(name: string, value: string, tags: SecretTags | undefined): Promise<StoredSecretVersion> {
    const operation = `writing secret ${name}`;
    const current = await this.#current(name, operation, { ownerCheck: 'refuse' });
    const carried = tags ?? (current ? ownTags(current) : {});
    const answer = await this.#call('PUT', this.#url(`secrets/${azureName(name)}`), operation, { value, tags: { ...carried, [NAME_TAG]: name } }, [value]);
    const written = readAnswer(bundle.omit({ value: true }), answer.body, this.name, operation);
    return { name, version: versionOf(written.id, this.name, operation), createdAt: isoTime(written.attributes.created, this.name, operation) };
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    const operation = `reading secret ${name}`;
    if (version !== undefined && !/^[0-9a-f]{32}$/i.test(version)) {
      throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} has no such version: Azure version ids are 32 hexadecimal digits`, { name });
    }
    const read = await this.#current(name, operation, { ownerCheck: 'not-found', ...(version === undefined ? {} : { version }) });
    if (!read) throw notFound(name, version);
    return { name, version: versionOf(read.id, this.name, operation), value: read.value, tags: ownTags(read), createdAt: isoTime(read.attributes.created, this.name, operation) };
  }

  async describe(name: string): Promise<SecretSummary> {
    const operation = `describing secret ${name}`;
    const read = await this.#current(name, operation, { ownerCheck: 'not-found' });
    if (!read) throw notFound(name);
    return { name, version: versionOf(read.id, this.name, operation), tags: ownTags(read), createdAt: isoTime(read.attributes.created, this.name, operation) };
  }

  async list(): Promise<SecretSummary[]> {
    const items = await this.#pages(this.#url('secrets', { maxresults: '25' }), 'listing secrets');
    // Certificate-backed secrets (`managed`) belong to Key Vault certificates, not to us.
    const names = items.filter((i) => !i.managed).map((i) => i.tags?.[NAME_TAG] ?? lastSegment(i.id));
    const out: SecretSummary[] = [];
    for (let i = 0; i < names.length; i += LIST_CONCURRENCY) {
      const batch = await Promise.all(
        names.slice(i, i + LIST_CONCURRENCY).map((name) =>
          this.describe(name).catch((err) => {
            // Deleted or renamed between the listing and the read: not listed.
            if (err instanceof LangtrainError && err.code === 'ERR_NOT_FOUND') return undefined;
            throw err;
          }),
        ),
      );
      for (const summary of batch) if (summary) out.push(summary);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    const operation = `listing versions of secret ${name}`;
    const current = await this.describe(name);
    const items = await this.#pages(this.#url(`secrets/${azureName(name)}/versions`, { maxresults: '25' }), operation);
    return items
      .map((i) => {
        const version = versionOf(i.id, this.name, operation);
        return { version, createdAt: isoTime(i.attributes.created, this.name, operation), current: version === current.version, destroyed: false };
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.current) - Number(b.current));
  }

  async delete(name: string): Promise<void> {
    await this.describe(name); // refuses a name held by another LangTrain secret
    await this.#call('DELETE', this.#url(`secrets/${azureName(name)}`), `deleting secret ${name}`);
  }

  async close(): Promise<void> {
    // fetch keeps no per-provider state.
  }

  /**
   * The current (or a given) version of `name`, undefined if Azure has none. An Azure secret
   * holding another LangTrain name is refused for writes and reported absent for reads.
   */
  async #current(name: string, operation: string, how: { ownerCheck: 'refuse' | 'not-found'; version?: string }): Promise<Bundle | undefined> {
    const path = `secrets/${azureName(name)}${how.version === undefined ? '' : `/${how.version}`}`;
    const answer = await this.#call('GET', this.#url(path), operation, undefined, [], [404]);
    if (answer.status === 404) return undefined;
    const read = readAnswer(bundle, answer.body, this.name, operation);
    // Untagged: a secret made outside LangTrain, whose name is its Azure name.
    const owner = read.tags?.[NAME_TAG] ?? azureName(name);
    if (owner !== name) {
      if (how.ownerCheck === 'refuse') {
        throw new LangtrainError('ERR_INVALID_INPUT', `Azure Key Vault: ${name} maps to the Azure name ${azureName(name)}, which holds the secret ${owner} (Azure names allow only letters, digits and -); choose another name`, { name });
      }
      return undefined;
    }
    return read;
  }

  async #pages(first: URL, operation: string): Promise<Array<z.infer<typeof item>>> {
    const out: Array<z.infer<typeof item>> = [];
    let next: URL | undefined = first;
    while (next) {
      const answer = await this.#call('GET', next, operation);
      const result = readAnswer(page, answer.body, this.name, operation);
      out.push(...result.value);
      if (!result.nextLink) break;
      next = new URL(result.nextLink);
      // The bearer token goes with every request: never to another host.
      if (next.origin !== this.#vault.origin) throw unexpectedAnswer(this.name, operation, `nextLink points at ${next.origin}, not at the vault`);
    }
    return out;
  }

  #url(path: string, query: Record<string, string> = {}): URL {
    const base = this.#vault.pathname.endsWith('/') ? this.#vault : new URL(`${this.#vault.pathname}/`, this.#vault);
    const url = new URL(path, base);
    url.searchParams.set('api-version', API_VERSION);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  async #call(method: 'GET' | 'PUT' | 'DELETE', url: URL, operation: string, json?: unknown, sensitive: string[] = [], accept: number[] = []): Promise<HttpJsonResponse> {
    const token = await this.#tokens.token();
    return requestJson({
      provider: this.name,
      operation,
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(json === undefined ? {} : { json }),
      sensitive: [token, ...this.#tokens.sensitive(), ...sensitive],
      timeoutMs: this.options.timeoutMs,
      accept,
      readError: (body) => {
        const error = (body as { error?: { code?: unknown; message?: unknown; innererror?: { code?: unknown } } }).error;
        const code = typeof error?.innererror?.code === 'string' ? `${error?.code}/${error.innererror.code}` : error?.code;
        return { ...(typeof code === 'string' ? { code } : {}), ...(typeof error?.message === 'string' ? { message: error.message } : {}) };
      },
    });
  }
}

function notFound(name: string, version?: string): LangtrainError {
  return new LangtrainError('ERR_NOT_FOUND', version === undefined ? `no secret named ${name} in Azure Key Vault` : `secret ${name} has no version ${version} in Azure Key Vault`, { name });
}

/** The tags a caller set: ours removed. */
function ownTags(read: { tags?: Record<string, string> | null | undefined }): SecretTags {
  const { [NAME_TAG]: _ours, ...rest } = read.tags ?? {};
  return rest;
}

/** `https://v.vault.azure.net/secrets/{name}/{version}` → version. */
function versionOf(id: string, provider: 'azure_kv', operation: string): string {
  const match = /\/secrets\/[^/]+\/([0-9a-fA-F]{32})$/.exec(id);
  if (!match) throw unexpectedAnswer(provider, operation, 'an id without a version');
  return match[1]!;
}

function lastSegment(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}
