import { randomUUID } from 'node:crypto';
import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import type { Store, WriteTx } from '../../store/database.js';
import { E164, maskPhone } from '../mfa/sms/sms-sender.js';
import { generateTotpSecret, totpUri, verifyTotp as verifyTotpCode } from '../mfa/totp.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { CLEAR, afterFailure, lockRemaining, type FailureRule } from './failure-counter.js';
import { RECOVERY_CODE_COUNT, generateRecoveryCode, normaliseRecoveryCode, recoveryCodeDigest } from './recovery-codes.js';
import { openSecret, sealSecret } from './sealed-secret.js';
import { authenticateKeys, checkKeys, clientKeys, createUserKeys } from '../input-keys.js';
import { MAX_USERNAME, checkId, checkRoles, clientOf, failureColumns, failureState, normaliseUsername, toUser, userLock, type Client, type ClientInfo, type Row, type User } from './user-record.js';
import { parseUserDirectoryOptions, type UserDirectoryOptions, type UserDirectorySettings } from './user-options.js';

export type { UserDirectoryOptions } from './user-options.js';
export { normaliseUsername, type ClientInfo, type User } from './user-record.js';

export interface AuthenticateInput extends ClientInfo {
  username: string;
  password: string;
}

/**
 * `invalid_credentials` covers both an unknown username and a wrong password, so the answer
 * does not say which usernames exist (the audit log does). `locked` and `ip_throttled` carry
 * `retryAfterMs`. Show the user one generic message for all of them.
 */
export type AuthenticateResult =
  | { ok: true; user: User; needsMfa: boolean }
  | { ok: false; reason: 'invalid_credentials' | 'disabled' }
  | { ok: false; reason: 'locked' | 'ip_throttled'; retryAfterMs: number };

export type SecondFactorResult =
  | { ok: true }
  | { ok: false; reason: 'invalid_code' | 'used' | 'not_enrolled' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

export interface UserDirectoryDeps {
  /** Migrated with `userMigrations` (domain `users`). */
  store: Store;
  audit: AuditSink;
  /** 32-byte AES-256-GCM key sealing TOTP secrets. */
  secretKey: Buffer;
  /** Default: argon2id at OWASP's first configuration. */
  hasher?: PasswordHasher;
  policy?: PasswordPolicy;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
}

const USERS = 'identity_users';
const IPS = 'identity_login_ips';
const CODES = 'identity_recovery_codes';


/**
 * Accounts, password sign-in with brute-force protection, and TOTP and recovery-code
 * second factors.
 *
 * ```ts
 * await migrate(store, 'users', userMigrations);
 * const users = new UserDirectory({}, { store, audit, secretKey });
 * await users.createUser({ username: 'Alice', password });
 * const r = await users.authenticate({ username: 'alice', password, ip, userAgent });
 * if (r.ok && r.needsMfa) await users.verifyTotp(r.user.id, code, { ip, userAgent });
 * ```
 *
 * - Passwords are checked by `PasswordPolicy` (with the username as context) and stored as
 *   argon2id. A sign-in with a hash made under older parameters stores a fresh one
 *   (rehash-on-login). An unknown username costs the same argon2 work as a wrong password.
 * - Account lockout (Keycloak's brute force detection): `maxFailures` (5) failed passwords,
 *   TOTP or recovery codes within `failureWindow` (12 h) lock the account for 1 min, then
 *   2, 4, … up to 1 h for each further lockout. While locked every attempt is refused, a
 *   correct password too, and does not count. The lock ends by time or by `unlock`.
 * - IP throttling: `ipMaxFailures` (20) failures from one IP within `ipFailureWindow`
 *   (15 min) refuse that IP for 1 min, doubling up to 1 h, whatever the username.
 * - All counters live in the store, updated under per-subject write locks, so several
 *   server instances agree.
 * - Every outcome is audited (`auth.*`) with user id, IP and user agent; never a password,
 *   code, secret or hash.
 */
export class UserDirectory {
  readonly settings: Readonly<UserDirectorySettings>;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #key: Buffer;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: () => Date;
  readonly #accountRule: FailureRule;
  readonly #ipRule: FailureRule;
  #revision = 0;

  /** Counts this instance's changes to what a signed-in principal carries (roles, disabled): what cached validations are checked against (RecentCredentials). */
  get revision(): number {
    return this.#revision;
  }

  constructor(options: UserDirectoryOptions = {}, deps: UserDirectoryDeps) {
    this.settings = Object.freeze(parseUserDirectoryOptions(options));
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'UserDirectory needs an audit sink (deps.audit)');
    if (!deps.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'UserDirectory needs a store (deps.store)');
    if (!Buffer.isBuffer(deps.secretKey) || deps.secretKey.length !== 32) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'UserDirectory needs a 32-byte AES-256-GCM key (deps.secretKey) to seal TOTP secrets');
    }
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#key = Buffer.from(deps.secretKey);
    this.#hasher = deps.hasher ?? new PasswordHasher();
    this.#policy = deps.policy ?? new PasswordPolicy();
    this.#clock = deps.clock ?? (() => new Date());
    const s = this.settings;
    this.#accountRule = { maxFailures: s.maxFailures, windowMs: s.failureWindow, delayMs: s.lockoutDelay, maxDelayMs: s.maxLockoutDelay };
    this.#ipRule = { maxFailures: s.ipMaxFailures, windowMs: s.ipFailureWindow, delayMs: s.ipDelay, maxDelayMs: s.maxIpDelay };
  }

  /**
   * Create an account. ERR_PASSWORD_REJECTED (reasons in `details.reasons`) when the policy
   * refuses the password, ERR_USER_EXISTS when the normalised username is taken. New
   * accounts have no second factor, so the single-factor minimum length applies. Without a
   * password the account cannot sign in with one (SSO accounts; or set it later).
   */
  async createUser(input: { username: string; password?: string; roles?: string[]; mfa?: false }, client: ClientInfo = {}): Promise<User> {
    if (typeof input !== 'object' || input === null) throw invalidInput('createUser takes { username, password?, roles? }');
    checkKeys(createUserKeys, input, 'UserDirectory.createUser');
    const who = clientFor(client, 'createUser');
    if (input.mfa !== undefined && input.mfa !== false) throw invalidInput('a new account has no second factor: create it, then enrolTotp and confirmTotp');
    const username = normaliseUsername(input.username);
    if (username === null) throw invalidInput(`username must be 1 to ${MAX_USERNAME} characters without control characters`);
    const roles = checkRoles(input.roles ?? []);
    if (input.password !== undefined) this.#policy.enforce(input.password, { mfa: false, username });
    const passwordHash = input.password === undefined ? null : await this.#hasher.hash(input.password);
    const now = this.#clock().toISOString();
    const id = randomUUID();
    const inserted = await this.#store.writeTransaction(`users:name:${username}`, async (tx) => {
      const taken = await tx.selectFrom(USERS).select('id').where('username', '=', username).executeTakeFirst();
      if (taken) return false;
      await tx
        .insertInto(USERS)
        .values({ id, username, password_hash: passwordHash, created_at: now, password_changed_at: now, failures: 0, lockouts: 0, roles: JSON.stringify(roles) })
        .execute();
      return true;
    });
    if (!inserted) throw new LangtrainError('ERR_USER_EXISTS', 'that username is taken', { username });
    await this.#record('auth.user_created', 'success', id, who, { username, roles, password: passwordHash !== null });
    return (await this.get(id))!;
  }

  /** The account `id` names, or null. */
  async get(id: string): Promise<User | null> {
    const row = await this.#store.db.selectFrom(USERS).selectAll().where('id', '=', checkId(id)).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** The account with this username (normalised first), or null. */
  async findByUsername(username: string): Promise<User | null> {
    const name = normaliseUsername(username);
    if (name === null) return null;
    const row = await this.#store.db.selectFrom(USERS).selectAll().where('username', '=', name).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** Replace the password, policy-checked (the 8-character minimum applies once TOTP is confirmed). */
  async setPassword(id: string, password: string, client: ClientInfo = {}): Promise<void> {
    const who = clientFor(client, 'setPassword');
    const user = await this.#mustGet(id);
    this.#policy.enforce(password, { mfa: user.mfa, username: user.username });
    const hash = await this.#hasher.hash(password);
    const now = this.#clock().toISOString();
    await this.#store.writeTransaction(userLock(id), (tx) => tx.updateTable(USERS).set({ password_hash: hash, password_changed_at: now }).where('id', '=', id).execute());
    await this.#record('auth.password_changed', 'success', id, who, {});
  }

  /** Replace the account's roles (audited with both lists). */
  async setRoles(id: string, roles: string[], client: ClientInfo = {}): Promise<User> {
    const who = clientFor(client, 'setRoles');
    const next = checkRoles(roles);
    const before = await this.#store.writeTransaction(userLock(checkId(id)), async (tx) => {
      const row = await tx.selectFrom(USERS).select('roles').where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      await tx.updateTable(USERS).set({ roles: JSON.stringify(next) }).where('id', '=', id).execute();
      return JSON.parse(String(row.roles)) as string[];
    });
    this.#revision += 1;
    if (before === null) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId: id });
    if (before.join() !== next.join()) await this.#record('auth.roles_changed', 'success', id, who, { before, after: next });
    return (await this.get(id))!;
  }

  /**
   * Set (or clear, with null) the number SMS codes go to. The caller proves the number first
   * (AuthenticationManager.confirmPhone) unless an administrator sets it. Audited masked.
   */
  async setPhone(id: string, phone: string | null, client: ClientInfo = {}): Promise<User> {
    const who = clientFor(client, 'setPhone');
    if (phone !== null && (typeof phone !== 'string' || !E164.test(phone))) throw invalidInput('phone must be an E.164 number such as +447700900123, or null', { option: 'phone' });
    const updated = await this.#store.writeTransaction(userLock(checkId(id)), (tx) => tx.updateTable(USERS).set({ phone }).where('id', '=', id).executeTakeFirst());
    if (Number(updated.numUpdatedRows) === 0) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId: id });
    await this.#record('auth.phone_changed', 'success', id, who, { phone: phone === null ? null : maskPhone(phone) });
    return (await this.get(id))!;
  }

  /** All accounts, by username. */
  async list(): Promise<User[]> {
    const rows = await this.#store.db.selectFrom(USERS).selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  /** Refuse every further sign-in of the account (existing sessions are the caller's to revoke). */
  async disable(id: string, client: ClientInfo = {}): Promise<void> {
    const who = clientFor(client, 'disable');
    await this.#mustGet(id);
    const now = this.#clock().toISOString();
    await this.#store.writeTransaction(userLock(id), (tx) => tx.updateTable(USERS).set({ disabled_at: now }).where('id', '=', id).where('disabled_at', 'is', null).execute());
    this.#revision += 1;
    await this.#record('auth.user_disabled', 'success', id, who, {});
  }

  /** Admin: end a lockout now and forget its failures and doubling. False when no such user. */
  async unlock(username: string, client: ClientInfo = {}): Promise<boolean> {
    const who = clientFor(client, 'unlock');
    const user = await this.findByUsername(username);
    if (!user) return false;
    const before = await this.#store.writeTransaction(userLock(user.id), async (tx) => {
      const row = await tx.selectFrom(USERS).selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      await tx.updateTable(USERS).set(failureColumns(CLEAR)).where('id', '=', user.id).execute();
      return failureState(row);
    });
    const now = this.#clock().getTime();
    await this.#record('auth.unlock', 'success', user.id, who, { by: 'admin', wasLocked: lockRemaining(before, now) > 0, lockouts: before.lockouts });
    return true;
  }

  /** Check a username and password. See the class comment for lockout and throttling. */
  async authenticate(input: AuthenticateInput): Promise<AuthenticateResult> {
    if (typeof input !== 'object' || input === null) throw invalidInput('authenticate takes { username, password, ip, userAgent }');
    checkKeys(authenticateKeys, input, 'UserDirectory.authenticate');
    const client = clientOf(input);
    const nowMs = this.#clock().getTime();

    if (client.ip !== null) {
      const ipRow = await this.#store.db.selectFrom(IPS).selectAll().where('ip', '=', client.ip).executeTakeFirst();
      const wait = ipRow ? lockRemaining(failureState(ipRow), nowMs) : 0;
      if (wait > 0) {
        await this.#record('auth.login', 'denied', null, client, { reason: 'ip_throttled', retryAfterMs: wait });
        return { ok: false, reason: 'ip_throttled', retryAfterMs: wait };
      }
    }

    const username = normaliseUsername(input.username);
    const row = username === null ? undefined : await this.#store.db.selectFrom(USERS).selectAll().where('username', '=', username).executeTakeFirst();
    if (!row) {
      // Same argon2 work as a real check: a fast "no" would list the usernames that exist.
      await this.#hasher.verifyWithoutUser(input.password);
      await this.#ipFailure(client, nowMs);
      await this.#record('auth.login', 'failure', null, client, { reason: 'unknown_user', username: username ?? '' });
      return { ok: false, reason: 'invalid_credentials' };
    }
    const id = String(row.id);
    const locked = lockRemaining(failureState(row), nowMs);
    if (locked > 0) {
      await this.#hasher.verifyWithoutUser(input.password);
      await this.#ipFailure(client, nowMs);
      await this.#record('auth.login', 'denied', id, client, { reason: 'locked', retryAfterMs: locked });
      return { ok: false, reason: 'locked', retryAfterMs: locked };
    }

    // An account without a password fails like a wrong one, after the same argon2 work.
    const checked = row.password_hash == null ? await this.#hasher.verifyWithoutUser(input.password).then(() => ({ ok: false as const })) : await this.#hasher.verify(String(row.password_hash), input.password);
    if (!checked.ok) {
      await this.#ipFailure(client, nowMs);
      const { lockedForMs, wait } = await this.#accountFailure(id, client, nowMs, 'wrong_password');
      await this.#record('auth.login', 'failure', id, client, { reason: 'wrong_password' });
      const retryAfterMs = lockedForMs ?? wait;
      return retryAfterMs > 0 ? { ok: false, reason: 'locked', retryAfterMs } : { ok: false, reason: 'invalid_credentials' };
    }
    if (row.disabled_at != null) {
      await this.#record('auth.login', 'denied', id, client, { reason: 'disabled' });
      return { ok: false, reason: 'disabled' };
    }

    // Hashed before the transaction: argon2 must not run while holding the write lock.
    const rehash = checked.needsRehash ? await this.#hasher.hash(input.password) : null;
    const outcome = await this.#store.writeTransaction(userLock(id), async (tx) => {
      const current = await tx.selectFrom(USERS).selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      // A lock started by concurrent failures while we hashed still wins.
      const wait = lockRemaining(failureState(current), nowMs);
      if (wait > 0) return { wait, rehashed: false };
      await tx.updateTable(USERS).set(failureColumns(CLEAR)).where('id', '=', id).execute();
      // Only over the hash we verified: a concurrent setPassword is not undone.
      const rehashed =
        rehash !== null &&
        Number((await tx.updateTable(USERS).set({ password_hash: rehash }).where('id', '=', id).where('password_hash', '=', String(row.password_hash)).executeTakeFirst()).numUpdatedRows) > 0;
      return { wait: 0, rehashed, user: toUser(current) };
    });
    if (outcome.wait > 0 || !outcome.user) {
      await this.#record('auth.login', 'denied', id, client, { reason: 'locked', retryAfterMs: outcome.wait });
      return { ok: false, reason: 'locked', retryAfterMs: outcome.wait };
    }
    const user = outcome.user;
    if (outcome.rehashed) await this.#record('auth.password_rehashed', 'success', id, client, {});
    await this.#record('auth.login', 'success', id, client, { needsMfa: user.mfa });
    return { ok: true, user, needsMfa: user.mfa };
  }

  /**
   * Start TOTP enrolment: a fresh secret, stored sealed as *pending* until `confirmTotp`; an
   * enrolled factor stays in force until then. Returns the secret and the `otpauth://` URI
   * for the QR code: show them once, never log them.
   */
  async enrolTotp(id: string, client: ClientInfo = {}): Promise<{ secret: string; uri: string }> {
    const who = clientFor(client, 'enrolTotp');
    const user = await this.#mustGet(id);
    const secret = generateTotpSecret();
    const uri = totpUri({ issuer: this.settings.totpIssuer, account: user.username.replace(/:/g, '_'), secret });
    const sealed = sealSecret(this.#key, id, 'totp_pending', secret);
    await this.#store.writeTransaction(userLock(id), (tx) => tx.updateTable(USERS).set({ totp_pending: sealed }).where('id', '=', id).execute());
    await this.#record('auth.mfa_enrolment_started', 'success', id, who, { method: 'totp' });
    return { secret, uri };
  }

  /** Prove the authenticator app holds the pending secret; on success it becomes the account's factor. */
  async confirmTotp(id: string, code: string, client: ClientInfo = {}): Promise<SecondFactorResult> {
    checkId(id);
    const who = clientFor(client, 'confirmTotp');
    const now = this.#clock();
    const result = await this.#store.writeTransaction(userLock(id), async (tx): Promise<SecondFactorResult> => {
      const row = await tx.selectFrom(USERS).selectAll().where('id', '=', id).executeTakeFirst();
      if (!row?.totp_pending) return { ok: false, reason: 'not_enrolled' };
      const secret = openSecret(this.#key, id, 'totp_pending', String(row.totp_pending));
      const check = verifyTotpCode({ secret, code, now });
      if (!check.ok) return { ok: false, reason: check.reason === 'used' ? 'used' : 'invalid_code' };
      await tx
        .updateTable(USERS)
        .set({ totp_secret: sealSecret(this.#key, id, 'totp_secret', secret), totp_pending: null, totp_last_step: check.step })
        .where('id', '=', id)
        .execute();
      return { ok: true };
    });
    await this.#record('auth.mfa_enrolled', result.ok ? 'success' : 'failure', id, who, { method: 'totp', ...(result.ok ? {} : { reason: result.reason }) });
    return result;
  }

  /**
   * Check a TOTP code of the enrolled factor. The accepted step is stored in the same
   * transaction, so the code (or any earlier one) is refused afterwards (RFC 6238 §5.2).
   * Wrong codes count towards the account lockout.
   */
  async verifyTotp(id: string, code: string, client: ClientInfo = {}): Promise<SecondFactorResult> {
    checkId(id);
    return this.#secondFactor(id, clientFor(client, 'verifyTotp'), 'auth.mfa_verified', async (tx, row, now) => {
      if (!row.totp_secret) return { ok: false, reason: 'not_enrolled' };
      const secret = openSecret(this.#key, id, 'totp_secret', String(row.totp_secret));
      const check = verifyTotpCode({ secret, code, now, lastUsedStep: row.totp_last_step == null ? null : Number(row.totp_last_step) });
      if (!check.ok) return { ok: false, reason: check.reason === 'used' ? 'used' : 'invalid_code' };
      await tx.updateTable(USERS).set({ totp_last_step: check.step }).where('id', '=', id).execute();
      return { ok: true };
    });
  }

  /** Admin: remove the TOTP factor (enrolled or pending) and every recovery code, for a user who lost the device. */
  async removeTotp(id: string, client: ClientInfo = {}): Promise<{ totp: boolean; recoveryCodes: number }> {
    checkId(id);
    const who = clientFor(client, 'removeTotp');
    const outcome = await this.#store.writeTransaction(userLock(id), async (tx) => {
      const row = await tx.selectFrom(USERS).select(['totp_secret']).where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      await tx.updateTable(USERS).set({ totp_secret: null, totp_pending: null, totp_last_step: null }).where('id', '=', id).execute();
      const codes = await tx.deleteFrom(CODES).where('user_id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return { totp: row.totp_secret != null, recoveryCodes: Number(codes.numDeletedRows) };
    });
    if (outcome === null) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId: id });
    await this.#record('auth.mfa_removed', 'success', id, who, { method: 'totp', ...outcome });
    return outcome;
  }

  /**
   * Replace the account's recovery codes with ten fresh ones, returned once; only their
   * SHA-256 digests are kept (see recovery-codes.ts for why a fast hash is right here).
   */
  async generateRecoveryCodes(id: string, client: ClientInfo = {}): Promise<string[]> {
    const who = clientFor(client, 'generateRecoveryCodes');
    await this.#mustGet(id);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const now = this.#clock().toISOString();
    await this.#store.writeTransaction(userLock(id), async (tx) => {
      await tx.deleteFrom(CODES).where('user_id', '=', id).execute();
      await tx
        .insertInto(CODES)
        .values(codes.map((c) => ({ user_id: id, digest: recoveryCodeDigest(normaliseRecoveryCode(c)!), created_at: now, used_at: null })))
        .execute();
    });
    await this.#record('auth.recovery_codes_generated', 'success', id, who, { count: codes.length });
    return codes;
  }

  /** Spend one recovery code as the second factor. Each works once; wrong codes count towards lockout. */
  async useRecoveryCode(id: string, code: string, client: ClientInfo = {}): Promise<SecondFactorResult> {
    checkId(id);
    return this.#secondFactor(id, clientFor(client, 'useRecoveryCode'), 'auth.recovery_code_used', async (tx, _row, now) => {
      const normalised = normaliseRecoveryCode(code);
      if (normalised === null) return { ok: false, reason: 'invalid_code' };
      const spent = await tx
        .updateTable(CODES)
        .set({ used_at: now.toISOString() })
        .where('user_id', '=', id)
        .where('digest', '=', recoveryCodeDigest(normalised))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(spent.numUpdatedRows) > 0 ? { ok: true } : { ok: false, reason: 'invalid_code' };
    });
  }

  /** How many recovery codes the account has left. */
  async remainingRecoveryCodes(id: string): Promise<number> {
    const rows = await this.#store.db.selectFrom(CODES).select('digest').where('user_id', '=', checkId(id)).where('used_at', 'is', null).execute();
    return rows.length;
  }

  /** A second-factor check under the account's lock: refused while locked, failures counted. */
  async #secondFactor(
    id: string,
    client: Client,
    eventType: string,
    check: (tx: WriteTx, row: Row, now: Date) => Promise<SecondFactorResult>,
  ): Promise<SecondFactorResult> {
    const now = this.#clock();
    const nowMs = now.getTime();
    const { result, lockedFor } = await this.#store.writeTransaction(userLock(id), async (tx) => {
      const row = await tx.selectFrom(USERS).selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return { result: { ok: false, reason: 'not_enrolled' } as SecondFactorResult, lockedFor: null };
      const wait = lockRemaining(failureState(row), nowMs);
      if (wait > 0) return { result: { ok: false, reason: 'locked', retryAfterMs: wait } as SecondFactorResult, lockedFor: null };
      const result = await check(tx, row, now);
      if (result.ok || result.reason === 'not_enrolled') return { result, lockedFor: null };
      const next = afterFailure(failureState(row), nowMs, this.#accountRule);
      await tx.updateTable(USERS).set(failureColumns(next.state)).where('id', '=', id).execute();
      return { result, lockedFor: next.lockedForMs };
    });
    await this.#record(eventType, result.ok ? 'success' : 'failure', id, client, result.ok ? {} : { reason: result.reason });
    if (lockedFor !== null) await this.#record('auth.lockout', 'success', id, client, { lockedForMs: lockedFor, cause: eventType });
    return result;
  }

  /**
   * Count a failed password; returns the lock it started, if any. A failure that lands after
   * concurrent ones already locked the account is not counted (it would open the next window
   * early) and reports the lock's remaining `wait` instead.
   */
  async #accountFailure(id: string, client: Client, nowMs: number, cause: string): Promise<{ lockedForMs: number | null; wait: number }> {
    const { lockedForMs, lockouts, wait } = await this.#store.writeTransaction(userLock(id), async (tx) => {
      const row = await tx.selectFrom(USERS).selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const state = failureState(row);
      const wait = lockRemaining(state, nowMs);
      if (wait > 0) return { lockedForMs: null, lockouts: state.lockouts, wait };
      const next = afterFailure(state, nowMs, this.#accountRule);
      await tx.updateTable(USERS).set(failureColumns(next.state)).where('id', '=', id).execute();
      return { lockedForMs: next.lockedForMs, lockouts: next.state.lockouts, wait: 0 };
    });
    if (lockedForMs !== null) await this.#record('auth.lockout', 'success', id, client, { lockedForMs, lockouts, cause });
    return { lockedForMs, wait };
  }

  /** Count a failed sign-in from the client's IP. */
  async #ipFailure(client: Client, nowMs: number): Promise<void> {
    const ip = client.ip;
    if (ip === null) return;
    const lockedForMs = await this.#store.writeTransaction(`users:ip:${ip}`, async (tx) => {
      const row = await tx.selectFrom(IPS).selectAll().where('ip', '=', ip).executeTakeFirst();
      const next = afterFailure(row ? failureState(row) : CLEAR, nowMs, this.#ipRule);
      if (row) await tx.updateTable(IPS).set(failureColumns(next.state)).where('ip', '=', ip).execute();
      else await tx.insertInto(IPS).values({ ip, ...failureColumns(next.state) }).execute();
      return next.lockedForMs;
    });
    if (lockedForMs !== null) await this.#record('auth.ip_throttled', 'success', null, client, { lockedForMs });
  }

  async #mustGet(id: string): Promise<User> {
    const user = await this.get(id);
    if (!user) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId: id });
    return user;
  }

  /** The only way events leave this class: ids, addresses, reasons and times; never a secret. */
  #record(eventType: string, result: string, userId: string | null, client: Client, data: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({
      eventType,
      userId,
      timestamp: this.#clock(),
      result,
      level: 'basic',
      additionalData: { ...data, ip: client.ip, userAgent: client.userAgent },
    });
  }
}

/** The client argument of `method`: an unknown key (`ipAddress`) is refused naming ip and userAgent. */
function clientFor(client: ClientInfo, method: string): Client {
  checkKeys(clientKeys, client, `UserDirectory.${method} client`);
  return clientOf(client);
}
