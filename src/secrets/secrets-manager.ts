import { randomBytes } from 'node:crypto';
import type { AuditSink, JsonValue } from '../core/audit-sink.js';
import { z } from 'zod';
import { LangtrainError, invalidInput, isLangtrainError } from '../core/errors.js';
import { keysOnly, parseOptions } from '../core/options.js';
import type { Keyring } from '../crypto/keyring/keyring.js';
import type { Store } from '../store/database.js';
import { checkSecretName } from './check-secret-name.js';
import { checkTags, hasTags } from './check-tags.js';
import { parseSecretsManagerOptions, type SecretsManagerOptions } from './options.js';
import type { ProviderName, SecretSummary, SecretTags, SecretValue, SecretVersionInfo, SecretsProvider } from './provider.js';
import { openProvider } from './providers/open-provider.js';

/** What the composition root passes: the store and keyring (for `local`) and the audit sink. */
export interface SecretsManagerDeps {
  store?: Store;
  keyring?: Keyring;
  audit: AuditSink;
}

export interface StoreSecretInput {
  name: string;
  value: string;
  /** Replaces the secret's tags; omitted, the current tags are kept. */
  tags?: SecretTags;
  /** Who acts, for the audit log. */
  actor?: string;
}

/** Makes the next value of a secret (e.g. after changing a database password to it). */
export type SecretRotator = (current: { name: string; version: string; tags: SecretTags }) => string | Promise<string>;

export interface SecretVersionRef {
  name: string;
  version: string;
}

/**
 * The keys each method's input takes: one it does not know (`tag` for `tags`, `verison`) is
 * refused by name rather than ignored, which stored a secret without its tags or read the current
 * version instead of the one asked for. Only the keys are checked here; the values by the
 * checks below, whose messages never quote a value.
 */
const actorOnly = { actor: z.string().min(1, 'must name who acts').optional() };
const METHOD_INPUTS = {
  storeSecret: keysOnly(['name', 'value', 'tags']).extend(actorOnly),
  getSecret: keysOnly(['version']).extend(actorOnly),
  listSecrets: keysOnly(['tag']).extend(actorOnly),
  actorOnly: z.strictObject(actorOnly),
};

function checkKeys(schema: z.ZodObject, input: unknown, owner: string): void {
  parseOptions(schema, input, `SecretsManager.${owner}`);
}

/** The largest value every provider takes: AWS Secrets Manager's 65,536 bytes. */
export const MAX_VALUE_BYTES = 65_536;

/**
 * The seed's `SecretsManager`: named, versioned, tagged secrets in one of four providers —
 * `local` (the LangTrain database, encrypted by the keyring), `vault` (HashiCorp Vault KV v2),
 * `aws_secrets_manager`, `azure_kv` — with rotation and an audit trail.
 *
 * ```ts
 * const secrets = new SecretsManager({ provider: 'local', encryption: 'AES-256', rotationSchedule: '30d', accessLogging: true }, { store, keyring, audit });
 * await secrets.storeSecret({ name: 'database_password', value: 'super_secure_password', tags: { environment: 'production', service: 'database' } });
 * ```
 *
 * - `encryption`: `AES-256` or `AES-256-GCM` (the same: AES-256-GCM). With `local` the keyring
 *   encrypts each version, bound to its name and version; remote providers encrypt at rest
 *   with AES-256 themselves (Vault's barrier, AWS KMS, Key Vault), and each states it.
 * - `rotationSchedule`: a duration such as `30d`, after which `rotateDue` rotates a secret;
 *   `null` (default): no schedule.
 * - `accessLogging` (default true): every read, listing and version listing is recorded in
 *   the audit sink with the secret's name, version and tags, successes and failures alike.
 *   With `false`, only writes (store, rotate, delete) are recorded; reads leave no trace.
 *
 * A secret's value never reaches the audit log, an error message or a log line: events
 * carry names, versions, tags and error codes; provider messages quoting a value are withheld.
 */
export class SecretsManager {
  readonly provider: ProviderName;
  readonly rotationScheduleMs: number | null;
  readonly accessLogging: boolean;
  readonly #backend: SecretsProvider;
  readonly #audit: AuditSink;

  constructor(options: SecretsManagerOptions = {}, deps: SecretsManagerDeps) {
    const settings = parseSecretsManagerOptions(options);
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'SecretsManager needs an audit sink (deps.audit)');
    this.#backend = openProvider(settings, deps);
    // Every provider encrypts with AES-256-GCM today; the check keeps that a stated fact.
    if (this.#backend.atRestEncryption !== 'AES-256-GCM') {
      throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `SecretsManager: provider ${settings.provider} does not encrypt with ${settings.encryption}`, { option: 'encryption' });
    }
    this.provider = settings.provider;
    this.rotationScheduleMs = settings.rotationSchedule;
    this.accessLogging = settings.accessLogging;
    this.#audit = deps.audit;
  }

  /** Write a new version of `name` (created on first store). */
  async storeSecret(input: StoreSecretInput): Promise<SecretVersionRef> {
    if (typeof input !== 'object' || input === null) throw invalidInput('storeSecret takes { name, value, tags? }');
    checkKeys(METHOD_INPUTS.storeSecret, input, 'storeSecret');
    const name = checkSecretName(input.name);
    const value = checkValue(input.value, 'value');
    const tags = input.tags === undefined ? undefined : checkTags(input.tags);
    return this.#write('secrets.stored', name, input.actor, async () => {
      const stored = await this.#backend.put(name, value, tags);
      return { result: { name, version: stored.version }, data: { version: stored.version, ...(tags ? { tags } : {}) } };
    });
  }

  /** The current version of `name`, or `version`. ERR_NOT_FOUND for unknown, deleted or destroyed. */
  async getSecret(name: string, options: { version?: string; actor?: string } = {}): Promise<SecretValue> {
    checkSecretName(name);
    checkKeys(METHOD_INPUTS.getSecret, options, 'getSecret');
    const { version } = options;
    if (version !== undefined && (typeof version !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(version))) {
      throw invalidInput('version must be a version id as returned by storeSecret or versions()');
    }
    let secret: SecretValue;
    try {
      secret = await this.#backend.get(name, version);
    } catch (err) {
      await this.#access('secrets.read', options.actor, 'failure', { name, ...(version === undefined ? {} : { version }), error: errorCode(err) });
      throw err;
    }
    // Recorded before the value is handed out: if the audit sink fails, the read fails.
    await this.#access('secrets.read', options.actor, 'success', { name, version: secret.version, tags: secret.tags });
    return secret;
  }

  /** Secrets (never their values), optionally only those having every tag in `tag`. */
  async listSecrets(options: { tag?: SecretTags; actor?: string } = {}): Promise<SecretSummary[]> {
    checkKeys(METHOD_INPUTS.listSecrets, options, 'listSecrets');
    const wanted = options.tag === undefined ? undefined : checkTags(options.tag);
    let all: SecretSummary[];
    try {
      all = await this.#backend.list();
    } catch (err) {
      await this.#access('secrets.listed', options.actor, 'failure', { ...(wanted ? { tag: wanted } : {}), error: errorCode(err) });
      throw err;
    }
    const listed = wanted ? all.filter((s) => hasTags(s.tags, wanted)) : all;
    await this.#access('secrets.listed', options.actor, 'success', { ...(wanted ? { tag: wanted } : {}), count: listed.length });
    return listed;
  }

  /** The versions the provider still knows, oldest first. */
  async versions(name: string, options: { actor?: string } = {}): Promise<SecretVersionInfo[]> {
    checkSecretName(name);
    checkKeys(METHOD_INPUTS.actorOnly, options, 'versions');
    let versions: SecretVersionInfo[];
    try {
      versions = await this.#backend.versions(name);
    } catch (err) {
      await this.#access('secrets.versions_listed', options.actor, 'failure', { name, error: errorCode(err) });
      throw err;
    }
    await this.#access('secrets.versions_listed', options.actor, 'success', { name, count: versions.length });
    return versions;
  }

  /**
   * Write a new version made by `rotator`, or by default 32 random bytes as base64url
   * (256 bits: a password no one chose). Tags are kept.
   */
  async rotateSecret(name: string, rotator?: SecretRotator, options: { actor?: string } = {}): Promise<SecretVersionRef> {
    checkSecretName(name);
    if (rotator !== undefined && typeof rotator !== 'function') throw invalidInput('rotator must be a function returning the new value');
    checkKeys(METHOD_INPUTS.actorOnly, options, 'rotateSecret');
    return this.#write('secrets.rotated', name, options.actor, async () => {
      const current = await this.#backend.describe(name);
      const value = rotator ? checkValue(await rotator({ name, version: current.version, tags: current.tags }), 'the rotator result') : defaultRotator();
      const stored = await this.#backend.put(name, value, undefined);
      return {
        result: { name, version: stored.version },
        data: { previousVersion: current.version, version: stored.version, rotator: rotator ? 'custom' : 'default' },
      };
    });
  }

  /**
   * Rotate every secret whose current version is at least `rotationSchedule` old at `now`.
   * Without a schedule nothing is due. Every due secret is tried; if any failed, the error
   * thrown afterwards lists them (and those rotated) in its details.
   */
  async rotateDue(now: Date = new Date(), rotator?: SecretRotator, options: { actor?: string } = {}): Promise<SecretVersionRef[]> {
    if (rotator !== undefined && typeof rotator !== 'function') throw invalidInput('rotator must be a function returning the new value');
    checkKeys(METHOD_INPUTS.actorOnly, options, 'rotateDue');
    const schedule = this.rotationScheduleMs;
    if (schedule === null) return [];
    const due: string[] = [];
    for (const secret of await this.#backend.list()) {
      const createdAt = secret.createdAt ?? (await this.#backend.versions(secret.name)).find((v) => v.current)?.createdAt;
      if (createdAt !== undefined && now.getTime() - Date.parse(createdAt) >= schedule) due.push(secret.name);
    }
    const rotated: SecretVersionRef[] = [];
    const failed: Array<{ name: string; code: string }> = [];
    for (const name of due) {
      try {
        rotated.push(await this.rotateSecret(name, rotator, { actor: options.actor ?? 'system:rotation-schedule' }));
      } catch (err) {
        failed.push({ name, code: errorCode(err) });
      }
    }
    if (failed.length > 0) {
      const first = failed[0]!.code;
      throw new LangtrainError(
        isKnownCode(first) ? first : 'ERR_INTERNAL',
        `rotated ${rotated.length} due secret(s); ${failed.length} failed: ${failed.map((f) => `${f.name} (${f.code})`).join(', ')}`,
        { rotated, failed },
      );
    }
    return rotated;
  }

  /** Destroy every version's value; the name then reads as ERR_NOT_FOUND. */
  async deleteSecret(name: string, options: { actor?: string } = {}): Promise<void> {
    checkSecretName(name);
    checkKeys(METHOD_INPUTS.actorOnly, options, 'deleteSecret');
    await this.#write('secrets.deleted', name, options.actor, async () => {
      await this.#backend.delete(name);
      return { result: undefined, data: {} };
    });
  }

  async close(): Promise<void> {
    await this.#backend.close();
  }

  /** Writes are always audited, success or failure. */
  async #write<T>(eventType: string, name: string, actor: string | undefined, work: () => Promise<{ result: T; data: Record<string, JsonValue> }>): Promise<T> {
    let done: { result: T; data: Record<string, JsonValue> };
    try {
      done = await work();
    } catch (err) {
      await this.#record(eventType, actor, 'failure', { name, error: errorCode(err) });
      throw err;
    }
    await this.#record(eventType, actor, 'success', { name, ...done.data });
    return done.result;
  }

  /** Reads are audited only with accessLogging. */
  async #access(eventType: string, actor: string | undefined, result: string, data: Record<string, JsonValue>): Promise<void> {
    if (this.accessLogging) await this.#record(eventType, actor, result, data);
  }

  #record(eventType: string, actor: string | undefined, result: string, data: Record<string, JsonValue>): Promise<unknown> {
    // `basic`: a secret access is security-significant, and a `detailed` event would be
    // dropped by a log at auditLevel basic, silently undoing accessLogging.
    return this.#audit.record({ eventType, userId: actor ?? null, result, level: 'basic', additionalData: { provider: this.provider, ...data } });
  }
}

/** 32 random bytes from node:crypto, base64url: 256 bits, safe in URLs and config files. */
export function defaultRotator(): string {
  return randomBytes(32).toString('base64url');
}

function checkValue(value: unknown, what: string): string {
  // Messages describe the value's shape, never its content.
  if (typeof value !== 'string') throw invalidInput(`${what} must be a string`);
  if (value.length === 0) throw invalidInput(`${what} must not be empty`);
  if (/\p{Surrogate}/u.test(value)) throw invalidInput(`${what} is not well-formed UTF-16 (a lone surrogate would be stored altered)`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) throw invalidInput(`${what} has ${bytes} bytes; at most ${MAX_VALUE_BYTES}`);
  return value;
}

function errorCode(err: unknown): string {
  return isLangtrainError(err) ? err.code : 'ERR_UNEXPECTED';
}

function isKnownCode(code: string): code is LangtrainError['code'] {
  return code.startsWith('ERR_') && code !== 'ERR_UNEXPECTED';
}
