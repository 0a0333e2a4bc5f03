import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput, type ErrorCode } from '../../core/errors.js';
import type { Store, WriteTx } from '../../store/database.js';
import type { RedisConnection } from '../../store/redis.js';
import { parseSessionStoreOptions, type SessionLimitPolicy, type SessionStoreOptions } from './session-options.js';
import { checkKeys, createSessionKeys } from '../input-keys.js';
import { SESSION_ID_SHAPE, digestsMatch, mintSessionToken, parseSessionToken, sessionTokenDigest } from './session-token.js';

export type { SessionStoreOptions } from './session-options.js';

/** Raised by `create` when the user already holds `concurrentSessions` live sessions and the policy is `refuse_new`. */
export const ERR_SESSION_LIMIT: ErrorCode = 'ERR_SESSION_LIMIT';

/** One sign-in as stored. Never holds the token or its digest. */
export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  /** Last request seen, to within the touch interval (see `SessionStore`). */
  lastSeenAt: string;
  /** The absolute end: `createdAt + sessionTimeout`. */
  expiresAt: string;
  revokedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Whether the sign-in passed a second factor. */
  mfa: boolean;
}

export interface ValidatedSession {
  session: Session;
  /** When the session ends if no further request comes: the earlier of the absolute and the idle end. */
  expiresAt: string;
}

export interface CreateSessionInput {
  userId: string;
  ip?: string | null;
  /** Kept to its first 512 characters: a client chooses it, and a long one is no reason to refuse a sign-in. */
  userAgent?: string | null;
  mfa: boolean;
}

export interface SessionStoreDeps {
  /** Migrated with `sessionMigrations` (domain `sessions`). */
  store: Store;
  audit: AuditSink;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
  /** Shares revocations between server instances at once (see `SessionStore`). */
  redis?: RedisConnection;
  /** 32-byte HMAC key for `csrfToken`; without it the store has no CSRF tokens. */
  csrfKey?: Buffer;
}

type EndReason = 'absolute' | 'idle';
type RevokeReason = 'revoked' | 'revoked_all' | 'session_limit';

const TABLE = 'identity_sessions';
const MAX_USER_ID = 256;
const MAX_IP = 100;
const MAX_USER_AGENT = 512;
/** The most a `last_seen_at` write is deferred. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/**
 * Server-side sessions for the seed's `AuthenticationManager(session_timeout="8h",
 * concurrent_sessions=1, idle_timeout="30m")`, modelled on Keycloak's SSO Session Max /
 * SSO Session Idle and its user session count limiter.
 *
 * ```ts
 * await migrate(store, 'sessions', sessionMigrations);
 * const sessions = new SessionStore({ sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: 1 }, { store, audit, redis });
 * const { token } = await sessions.create({ userId: 'alice', ip, userAgent, mfa: true });
 * const current = await sessions.validate(token); // null: refuse the request
 * ```
 *
 * - Tokens are `lts_<id>_<secret>` with a 256-bit secret; only its SHA-256 is stored
 *   (session-token.ts). `validate` reads the row by id and compares digests in constant time.
 * - A session ends at `createdAt + sessionTimeout` whatever its activity, and
 *   `idleTimeout` after its last request. An ended session is deleted and recorded
 *   (`auth.session_expired`) when it is next met, by `validate` or by `create` for its user.
 * - `last_seen_at` is written at most once per touch interval (the smaller of one minute
 *   and a tenth of `idleTimeout`), so a busy client costs one write a minute rather than one
 *   per request. The idle timeout may therefore end a session up to that interval early,
 *   never late.
 * - `concurrentSessions` counts live sessions (not revoked, not ended), checked and
 *   enforced inside the store's write transaction under a per-user lock, so concurrent
 *   sign-ins of one user cannot both take the last place. At the limit, `onLimit` decides:
 *   `refuse_new` (ERR_SESSION_LIMIT) or `end_oldest` (the oldest are revoked).
 * - With `redis`, each revocation also sets `sessions:revoked:<id>` (under the connection's
 *   prefix) with a TTL of the session's remaining absolute lifetime, and `validate`
 *   checks it before the database. Every instance then refuses a revoked session at once,
 *   even one answering from a cache or a lagging replica; after the TTL the session would
 *   have ended anyway. Redis unreachable: `validate` fails with ERR_STORE_UNAVAILABLE rather
 *   than accept a session it could not check; `revoke` has already revoked in the database
 *   and reports the failure.
 * - Every creation, refusal, revocation, expiry and wrong secret for a known id is
 *   recorded in the audit sink (`auth.session_*`) with the user id, session id, IP and user
 *   agent — never the token, its secret or its digest. Malformed tokens and unknown ids
 *   are not recorded: they name nobody, and rate limiting is the defence against guessing.
 */
export class SessionStore {
  readonly sessionTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly concurrentSessions: number | null;
  readonly onLimit: SessionLimitPolicy;
  readonly touchIntervalMs: number;
  #revision = 0;

  /** Counts the revocations and ends this instance made: what cached validations are checked against (RecentCredentials). */
  get revision(): number {
    return this.#revision;
  }
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;
  readonly #redis: RedisConnection | undefined;
  readonly #csrfKey: Buffer | undefined;

  constructor(options: SessionStoreOptions = {}, deps: SessionStoreDeps) {
    const settings = parseSessionStoreOptions(options);
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'SessionStore needs an audit sink (deps.audit)');
    if (!deps.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'SessionStore needs a store (deps.store)');
    this.sessionTimeoutMs = settings.sessionTimeout;
    this.idleTimeoutMs = settings.idleTimeout;
    this.concurrentSessions = settings.concurrentSessions;
    this.onLimit = settings.onLimit;
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, Math.floor(settings.idleTimeout / 10));
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
    this.#redis = deps.redis;
    if (deps.csrfKey !== undefined && (!Buffer.isBuffer(deps.csrfKey) || deps.csrfKey.length !== 32)) throw new LangtrainError('ERR_CONFIG_INVALID', 'SessionStore: deps.csrfKey must be a 32-byte key');
    this.#csrfKey = deps.csrfKey === undefined ? undefined : Buffer.from(deps.csrfKey);
  }

  /**
   * The session's CSRF token: HMAC-SHA256(csrfKey, session id), so it needs no storage, is
   * the same on every instance, and dies with the session (OWASP's HMAC-based synchronizer
   * token). A browser client sends it back in `X-CSRF-Token` on every cookie-authenticated write.
   */
  csrfToken(sessionId: string): string {
    if (this.#csrfKey === undefined) throw new LangtrainError('ERR_CONFIG_INVALID', 'SessionStore was built without deps.csrfKey');
    return createHmac('sha256', this.#csrfKey).update(`csrf:${sessionId}`).digest('base64url');
  }

  /** Whether `presented` is the session's CSRF token (constant-time). */
  csrfTokenMatches(sessionId: string, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(sessionId));
    // Compared as bytes: a 43-character header holding a multi-byte character is longer in bytes.
    const given = Buffer.from(presented, 'utf8');
    return given.length === expected.length && timingSafeEqual(expected, given);
  }

  /**
   * Start a session for `userId`. Returns the token — shown to the client once, never
   * stored — and the session. ERR_SESSION_LIMIT when the user is at the limit under
   * `refuse_new`.
   */
  async create(input: CreateSessionInput): Promise<{ token: string; session: Session }> {
    if (typeof input !== 'object' || input === null) throw invalidInput('create takes { userId, ip?, userAgent?, mfa }');
    checkKeys(createSessionKeys, input, 'SessionStore.create');
    const userId = checkUserId(input.userId);
    const ip = optionalText(input.ip, 'ip', MAX_IP);
    const userAgent = optionalText(input.userAgent, 'userAgent', Number.MAX_SAFE_INTEGER)?.slice(0, MAX_USER_AGENT) ?? null;
    if (typeof input.mfa !== 'boolean') throw invalidInput('mfa must be true or false: whether the sign-in passed a second factor');

    const now = this.#clock();
    const nowIso = now.toISOString();
    const minted = mintSessionToken();
    const session: Session = {
      id: minted.id,
      userId,
      createdAt: nowIso,
      lastSeenAt: nowIso,
      expiresAt: new Date(now.getTime() + this.sessionTimeoutMs).toISOString(),
      revokedAt: null,
      ip,
      userAgent,
      mfa: input.mfa,
    };

    const outcome = await this.#store.writeTransaction(userLock(userId), async (tx) => {
      const open = (await tx.selectFrom(TABLE).selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute()).map(toSession);
      const expired: Array<{ session: Session; reason: EndReason }> = [];
      const live: Session[] = [];
      for (const s of open) {
        const reason = this.#endReason(s, now);
        if (reason) expired.push({ session: s, reason });
        else live.push(s);
      }
      if (expired.length > 0) await tx.deleteFrom(TABLE).where('id', 'in', expired.map((e) => e.session.id)).execute();
      // Revoked rows past their absolute end serve nothing any more (their revocation is in the audit log).
      await tx.deleteFrom(TABLE).where('user_id', '=', userId).where('revoked_at', 'is not', null).where('expires_at', '<=', nowIso).execute();

      let ended: Session[] = [];
      const limit = this.concurrentSessions;
      if (limit !== null && live.length >= limit) {
        if (this.onLimit === 'refuse_new') return { refused: true as const, expired, ended, live: live.length };
        ended = live.slice(0, live.length - limit + 1).map((s) => ({ ...s, revokedAt: nowIso }));
        await tx.updateTable(TABLE).set({ revoked_at: nowIso }).where('id', 'in', ended.map((s) => s.id)).execute();
      }
      await tx.insertInto(TABLE).values(toRow(session, minted.digest, this.#store.dialect)).execute();
      return { refused: false as const, expired, ended, live: live.length };
    });
    if (outcome.ended.length > 0) this.#revision += 1;

    // Audit after commit: the audit log may live in the same database, whose writer lock
    // this transaction held.
    for (const e of outcome.expired) await this.#recordExpired(e.session, e.reason);
    if (outcome.refused) {
      await this.#record('auth.session_refused', 'denied', { userId, ip, userAgent }, { reason: 'session_limit', limit: this.concurrentSessions, live: outcome.live, mfa: input.mfa });
      throw new LangtrainError(ERR_SESSION_LIMIT, `user already has ${outcome.live} live session(s), the most allowed (concurrentSessions: ${this.concurrentSessions}); sign out elsewhere first`, {
        limit: this.concurrentSessions,
        live: outcome.live,
      });
    }
    try {
      await this.#publishRevoked(outcome.ended, now);
      for (const s of outcome.ended) await this.#recordRevoked(s, 'session_limit');
      await this.#record('auth.session_created', 'success', session, { sessionId: session.id, mfa: session.mfa, expiresAt: session.expiresAt });
    } catch (err) {
      // The caller never gets the token, so the session must not hold a place in the limit.
      await this.#store
        .writeTransaction(userLock(userId), (tx) => tx.deleteFrom(TABLE).where('id', '=', session.id).execute())
        .catch(() => undefined);
      throw err;
    }
    return { token: minted.token, session };
  }

  /**
   * The session `token` names, if it is genuine, not revoked and not ended; otherwise null.
   * Refreshes the session's activity (at most once per touch interval).
   */
  async validate(token: string): Promise<ValidatedSession | null> {
    const parsed = parseSessionToken(token);
    if (!parsed) return null;
    if (this.#redis && (await this.#revokedInRedis(parsed.id))) return null;
    const row = await this.#store.db.selectFrom(TABLE).selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (!row) return null;
    const session = toSession(row);
    if (!digestsMatch(String(row.digest), sessionTokenDigest(parsed.token))) {
      // Someone holds a real session id with a wrong secret: worth a trace, the id names a user.
      await this.#record('auth.session_rejected', 'failure', session, { sessionId: session.id, reason: 'secret_mismatch' });
      return null;
    }
    if (session.revokedAt !== null) return null;
    const now = this.#clock();
    const reason = this.#endReason(session, now);
    if (reason) {
      await this.#end(session, reason);
      return null;
    }
    if (now.getTime() - Date.parse(session.lastSeenAt) >= this.touchIntervalMs) {
      const nowIso = now.toISOString();
      const touched = await this.#store.writeTransaction(userLock(session.userId), (tx) =>
        tx.updateTable(TABLE).set({ last_seen_at: nowIso }).where('id', '=', session.id).where('revoked_at', 'is', null).executeTakeFirst(),
      );
      if (Number(touched.numUpdatedRows) === 0) return null; // revoked or ended meanwhile
      session.lastSeenAt = nowIso;
    }
    const idleEnd = Date.parse(session.lastSeenAt) + this.idleTimeoutMs;
    return { session, expiresAt: new Date(Math.min(idleEnd, Date.parse(session.expiresAt))).toISOString() };
  }

  /** Revoke one session (sign-out). False when there is no such live session. */
  async revoke(id: string): Promise<boolean> {
    if (typeof id !== 'string' || !SESSION_ID_SHAPE.test(id)) throw invalidInput('revoke takes a session id (32 hex characters) as create and list return it');
    const now = this.#clock();
    const revoked = await this.#store.writeTransaction('sessions:revoke', (tx) => revokeWhere(tx, now, { id }));
    this.#revision += 1;
    await this.#publishRevoked(revoked, now);
    for (const s of revoked) await this.#recordRevoked(s, 'revoked');
    return revoked.length > 0;
  }

  /** Revoke every session of `userId` (password change, account lock). Returns how many. */
  async revokeAllForUser(userId: string): Promise<number> {
    checkUserId(userId);
    const now = this.#clock();
    const revoked = await this.#store.writeTransaction(userLock(userId), (tx) => revokeWhere(tx, now, { userId }));
    this.#revision += 1;
    await this.#publishRevoked(revoked, now);
    for (const s of revoked) await this.#recordRevoked(s, 'revoked_all');
    return revoked.length;
  }

  /** The live sessions of `userId`, oldest first. */
  async list(userId: string): Promise<Session[]> {
    checkUserId(userId);
    const now = this.#clock();
    const rows = await this.#store.db.selectFrom(TABLE).selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute();
    return rows.map(toSession).filter((s) => this.#endReason(s, now) === null);
  }

  #endReason(session: Session, now: Date): EndReason | null {
    const t = now.getTime();
    if (t >= Date.parse(session.expiresAt)) return 'absolute';
    if (t >= Date.parse(session.lastSeenAt) + this.idleTimeoutMs) return 'idle';
    return null;
  }

  /** Delete an ended session; recorded once, by whichever caller deleted it. */
  async #end(session: Session, reason: EndReason): Promise<void> {
    const deleted = await this.#store.writeTransaction(userLock(session.userId), (tx) =>
      tx.deleteFrom(TABLE).where('id', '=', session.id).where('revoked_at', 'is', null).executeTakeFirst(),
    );
    this.#revision += 1;
    if (Number(deleted.numDeletedRows) > 0) await this.#recordExpired(session, reason);
  }

  async #publishRevoked(sessions: readonly Session[], now: Date): Promise<void> {
    if (!this.#redis || sessions.length === 0) return;
    const pipeline = this.#redis.client.pipeline();
    let queued = 0;
    for (const s of sessions) {
      const remaining = Date.parse(s.expiresAt) - now.getTime();
      if (remaining <= 0) continue; // ended anyway
      pipeline.set(revokedKey(s.id), '1', 'PX', remaining);
      queued += 1;
    }
    if (queued === 0) return;
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw redisUnavailable('publish a session revocation', err);
    }
    const failed = results?.find(([err]) => err !== null);
    if (!results || failed) throw redisUnavailable('publish a session revocation', failed?.[0]);
  }

  /**
   * Whether another instance has published the revocation of session `id` (with Redis; without
   * it, always false). What a cached validation still asks on each request, so a sign-out on
   * one instance is refused by every other at once.
   */
  async revokedElsewhere(id: string): Promise<boolean> {
    return this.#redis !== undefined && this.#revokedInRedis(id);
  }

  async #revokedInRedis(id: string): Promise<boolean> {
    try {
      return (await this.#redis!.client.exists(revokedKey(id))) > 0;
    } catch (err) {
      throw redisUnavailable('check session revocation', err);
    }
  }

  #recordExpired(session: Session, reason: EndReason): Promise<unknown> {
    return this.#record('auth.session_expired', 'success', session, { sessionId: session.id, reason, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt });
  }

  #recordRevoked(session: Session, reason: RevokeReason): Promise<unknown> {
    return this.#record('auth.session_revoked', 'success', session, { sessionId: session.id, reason, createdAt: session.createdAt });
  }

  /** The only way events leave this class: ids, addresses and times, never a token, secret or digest. */
  #record(eventType: string, result: string, who: { userId: string; ip: string | null; userAgent: string | null }, data: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({
      eventType,
      userId: who.userId,
      timestamp: this.#clock(),
      result,
      level: 'basic',
      additionalData: { ...data, ip: who.ip, userAgent: who.userAgent },
    });
  }
}

/** Mark the live sessions `filter` selects revoked; returns them as revoked. */
async function revokeWhere(tx: WriteTx, now: Date, which: { id: string } | { userId: string }): Promise<Session[]> {
  const [column, value] = 'id' in which ? ['id', which.id] : ['user_id', which.userId];
  const rows = await tx.updateTable(TABLE).set({ revoked_at: now.toISOString() }).where('revoked_at', 'is', null).where(column, '=', value).returningAll().execute();
  return rows.map(toSession);
}

/** PostgreSQL advisory lock per user: sign-ins of different users do not queue behind each other. */
function userLock(userId: string): string {
  return `sessions:${userId}`;
}

function revokedKey(id: string): string {
  return `sessions:revoked:${id}`;
}

function redisUnavailable(what: string, err: unknown): LangtrainError {
  return new LangtrainError('ERR_STORE_UNAVAILABLE', `cannot ${what} in Redis: ${(err as Error | undefined)?.message ?? 'no reply'}`, {}, { cause: err });
}

function toRow(session: Session, digest: string, dialect: Store['dialect']): Record<string, unknown> {
  return {
    id: session.id,
    digest,
    user_id: session.userId,
    created_at: session.createdAt,
    last_seen_at: session.lastSeenAt,
    expires_at: session.expiresAt,
    revoked_at: session.revokedAt,
    ip: session.ip,
    user_agent: session.userAgent,
    // better-sqlite3 binds no booleans; the SQLite column is INTEGER 0/1.
    mfa: dialect === 'sqlite' ? Number(session.mfa) : session.mfa,
  };
}

function toSession(row: Record<string, unknown>): Session {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    createdAt: String(row.created_at),
    lastSeenAt: String(row.last_seen_at),
    expiresAt: String(row.expires_at),
    revokedAt: row.revoked_at == null ? null : String(row.revoked_at),
    ip: row.ip == null ? null : String(row.ip),
    userAgent: row.user_agent == null ? null : String(row.user_agent),
    mfa: Boolean(row.mfa),
  };
}

function checkUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID) {
    throw invalidInput(`userId must be a non-empty string of at most ${MAX_USER_ID} characters`);
  }
  return userId;
}

function optionalText(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw invalidInput(`${name} must be a string of at most ${max} characters, or omitted`);
  return value;
}
