import { createHash, randomBytes } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyMigrations } from '../../src/identity/api-keys/api-key-schema.js';
import { ApiKeyStore } from '../../src/identity/api-keys/api-key-store.js';
import { AuthenticationManager, MFA_CHALLENGE_TTL_MS, type AuthenticationManagerDeps, type AuthenticationManagerOptions } from '../../src/identity/authentication-manager.js';
import { SmsCodes, smsCodeMigrations } from '../../src/identity/mfa/sms/sms-codes.js';
import { DevelopmentSmsSender } from '../../src/identity/mfa/sms/sms-sender.js';
import { PasswordHasher } from '../../src/identity/passwords/password-hasher.js';
import { MemoryRateLimiter } from '../../src/identity/rate-limit/memory-rate-limiter.js';
import { LoginChallenges } from '../../src/identity/login/login-challenges.js';
import { loginMigrations } from '../../src/identity/login/schema.js';
import { sessionMigrations } from '../../src/identity/sessions/schema.js';
import { SessionStore } from '../../src/identity/sessions/session-store.js';
import { UserDirectory, type User } from '../../src/identity/users/user-directory.js';
import { userMigrations } from '../../src/identity/users/user-schema.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { storeUrls } from '../support/services.js';
import { RecordedEvents } from '../support/recorded-events.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const STEP = 30_000;
const CLIENT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 LangTrainTest/1.0' };
const PASSWORD = 'correct horse battery staple';
const PHONE = '+447700900123';
/** The seed's configuration, minus what is not built yet (biometric, SSO). */
const SEED: AuthenticationManagerOptions = { mfaRequired: true, mfaMethods: ['totp', 'sms'], sessionTimeout: '8h', concurrentSessions: 1, idleTimeout: '30m' };

const codeAt = (secret: string, ms: number) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(ms / STEP) });

describe.each(storeUrls('auth-manager').slice(0, 1))('AuthenticationManager on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let now: number;
  let users: UserDirectory;
  let apiKeys: ApiKeyStore;
  let sender: DevelopmentSmsSender;
  let smsCodes: SmsCodes;
  let phones: Map<string, string>;
  /** Nothing in here may reach the audit log. */
  const secrets: string[] = [];
  const clock = () => new Date(now);

  const deps = (sessions: SessionStore): AuthenticationManagerDeps => ({
    users,
    sessions,
    apiKeys,
    challenges: new LoginChallenges({ store, clock }),
    smsCodes,
    smsPhone: async (id) => phones.get(id) ?? null,
    audit,
    clock,
  });
  const manager = (options: AuthenticationManagerOptions = SEED) =>
    new AuthenticationManager(options, deps(new SessionStore(AuthenticationManager.sessionOptions(options), { store, audit, clock })));
  const login = (m: AuthenticationManager, password = PASSWORD) => m.login({ username: 'alice', password, ...CLIENT });
  const track = <T extends { token?: string; challenge?: string; status: string }>(r: T): T => {
    if (r.token) secrets.push(r.token);
    if (r.challenge) secrets.push(r.challenge);
    return r;
  };

  /** Alice with confirmed TOTP; the clock moved on a step so the confirming code is spent. */
  async function enrolTotp(user: User): Promise<string> {
    const { secret } = await users.enrolTotp(user.id);
    secrets.push(secret);
    expect((await users.confirmTotp(user.id, codeAt(secret, now))).ok).toBe(true);
    now += STEP;
    return secret;
  }

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'users', userMigrations);
    await migrate(store, 'sessions', sessionMigrations);
    await migrate(store, 'api_keys', apiKeyMigrations);
    await migrate(store, 'sms_codes', smsCodeMigrations);
    await migrate(store, 'login', loginMigrations);
    audit = new RecordedEvents();
    now = START;
    users = new UserDirectory({}, { store, audit, secretKey: randomBytes(32), hasher: new PasswordHasher({ memoryCost: 1024, timeCost: 1 }), clock });
    apiKeys = new ApiKeyStore({ pepper: randomBytes(32) }, { store, audit, clock });
    sender = new DevelopmentSmsSender();
    smsCodes = new SmsCodes({}, { store, audit, sender, rateLimiter: new MemoryRateLimiter({ now: () => now }), clock });
    phones = new Map();
    secrets.length = 0;
    secrets.push(PASSWORD);
  });
  afterEach(async () => {
    const text = JSON.stringify(audit.events);
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(createHash('sha256').update(s).digest('hex'));
    }
    expect(text).not.toContain(PHONE);
    await store.close();
    await cleanup();
  });

  describe('options', () => {
    it('refuses an unknown MFA method, listing the supported ones', () => {
      expect(() => manager({ mfaMethods: ['totp', 'fax'] })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/"fax".*supported: totp, sms, biometric/) }));
    });

    it('needs WebAuthnCredentials for biometric', () => {
      expect(() => manager({ mfaMethods: ['totp', 'sms', 'biometric'] })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('deps.webauthn') }));
    });

    it('needs SsoProviders built from the same ssoProviders, and accepts an empty map', () => {
      const ssoProviders = { okta: { samlEndpoint: 'https://company.okta.com/saml', certificatePath: '/certs/okta.pem' }, azure_ad: { tenantId: 't', clientId: 'c' } };
      expect(() => manager({ ...SEED, ssoProviders })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/deps.sso.*azure_ad, okta/) }));
      expect(() => manager({ ...SEED, ssoProviders: { Okta: {} } })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('provider names are lower-case') }));
      expect(manager({ ...SEED, ssoProviders: {} }).settings.mfaMethods).toEqual(['totp', 'sms']);
    });

    it('refuses unknown options and session options that differ from the SessionStore', () => {
      expect(() => manager({ mfa_required: true } as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('mfaRequired') }));
      const sessions = new SessionStore({ sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: 3 }, { store, audit, clock });
      expect(() => new AuthenticationManager(SEED, deps(sessions))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/concurrentSessions 1, the SessionStore has 3/) }));
      const longer = new SessionStore({ sessionTimeout: '12h' }, { store, audit, clock });
      expect(() => new AuthenticationManager(SEED, deps(longer))).toThrow(/sessionTimeout 28800000 ms, the SessionStore has 43200000 ms/);
      // Omitted session options take the store's.
      expect(() => new AuthenticationManager({ mfaMethods: ['totp'] }, deps(longer))).not.toThrow();
      expect(AuthenticationManager.sessionOptions(SEED)).toEqual({ sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: 1 });
    });

    it('needs SmsCodes and a phone lookup for sms', () => {
      const sessions = new SessionStore({}, { store, audit, clock });
      const { smsCodes: _s, ...withoutSms } = deps(sessions);
      expect(() => new AuthenticationManager({ mfaMethods: ['sms'] }, withoutSms)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('deps.smsCodes') }));
      const { smsPhone: _p, ...withoutPhone } = deps(sessions);
      expect(() => new AuthenticationManager({ mfaMethods: ['sms'] }, withoutPhone)).toThrow(/deps.smsPhone/);
      expect(() => new AuthenticationManager({ mfaMethods: ['totp'] }, withoutSms)).not.toThrow();
    });
  });

  describe('authenticateSession (request handling, answered from memory for a moment)', () => {
    const signIn = async (m: AuthenticationManager) => {
      const r = track(await login(m));
      if (r.status !== 'authenticated') throw new Error(`expected a session, got ${r.status}`);
      return r;
    };

    it('sees a change made through this manager at once', async () => {
      const alice = await users.createUser({ username: 'alice', password: PASSWORD, roles: ['analyst'] });
      const m = manager({ mfaMethods: ['totp'], concurrentSessions: 5 });
      const first = await signIn(m);
      const second = await signIn(m);
      expect(await m.authenticateSession(first.token)).toMatchObject({ ok: true, user: { roles: ['analyst'] } });
      await users.setRoles(alice.id, ['admin']);
      expect(await m.authenticateSession(first.token)).toMatchObject({ ok: true, user: { roles: ['admin'] } });
      expect(await m.logout(first.token)).toBe(true);
      expect(await m.authenticateSession(first.token)).toEqual({ ok: false, reason: 'not_live' });
      expect((await m.authenticateSession(second.token)).ok).toBe(true);
      await users.disable(alice.id);
      expect(await m.authenticateSession(second.token)).toEqual({ ok: false, reason: 'account_disabled', userId: alice.id });
    });

    it("sees another instance's sign-out and demotion within a second (no Redis)", async () => {
      const alice = await users.createUser({ username: 'alice', password: PASSWORD, roles: ['analyst'] });
      const here = manager({ mfaMethods: ['totp'] });
      // Another instance: its own stores over the same database.
      const otherUsers = new UserDirectory({}, { store, audit, secretKey: randomBytes(32), hasher: new PasswordHasher({ memoryCost: 1024, timeCost: 1 }), clock });
      const other = new AuthenticationManager({ mfaMethods: ['totp'] }, { ...deps(new SessionStore({}, { store, audit, clock })), users: otherUsers });
      const r = await signIn(here);
      expect((await here.authenticateSession(r.token)).ok).toBe(true);

      await otherUsers.setRoles(alice.id, []);
      now += 999;
      expect(await here.authenticateSession(r.token)).toMatchObject({ ok: true, user: { roles: ['analyst'] } });
      now += 1;
      expect(await here.authenticateSession(r.token)).toMatchObject({ ok: true, user: { roles: [] } });

      expect(await other.logout(r.token)).toBe(true);
      expect((await here.authenticateSession(r.token)).ok).toBe(true);
      now += 1000;
      expect(await here.authenticateSession(r.token)).toEqual({ ok: false, reason: 'not_live' });
    });

    it('never answers from memory past the idle end, and still records activity on time', async () => {
      await users.createUser({ username: 'alice', password: PASSWORD });
      // Idle 5 s: activity is recorded every 500 ms, so that is also how long an answer is kept.
      const m = manager({ mfaMethods: ['totp'], idleTimeout: '5s' });
      const r = await signIn(m);
      for (let i = 0; i < 20; i += 1) {
        now += 400;
        expect((await m.authenticateSession(r.token)).ok).toBe(true);
      }
      const seen = Date.parse((await m.sessions.list(r.session.userId))[0]!.lastSeenAt);
      expect(now - seen).toBeLessThan(1000);
      now += 5000;
      expect(await m.authenticateSession(r.token)).toEqual({ ok: false, reason: 'not_live' });
    });

    it('refuses a token with a wrong secret even while the real one is remembered', async () => {
      await users.createUser({ username: 'alice', password: PASSWORD });
      const m = manager({ mfaMethods: ['totp'] });
      const r = await signIn(m);
      expect((await m.authenticateSession(r.token)).ok).toBe(true);
      const last = r.token.at(-1) === 'A' ? 'B' : 'A';
      expect(await m.authenticateSession(r.token.slice(0, -1) + last)).toEqual({ ok: false, reason: 'not_live' });
    });
  });

  it('signs in with the password alone when MFA is not required and not enrolled', async () => {
    await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager({ mfaMethods: ['totp'] });
    expect(await login(m, 'wrong password entirely')).toEqual({ status: 'refused', reason: 'invalid_credentials' });
    const r = track(await login(m));
    if (r.status !== 'authenticated') throw new Error(`expected a session, got ${r.status}`);
    expect(r.session.mfa).toBe(false);
    expect((await m.validateSession(r.token))?.session.id).toBe(r.session.id);
  });

  it('requires TOTP when mfaRequired: login, then completeMfa with a valid code; wrong codes refused', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const secret = await enrolTotp(alice);
    const m = manager();
    const r = track(await login(m));
    expect(r).toMatchObject({ status: 'mfa_required', methods: ['totp'] });
    if (r.status !== 'mfa_required') throw new Error('unreachable');
    expect(r.challenge).toMatch(/^ltc_[A-Za-z0-9_-]{43}$/);

    const wrong = codeAt(secret, now).replace(/^./, (d) => String((Number(d) + 1) % 10));
    expect(await m.completeMfa({ challenge: r.challenge, method: 'totp', code: wrong })).toEqual({ status: 'refused', reason: 'invalid_code' });
    expect(await m.completeMfa({ challenge: r.challenge, method: 'sms', code: '123456' })).toEqual({ status: 'refused', reason: 'method_not_available' });

    const done = track(await m.completeMfa({ challenge: r.challenge, method: 'totp', code: codeAt(secret, now) }));
    if (done.status !== 'authenticated') throw new Error(`expected a session, got ${JSON.stringify(done)}`);
    expect(done.session).toMatchObject({ userId: alice.id, mfa: true, ip: CLIENT.ip });
    expect((await m.validateSession(done.token))?.session.mfa).toBe(true);
    // Single use.
    expect(await m.completeMfa({ challenge: r.challenge, method: 'totp', code: codeAt(secret, now + STEP) })).toEqual({ status: 'refused', reason: 'invalid_challenge' });
    expect(audit.of('auth.mfa_completed').map((e) => e.result)).toEqual(['failure', 'failure', 'success']);
  });

  it('lets another instance on the same store finish the sign-in, once; concurrent completions cannot both succeed', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const secret = await enrolTotp(alice);
    const first = manager();
    const second = manager();
    const r = track(await login(first));
    if (r.status !== 'mfa_required') throw new Error('unreachable');
    const code = codeAt(secret, now);
    const both = await Promise.all([second.completeMfa({ challenge: r.challenge, method: 'totp', code }), first.completeMfa({ challenge: r.challenge, method: 'totp', code })]);
    both.forEach(track);
    expect(both.map((b) => b.status).sort()).toEqual(['authenticated', 'refused']);
    // A newer login replaces the older challenge of the same user.
    const older = track(await login(first));
    const newer = track(await login(second));
    if (older.status !== 'mfa_required' || newer.status !== 'mfa_required') throw new Error('unreachable');
    expect(await second.completeMfa({ challenge: older.challenge, method: 'totp', code: codeAt(secret, now + STEP) })).toEqual({ status: 'refused', reason: 'invalid_challenge' });
  });

  it('requires TOTP for an enrolled account even when mfaRequired is false', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    await enrolTotp(alice);
    expect(track(await login(manager({ mfaMethods: ['totp'] })))).toMatchObject({ status: 'mfa_required', methods: ['totp'] });
  });

  it('expires challenges after 5 minutes and spends them after 5 wrong codes', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const secret = await enrolTotp(alice);
    const m = manager({ ...SEED, mfaMethods: ['totp'] });
    const first = track(await login(m));
    if (first.status !== 'mfa_required') throw new Error('unreachable');
    now += MFA_CHALLENGE_TTL_MS;
    expect(await m.completeMfa({ challenge: first.challenge, method: 'totp', code: codeAt(secret, now) })).toEqual({ status: 'refused', reason: 'challenge_expired' });

    const second = track(await login(m));
    if (second.status !== 'mfa_required') throw new Error('unreachable');
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await m.completeMfa({ challenge: second.challenge, method: 'recovery', code: 'aaaa-bbbb-cccc' })) as { reason: string });
    // The account lockout (5 failures) and the challenge's own limit both end it.
    expect(results.slice(0, 4).map((x) => x.reason)).toEqual(['invalid_code', 'invalid_code', 'invalid_code', 'invalid_code']);
    expect(await m.completeMfa({ challenge: second.challenge, method: 'totp', code: codeAt(secret, now) })).toEqual({ status: 'refused', reason: 'invalid_challenge' });
  });

  it('accepts a recovery code once as the second factor', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    await enrolTotp(alice);
    const [code] = await users.generateRecoveryCodes(alice.id);
    secrets.push(code!);
    const m = manager();
    const r = track(await login(m));
    if (r.status !== 'mfa_required') throw new Error('unreachable');
    const done = track(await m.completeMfa({ challenge: r.challenge, method: 'recovery', code: code! }));
    expect(done).toMatchObject({ status: 'authenticated', session: { mfa: true } });
    if (done.status === 'authenticated') expect(await m.logout(done.token)).toBe(true);

    const again = track(await login(m));
    if (again.status !== 'mfa_required') throw new Error('unreachable');
    expect(await m.completeMfa({ challenge: again.challenge, method: 'recovery', code: code! })).toEqual({ status: 'refused', reason: 'invalid_code' });
    expect(await users.remainingRecoveryCodes(alice.id)).toBe(9);
  });

  it('gives an account without a usable second factor, when MFA is required, a session without mfa that may only enrol one', async () => {
    await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager();
    const r = track(await login(m));
    expect(r).toMatchObject({ status: 'enrolment_required', session: { mfa: false } });
    expect(audit.of('auth.mfa_challenge')).toMatchObject([{ result: 'denied', additionalData: { reason: 'no_second_factor', enrolmentSession: true } }]);
    // A wrong password still answers invalid_credentials (nothing said about enrolment).
    expect(await login(m, 'wrong password entirely')).toEqual({ status: 'refused', reason: 'invalid_credentials' });
  });

  it('passes the second factor by SMS to the number on record', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    phones.set(alice.id, PHONE);
    const m = manager();
    const r = track(await login(m));
    expect(r).toMatchObject({ status: 'mfa_required', methods: ['sms'] });
    if (r.status !== 'mfa_required') throw new Error('unreachable');
    expect(await m.completeMfa({ challenge: r.challenge, method: 'sms', code: '000000' })).toEqual({ status: 'refused', reason: 'sms_not_started' });
    expect(await m.startSmsChallenge('ltc_nonsense')).toEqual({ status: 'refused', reason: 'invalid_challenge' });

    expect(await m.startSmsChallenge(r.challenge)).toMatchObject({ status: 'sent', phone: '***23' });
    const code = /^(\d{6}) /.exec(sender.lastTo(PHONE)!.text)![1]!;
    secrets.push(code);
    const wrong = code.replace(/^./, (d) => String((Number(d) + 1) % 10));
    expect(await m.completeMfa({ challenge: r.challenge, method: 'sms', code: wrong })).toEqual({ status: 'refused', reason: 'invalid_code' });
    const done = track(await m.completeMfa({ challenge: r.challenge, method: 'sms', code }));
    expect(done).toMatchObject({ status: 'authenticated', session: { userId: alice.id, mfa: true } });
  });

  it('creates and verifies an API key with the seed values', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager();
    const issued = await m.createApiKey({ userId: alice.id, permissions: ['models.inference', 'datasets.read'], expiryDays: 30, autoRotate: true, rateLimit: '1000/hour' });
    secrets.push(issued.key);
    expect(issued.expiresAt).toBe(new Date(START + 30 * 86_400_000).toISOString());
    expect(await m.verifyApiKey(issued.key, { permission: 'models.inference' })).toMatchObject({ ok: true, userId: alice.id, permissions: ['models.inference', 'datasets.read'] });
    expect(await m.verifyApiKey(issued.key, { permission: 'models.deploy' })).toEqual({ ok: false, reason: 'forbidden' });
    expect(await m.verifyApiKey('lt_live_nonsense')).toEqual({ ok: false, reason: 'malformed' });
    expect(audit.of('auth.api_key_created')).toMatchObject([{ additionalData: { autoRotate: true, rateLimit: '1000/hour' } }]);
    // Defaults are the seed's.
    const defaulted = await m.createApiKey({ userId: alice.id, permissions: ['models.inference'] });
    secrets.push(defaulted.key);
    expect(audit.of('auth.api_key_created')[1]).toMatchObject({ additionalData: { autoRotate: true, rateLimit: '1000/hour', environment: 'live' } });
    await expect(m.createApiKey({ userId: 'nobody', permissions: ['models.inference'] })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('refuses unknown createApiKey options, naming the supported ones, rather than issuing a key with the defaults', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager();
    const typos = await m.createApiKey({ userId: alice.id, permissions: ['models.inference'], expiryDay: 1, autoRotat: false, ratelimit: '5/hour' } as never).catch((e: unknown) => e);
    expect(typos).toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/^AuthenticationManager.createApiKey: unknown option expiryDay, autoRotat, ratelimit \(supported: userId, permissions, expiryDays, autoRotate, rateLimit, environment, name, client\)/) });
    const snake = await m.createApiKey({ userId: alice.id, permissions: ['models.inference'], expiry_days: 1, rate_limit: '1/hour', auto_rotate: false } as never).catch((e: unknown) => e);
    expect(snake).toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('unknown option expiry_days, rate_limit, auto_rotate') });
    await expect(m.createApiKey({ userId: alice.id, permissions: ['models.inference'], client: { ip: '10.0.0.1', agent: 'x' } } as never)).rejects.toMatchObject({ message: expect.stringMatching(/client: unknown key agent \(supported: ip, userAgent\)/) });
    await expect(m.createApiKey({ userId: alice.id, permissions: ['models.inference'], expiryDays: '1' } as never)).rejects.toMatchObject({ message: expect.stringContaining('expiryDays') });
    expect(audit.of('auth.api_key_created')).toEqual([]);
    expect(await m.apiKeys.list(alice.id)).toEqual([]);
  });

  it('refuses unknown options of the other methods that take an options object', async () => {
    const alice = await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager({ mfaMethods: ['totp'] });
    const unknown = (method: string, key: string) => expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(new RegExp(`^AuthenticationManager\\.${method}: .*unknown (option|key) ${key}`)) });
    await expect(m.login({ username: 'alice', password: PASSWORD, ip: CLIENT.ip, user_agent: 'x' } as never)).rejects.toThrow(unknown('login', 'user_agent'));
    expect(audit.of('auth.login')).toEqual([]); // refused before the password was checked
    await expect(m.completeMfa({ challenge: 'c', method: 'totp', code: '123456', remember: true } as never)).rejects.toThrow(unknown('completeMfa', 'remember'));
    await expect(m.completeMfa({ challenge: 'c', method: 'biometric', response: {}, code: '1' } as never)).rejects.toThrow(unknown('completeMfa', 'code'));
    await expect(m.verifyApiKey('lt_live_nonsense', { permissions: 'models.inference' } as never)).rejects.toThrow(unknown('verifyApiKey', 'permissions'));
    await expect(m.disableUser(alice.id, { ip: CLIENT.ip, agent: 'x' } as never)).rejects.toThrow(unknown('disableUser', 'agent'));
    await expect(m.resetSecondFactors(alice.id, { userAgnet: 'x' } as never)).rejects.toThrow(unknown('resetSecondFactors', 'userAgnet'));
    await expect(m.confirmPhone(alice.id, 'v', '123456', { IP: 'x' } as never)).rejects.toThrow(unknown('confirmPhone', 'IP'));
    expect((await users.get(alice.id))?.disabled).toBe(false);
  });

  it('logout revokes the session; a session at the limit refuses a second sign-in', async () => {
    await users.createUser({ username: 'alice', password: PASSWORD });
    const m = manager({ mfaMethods: ['totp'], concurrentSessions: 1 });
    const r = track(await login(m));
    if (r.status !== 'authenticated') throw new Error('unreachable');
    expect(await login(m)).toEqual({ status: 'refused', reason: 'session_limit' });
    expect(await m.logout(r.token)).toBe(true);
    expect(await m.validateSession(r.token)).toBeNull();
    expect(await m.logout(r.token)).toBe(false);
    expect(track(await login(m)).status).toBe('authenticated');
  });
});
