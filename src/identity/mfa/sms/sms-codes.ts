import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AuditSink, JsonValue } from '../../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../../core/errors.js';
import { durationField, parseOptions } from '../../../core/options.js';
import { parseDuration, parseRate, type Rate } from '../../../core/units.js';
import type { Store } from '../../../store/database.js';
import type { Migration } from '../../../store/migrations.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { E164, maskPhone, type SmsSender } from './sms-sender.js';

const CHALLENGES = 'identity_sms_challenges';
const MAX_USER_ID = 256;

/**
 * The `sms_codes` domain's table. `identity_sms_challenges`: one row per code sent.
 * `digest` is hex SHA-256 of `userId:challengeId:code` (never the code); `phone_hint` the
 * masked number (last two digits); times ISO 8601 UTC strings; `attempts` counts checks;
 * `used_at` is set once the code is accepted.
 */
export const smsCodeMigrations: Migration[] = [
  {
    id: '0001_identity_sms_challenges',
    async up(tx) {
      await sql`CREATE TABLE identity_sms_challenges (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        phone_hint TEXT NOT NULL,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        used_at TEXT
      )`.execute(tx);
      await sql`CREATE INDEX identity_sms_challenges_expiry ON identity_sms_challenges (expires_at)`.execute(tx);
    },
  },
];

/** "3/10m" (count per duration) as well as parseRate's "3/minute". */
function parseSendRate(text: string): Rate {
  const m = /^(\d+)\s*\/\s*(\d+[a-z]+)$/.exec(String(text).trim());
  if (!m) return parseRate(text, 'sendRate');
  const limit = Number(m[1]);
  if (limit === 0) return parseRate(text, 'sendRate');
  return { limit, windowMs: parseDuration(m[2]!, 'sendRate') };
}

const optionsSchema = z.strictObject({
  /** Digits per code (4 to 10). */
  length: z.number().int().min(4).max(10).default(6),
  /** How long a code is accepted after it is sent. */
  ttl: durationField('ttl').prefault('5m'),
  /** Checks allowed per code; after that even the right code is refused. */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** Codes sent per user and number: "3/10m", "5/hour". */
  sendRate: z.string().transform((value, ctx): Rate => {
    try {
      return parseSendRate(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).prefault('3/10m'),
  /** Product name in the message text. */
  issuer: z.string().trim().min(1).max(32).regex(/^[\p{L}\p{N} ._-]+$/u, 'letters, digits, spaces, . _ -').default('LangTrain'),
});

export type SmsCodesOptions = z.input<typeof optionsSchema>;
export type SmsCodesSettings = z.output<typeof optionsSchema>;

export interface SmsCodesDeps {
  /** Migrated with `smsCodeMigrations` (domain `sms_codes`). */
  store: Store;
  audit: AuditSink;
  sender: SmsSender;
  rateLimiter: RateLimiter;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
}

export type SmsSendResult = { ok: true; challengeId: string; expiresAt: Date } | { ok: false; reason: 'rate_limited'; retryAfterMs: number };

/**
 * `ok` carries the user the code was sent for: the caller must check it is the user signing
 * in. `invalid` covers a wrong code, an unknown challenge and an already used one.
 */
export type SmsVerifyResult = { ok: true; userId: string } | { ok: false; reason: 'expired' | 'too_many_attempts' | 'invalid' };

/**
 * SMS one-time codes (the seed's `mfa_methods` "sms"). SMS is the weakest second factor
 * (SIM swap, SS7 interception, NIST SP 800-63B "restricted"): offer it beside TOTP, not
 * instead of it.
 *
 * ```ts
 * await migrate(store, 'sms_codes', smsCodeMigrations);
 * const sms = new SmsCodes({}, { store, audit, sender, rateLimiter });
 * const sent = await sms.send(user.id, '+447700900123');
 * if (sent.ok) … later: const r = await sms.verify(sent.challengeId, typedCode);
 * if (r.ok && r.userId === user.id) … second factor passed
 * ```
 *
 * - Codes are `length` digits from `crypto.randomInt`, accepted for `ttl`, single use, at
 *   most `maxAttempts` checks each (the check that uses up the last attempt and fails answers
 *   `too_many_attempts`, as does every later one, even with the right code).
 * - Only `SHA-256(userId:challengeId:code)` is stored. A fast hash is enough here, unlike
 *   for passwords: a 6-digit code has only 10^6 values, so *no* hash (argon2 included)
 *   would stop an offline search by someone reading the table — what protects the code is
 *   that it lives 5 minutes, works once, and allows 5 online guesses (a 5 × 10^-6 chance).
 *   The digest keeps codes out of plain sight in the table, backups and replicas, and
 *   binding it to user and challenge makes each digest useless for any other row.
 *   Comparison is constant-time.
 * - Sends are limited per user *and* number through the RateLimiter (`sendRate`), keyed by
 *   a digest of the number, so the limiter (Redis) never holds numbers either.
 * - Every send and check is audited (`auth.sms_code_sent`, `auth.sms_code_verified`) with
 *   the challenge id and the number masked to its last two digits; never the code, digest
 *   or full number.
 */
export class SmsCodes {
  readonly settings: Readonly<SmsCodesSettings>;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #sender: SmsSender;
  readonly #limiter: RateLimiter;
  readonly #clock: () => Date;

  constructor(options: SmsCodesOptions = {}, deps: SmsCodesDeps) {
    this.settings = Object.freeze(parseOptions(optionsSchema, options, 'SmsCodes'));
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'SmsCodes needs an audit sink (deps.audit)');
    if (!deps.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'SmsCodes needs a store (deps.store)');
    if (typeof deps.sender?.send !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'SmsCodes needs an SMS sender (deps.sender)');
    if (typeof deps.rateLimiter?.take !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'SmsCodes needs a rate limiter (deps.rateLimiter)');
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#sender = deps.sender;
    this.#limiter = deps.rateLimiter;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /**
   * Send a fresh code to `phone` (E.164) for `userId`. The row is stored before the SMS goes
   * out; if the gateway fails, the row is deleted, the failure audited and the error rethrown.
   */
  async send(userId: string, phone: string): Promise<SmsSendResult> {
    checkUserId(userId);
    if (typeof phone !== 'string' || !E164.test(phone)) throw invalidInput('phone must be an E.164 number such as +447700900123', { option: 'phone' });
    const hint = maskPhone(phone);
    const phoneKey = createHash('sha256').update(phone, 'utf8').digest('hex').slice(0, 32);
    const decision = await this.#limiter.take(`sms_send:${userId}:${phoneKey}`, this.settings.sendRate);
    if (!decision.allowed) {
      await this.#record('auth.sms_code_sent', 'denied', userId, { phone: hint, reason: 'rate_limited', retryAfterMs: decision.retryAfterMs });
      return { ok: false, reason: 'rate_limited', retryAfterMs: decision.retryAfterMs };
    }

    const { length, ttl, issuer } = this.settings;
    let code = '';
    for (let i = 0; i < length; i++) code += String(randomInt(10));
    const challengeId = randomUUID();
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + ttl);
    await this.#store.writeTransaction(`sms:${challengeId}`, (tx) =>
      tx
        .insertInto(CHALLENGES)
        .values({ id: challengeId, user_id: userId, phone_hint: hint, digest: codeDigest(userId, challengeId, code), created_at: now.toISOString(), expires_at: expiresAt.toISOString(), attempts: 0, used_at: null })
        .execute(),
    );
    const minutes = Math.max(1, Math.round(ttl / 60_000));
    try {
      await this.#sender.send(phone, `${code} is your ${issuer} verification code. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}. Do not share it.`);
    } catch (err) {
      await this.#store.writeTransaction(`sms:${challengeId}`, (tx) => tx.deleteFrom(CHALLENGES).where('id', '=', challengeId).execute());
      const errorCode = err instanceof LangtrainError ? err.code : 'unknown';
      await this.#record('auth.sms_code_sent', 'failure', userId, { phone: hint, challengeId, reason: 'gateway_error', errorCode });
      throw err;
    }
    await this.#record('auth.sms_code_sent', 'success', userId, { phone: hint, challengeId, expiresAt: expiresAt.toISOString() });
    return { ok: true, challengeId, expiresAt };
  }

  /** Check `code` against the challenge. See the class comment for the rules. */
  async verify(challengeId: string, code: string): Promise<SmsVerifyResult> {
    if (typeof challengeId !== 'string' || challengeId.length === 0 || challengeId.length > 64) throw invalidInput('challengeId must be the id send() returned', { option: 'challengeId' });
    const nowDate = this.#clock();
    const now = nowDate.toISOString();
    const { result, userId, hint, attempts } = await this.#store.writeTransaction(`sms:${challengeId}`, async (tx) => {
      const row = await tx.selectFrom(CHALLENGES).selectAll().where('id', '=', challengeId).executeTakeFirst();
      if (!row) return { result: { ok: false, reason: 'invalid' } as SmsVerifyResult, userId: null, hint: null, attempts: 0 };
      const base = { userId: String(row.user_id), hint: String(row.phone_hint) };
      const used = Number(row.attempts);
      if (row.used_at != null) return { ...base, result: { ok: false, reason: 'invalid' } as SmsVerifyResult, attempts: used };
      if (now >= String(row.expires_at)) return { ...base, result: { ok: false, reason: 'expired' } as SmsVerifyResult, attempts: used };
      if (used >= this.settings.maxAttempts) return { ...base, result: { ok: false, reason: 'too_many_attempts' } as SmsVerifyResult, attempts: used };
      const attempts = used + 1;
      const candidate = typeof code === 'string' && code.length <= 64 ? code.replace(/[\s-]/g, '') : '';
      // Both are 64 hex characters, so timingSafeEqual never throws on length.
      const match = timingSafeEqual(Buffer.from(codeDigest(base.userId, challengeId, candidate), 'utf8'), Buffer.from(String(row.digest), 'utf8'));
      await tx
        .updateTable(CHALLENGES)
        .set(match ? { attempts, used_at: now } : { attempts })
        .where('id', '=', challengeId)
        .execute();
      const result: SmsVerifyResult = match
        ? { ok: true, userId: base.userId }
        : { ok: false, reason: attempts >= this.settings.maxAttempts ? 'too_many_attempts' : 'invalid' };
      return { ...base, result, attempts };
    });
    const data: Record<string, JsonValue> = { challengeId, attempts };
    if (hint !== null) data.phone = hint;
    if (!result.ok) data.reason = userId === null ? 'unknown_challenge' : result.reason;
    await this.#record('auth.sms_code_verified', result.ok ? 'success' : 'failure', userId, data);
    return result;
  }

  /** Delete challenges that expired before `before` (default: now). Returns how many. */
  async purgeExpired(before: Date = this.#clock()): Promise<number> {
    const cutoff = before.toISOString();
    const r = await this.#store.writeTransaction('sms:purge', (tx) => tx.deleteFrom(CHALLENGES).where('expires_at', '<', cutoff).executeTakeFirst());
    return Number(r.numDeletedRows);
  }

  async #record(eventType: string, result: string, userId: string | null, data: Record<string, JsonValue>): Promise<void> {
    await this.#audit.record({ eventType, userId, timestamp: this.#clock(), result, additionalData: data });
  }
}

/** Hex SHA-256 of `userId:challengeId:code`. */
function codeDigest(userId: string, challengeId: string, code: string): string {
  return createHash('sha256').update(`${userId}:${challengeId}:${code}`, 'utf8').digest('hex');
}

function checkUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID || /[\p{Cc}]/u.test(userId)) {
    throw invalidInput(`userId must be 1 to ${MAX_USER_ID} characters without control characters`, { option: 'userId' });
  }
}
