import { randomUUID } from 'node:crypto';
import { HttpStandIn, isObject, isStringMap, parseJson, type RecordedRequest, type Reply } from './http-stand-in.js';

/**
 * A stand-in for HashiCorp Vault's KV secrets engine v2 HTTP API, written from
 * https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2 — only the endpoints the
 * `vault` provider uses, on one mount:
 *   POST|PUT /v1/{mount}/data/{path}       { data, options?: { cas } }
 *   GET      /v1/{mount}/data/{path}?version=N
 *   GET      /v1/{mount}/metadata/{path}   POST /v1/{mount}/metadata/{path} { custom_metadata }
 *   GET      /v1/{mount}/metadata/?list=true (and the LIST method)
 *   POST|PUT /v1/{mount}/destroy/{path}    { versions }
 * It checks X-Vault-Token (403 "permission denied" otherwise, as Vault answers), the
 * X-Vault-Request header and the body shapes, and answers the documented envelopes
 * ({ request_id, data, ... } and { errors: [...] }). Not Vault: no policies, leases or seal.
 */
export interface VaultStandInOptions {
  token: string;
  mount?: string;
  /** Tokens that authenticate but may not touch anything (403 like a policy denial). */
  deniedTokens?: string[];
}

interface VersionState {
  data: Record<string, unknown>;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

interface SecretState {
  versions: Map<number, VersionState>;
  current_version: number;
  custom_metadata: Record<string, string> | null;
  created_time: string;
  updated_time: string;
}

export class VaultStandIn {
  readonly secrets = new Map<string, SecretState>();

  private constructor(
    readonly http: HttpStandIn,
    private readonly options: Required<VaultStandInOptions>,
  ) {}

  static async start(options: VaultStandInOptions): Promise<VaultStandIn> {
    let standIn: VaultStandIn | undefined;
    const http = await HttpStandIn.start((request) => standIn!.handle(request));
    standIn = new VaultStandIn(http, { mount: 'secret', deniedTokens: [], ...options });
    return standIn;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  handle(request: RecordedRequest): Reply {
    const token = request.headers['x-vault-token'];
    if (token !== this.options.token && !this.options.deniedTokens.includes(String(token))) return errors(403, 'permission denied');
    if (request.headers['x-vault-request'] !== 'true') return errors(400, 'missing X-Vault-Request header');
    if (this.options.deniedTokens.includes(String(token))) return errors(403, '1 error occurred:\n\t* permission denied\n\n');
    const prefix = `/v1/${this.options.mount}/`;
    if (!request.path.startsWith(prefix)) return errors(404, `no handler for route "${request.path}". route entry not found.`);
    const rest = request.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const kind = slash < 0 ? rest : rest.slice(0, slash);
    const name = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1));
    const method = request.method;
    let body: unknown;
    try {
      body = parseJson(request.body);
    } catch {
      return errors(400, 'failed to parse JSON input');
    }
    if (kind === 'data' && (method === 'POST' || method === 'PUT')) return this.write(name, body);
    if (kind === 'data' && method === 'GET') return this.read(name, request.query.get('version'));
    if (kind === 'metadata' && (method === 'LIST' || (method === 'GET' && request.query.get('list') === 'true')) && name === '') return this.list();
    if (kind === 'metadata' && method === 'GET') return this.metadata(name);
    if (kind === 'metadata' && (method === 'POST' || method === 'PUT')) return this.writeMetadata(name, body);
    if (kind === 'destroy' && (method === 'POST' || method === 'PUT')) return this.destroy(name, body);
    return errors(405, 'unsupported operation');
  }

  private write(name: string, body: unknown): Reply {
    if (!isObject(body) || !isObject(body['data'])) return errors(400, 'no data provided');
    const options = body['options'];
    if (options !== undefined && (!isObject(options) || (options['cas'] !== undefined && typeof options['cas'] !== 'number'))) return errors(400, 'invalid options');
    const secret = this.secrets.get(name);
    const cas = isObject(options) ? options['cas'] : undefined;
    if (cas !== undefined && cas !== (secret?.current_version ?? 0)) return errors(400, 'check-and-set parameter did not match the current version');
    const now = new Date().toISOString().replace('Z', '123456Z'); // Vault's nanosecond timestamps
    const state: SecretState = secret ?? { versions: new Map(), current_version: 0, custom_metadata: null, created_time: now, updated_time: now };
    state.current_version += 1;
    state.updated_time = now;
    state.versions.set(state.current_version, { data: body['data'], created_time: now, deletion_time: '', destroyed: false });
    this.secrets.set(name, state);
    return ok({ created_time: now, custom_metadata: state.custom_metadata, deletion_time: '', destroyed: false, version: state.current_version });
  }

  private read(name: string, versionText: string | null): Reply {
    const secret = this.secrets.get(name);
    if (!secret) return errors(404, undefined);
    const version = versionText === null || versionText === '0' ? secret.current_version : Number(versionText);
    if (!Number.isInteger(version)) return errors(400, 'invalid version');
    const state = secret.versions.get(version);
    if (!state) return errors(404, undefined);
    const metadata = { created_time: state.created_time, custom_metadata: secret.custom_metadata, deletion_time: state.deletion_time, destroyed: state.destroyed, version };
    // Vault's answer for a deleted or destroyed version: 404 with the metadata and no data.
    if (state.destroyed || state.deletion_time !== '') return { status: 404, body: envelope({ data: null, metadata }) };
    return ok({ data: state.data, metadata });
  }

  private metadata(name: string): Reply {
    const secret = this.secrets.get(name);
    if (!secret) return errors(404, undefined);
    const versions = Object.fromEntries([...secret.versions].map(([v, s]) => [String(v), { created_time: s.created_time, deletion_time: s.deletion_time, destroyed: s.destroyed }]));
    return ok({
      cas_required: false,
      created_time: secret.created_time,
      current_version: secret.current_version,
      custom_metadata: secret.custom_metadata,
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: secret.updated_time,
      versions,
    });
  }

  private writeMetadata(name: string, body: unknown): Reply {
    if (!isObject(body)) return errors(400, 'invalid request');
    const custom = body['custom_metadata'];
    if (custom !== undefined && !isStringMap(custom)) return errors(400, 'custom_metadata must be a map of strings');
    if (custom && Object.keys(custom).length > 64) return errors(400, 'custom_metadata may have at most 64 keys');
    const now = new Date().toISOString();
    const secret = this.secrets.get(name) ?? { versions: new Map(), current_version: 0, custom_metadata: null, created_time: now, updated_time: now };
    if (custom !== undefined) secret.custom_metadata = custom;
    this.secrets.set(name, secret);
    return { status: 204 };
  }

  private list(): Reply {
    const keys = [...this.secrets.keys()].sort();
    if (keys.length === 0) return errors(404, undefined);
    return ok({ keys });
  }

  private destroy(name: string, body: unknown): Reply {
    if (!isObject(body) || !Array.isArray(body['versions']) || !body['versions'].every((v) => Number.isInteger(v))) return errors(400, 'no versions provided');
    const secret = this.secrets.get(name);
    for (const v of body['versions'] as number[]) {
      const state = secret?.versions.get(v);
      if (state) {
        state.destroyed = true;
        state.data = {};
      }
    }
    return { status: 204 };
  }
}

function envelope(data: unknown): Record<string, unknown> {
  return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null };
}

function ok(data: unknown): Reply {
  return { status: 200, body: envelope(data) };
}

function errors(status: number, message: string | undefined): Reply {
  return { status, body: { errors: message === undefined ? [] : [message] } };
}
