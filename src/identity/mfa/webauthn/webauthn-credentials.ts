import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import type { AuditSink, JsonValue } from '../../../core/audit-sink.js';
import { LangtrainError, invalidInput, type ErrorCode } from '../../../core/errors.js';
import type { Store } from '../../../store/database.js';
import { boolColumn, knownTransports, toCredential, toRow, toStoredCredential, type StoredCredential, type WebAuthnCredential } from './credential-record.js';
import { refusedCheck, type RefusedCheck } from './refused-check.js';
import { signCountAdvances } from './sign-count.js';
import { parseWebAuthnOptions, type WebAuthnOptions, type WebAuthnSettings } from './webauthn-options.js';

/** A registration response failed verification (`details.check` says which check). */
export const ERR_WEBAUTHN_REJECTED: ErrorCode = 'ERR_WEBAUTHN_REJECTED';
/** The credential id is already registered (WebAuthn §7.1: the ceremony SHOULD fail). */
export const ERR_WEBAUTHN_CREDENTIAL_EXISTS: ErrorCode = 'ERR_WEBAUTHN_CREDENTIAL_EXISTS';

export interface WebAuthnCredentialsDeps {
  /** Migrated with `webauthnMigrations` (domain `webauthn`). */
  store: Store;
  audit: AuditSink;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
}

/** Options for the browser, and the challenge the caller keeps until the response comes back. */
export interface WebAuthnCeremony<O> {
  options: O;
  /** base64url; pass it back as `expectedChallenge`. Single use: the caller deletes it then. */
  challenge: string;
}

export type WebAuthnAuthenticationResult =
  | { ok: true; credentialId: string }
  | {
      ok: false;
      /**
       * For the audit log, not the user: `unknown_credential` not one of this user's;
       * `invalid` a check failed (origin, challenge, user verification, signature, ...);
       * `counter_regressed` a genuine signature with a counter that did not advance (WebAuthn
       * §6.1.1: a cloned authenticator or a replay).
       */
      reason: 'unknown_credential' | 'invalid' | 'counter_regressed';
    };

type FailureReason = Extract<WebAuthnAuthenticationResult, { ok: false }>['reason'];

const TABLE = 'identity_webauthn_credentials';
const PUBLIC_COLUMNS = ['id', 'user_id', 'name', 'transports', 'device_type', 'backed_up', 'created_at', 'last_used_at'] as const;
/** WebAuthn §5.4.3: a user handle is at most 64 bytes. */
const MAX_USER_HANDLE_BYTES = 64;
const MAX_USERNAME = 254;
const MAX_NAME = 64;
/** WebAuthn §6.1: a credential id is at most 1023 bytes, 1364 base64url characters. */
const MAX_CREDENTIAL_ID = 1364;
/** The library makes 32-byte challenges; fewer than 16 bytes (§13.4.3) means the caller passed the wrong value. */
const CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{22,}$/;
const DEFAULT_NAME = 'Passkey';
/** In order of preference: ES256 is what nearly every authenticator makes; RS256 for Windows Hello. */
const ALGORITHMS = [COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256];

/**
 * WebAuthn credentials (passkeys, security keys) as the `biometric` second factor, on
 * @simplewebauthn/server. Holds no per-request state: each ceremony's challenge is returned to
 * the caller, which keeps it (single use) and passes it back with the browser's response.
 *
 * ```ts
 * await migrate(store, 'webauthn', webauthnMigrations);
 * const webauthn = new WebAuthnCredentials({ rpId: 'example.com', rpName: 'LangTrain', origins: ['https://example.com'] }, { store, audit });
 * const { options, challenge } = await webauthn.registrationOptions({ id: user.id, username: user.username });
 * // browser: navigator.credentials.create({ publicKey: options }) → response
 * await webauthn.verifyRegistration(user.id, response, challenge, 'YubiKey');
 * ```
 *
 * - User verification (PIN or biometric) is required in both ceremonies, so the factor is
 *   "something you are / know" on top of "something you have". Attestation is `none`: we do
 *   not restrict authenticator models, so there is no attestation to check.
 * - A credential id is registered to one user only; a second registration is refused
 *   (ERR_WEBAUTHN_CREDENTIAL_EXISTS) and `excludeCredentials` lets the browser avoid it.
 * - An assertion must come from a credential of the given user, and its signature counter
 *   is checked and stored in one write transaction under a per-credential lock, so of two
 *   concurrent assertions with one counter value only one succeeds.
 * - Audited: `auth.webauthn_registered`, `auth.webauthn_verified` (success or failure, with
 *   the failed check) and `auth.webauthn_removed`, with credential ids, names and counters;
 *   never a challenge, signature, client data or key.
 */
export class WebAuthnCredentials {
  readonly settings: Readonly<WebAuthnSettings>;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;

  constructor(options: WebAuthnOptions, deps: WebAuthnCredentialsDeps) {
    this.settings = Object.freeze(parseWebAuthnOptions(options));
    if (typeof deps?.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'WebAuthnCredentials needs an audit sink (deps.audit)');
    if (!deps.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'WebAuthnCredentials needs a store (deps.store)');
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Options for `navigator.credentials.create`, excluding the credentials the user already has. */
  async registrationOptions(user: { id: string; username: string }): Promise<WebAuthnCeremony<PublicKeyCredentialCreationOptionsJSON>> {
    const userId = checkUserId(user?.id);
    const username = checkUsername(user?.username);
    const existing = await this.list(userId);
    const options = await generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName: username,
      userDisplayName: username,
      userID: userHandleBytes(userId),
      timeout: this.settings.timeout,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    return { options, challenge: options.challenge };
  }

  /**
   * Verify the browser's answer to `registrationOptions` and store the credential.
   * ERR_WEBAUTHN_REJECTED when a check fails, ERR_WEBAUTHN_CREDENTIAL_EXISTS when the
   * credential is already registered (to this user or another).
   */
  async verifyRegistration(userId: string, response: RegistrationResponseJSON, expectedChallenge: string, name?: string): Promise<WebAuthnCredential> {
    checkUserId(userId);
    checkChallenge(expectedChallenge);
    const label = checkName(name);
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge,
        expectedOrigin: [...this.settings.origins],
        expectedRPID: this.settings.rpId,
        requireUserPresence: true,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch (err) {
      return this.#refuseRegistration(userId, refusedCheck(err));
    }
    if (!verified.verified) return this.#refuseRegistration(userId, 'attestation');
    const info = verified.registrationInfo;
    // The library stores the id from the signed authenticator data; the client's `id` must name the same credential.
    if (info.credential.id !== response.id || info.credential.id.length > MAX_CREDENTIAL_ID) return this.#refuseRegistration(userId, 'credential_id');

    const now = this.#clock().toISOString();
    const credential: StoredCredential = {
      id: info.credential.id,
      userId,
      name: label,
      transports: knownTransports(info.credential.transports),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: now,
      lastUsedAt: null,
      publicKey: info.credential.publicKey,
      signCount: info.credential.counter,
    };
    const holder = await this.#store.writeTransaction(credentialLock(credential.id), async (tx) => {
      const taken = await tx.selectFrom(TABLE).select('user_id').where('id', '=', credential.id).executeTakeFirst();
      if (taken) return String(taken.user_id);
      await tx.insertInto(TABLE).values(toRow(credential, this.#store.dialect)).execute();
      return null;
    });
    if (holder !== null) {
      await this.#record('auth.webauthn_registered', 'failure', userId, { reason: 'duplicate', credentialId: credential.id, sameUser: holder === userId });
      // Says nothing about whose it is: the caller may show this to the user.
      throw new LangtrainError(ERR_WEBAUTHN_CREDENTIAL_EXISTS, 'this authenticator credential is already registered; use another authenticator or remove the old registration first');
    }
    const { publicKey: _key, signCount: _count, ...registered } = credential;
    await this.#record('auth.webauthn_registered', 'success', userId, {
      credentialId: registered.id,
      name: registered.name,
      deviceType: registered.deviceType,
      backedUp: registered.backedUp,
      transports: registered.transports,
    });
    return registered;
  }

  /** Options for `navigator.credentials.get`, allowing only the user's credentials. ERR_NOT_FOUND if there are none. */
  async authenticationOptions(userId: string): Promise<WebAuthnCeremony<PublicKeyCredentialRequestOptionsJSON>> {
    const credentials = await this.list(userId);
    if (credentials.length === 0) throw new LangtrainError('ERR_NOT_FOUND', 'the user has no WebAuthn credential registered; register one first');
    const options = await generateAuthenticationOptions({
      rpID: this.settings.rpId,
      allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports })),
      userVerification: 'required',
      timeout: this.settings.timeout,
    });
    return { options, challenge: options.challenge };
  }

  /**
   * Verify the browser's answer to `authenticationOptions` for `userId`. On success the
   * credential's counter and `lastUsedAt` are stored. A refusal is an answer, not an error.
   */
  async verifyAuthentication(userId: string, response: AuthenticationResponseJSON, expectedChallenge: string): Promise<WebAuthnAuthenticationResult> {
    checkUserId(userId);
    checkChallenge(expectedChallenge);
    const claimedId: unknown = response?.id;
    const row =
      typeof claimedId === 'string' && claimedId.length <= MAX_CREDENTIAL_ID
        ? await this.#store.db.selectFrom(TABLE).selectAll().where('id', '=', claimedId).where('user_id', '=', userId).executeTakeFirst()
        : undefined;
    // The claimed id is client text: recorded only once it names one of this user's credentials.
    if (!row) return this.#refuseAuthentication(userId, 'unknown_credential', {});
    const stored = toStoredCredential(row);
    const refuse = (check: RefusedCheck) => this.#refuseAuthentication(userId, 'invalid', { credentialId: stored.id, check });

    // WebAuthn §7.2 step 6: a user handle, when present, must be the credential owner's.
    const handle: unknown = response.response?.userHandle;
    if (handle && handle !== userHandleText(userId)) return refuse('user_handle');
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: [...this.settings.origins],
        expectedRPID: this.settings.rpId,
        // Counter 0 keeps the library from judging the counter before the signature; it is
        // checked below, against the stored value, under the lock.
        credential: { id: stored.id, publicKey: stored.publicKey, counter: 0, transports: stored.transports },
        requireUserVerification: true,
      });
    } catch (err) {
      return refuse(refusedCheck(err));
    }
    if (!verified.verified) return refuse('signature');
    const info = verified.authenticationInfo;

    const presented = info.newCounter;
    const now = this.#clock().toISOString();
    const outcome = await this.#store.writeTransaction(credentialLock(stored.id), async (tx) => {
      const current = await tx.selectFrom(TABLE).select('sign_count').where('id', '=', stored.id).where('user_id', '=', userId).executeTakeFirst();
      if (!current) return { reason: 'unknown_credential' as const };
      const storedCount = Number(current.sign_count);
      if (!signCountAdvances(storedCount, presented)) return { reason: 'counter_regressed' as const, storedCount };
      await tx
        .updateTable(TABLE)
        .set({ sign_count: presented, last_used_at: now, backed_up: boolColumn(info.credentialBackedUp, this.#store.dialect) })
        .where('id', '=', stored.id)
        .execute();
      return { reason: null };
    });
    if (outcome.reason === 'unknown_credential') return this.#refuseAuthentication(userId, 'unknown_credential', { credentialId: stored.id, removedMeanwhile: true });
    if (outcome.reason === 'counter_regressed') {
      return this.#refuseAuthentication(userId, 'counter_regressed', { credentialId: stored.id, storedCount: outcome.storedCount, presentedCount: presented });
    }
    await this.#record('auth.webauthn_verified', 'success', userId, { credentialId: stored.id, signCount: presented });
    return { ok: true, credentialId: stored.id };
  }

  /** The user's credentials, oldest first. */
  async list(userId: string): Promise<WebAuthnCredential[]> {
    checkUserId(userId);
    const rows = await this.#store.db.selectFrom(TABLE).select(PUBLIC_COLUMNS).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toCredential);
  }

  async hasCredentials(userId: string): Promise<boolean> {
    checkUserId(userId);
    const row = await this.#store.db.selectFrom(TABLE).select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Remove one of the user's credentials. False when the user has no such credential. */
  async remove(userId: string, credentialId: string): Promise<boolean> {
    checkUserId(userId);
    if (typeof credentialId !== 'string' || credentialId.length === 0 || credentialId.length > MAX_CREDENTIAL_ID) {
      throw invalidInput('credentialId must be a credential id as list() returns it');
    }
    const deleted = await this.#store.writeTransaction(credentialLock(credentialId), (tx) =>
      tx.deleteFrom(TABLE).where('id', '=', credentialId).where('user_id', '=', userId).executeTakeFirst(),
    );
    const removed = Number(deleted.numDeletedRows) > 0;
    if (removed) await this.#record('auth.webauthn_removed', 'success', userId, { credentialId });
    return removed;
  }

  async #refuseRegistration(userId: string, check: RefusedCheck): Promise<never> {
    await this.#record('auth.webauthn_registered', 'failure', userId, { reason: 'invalid', check });
    throw new LangtrainError(ERR_WEBAUTHN_REJECTED, `the authenticator's registration response was refused (check: ${check})`, { check });
  }

  async #refuseAuthentication(userId: string, reason: FailureReason, data: Record<string, JsonValue>): Promise<WebAuthnAuthenticationResult> {
    await this.#record('auth.webauthn_verified', 'failure', userId, { reason, ...data });
    return { ok: false, reason };
  }

  /** The only way events leave this class: ids, names, counters and check names. */
  #record(eventType: string, result: string, userId: string, data: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({ eventType, userId, timestamp: this.#clock(), result, level: 'basic', additionalData: data });
  }
}

/** Per credential: registrations of one id, and assertions of one credential, queue behind each other. */
function credentialLock(credentialId: string): string {
  return `webauthn:${credentialId}`;
}

/** The user handle is the user id's UTF-8 bytes, so an assertion's handle can be checked without a lookup. */
function userHandleBytes(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

function userHandleText(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

function checkUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId.length === 0 || Buffer.byteLength(userId, 'utf8') > MAX_USER_HANDLE_BYTES) {
    throw invalidInput(`userId must be a non-empty string of at most ${MAX_USER_HANDLE_BYTES} bytes (it is the WebAuthn user handle)`);
  }
  return userId;
}

function checkUsername(username: unknown): string {
  if (typeof username !== 'string' || username.trim().length === 0 || username.length > MAX_USERNAME) {
    throw invalidInput(`username must be a non-empty string of at most ${MAX_USERNAME} characters`);
  }
  return username;
}

function checkChallenge(challenge: unknown): void {
  // An empty or missing expected challenge must never reach the comparison: a crafted response could match it.
  if (typeof challenge !== 'string' || !CHALLENGE_SHAPE.test(challenge)) {
    throw invalidInput('expectedChallenge must be the base64url challenge returned with the options');
  }
}

function checkName(name: unknown): string {
  if (name === undefined || name === null) return DEFAULT_NAME;
  const trimmed = typeof name === 'string' ? name.trim() : '';
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw invalidInput(`name must be a non-empty label of at most ${MAX_NAME} characters without control characters, or omitted`);
  }
  return trimmed;
}
