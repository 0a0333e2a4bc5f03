import { createHash } from 'node:crypto';
import { secretsEqual } from '../core/constant-time.js';
import type { AuditSink, JsonValue } from '../core/audit-sink.js';
import { LangtrainError, invalidInput, isLangtrainError } from '../core/errors.js';
import type { ApiKeyClient, ApiKeyStore, ApiKeyVerification, IssuedApiKey } from './api-keys/api-key-store.js';
import type { ApiKeyEnvironment } from './api-keys/api-key-format.js';
import { parseAuthenticationManagerOptions, type AuthenticationManagerOptions, type AuthenticationManagerSettings, type MfaMethod } from './login/authentication-options.js';
import type { Challenge, LoginChallenges } from './login/login-challenges.js';
import type { SmsCodes } from './mfa/sms/sms-codes.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, WebAuthnCredential, WebAuthnCredentials } from './mfa/webauthn/index.js';
import type { SsoAccounts } from './sso/sso-accounts.js';
import type { SsoCallback, SsoPendingState, SsoProviders } from './sso/sso-providers.js';
import { E164, maskPhone } from './mfa/sms/sms-sender.js';
import { assertionAnswerSchema, clientSchema, codeAnswerSchema, createApiKeyOptionsSchema, finishSsoInputSchema, loginInputSchema, parseMethodInput, verifyApiKeyOptionsSchema, type ClientInput, type CreateApiKeyOptions } from './method-inputs.js';
import { RecentCredentials } from './recent-credentials.js';
import type { Session, SessionStore, SessionStoreOptions, ValidatedSession } from './sessions/session-store.js';
import type { SecondFactorResult, User, UserDirectory } from './users/user-directory.js';

export { SUPPORTED_MFA_METHODS, type AuthenticationManagerOptions, type MfaMethod } from './login/authentication-options.js';
export type { ClientInput, CreateApiKeyOptions } from './method-inputs.js';

/** How long a second-factor challenge from `login` stays usable. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes one challenge takes before it is spent (the account lockout counts them too). */
export const MFA_CHALLENGE_MAX_FAILURES = 5;
/** How long a browser may spend at the IdP, or on a WebAuthn registration prompt. */
export const SSO_LOGIN_TTL_MS = 10 * 60_000;
const WEBAUTHN_REGISTRATION_TTL_MS = 5 * 60_000;
/** How long a validated session is answered from memory: how late another instance's sign-out or revocation may be seen here. */
const RECENT_SESSION_MS = 1000;

export interface AuthenticationManagerDeps {
  users: UserDirectory;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
  /** Second-factor challenges between `login` and `completeMfa`, shared by every instance on the store. */
  challenges: LoginChallenges;
  /** Required when `mfaMethods` includes `sms`. */
  smsCodes?: SmsCodes;
  /**
   * The account's verified phone number (E.164), or null. Required with `sms`: codes go only
   * to the number on record, never to one the signing-in client names (that would let
   * anyone holding the password pass the second factor with their own phone).
   */
  smsPhone?: (userId: string) => Promise<string | null>;
  /** Required when `mfaMethods` includes `biometric`. */
  webauthn?: WebAuthnCredentials;
  /** Required when `ssoProviders` names any: built from the same options (SsoProviders), and the account links. */
  sso?: { providers: SsoProviders; accounts: SsoAccounts };
  audit: AuditSink;
  /** Default: the system clock. Tests pass a controllable one (the same as the stores'). */
  clock?: () => Date;
}

/** A live session with the account it belongs to (enabled). */
export interface SignedInSession {
  session: Session;
  user: User;
}

/** What a session token is worth to a request: a signed-in account, or why not. */
export type SessionAuthentication =
  | ({ ok: true } & SignedInSession)
  | { ok: false; reason: 'not_live' }
  | { ok: false; reason: 'account_disabled'; userId: string };

export interface LoginInput {
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
}

export type RefusalReason =
  | 'invalid_credentials'
  | 'disabled'
  | 'locked'
  | 'ip_throttled'
  | 'session_limit'
  | 'invalid_challenge'
  | 'challenge_expired'
  | 'method_not_available'
  | 'sms_not_started'
  | 'invalid_code'
  | 'used'
  | 'code_expired'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'webauthn_not_started'
  | 'sso_failed'
  | 'not_provisioned'
  | 'account_conflict';

export type Refused = { status: 'refused'; reason: RefusalReason; retryAfterMs?: number };
export type Authenticated = { status: 'authenticated'; token: string; session: Session };
/**
 * `mfaRequired` and the account has no second factor yet: a session that may only enrol one
 * (the server confines it to the enrolment routes, as Keycloak's "Configure OTP" required
 * action does), after which the user signs in again with it. Its `session.mfa` is false.
 */
export type EnrolmentRequired = { status: 'enrolment_required'; token: string; session: Session };
export type LoginResult = Authenticated | EnrolmentRequired | { status: 'mfa_required'; challenge: string; methods: MfaMethod[]; expiresAt: string } | Refused;
export type CompleteMfaInput =
  | { challenge: string; method: 'totp' | 'sms' | 'recovery'; code: string }
  | { challenge: string; method: 'biometric'; response: AuthenticationResponseJSON };
export type SmsChallengeResult = { status: 'sent'; phone: string; expiresAt: string } | Refused;
export type WebAuthnChallengeResult = { status: 'options'; options: PublicKeyCredentialRequestOptionsJSON } | Refused;
type Client = { ip: string | null; userAgent: string | null };

/** What a sign-in that passed its password still owes. Never holds a code or secret. */
type PendingMfa = {
  ip: string | null;
  userAgent: string | null;
  methods: MfaMethod[];
  /** The SmsCodes challenge id once `startSmsChallenge` sent a code. */
  smsChallengeId?: string;
  /** The WebAuthn challenge once `startWebAuthnChallenge` made one. */
  webauthnChallenge?: string;
};

/** An SSO sign-in between the redirect to the IdP and its answer. */
type PendingSso = { provider: string; ip: string | null; userAgent: string | null; state: SsoPendingState | null };

/**
 * The seed's `AuthenticationManager`, composed over the identity stores; it keeps no state
 * of its own (sign-ins in flight live in the store).
 *
 * ```ts
 * const options = { mfaRequired: true, mfaMethods: ['totp', 'sms'], sessionTimeout: '8h', concurrentSessions: 1, idleTimeout: '30m' };
 * const sessions = new SessionStore(AuthenticationManager.sessionOptions(options), { store, audit });
 * const auth = new AuthenticationManager(options, { users, sessions, apiKeys, challenges, smsCodes, smsPhone, audit });
 * const r = await auth.login({ username, password, ip, userAgent });
 * if (r.status === 'mfa_required') await auth.completeMfa({ challenge: r.challenge, method: 'totp', code });
 * ```
 *
 * - `login` checks the password (UserDirectory: lockout, IP throttling). A second factor is
 *   needed when `mfaRequired` or the account has one (confirmed TOTP, a WebAuthn credential).
 *   Methods offered: `totp` if configured and confirmed, `sms` if configured and `smsPhone`
 *   knows a number, `biometric` if configured and the account has a credential. None while
 *   one is needed: an `enrolment_required` session that may only enrol a factor.
 * - SSO (`startSso`, `finishSso`): the IdP's verified identity is mapped to a local account
 *   (SsoAccounts: link, just-in-time provisioning, group → role mapping). With `mfaRequired`
 *   and an IdP that does not assert a second factor, the local one is asked for as above.
 * - The challenge is a 256-bit random token, valid 5 minutes, single use, at most 5 wrong
 *   codes, one per user. It lives in the store (login/login-challenges.ts), so any server
 *   instance can finish a sign-in another one started.
 * - `recovery` codes are accepted for any challenge (they are the way back in when the
 *   device is lost).
 * - Audited (`auth.mfa_*`, `auth.sso_*`) with user id, IP, user agent and method; never a
 *   password, code, challenge, assertion or token. The stores audit their own steps.
 */
export class AuthenticationManager {
  readonly settings: Readonly<AuthenticationManagerSettings>;
  readonly #users: UserDirectory;
  readonly #sessions: SessionStore;
  readonly #apiKeys: ApiKeyStore;
  readonly #sms: SmsCodes | undefined;
  readonly #smsPhone: ((userId: string) => Promise<string | null>) | undefined;
  readonly #webauthn: WebAuthnCredentials | undefined;
  readonly #sso: { providers: SsoProviders; accounts: SsoAccounts } | undefined;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;
  readonly #challenges: LoginChallenges;
  readonly #recentSessions: RecentCredentials<Extract<SessionAuthentication, { ok: true }>>;

  /** Account management (create users, set passwords, enrol MFA, unlock). */
  get users(): UserDirectory {
    return this.#users;
  }

  /** The session store it was built with (list, revoke, revokeAllForUser). */
  get sessions(): SessionStore {
    return this.#sessions;
  }

  /** The API key store it was built with (list, revoke, rotate, rotateDue, claimSuccessor). */
  get apiKeys(): ApiKeyStore {
    return this.#apiKeys;
  }

  /** The WebAuthn credentials (list, remove), when `biometric` is enabled. */
  get webauthn(): WebAuthnCredentials | undefined {
    return this.#webauthn;
  }

  /** Names of the configured SSO providers. */
  get ssoProviders(): readonly string[] {
    return this.settings.ssoProviders;
  }

  /** The session options for `new SessionStore(...)`: `sessionTimeout`, `idleTimeout`, `concurrentSessions` as given. */
  static sessionOptions(options: AuthenticationManagerOptions = {}): SessionStoreOptions {
    const out: SessionStoreOptions = {};
    if (options.sessionTimeout !== undefined) out.sessionTimeout = options.sessionTimeout;
    if (options.idleTimeout !== undefined) out.idleTimeout = options.idleTimeout;
    if (options.concurrentSessions !== undefined) out.concurrentSessions = options.concurrentSessions;
    return out;
  }

  constructor(options: AuthenticationManagerOptions = {}, deps: AuthenticationManagerDeps) {
    const settings = parseAuthenticationManagerOptions(options);
    const need = (ok: boolean, what: string) => {
      if (!ok) throw new LangtrainError('ERR_CONFIG_INVALID', `AuthenticationManager needs ${what}`);
    };
    need(typeof deps?.audit?.record === 'function', 'an audit sink (deps.audit)');
    need(typeof deps.users?.authenticate === 'function', 'a UserDirectory (deps.users)');
    need(typeof deps.sessions?.create === 'function', 'a SessionStore (deps.sessions)');
    need(typeof deps.apiKeys?.create === 'function', 'an ApiKeyStore (deps.apiKeys)');
    need(typeof deps.challenges?.issue === 'function', 'LoginChallenges (deps.challenges)');
    if (settings.mfaMethods.includes('sms')) {
      need(typeof deps.smsCodes?.send === 'function', 'SmsCodes (deps.smsCodes) for mfaMethods "sms"');
      need(typeof deps.smsPhone === 'function', 'the account phone lookup (deps.smsPhone) for mfaMethods "sms"');
    }
    if (settings.mfaMethods.includes('biometric')) need(typeof deps.webauthn?.verifyAuthentication === 'function', 'WebAuthnCredentials (deps.webauthn) for mfaMethods "biometric"');
    if (settings.ssoProviders.length > 0) {
      need(deps.sso !== undefined, `SsoProviders and SsoAccounts (deps.sso) for ssoProviders (${settings.ssoProviders.join(', ')})`);
      const built = [...deps.sso!.providers.names].sort();
      need(built.join() === settings.ssoProviders.join(), `deps.sso.providers built from the same ssoProviders (options name ${settings.ssoProviders.join(', ')}; deps has ${built.join(', ') || 'none'})`);
    }
    const s = deps.sessions;
    const mismatches: string[] = [];
    if (settings.sessionTimeout !== undefined && settings.sessionTimeout !== s.sessionTimeoutMs) mismatches.push(`sessionTimeout ${settings.sessionTimeout} ms, the SessionStore has ${s.sessionTimeoutMs} ms`);
    if (settings.idleTimeout !== undefined && settings.idleTimeout !== s.idleTimeoutMs) mismatches.push(`idleTimeout ${settings.idleTimeout} ms, the SessionStore has ${s.idleTimeoutMs} ms`);
    if (settings.concurrentSessions !== undefined && settings.concurrentSessions !== s.concurrentSessions) mismatches.push(`concurrentSessions ${settings.concurrentSessions}, the SessionStore has ${s.concurrentSessions}`);
    if (mismatches.length > 0) {
      throw new LangtrainError(
        'ERR_CONFIG_INVALID',
        `AuthenticationManager: session options differ from deps.sessions (${mismatches.join('; ')}); build the SessionStore with AuthenticationManager.sessionOptions(options)`,
        { mismatches },
      );
    }
    this.settings = Object.freeze(settings);
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#apiKeys = deps.apiKeys;
    this.#sms = deps.smsCodes;
    this.#smsPhone = deps.smsPhone;
    this.#webauthn = settings.mfaMethods.includes('biometric') ? deps.webauthn : undefined;
    this.#sso = settings.ssoProviders.length > 0 ? deps.sso : undefined;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
    this.#challenges = deps.challenges;
    this.#recentSessions = new RecentCredentials(Math.min(RECENT_SESSION_MS, deps.sessions.touchIntervalMs));
  }

  /** Password sign-in; a session, a second-factor challenge, or a refusal. */
  async login(input: LoginInput): Promise<LoginResult> {
    if (typeof input !== 'object' || input === null) throw invalidInput('login takes { username, password, ip, userAgent }');
    parseMethodInput(loginInputSchema, input, 'login');
    const client = { ip: input.ip ?? null, userAgent: input.userAgent ?? null };
    const r = await this.#users.authenticate({ username: input.username, password: input.password, ...client });
    if (!r.ok) return 'retryAfterMs' in r ? { status: 'refused', reason: r.reason, retryAfterMs: r.retryAfterMs } : { status: 'refused', reason: r.reason };
    const user = r.user;
    const hasFactor = user.mfa || ((await this.#webauthn?.hasCredentials(user.id)) ?? false);
    if (!this.settings.mfaRequired && !hasFactor) return this.#startSession(user.id, client, false);
    return this.#challengeSecondFactor(user, client);
  }

  /** Send an SMS code for a pending challenge to the account's number on record. */
  async startSmsChallenge(challenge: string): Promise<SmsChallengeResult> {
    const pending = await this.#challenges.peek<PendingMfa>('mfa', challenge);
    if (pending === null) return { status: 'refused', reason: 'invalid_challenge' };
    if (pending === 'expired') return { status: 'refused', reason: 'challenge_expired' };
    const userId = pending.userId!;
    if (!pending.payload.methods.includes('sms')) return { status: 'refused', reason: 'method_not_available' };
    const phone = await this.#smsPhone!(userId);
    if (phone === null) return { status: 'refused', reason: 'method_not_available' };
    const sent = await this.#sms!.send(userId, phone);
    if (!sent.ok) return { status: 'refused', reason: 'rate_limited', retryAfterMs: sent.retryAfterMs };
    if (!(await this.#challenges.update<PendingMfa>('mfa', challenge, { ...pending.payload, smsChallengeId: sent.challengeId }))) return { status: 'refused', reason: 'invalid_challenge' };
    return { status: 'sent', phone: maskPhone(phone), expiresAt: sent.expiresAt.toISOString() };
  }

  /** WebAuthn request options for a pending challenge (`navigator.credentials.get`); answer with `completeMfa({ method: 'biometric', response })`. */
  async startWebAuthnChallenge(challenge: string): Promise<WebAuthnChallengeResult> {
    const pending = await this.#challenges.peek<PendingMfa>('mfa', challenge);
    if (pending === null) return { status: 'refused', reason: 'invalid_challenge' };
    if (pending === 'expired') return { status: 'refused', reason: 'challenge_expired' };
    if (!pending.payload.methods.includes('biometric')) return { status: 'refused', reason: 'method_not_available' };
    const ceremony = await this.#webauthn!.authenticationOptions(pending.userId!);
    if (!(await this.#challenges.update<PendingMfa>('mfa', challenge, { ...pending.payload, webauthnChallenge: ceremony.challenge }))) return { status: 'refused', reason: 'invalid_challenge' };
    return { status: 'options', options: ceremony.options };
  }

  /** Finish a sign-in with a TOTP, SMS or recovery code, or a WebAuthn assertion; the session has `mfa: true`. */
  async completeMfa(input: CompleteMfaInput): Promise<Authenticated | Refused> {
    if (typeof input !== 'object' || input === null) throw invalidInput('completeMfa takes { challenge, method, code } or { challenge, method: "biometric", response }');
    const { challenge, method } = input;
    if (!['totp', 'sms', 'recovery', 'biometric'].includes(method)) throw invalidInput('method must be totp, sms, recovery or biometric', { option: 'method' });
    parseMethodInput(method === 'biometric' ? assertionAnswerSchema : codeAnswerSchema, input, 'completeMfa');
    if (input.method === 'biometric' ? typeof input.response !== 'object' || input.response === null : typeof input.code !== 'string') {
      throw invalidInput(method === 'biometric' ? 'response must be the WebAuthn assertion (AuthenticationResponseJSON)' : 'code must be a string', { option: method === 'biometric' ? 'response' : 'code' });
    }
    const taken = await this.#challenges.take<PendingMfa>('mfa', challenge);
    if (taken === null) return { status: 'refused', reason: 'invalid_challenge' };
    if (taken === 'expired') return { status: 'refused', reason: 'challenge_expired' };
    const pending = { ...taken.payload, userId: taken.userId! };
    const client = { ip: pending.ip, userAgent: pending.userAgent };
    const refuse = async (reason: RefusalReason, retryAfterMs?: number, keep = true, payload: PendingMfa = taken.payload): Promise<Refused> => {
      // A spent attempt: the challenge survives a wrong code while attempts remain.
      const failed: Challenge<PendingMfa> = reason === 'invalid_code' || reason === 'used' ? { ...taken, payload, failures: taken.failures + 1 } : { ...taken, payload };
      if (keep && failed.failures < MFA_CHALLENGE_MAX_FAILURES) await this.#challenges.restore('mfa', challenge, failed);
      await this.#record('auth.mfa_completed', 'failure', pending.userId, client, { method, reason });
      return retryAfterMs === undefined ? { status: 'refused', reason } : { status: 'refused', reason, retryAfterMs };
    };

    if (method !== 'recovery' && !pending.methods.includes(method)) return refuse('method_not_available');
    let checked: SecondFactorResult;
    if (input.method === 'totp') {
      checked = await this.#users.verifyTotp(pending.userId, input.code, client);
    } else if (input.method === 'recovery') {
      checked = await this.#users.useRecoveryCode(pending.userId, input.code, client);
    } else if (input.method === 'biometric') {
      // One assertion per WebAuthn challenge: a failed one needs fresh options.
      if (pending.webauthnChallenge === undefined) return refuse('webauthn_not_started');
      const { webauthnChallenge: expected, ...rest } = pending;
      const v = await this.#webauthn!.verifyAuthentication(pending.userId, input.response, expected);
      if (!v.ok) return refuse('invalid_code', undefined, true, { ip: rest.ip, userAgent: rest.userAgent, methods: rest.methods, ...(rest.smsChallengeId ? { smsChallengeId: rest.smsChallengeId } : {}) });
      checked = { ok: true };
    } else {
      if (pending.smsChallengeId === undefined) return refuse('sms_not_started');
      const v = await this.#sms!.verify(pending.smsChallengeId, input.code);
      if (v.ok && v.userId !== pending.userId) return refuse('invalid_code', undefined, false); // cannot happen unless state is corrupt
      if (!v.ok) return refuse(v.reason === 'invalid' ? 'invalid_code' : v.reason === 'expired' ? 'code_expired' : 'too_many_attempts', undefined, v.reason === 'invalid');
      checked = { ok: true };
    }
    if (!checked.ok) {
      if (checked.reason === 'locked') return refuse('locked', checked.retryAfterMs, false);
      if (checked.reason === 'not_enrolled') return refuse('method_not_available');
      return refuse(checked.reason);
    }
    // The account may have been disabled between the first step and the code.
    const user = await this.#users.get(pending.userId);
    if (!user || user.disabled) return refuse('disabled', undefined, false);
    await this.#record('auth.mfa_completed', 'success', pending.userId, client, { method });
    return this.#startSession(pending.userId, client, true);
  }

  /**
   * Self-service: send a code to `phone` to prove the user holds it; `confirmPhone` with the
   * returned token and the code makes it the account's SMS number. Rate limited as sign-in codes.
   */
  async startPhoneVerification(userId: string, phone: string): Promise<{ status: 'sent'; verification: string; phone: string; expiresAt: string } | Refused> {
    if (!this.#sms) throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', 'SMS is not enabled: add "sms" to mfaMethods and configure auth.sms', { option: 'mfaMethods', supported: ['sms'] });
    if (typeof phone !== 'string' || !E164.test(phone)) throw invalidInput('phone must be an E.164 number such as +447700900123', { option: 'phone' });
    const sent = await this.#sms.send(userId, phone);
    if (!sent.ok) return { status: 'refused', reason: 'rate_limited', retryAfterMs: sent.retryAfterMs };
    const { token } = await this.#challenges.issue('phone_verification', { userId, payload: { phone, smsChallengeId: sent.challengeId }, ttlMs: sent.expiresAt.getTime() - this.#clock().getTime(), onePerUser: true });
    return { status: 'sent', verification: token, phone: maskPhone(phone), expiresAt: sent.expiresAt.toISOString() };
  }

  /** Finish `startPhoneVerification`; the token is spent unless the code was merely wrong. */
  async confirmPhone(userId: string, verification: string, code: string, client: ClientInput = {}): Promise<{ status: 'confirmed'; phone: string } | Refused> {
    parseMethodInput(clientSchema, client, 'confirmPhone');
    const taken = await this.#challenges.take<{ phone: string; smsChallengeId: string }>('phone_verification', verification);
    if (taken === null || taken === 'expired' || taken.userId !== userId) return { status: 'refused', reason: taken === 'expired' ? 'challenge_expired' : 'invalid_challenge' };
    const v = await this.#sms!.verify(taken.payload.smsChallengeId, code);
    if (!v.ok) {
      if (v.reason === 'invalid') await this.#challenges.restore('phone_verification', verification, taken);
      return { status: 'refused', reason: v.reason === 'invalid' ? 'invalid_code' : v.reason === 'expired' ? 'code_expired' : 'too_many_attempts' };
    }
    await this.#users.setPhone(userId, taken.payload.phone, client);
    return { status: 'confirmed', phone: maskPhone(taken.payload.phone) };
  }

  /** WebAuthn registration options for a signed-in user, and the token to answer them with. */
  async beginWebAuthnRegistration(userId: string): Promise<{ registration: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const webauthn = this.#mustWebAuthn();
    const user = await this.#users.get(userId);
    if (!user) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId });
    const { options, challenge } = await webauthn.registrationOptions({ id: user.id, username: user.username });
    const { token } = await this.#challenges.issue('webauthn_registration', { userId, payload: { challenge }, ttlMs: WEBAUTHN_REGISTRATION_TTL_MS, onePerUser: true });
    return { registration: token, options };
  }

  /** Store the authenticator that answered `beginWebAuthnRegistration` (the token is spent either way). */
  async finishWebAuthnRegistration(userId: string, registration: string, response: RegistrationResponseJSON, name?: string): Promise<WebAuthnCredential> {
    const webauthn = this.#mustWebAuthn();
    const taken = await this.#challenges.take<{ challenge: string }>('webauthn_registration', registration);
    if (taken === null || taken === 'expired' || taken.userId !== userId) throw invalidInput('the registration expired or is not yours; start it again', { option: 'registration' });
    return webauthn.verifyRegistration(userId, response, taken.payload.challenge, name);
  }

  /** Begin an SSO sign-in: where to send the browser, and the token that must come back with it (cookie and, for SAML, RelayState). */
  async startSso(provider: string, client: ClientInput = {}): Promise<{ redirectUrl: string; token: string; expiresAt: string }> {
    const sso = this.#mustSso();
    parseMethodInput(clientSchema, client, 'startSso');
    const who = { ip: client.ip ?? null, userAgent: client.userAgent ?? null };
    sso.providers.policy(provider); // an unknown name is refused before anything is stored
    const { token, expiresAtMs } = await this.#challenges.issue<PendingSso>('sso', { userId: null, payload: { provider, ...who, state: null }, ttlMs: SSO_LOGIN_TTL_MS });
    const { redirectUrl, state } = await sso.providers.start(provider, ssoRelayState(token));
    await this.#challenges.update<PendingSso>('sso', token, { provider, ...who, state } as PendingSso);
    return { redirectUrl, token, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /**
   * Finish an SSO sign-in with the IdP's answer and the token `startSso` returned (from the
   * browser's cookie). The token is spent whatever the outcome.
   */
  async finishSso(input: { provider: string; token: string; callback: SsoCallback; ip?: string | null; userAgent?: string | null }): Promise<LoginResult> {
    const sso = this.#mustSso();
    if (typeof input !== 'object' || input === null) throw invalidInput('finishSso takes { provider, token, callback, ip?, userAgent? }');
    parseMethodInput(finishSsoInputSchema, input, 'finishSso');
    const client = { ip: input.ip ?? null, userAgent: input.userAgent ?? null };
    // Checked before the sign-in is taken, so a mismatch spends nothing. SAML: the IdP echoes RelayState, the digest of this browser's token (the token itself
    // never travels through the IdP, so a captured form does not yield the cookie).
    if ('relayState' in input.callback && !secretsEqual(input.callback.relayState, ssoRelayState(input.token))) {
      await this.#record('auth.sso_login', 'failure', null, client, { provider: input.provider, reason: 'relay_state_mismatch' });
      return { status: 'refused', reason: 'invalid_challenge' };
    }
    const taken = await this.#challenges.take<PendingSso>('sso', input.token);
    if (taken === null || taken === 'expired' || taken.payload.provider !== input.provider || taken.payload.state === null) {
      await this.#record('auth.sso_login', 'failure', null, client, { provider: input.provider, reason: taken === 'expired' ? 'challenge_expired' : 'invalid_challenge' });
      return { status: 'refused', reason: taken === 'expired' ? 'challenge_expired' : 'invalid_challenge' };
    }
    let identity;
    try {
      identity = await sso.providers.finish(input.provider, input.callback, taken.payload.state);
    } catch (err) {
      if (!isLangtrainError(err, 'ERR_SSO_FAILED')) throw err;
      await this.#record('auth.sso_login', 'failure', null, client, { provider: input.provider, reason: String(err.details?.reason ?? 'sso_failed') });
      return { status: 'refused', reason: 'sso_failed' };
    }
    const account = await sso.accounts.resolve(identity, sso.providers.policy(input.provider), client);
    if (!account.ok) return { status: 'refused', reason: account.reason };
    await this.#record('auth.sso_login', 'success', account.user.id, client, { provider: identity.provider, subject: identity.subject, idpMfa: identity.mfa, created: account.created });
    if (identity.mfa || !this.settings.mfaRequired) return this.#startSession(account.user.id, client, identity.mfa);
    return this.#challengeSecondFactor(account.user, client);
  }

  /**
   * Admin: link an existing account to an IdP subject (the way out of `account_conflict`, and
   * how accounts are admitted when `jitProvisioning` is off). The provider must be configured.
   */
  async linkSsoIdentity(userId: string, provider: string, subject: string, client: ClientInput = {}): Promise<void> {
    const sso = this.#mustSso();
    parseMethodInput(clientSchema, client, 'linkSsoIdentity');
    sso.providers.policy(provider); // ERR_NOT_FOUND naming the configured providers
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 1024) throw invalidInput('subject must be the IdP subject (OIDC sub, SAML NameID), 1 to 1024 characters', { option: 'subject' });
    await sso.accounts.link(userId, provider, subject, { ip: client.ip ?? null, userAgent: client.userAgent ?? null });
  }

  /** SAML SP metadata for provider `name` (to register at the IdP). */
  samlMetadata(provider: string): string {
    return this.#mustSso().providers.samlMetadata(provider);
  }

  /** The second factors the account has enrolled: TOTP, a number for SMS, WebAuthn credentials (when enabled). */
  async enrolledFactors(user: User): Promise<MfaMethod[]> {
    const factors: MfaMethod[] = [];
    if (user.mfa) factors.push('totp');
    if (user.phone !== null) factors.push('sms');
    if (this.#webauthn && (await this.#webauthn.hasCredentials(user.id))) factors.push('biometric');
    return factors;
  }

  /**
   * Admin, for a user who lost their device: remove every second factor (TOTP and recovery
   * codes, WebAuthn credentials, the SMS number) and end the account's sessions, so the next
   * sign-in enrols afresh. Each removal is audited.
   */
  async resetSecondFactors(userId: string, client: ClientInput = {}): Promise<{ totp: boolean; recoveryCodes: number; webauthnCredentials: number; phone: boolean; sessionsRevoked: number }> {
    parseMethodInput(clientSchema, client, 'resetSecondFactors');
    const user = await this.#users.get(userId);
    if (!user) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId });
    const { totp, recoveryCodes } = await this.#users.removeTotp(userId, client);
    let webauthnCredentials = 0;
    for (const c of (await this.#webauthn?.list(userId)) ?? []) webauthnCredentials += Number(await this.#webauthn!.remove(userId, c.id));
    if (user.phone !== null) await this.#users.setPhone(userId, null, client);
    const sessionsRevoked = await this.#sessions.revokeAllForUser(userId);
    return { totp, recoveryCodes, webauthnCredentials, phone: user.phone !== null, sessionsRevoked };
  }

  /** Disable the account and end the access it already holds: every live session and API key. */
  async disableUser(userId: string, client: ClientInput = {}): Promise<{ sessionsRevoked: number; apiKeysRevoked: number }> {
    parseMethodInput(clientSchema, client, 'disableUser');
    await this.#users.disable(userId, client);
    const sessionsRevoked = await this.#sessions.revokeAllForUser(userId);
    let apiKeysRevoked = 0;
    for (const key of await this.#apiKeys.list(userId)) if (key.status === 'active' || key.status === 'rotating') apiKeysRevoked += Number(await this.#apiKeys.revoke(key.id, client));
    return { sessionsRevoked, apiKeysRevoked };
  }

  /** The live session `token` names, or null (SessionStore.validate), asked of the store every time. */
  validateSession(token: string): Promise<ValidatedSession | null> {
    return this.#sessions.validate(token);
  }

  /**
   * For request handling: the live session `token` names and its account, or why not (the
   * session is not live; the account is gone or disabled). Answers from RecentCredentials
   * for up to a second (or the session's touch interval, if shorter, so activity is still
   * recorded on time); a change made through this manager takes effect at once, and so does a
   * sign-out on another instance when Redis is configured (its revocations are checked on
   * every request).
   */
  async authenticateSession(token: string): Promise<SessionAuthentication> {
    const now = this.#clock().getTime();
    const key = RecentCredentials.key(token);
    const revision = this.#sessions.revision + this.#users.revision;
    const recent = this.#recentSessions.get(key, revision, now);
    if (recent !== undefined) return (await this.#sessions.revokedElsewhere(recent.session.id)) ? { ok: false, reason: 'not_live' } : recent;
    const live = await this.#sessions.validate(token);
    if (live === null) return { ok: false, reason: 'not_live' };
    const user = await this.#users.get(live.session.userId);
    if (user === null || user.disabled) return { ok: false, reason: 'account_disabled', userId: live.session.userId };
    const signedIn = { ok: true as const, session: live.session, user };
    this.#recentSessions.set(key, signedIn, revision, now, Date.parse(live.expiresAt));
    return signedIn;
  }

  /** Sign out: revoke the session `token` names. False when it is not a live session. */
  async logout(token: string): Promise<boolean> {
    // Validated first: knowing a session id alone must not let anyone end it.
    const current = await this.#sessions.validate(token);
    if (!current) return false;
    return this.#sessions.revoke(current.session.id);
  }

  /**
   * The seed's `create_api_key(user_id, permissions, expiry_days=30, auto_rotate=True, rate_limit="1000/hour")`:
   * `{ userId, permissions, expiryDays?, autoRotate?, rateLimit?, environment?, name?, client? }`. An unknown
   * option (`expiry_days`, `ratelimit`) is refused naming the supported ones, never ignored for a default.
   */
  async createApiKey(input: CreateApiKeyOptions): Promise<IssuedApiKey> {
    if (typeof input !== 'object' || input === null) throw invalidInput('createApiKey takes { userId, permissions, expiryDays?, autoRotate?, rateLimit?, environment?, name?, client? }');
    const options = parseMethodInput(createApiKeyOptionsSchema, input, 'createApiKey');
    const user = await this.#users.get(options.userId);
    if (!user) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId: options.userId });
    if (user.disabled) throw invalidInput('the account is disabled; it cannot be given API keys', { userId: user.id });
    return this.#apiKeys.create({
      userId: user.id,
      permissions: options.permissions,
      expiryDays: options.expiryDays,
      autoRotate: options.autoRotate,
      rateLimit: options.rateLimit,
      environment: options.environment,
      name: options.name,
      ...(options.client ? { client: options.client } : {}),
    });
  }

  /** ApiKeyStore.verify: whether `key` may be used now, for `permission` if given (`{ permission?, client? }`). */
  async verifyApiKey(key: string, options: { permission?: string; client?: ApiKeyClient } = {}): Promise<ApiKeyVerification> {
    return this.#apiKeys.verify(key, parseMethodInput(verifyApiKeyOptionsSchema, options, 'verifyApiKey'));
  }

  /** The first factor passed: a second-factor challenge with the methods this account can use, or a refusal. */
  async #challengeSecondFactor(user: User, client: Client): Promise<LoginResult> {
    const methods: MfaMethod[] = [];
    if (user.mfa && this.settings.mfaMethods.includes('totp')) methods.push('totp');
    if (this.settings.mfaMethods.includes('sms') && (await this.#smsPhone!(user.id)) !== null) methods.push('sms');
    if (this.#webauthn && (await this.#webauthn.hasCredentials(user.id))) methods.push('biometric');
    if (methods.length === 0) {
      await this.#record('auth.mfa_challenge', 'denied', user.id, client, { reason: 'no_second_factor', enrolmentSession: true });
      const started = await this.#startSession(user.id, client, false);
      return started.status === 'authenticated' ? { status: 'enrolment_required', token: started.token, session: started.session } : started;
    }
    const { token, expiresAtMs } = await this.#challenges.issue<PendingMfa>('mfa', { userId: user.id, payload: { ...client, methods }, ttlMs: MFA_CHALLENGE_TTL_MS, onePerUser: true });
    const expiresAt = new Date(expiresAtMs).toISOString();
    await this.#record('auth.mfa_challenge', 'success', user.id, client, { methods, expiresAt });
    return { status: 'mfa_required', challenge: token, methods, expiresAt };
  }

  async #startSession(userId: string, client: Client, mfa: boolean): Promise<Authenticated | Refused> {
    try {
      const { token, session } = await this.#sessions.create({ userId, ...client, mfa });
      return { status: 'authenticated', token, session };
    } catch (err) {
      if (isLangtrainError(err, 'ERR_SESSION_LIMIT')) return { status: 'refused', reason: 'session_limit' };
      throw err;
    }
  }

  #mustWebAuthn(): WebAuthnCredentials {
    if (!this.#webauthn) throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', 'WebAuthn is not enabled: add "biometric" to mfaMethods', { option: 'mfaMethods', supported: ['biometric'] });
    return this.#webauthn;
  }

  #mustSso(): { providers: SsoProviders; accounts: SsoAccounts } {
    if (!this.#sso) throw new LangtrainError('ERR_NOT_FOUND', 'no SSO providers are configured (ssoProviders)');
    return this.#sso;
  }

  #record(eventType: string, result: string, userId: string | null, client: Client, data: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({ eventType, userId, timestamp: this.#clock(), result, level: 'basic', additionalData: { ...data, ip: client.ip, userAgent: client.userAgent } });
  }
}

/** What SAML's RelayState carries for an SSO sign-in: a digest of the browser's token, never the token. */
function ssoRelayState(token: string): string {
  return createHash('sha256').update(`langtrain-sso-relay-state:${token}`).digest('base64url');
}
