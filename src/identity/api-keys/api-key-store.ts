import type { AuditEventLevel, AuditSink, JsonValue } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import { parseRate } from '../../core/units.js';
import type { Store, WriteTx } from '../../store/database.js';
import type { RateDecision, RateLimiter } from '../rate-limit/rate-limiter.js';
import { API_KEY_ENVIRONMENTS, generateApiKey, hashApiKeySecret, parseApiKey, verifyApiKeySecret, type ApiKeyEnvironment } from './api-key-format.js';
import { parseApiKeyStoreOptions, type ApiKeyStoreOptions } from './api-key-options.js';
import { checkPermissionGrants, isPermissionRequest, permissionGranted } from '../../core/permissions.js';
import { openSuccessor, sealSuccessor } from './successor-seal.js';
import { checkKeys, clientKeys, createApiKeyKeys, verifyApiKeyKeys } from '../input-keys.js';
import { ROTATION_LEAD_MS, rotationLeadMs, sqlBool, statusAt, toApiKey, toApiKeyRow, type ApiKey, type ApiKeyStatus } from './api-key-record.js';

export type { ApiKeyStoreOptions } from './api-key-options.js';
export { rotationLeadMs, statusAt, type ApiKey, type ApiKeyStatus } from './api-key-record.js';

/** Why `verify` refused a key. `unknown` also covers a real id with a wrong secret (nothing to tell a guesser). */
export type ApiKeyRefusalReason = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'rotated_out' | 'forbidden' | 'rate_limited';
/** Why `claimSuccessor` refused. */
export type ApiKeyClaimRefusalReason = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'rotated_out' | 'no_successor' | 'already_claimed';

export interface ApiKeyListing extends ApiKey {
  status: ApiKeyStatus;
}

export interface CreateApiKeyInput {
  userId: string;
  /** Grants: `resource.action`, `resource.*` or `*`. */
  permissions: string[];
  /** Whole days from now, 1 to 3650. */
  expiryDays: number;
  autoRotate: boolean;
  /** E.g. `1000/hour` (parseRate); enforced by `verify` when the store has a rate limiter. */
  rateLimit?: string | null;
  environment: ApiKeyEnvironment;
  name?: string | null;
  /** Who asked, for the audit trail. */
  client?: ApiKeyClient;
}

/** Where a request came from, recorded with each event it causes. */
export interface ApiKeyClient {
  ip?: string | null;
  userAgent?: string | null;
}

export interface IssuedApiKey {
  /** The full key: show it once; it is not stored. */
  key: string;
  id: string;
  expiresAt: string;
}

/** The key's rate limit as it stands after this request (for `RateLimit-*` headers). */
export type ApiKeyRateState = RateDecision & { limit: number; windowMs: number };

export type ApiKeyVerification =
  | { ok: true; id: string; userId: string; permissions: string[]; rateLimit?: ApiKeyRateState }
  | { ok: false; reason: Exclude<ApiKeyRefusalReason, 'rate_limited'> }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number; rateLimit: ApiKeyRateState };

export interface ApiKeyStoreDeps {
  /** Migrated with `apiKeyMigrations` (domain `api_keys`). */
  store: Store;
  audit: AuditSink;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
  /** Enforces each key's `rateLimit` in `verify`; without it rate limits are stored but not enforced. */
  rateLimiter?: RateLimiter;
}

const TABLE = 'identity_api_keys';
const DAY = 86_400_000;
/** The longest an API key may live, in days. */
export const MAX_API_KEY_EXPIRY_DAYS = 3650;
const MAX_EXPIRY_DAYS = MAX_API_KEY_EXPIRY_DAYS;
const MAX_USER_ID = 256;
/** The longest an API key's name may be. */
export const MAX_API_KEY_NAME = 200;
const MAX_NAME = MAX_API_KEY_NAME;
const ID_SHAPE = /^[0-9A-Za-z]{12}$/;

/**
 * API keys for the seed's `auth_manager.create_api_key(user_id, permissions, expiry_days,
 * auto_rotate, rate_limit)`.
 *
 * ```ts
 * await migrate(store, 'api_keys', apiKeyMigrations);
 * const keys = new ApiKeyStore({ pepper, rotationGrace: '24h' }, { store, audit, rateLimiter });
 * const { key } = await keys.create({ userId: 'user123', permissions: ['models.inference'], expiryDays: 30, autoRotate: true, rateLimit: '1000/hour', environment: 'live' });
 * const v = await keys.verify(key, { permission: 'models.inference' }); // v.ok, or v.reason
 * ```
 *
 * - Keys are `lt_<env>_<id>_<secret>_<crc>` (api-key-format.ts). `verify` parses first, so
 *   junk and typos never reach the database; then one lookup by id and a constant-time
 *   comparison of HMAC-SHA256(pepper, secret) with the stored hash.
 * - Checks, in order: revoked, rotated out (past `graceUntil`), expired, permission
 *   (`*` and `resource.*` grants), then the key's rate (`rateLimiter.take('api-key:'+id)`), so
 *   refused requests never use up budget.
 * - `rotate(id)` issues a successor with the same user, permissions, rate and lifetime and
 *   returns it; the old key keeps working for `rotationGrace` (capped at its own expiry).
 * - `autoRotate`: `rotateDue()` (run it from a scheduler) issues successors for keys whose
 *   expiry is within min(7 days, 20% of their lifetime). Nobody is there to receive the
 *   successor, so its key is stored sealed (AES-256-GCM under an HKDF-derived key from the
 *   pepper, bound to its id; successor-seal.ts) until the holder presents the current key to
 *   `claimSuccessor`, which hands it out once and erases it. The old key keeps working until
 *   its own expiry, or until `rotationGrace` after the claim, whichever comes first.
 * - Every creation, rotation, revocation, claim and refusal is recorded (`auth.api_key_*`)
 *   with the key id and user id, never the key, its secret or its hash. Two refusals are
 *   kept out of `basic` logs: `malformed` is not recorded at all (it names nothing and costs
 *   no I/O, which is the point of parsing first) and `unknown` ids and `rate_limited`
 *   refusals are `detailed` events, so a client hammering the API cannot flood the
 *   security log. A wrong secret for a real id is a `basic` event (someone holds a real id).
 */
export class ApiKeyStore {
  readonly rotationGraceMs: number;
  readonly #pepper: Buffer;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;
  readonly #rateLimiter: RateLimiter | undefined;

  constructor(options: ApiKeyStoreOptions, deps: ApiKeyStoreDeps) {
    const settings = parseApiKeyStoreOptions(options);
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'ApiKeyStore needs an audit sink (deps.audit)');
    if (!deps.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'ApiKeyStore needs a store (deps.store)');
    if (deps.rateLimiter !== undefined && typeof deps.rateLimiter.take !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'deps.rateLimiter must be a RateLimiter');
    // A private copy: a caller zeroing or reusing its buffer must not change our keys.
    this.#pepper = Buffer.from(settings.pepper);
    this.rotationGraceMs = settings.rotationGrace;
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
    this.#rateLimiter = deps.rateLimiter;
  }

  /** Issue a key. The returned `key` is the only copy: show it once. */
  async create(input: CreateApiKeyInput): Promise<IssuedApiKey> {
    if (typeof input !== 'object' || input === null) throw invalidInput('create takes { userId, permissions, expiryDays, autoRotate, rateLimit?, environment, name?, client? }');
    checkKeys(createApiKeyKeys, input, 'ApiKeyStore.create');
    const userId = checkUserId(input.userId);
    const permissions = checkPermissionGrants(input.permissions);
    if (!Number.isSafeInteger(input.expiryDays) || input.expiryDays < 1 || input.expiryDays > MAX_EXPIRY_DAYS) {
      throw invalidInput(`expiryDays must be a whole number from 1 to ${MAX_EXPIRY_DAYS}`, { option: 'expiryDays' });
    }
    if (typeof input.autoRotate !== 'boolean') throw invalidInput('autoRotate must be true or false', { option: 'autoRotate' });
    const rateLimit = input.rateLimit ?? null;
    if (rateLimit !== null) parseRate(rateLimit, 'rateLimit'); // ERR_INVALID_UNIT, naming the value
    if (!API_KEY_ENVIRONMENTS.includes(input.environment)) throw invalidInput(`environment must be one of ${API_KEY_ENVIRONMENTS.join(', ')}`, { option: 'environment' });
    const name = input.name ?? null;
    if (name !== null && (typeof name !== 'string' || name.length > MAX_NAME)) throw invalidInput(`name must be a string of at most ${MAX_NAME} characters, or omitted`, { option: 'name' });

    const now = this.#clock();
    const generated = generateApiKey({ environment: input.environment });
    const record: ApiKey = {
      id: generated.id,
      userId,
      name,
      environment: input.environment,
      permissions,
      rateLimit,
      autoRotate: input.autoRotate,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.expiryDays * DAY).toISOString(),
      revokedAt: null,
      rotatedFrom: null,
      rotatedTo: null,
      graceUntil: null,
      successorPending: false,
    };
    const row = this.#toRow(record, hashApiKeySecret(this.#pepper, generated.secret), null);
    await this.#store.writeTransaction('api_keys:create', (tx) => tx.insertInto(TABLE).values(row).execute());
    await this.#record('auth.api_key_created', 'success', userId, {
      keyId: record.id,
      environment: record.environment,
      name,
      permissions,
      rateLimit,
      autoRotate: record.autoRotate,
      expiresAt: record.expiresAt,
    }, input.client);
    return { key: generated.key, id: record.id, expiresAt: record.expiresAt };
  }

  /** Whether `key` may be used now (for `permission`, if given). Never throws for a bad key. */
  async verify(key: string, options: { permission?: string; client?: ApiKeyClient } = {}): Promise<ApiKeyVerification> {
    checkKeys(verifyApiKeyKeys, options, 'ApiKeyStore.verify');
    const { permission, client } = options ?? {};
    if (permission !== undefined && !isPermissionRequest(permission)) throw invalidInput(`permission to check must be a concrete 'resource.action'`, { option: 'permission' });
    const found = await this.#authenticate(key, 'auth.api_key_refused', client);
    if (!found.ok) return { ok: false, reason: found.reason };
    const { apiKey } = found;
    const now = this.#clock();
    const status = statusAt(apiKey, now);
    if (status !== 'active' && status !== 'rotating') return this.#refuse(apiKey, status, {}, client);
    if (permission !== undefined && !permissionGranted(apiKey.permissions, permission)) return this.#refuse(apiKey, 'forbidden', { permission }, client);
    let decision: ApiKeyRateState | undefined;
    if (this.#rateLimiter && apiKey.rateLimit !== null) {
      const rate = parseRate(apiKey.rateLimit, 'rateLimit');
      decision = { ...(await this.#rateLimiter.take(`api-key:${apiKey.id}`, rate)), limit: rate.limit, windowMs: rate.windowMs };
      if (!decision.allowed) {
        await this.#record('auth.api_key_refused', 'denied', apiKey.userId, { keyId: apiKey.id, reason: 'rate_limited', rateLimit: apiKey.rateLimit, retryAfterMs: decision.retryAfterMs }, client, 'detailed');
        return { ok: false, reason: 'rate_limited', retryAfterMs: decision.retryAfterMs, rateLimit: decision };
      }
    }
    return { ok: true, id: apiKey.id, userId: apiKey.userId, permissions: apiKey.permissions, ...(decision ? { rateLimit: decision } : {}) };
  }

  /** Issue a successor to key `id` now and return it; `id` keeps working for `rotationGrace`. */
  async rotate(id: string, client?: ApiKeyClient): Promise<IssuedApiKey> {
    checkId(id);
    checkKeys(clientKeys, client, 'ApiKeyStore.rotate client');
    const now = this.#clock();
    const outcome = await this.#store.writeTransaction('api_keys:rotate', async (tx) => {
      const row = await tx.selectFrom(TABLE).selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return { error: 'missing' as const };
      const current = toApiKey(row);
      const status = statusAt(current, now);
      if (status !== 'active') return { error: status };
      const graceUntil = new Date(Math.min(now.getTime() + this.rotationGraceMs, Date.parse(current.expiresAt))).toISOString();
      return { current, issued: await this.#issueSuccessor(tx, current, now, graceUntil, false) };
    });
    if ('error' in outcome) {
      if (outcome.error === 'missing') throw new LangtrainError('ERR_NOT_FOUND', `there is no api key ${id}`);
      throw new LangtrainError('ERR_API_KEY_INACTIVE', `api key ${id} is ${outcome.error}; only an active key can be rotated`, { status: outcome.error });
    }
    await this.#recordRotated(outcome.current, outcome.issued, 'manual', client);
    return outcome.issued;
  }

  /**
   * Issue sealed successors for auto-rotating keys due for rotation at `now`: expiring within
   * min(7 days, 20% of their lifetime), not revoked, not already rotated. Returns the pairs.
   */
  async rotateDue(now: Date = this.#clock()): Promise<Array<{ id: string; successorId: string; expiresAt: string }>> {
    const t = now.getTime();
    const nowIso = now.toISOString();
    const rows = await this.#store.db
      .selectFrom(TABLE)
      .selectAll()
      .where('auto_rotate', '=', this.#bool(true))
      .where('revoked_at', 'is', null)
      .where('rotated_to', 'is', null)
      .where('expires_at', '>', nowIso)
      .where('expires_at', '<=', new Date(t + ROTATION_LEAD_MS).toISOString())
      .execute();
    const due = rows.map(toApiKey).filter((k) => t >= Date.parse(k.expiresAt) - rotationLeadMs(k));
    const rotated: Array<{ id: string; successorId: string; expiresAt: string }> = [];
    for (const candidate of due) {
      const outcome = await this.#store.writeTransaction('api_keys:rotate', async (tx) => {
        // Re-read under the lock: another instance's scheduler may have rotated it meanwhile.
        const row = await tx.selectFrom(TABLE).selectAll().where('id', '=', candidate.id).executeTakeFirst();
        const current = row ? toApiKey(row) : null;
        if (!current || statusAt(current, now) !== 'active') return null;
        // Until the successor is claimed, the old key lives out its own term.
        return { current, issued: await this.#issueSuccessor(tx, current, now, current.expiresAt, true) };
      });
      if (!outcome) continue;
      await this.#recordRotated(outcome.current, outcome.issued, 'auto');
      rotated.push({ id: candidate.id, successorId: outcome.issued.id, expiresAt: outcome.issued.expiresAt });
    }
    return rotated;
  }

  /**
   * The auto-rotated successor of `currentKey`, handed out once: its sealed copy is erased in
   * the same transaction. From then on the current key works for at most `rotationGrace`.
   * ERR_API_KEY_CLAIM_REFUSED (details.reason) otherwise.
   */
  async claimSuccessor(currentKey: string, client?: ApiKeyClient): Promise<{ key: string; id: string; expiresAt: string }> {
    checkKeys(clientKeys, client, 'ApiKeyStore.claimSuccessor client');
    const found = await this.#authenticate(currentKey, 'auth.api_key_claim_refused', client);
    if (!found.ok) throw claimRefused(found.reason);
    const current = found.apiKey;
    const now = this.#clock();
    const status = statusAt(current, now);
    if (status !== 'active' && status !== 'rotating') return this.#refuseClaim(current, status, client);
    if (current.rotatedTo === null) return this.#refuseClaim(current, 'no_successor', client);
    const successorId = current.rotatedTo;
    const graceUntil = new Date(Math.min(now.getTime() + this.rotationGraceMs, Date.parse(current.expiresAt))).toISOString();
    const claimed = await this.#store.writeTransaction('api_keys:rotate', async (tx) => {
      const row = await tx.selectFrom(TABLE).select(['sealed_key', 'expires_at']).where('id', '=', successorId).where('revoked_at', 'is', null).executeTakeFirst();
      if (!row || row.sealed_key == null) return null;
      // Conditional on the sealed copy still being there: of two concurrent claims, one wins.
      const taken = await tx.updateTable(TABLE).set({ sealed_key: null }).where('id', '=', successorId).where('sealed_key', 'is not', null).executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) return null;
      await tx.updateTable(TABLE).set({ grace_until: graceUntil }).where('id', '=', current.id).execute();
      return { sealed: String(row.sealed_key), expiresAt: String(row.expires_at) };
    });
    if (!claimed) return this.#refuseClaim(current, 'already_claimed', client);
    const key = openSuccessor(this.#pepper, successorId, claimed.sealed);
    await this.#record('auth.api_key_successor_claimed', 'success', current.userId, { keyId: current.id, successorId, graceUntil }, client);
    await this.#store.scrubDeleted(); // the sealed copy's bytes too: with the files and the KEK it was a working key
    return { key, id: successorId, expiresAt: claimed.expiresAt };
  }

  /**
   * Revoke key `id`, and its auto-rotated successor if still unclaimed (nobody holds that one
   * yet, and revocation usually means the current key leaked). False when not found or already revoked.
   */
  async revoke(id: string, client?: ApiKeyClient): Promise<boolean> {
    checkId(id);
    checkKeys(clientKeys, client, 'ApiKeyStore.revoke client');
    const nowIso = this.#clock().toISOString();
    const revoked = await this.#store.writeTransaction('api_keys:rotate', async (tx) => {
      const rows = await tx.updateTable(TABLE).set({ revoked_at: nowIso, sealed_key: null }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().execute();
      const first = rows[0] ? toApiKey(rows[0]) : null;
      if (first?.rotatedTo) {
        const successors = await tx
          .updateTable(TABLE)
          .set({ revoked_at: nowIso, sealed_key: null })
          .where('id', '=', first.rotatedTo)
          .where('revoked_at', 'is', null)
          .where('sealed_key', 'is not', null)
          .returningAll()
          .execute();
        rows.push(...successors);
      }
      return rows.map(toApiKey);
    });
    for (const k of revoked) await this.#record('auth.api_key_revoked', 'success', k.userId, { keyId: k.id, reason: k.id === id ? 'revoked' : 'predecessor_revoked' }, client);
    if (revoked.length > 0) await this.#store.scrubDeleted(); // an unclaimed successor's sealed copy, erased above
    return revoked.length > 0;
  }

  /** Every key of `userId`, oldest first, with its status now. No secrets, no hashes. */
  async list(userId: string): Promise<ApiKeyListing[]> {
    checkUserId(userId);
    const now = this.#clock();
    const rows = await this.#store.db.selectFrom(TABLE).selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toApiKey).map((k) => ({ ...k, status: statusAt(k, now) }));
  }

  /** Parse, look up and compare. Malformed: nothing recorded; unknown id: a `detailed` event. */
  async #authenticate(key: string, refusalEvent: string, client: ApiKeyClient | undefined): Promise<{ ok: true; apiKey: ApiKey } | { ok: false; reason: 'malformed' | 'unknown' }> {
    const parsed = parseApiKey(key);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const row = await this.#store.db.selectFrom(TABLE).selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (!row) {
      await this.#record(refusalEvent, 'denied', null, { keyId: parsed.id, reason: 'unknown' }, client, 'detailed');
      return { ok: false, reason: 'unknown' };
    }
    const apiKey = toApiKey(row);
    if (apiKey.environment !== parsed.environment || !verifyApiKeySecret(this.#pepper, parsed.secret, String(row.secret_hash))) {
      await this.#record(refusalEvent, 'denied', apiKey.userId, { keyId: apiKey.id, reason: 'unknown', detail: 'secret_mismatch' }, client);
      return { ok: false, reason: 'unknown' };
    }
    return { ok: true, apiKey };
  }

  async #refuse(apiKey: ApiKey, reason: Exclude<ApiKeyRefusalReason, 'rate_limited'>, data: Record<string, JsonValue>, client: ApiKeyClient | undefined): Promise<ApiKeyVerification> {
    await this.#record('auth.api_key_refused', 'denied', apiKey.userId, { keyId: apiKey.id, reason, ...data }, client);
    return { ok: false, reason };
  }

  async #refuseClaim(apiKey: ApiKey, reason: ApiKeyClaimRefusalReason, client: ApiKeyClient | undefined): Promise<never> {
    await this.#record('auth.api_key_claim_refused', 'denied', apiKey.userId, { keyId: apiKey.id, reason }, client);
    throw claimRefused(reason);
  }

  /** Insert a successor of `current` and point `current` at it; inside a write transaction. */
  async #issueSuccessor(tx: WriteTx, current: ApiKey, now: Date, graceUntil: string, sealed: boolean): Promise<IssuedApiKey> {
    const generated = generateApiKey({ environment: current.environment });
    const lifetime = Date.parse(current.expiresAt) - Date.parse(current.createdAt);
    const successor: ApiKey = {
      ...current,
      id: generated.id,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + lifetime).toISOString(),
      revokedAt: null,
      rotatedFrom: current.id,
      rotatedTo: null,
      graceUntil: null,
      successorPending: false,
    };
    const sealedKey = sealed ? sealSuccessor(this.#pepper, generated.id, generated.key) : null;
    await tx.insertInto(TABLE).values(this.#toRow(successor, hashApiKeySecret(this.#pepper, generated.secret), sealedKey)).execute();
    await tx.updateTable(TABLE).set({ rotated_to: generated.id, grace_until: graceUntil }).where('id', '=', current.id).where('rotated_to', 'is', null).execute();
    return { key: generated.key, id: generated.id, expiresAt: successor.expiresAt };
  }

  #recordRotated(current: ApiKey, issued: IssuedApiKey, trigger: 'manual' | 'auto', client?: ApiKeyClient): Promise<unknown> {
    return this.#record('auth.api_key_rotated', 'success', current.userId, { keyId: current.id, successorId: issued.id, trigger, successorExpiresAt: issued.expiresAt }, client);
  }

  /** The only way events leave this class: ids, reasons and times, never a key, secret or hash. */
  #record(eventType: string, result: string, userId: string | null, data: Record<string, JsonValue>, client: ApiKeyClient | undefined, level: AuditEventLevel = 'basic'): Promise<unknown> {
    const where: Record<string, JsonValue> = client ? { ip: client.ip ?? null, userAgent: client.userAgent?.slice(0, 512) ?? null } : {};
    return this.#audit.record({ eventType, userId, timestamp: this.#clock(), result, level, additionalData: { ...data, ...where } });
  }

  #bool(value: boolean): boolean | number {
    return sqlBool(this.#store.dialect, value);
  }

  #toRow(k: ApiKey, secretHash: string, sealedKey: string | null): Record<string, unknown> {
    return toApiKeyRow(k, secretHash, sealedKey, this.#store.dialect);
  }
}

function claimRefused(reason: ApiKeyClaimRefusalReason): LangtrainError {
  return new LangtrainError('ERR_API_KEY_CLAIM_REFUSED', `no successor key to hand out: ${reason.replace('_', ' ')}`, { reason });
}

function checkId(id: unknown): void {
  if (typeof id !== 'string' || !ID_SHAPE.test(id)) throw invalidInput('api key id must be 12 base62 characters, as create and list return it', { option: 'id' });
}

function checkUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID) {
    throw invalidInput(`userId must be a non-empty string of at most ${MAX_USER_ID} characters`, { option: 'userId' });
  }
  return userId;
}
