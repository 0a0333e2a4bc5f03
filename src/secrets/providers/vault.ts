import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { SecretSummary, SecretTags, SecretValue, SecretVersionInfo, SecretsProvider, StoredSecretVersion } from '../provider.js';
import { checkEndpoint } from './check-endpoint.js';
import { readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { requestJson, type HttpJsonResponse } from './http-json.js';
import { isoTime, readAnswer, unexpectedAnswer } from './read-answer.js';

/**
 * HashiCorp Vault, KV secrets engine version 2, over its documented HTTP API with `fetch`
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2):
 *
 * - write    `POST /v1/{mount}/data/{name}`  `{ data: { value }, options?: { cas } }` (PUT is the same to Vault)
 * - read     `GET  /v1/{mount}/data/{name}?version=N`
 * - tags     `POST /v1/{mount}/metadata/{name}`  `{ custom_metadata }` (Vault ≥ 1.9)
 * - versions `GET  /v1/{mount}/metadata/{name}`; list `GET /v1/{mount}/metadata/?list=true`
 * - delete   `POST /v1/{mount}/destroy/{name}`  `{ versions: [...] }`: every version's value
 *   is destroyed for good; the metadata (version history) stays, and a later write starts
 *   the next version.
 *
 * The value is held in the field `value` of the KV data. Auth is the `X-Vault-Token` header
 * (token read by reference on every request, so a Vault Agent sink file can renew it) plus
 * `X-Vault-Request: true`, which Vault Agent's proxy requires against SSRF.
 * At rest Vault encrypts everything behind its barrier with AES-256-GCM.
 *
 * Tested against: a stand-in of these endpoints written from the documentation
 * (test/secrets/stand-ins/vault.ts: node:http on 127.0.0.1, checks the token and request
 * shapes, answers the documented bodies), not against a real Vault server.
 */
export interface VaultProviderOptions {
  /** e.g. https://vault.example.com:8200 (plain http only to loopback). */
  address: string;
  /** The Vault token, by reference: `env:VAULT_TOKEN` or `file:/path/to/agent/sink`. */
  token: CredentialReference;
  /** Mount path of the KV v2 engine. Default `secret`. */
  mount: string;
  /** Vault Enterprise namespace (`X-Vault-Namespace`). */
  namespace?: string;
  /** Check-and-set on every write (the mount may require it): a concurrent writer fails instead of being overwritten. */
  cas: boolean;
  timeoutMs: number;
}

const versionMetadata = z.looseObject({
  created_time: z.string(),
  deletion_time: z.string().nullish(),
  destroyed: z.boolean(),
});

const writeAnswer = z.looseObject({ data: z.looseObject({ version: z.number().int(), created_time: z.string() }) });

const readAnswerShape = z.looseObject({
  data: z.looseObject({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: versionMetadata.extend({ version: z.number().int(), custom_metadata: z.record(z.string(), z.string()).nullish() }),
  }),
});

const metadataAnswer = z.looseObject({
  data: z.looseObject({
    current_version: z.number().int(),
    custom_metadata: z.record(z.string(), z.string()).nullish(),
    versions: z.record(z.string(), versionMetadata),
  }),
});

const listAnswer = z.looseObject({ data: z.looseObject({ keys: z.array(z.string()) }) });

type Metadata = z.infer<typeof metadataAnswer>['data'];

/** How many metadata reads `list` runs at once. */
const LIST_CONCURRENCY = 8;

export class VaultSecretsProvider implements SecretsProvider {
  readonly name = 'vault' as const;
  readonly atRestEncryption = 'AES-256-GCM' as const;
  readonly #origin: URL;

  constructor(private readonly options: VaultProviderOptions) {
    this.#origin = checkEndpoint(options.address, 'vault.address');
  }

  async put(name: string, value: string, tags: SecretTags | undefined): Promise<StoredSecretVersion> {
    const operation = `writing secret ${name}`;
    const cas = this.options.cas ? ((await this.#metadata(name, operation))?.current_version ?? 0) : undefined;
    const answer = await this.#call('POST', this.#url('data', name), operation, { data: { value }, ...(cas === undefined ? {} : { options: { cas } }) }, [value]);
    const written = readAnswer(writeAnswer, answer.body, 'vault', operation).data;
    // Tags live in the secret's metadata, written after the version: a failure here leaves
    // the new value stored with the previous tags, and is reported.
    if (tags) await this.#call('POST', this.#url('metadata', name), `tagging secret ${name}`, { custom_metadata: tags });
    return { name, version: String(written.version), createdAt: isoTime(written.created_time, 'vault', operation) };
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    const operation = `reading secret ${name}`;
    if (version !== undefined && !/^[1-9][0-9]{0,9}$/.test(version)) {
      throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} has no such version: Vault versions are whole numbers from 1`, { name });
    }
    const answer = await this.#call('GET', this.#url('data', name, version === undefined ? {} : { version }), operation, undefined, [], [404]);
    if (answer.status === 404) {
      // Vault answers 404 for a deleted or destroyed version too, with its metadata.
      const gone = readAnswerShape.safeParse(answer.body);
      if (gone.success) {
        const m = gone.data.data.metadata;
        throw new LangtrainError('ERR_NOT_FOUND', `version ${m.version} of secret ${name} was ${m.destroyed ? 'destroyed' : 'deleted'} in Vault`, { name, version: String(m.version) });
      }
      throw new LangtrainError('ERR_NOT_FOUND', version === undefined ? `no secret named ${name} in Vault` : `secret ${name} has no version ${version} in Vault`, { name });
    }
    const read = readAnswer(readAnswerShape, answer.body, 'vault', operation).data;
    const value = read.data?.['value'];
    if (typeof value !== 'string') throw unexpectedAnswer('vault', operation, 'the secret has no string field "value"');
    return { name, version: String(read.metadata.version), value, tags: read.metadata.custom_metadata ?? {}, createdAt: isoTime(read.metadata.created_time, 'vault', operation) };
  }

  async describe(name: string): Promise<SecretSummary> {
    const summary = summarise(name, await this.#metadata(name, `describing secret ${name}`));
    if (!summary) throw new LangtrainError('ERR_NOT_FOUND', `no secret named ${name} in Vault (absent, deleted or destroyed)`, { name });
    return summary;
  }

  async list(): Promise<SecretSummary[]> {
    const operation = 'listing secrets';
    const answer = await this.#call('GET', this.#url('metadata', '', { list: 'true' }), operation, undefined, [], [404]);
    if (answer.status === 404) return []; // Vault's answer for an empty mount
    // Keys ending in `/` are folders; names never contain `/` (checkSecretName).
    const names = readAnswer(listAnswer, answer.body, 'vault', operation).data.keys.filter((key) => !key.endsWith('/'));
    const out: SecretSummary[] = [];
    for (let i = 0; i < names.length; i += LIST_CONCURRENCY) {
      const batch = await Promise.all(names.slice(i, i + LIST_CONCURRENCY).map(async (key) => summarise(key, await this.#metadata(key, operation))));
      for (const summary of batch) if (summary) out.push(summary);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    const operation = `listing versions of secret ${name}`;
    const metadata = await this.#metadata(name, operation);
    if (!metadata) throw new LangtrainError('ERR_NOT_FOUND', `no secret named ${name} in Vault`, { name });
    return Object.entries(metadata.versions)
      .map(([version, v]) => ({
        version,
        createdAt: isoTime(v.created_time, 'vault', operation),
        current: Number(version) === metadata.current_version && isLive(v),
        destroyed: !isLive(v),
      }))
      .sort((a, b) => Number(a.version) - Number(b.version));
  }

  async delete(name: string): Promise<void> {
    const operation = `deleting secret ${name}`;
    const metadata = await this.#metadata(name, operation);
    const live = Object.entries(metadata?.versions ?? {})
      .filter(([, v]) => !v.destroyed)
      .map(([version]) => Number(version));
    if (!metadata || !summarise(name, metadata)) throw new LangtrainError('ERR_NOT_FOUND', `no secret named ${name} in Vault (absent, deleted or destroyed)`, { name });
    await this.#call('POST', this.#url('destroy', name), operation, { versions: live });
  }

  async close(): Promise<void> {
    // fetch keeps no per-provider state.
  }

  async #metadata(name: string, operation: string): Promise<Metadata | undefined> {
    const answer = await this.#call('GET', this.#url('metadata', name), operation, undefined, [], [404]);
    if (answer.status === 404) return undefined;
    return readAnswer(metadataAnswer, answer.body, 'vault', operation).data;
  }

  #url(kind: 'data' | 'metadata' | 'destroy', name: string, query: Record<string, string> = {}): URL {
    const mount = this.options.mount.split('/').map(encodeURIComponent).join('/');
    const url = new URL(`/v1/${mount}/${kind}/${encodeURIComponent(name)}`, this.#origin);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  #call(method: 'GET' | 'POST', url: URL, operation: string, json?: unknown, sensitive: string[] = [], accept: number[] = []): Promise<HttpJsonResponse> {
    const token = readCredential(this.options.token, 'vault.token');
    return requestJson({
      provider: 'vault',
      operation,
      method,
      url,
      headers: { 'X-Vault-Token': token, 'X-Vault-Request': 'true', ...(this.options.namespace ? { 'X-Vault-Namespace': this.options.namespace } : {}) },
      ...(json === undefined ? {} : { json }),
      sensitive: [token, ...sensitive],
      timeoutMs: this.options.timeoutMs,
      accept,
      readError: (body) => {
        const errors = (body as { errors?: unknown }).errors;
        return Array.isArray(errors) && errors.length > 0 ? { message: errors.filter((e) => typeof e === 'string').join('; ') } : {};
      },
    });
  }
}

/** A version is live while neither deleted (soft, `deletion_time`) nor destroyed. */
function isLive(v: z.infer<typeof versionMetadata>): boolean {
  return !v.destroyed && !v.deletion_time;
}

/** The summary of a secret whose current version is live; undefined otherwise. */
function summarise(name: string, metadata: Metadata | undefined): SecretSummary | undefined {
  if (!metadata) return undefined;
  const current = metadata.versions[String(metadata.current_version)];
  if (!current || !isLive(current)) return undefined;
  return { name, version: String(metadata.current_version), tags: metadata.custom_metadata ?? {}, createdAt: isoTime(current.created_time, 'vault', `describing secret ${name}`) };
}
