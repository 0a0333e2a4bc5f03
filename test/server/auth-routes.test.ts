import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { HOTP, Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/identity/sessions/session-store.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/server/session-cookies.js';
import { REDIS_URL } from '../support/services.js';
import { ADMIN_PASSWORD, Fixtures, json, signInAdmin } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const USER_PASSWORD = 'a long enough passphrase for tests';
/** The default is one live session per user; these tests hold several. */
const SESSIONS = { auth: { concurrentSessions: 10 } };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cookieHeader = (session: string) => ({ cookie: `${SESSION_COOKIE}=${session}` });

const login = (app: FastifyInstance, body: { username: string; password: string; mode?: 'cookie' | 'token' }, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/auth/login', payload: body, headers });

/** Signs in over HTTP in token mode and returns the session token and id. */
async function tokenLogin(app: FastifyInstance, username = 'admin', password = ADMIN_PASSWORD): Promise<{ token: string; sessionId: string }> {
  const res = await login(app, { username, password, mode: 'token' });
  expect(res.statusCode).toBe(200);
  const body = json(res);
  return { token: body.token, sessionId: body.session.id };
}

/** The last Set-Cookie for `name`: what a browser ends up holding. */
function lastCookie(res: LightMyRequestResponse, name: string) {
  const all = res.cookies.filter((c) => c.name === name);
  expect(all.length).toBeGreaterThan(0);
  return all.at(-1)!;
}

const STEP_MS = 30_000;
const totpAt = (secret: string, ms: number) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(ms / STEP_MS) });
/** Six digits that match no step the server's ±1 window could accept now. */
function wrongTotp(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpAt(secret, Date.now() + d * STEP_MS)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

async function createUser(app: FastifyInstance, adminAuth: Record<string, string>, username: string, roles: string[] = []): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/users', headers: adminAuth, payload: { username, password: USER_PASSWORD, roles } });
  expect(res.statusCode).toBe(201);
  return json(res).id;
}

describe('cookie sessions and CSRF', () => {
  it('sets __Host- cookies with the right attributes and answers the CSRF token, never the session token', async () => {
    const { app } = await f.serve(SESSIONS);
    const res = await login(app, { username: 'admin', password: ADMIN_PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ status: 'authenticated', user: { username: 'admin' }, session: { mfa: false } });
    expect(body).not.toHaveProperty('token');
    const session = lastCookie(res, SESSION_COOKIE);
    expect(session).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(session.value).toMatch(/^lts_[0-9a-f]{32}_/);
    expect(session.domain).toBeUndefined();
    // Cookie dates have whole seconds.
    expect(Math.abs(new Date(session.expires!).getTime() - Date.parse(body.session.expiresAt))).toBeLessThan(1000);
    expect(res.body).not.toContain(session.value);
    const csrf = lastCookie(res, CSRF_COOKIE);
    expect(csrf).toMatchObject({ value: body.csrfToken, path: '/', secure: true, sameSite: 'Strict' });
    expect(csrf.httpOnly).toBeFalsy();
  });

  it('lets cookie reads through, demands the session CSRF token on cookie writes, not on bearer writes', async () => {
    const { app, auth, security } = await f.serve(SESSIONS);
    const first = await login(app, { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = cookieHeader(lastCookie(first, SESSION_COOKIE).value);
    const csrfToken = json(first).csrfToken as string;
    const whoami = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: cookie });
    expect(whoami.statusCode).toBe(200);
    expect(json(whoami)).toMatchObject({ principal: 'user', user: { username: 'admin' }, session: { id: json(first).session.id } });

    // Another live session's token must not pass for this one: the token is bound to its session.
    const other = json(await login(app, { username: 'admin', password: ADMIN_PASSWORD })).csrfToken as string;
    expect(other).not.toBe(csrfToken);
    for (const header of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': other }, { 'x-csrf-token': csrfToken.slice(0, 42) + 'é' }]) {
      const refused = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: { ...cookie, ...header } });
      expect(refused.statusCode).toBe(403);
      expect(json(refused).error.code).toBe('ERR_CSRF');
    }
    const adminId = json(first).user.id;
    const failures = await security.audit.query({ eventType: 'api.authentication' });
    expect(failures.map((e) => [e.userId, e.additionalData?.reason])).toEqual(Array(4).fill([adminId, 'csrf_token_mismatch']));
    const allowed = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: { ...cookie, 'x-csrf-token': csrfToken } });
    expect(allowed.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: auth })).statusCode).toBe(200);
  });

  it('logout clears both cookies and ends the session; a stale cookie does not block the next login', async () => {
    const { app } = await f.serve(SESSIONS);
    const first = await login(app, { username: 'admin', password: ADMIN_PASSWORD });
    const stale = lastCookie(first, SESSION_COOKIE).value;
    const out = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { ...cookieHeader(stale), 'x-csrf-token': json(first).csrfToken } });
    expect(out.statusCode).toBe(204);
    for (const name of [SESSION_COOKIE, CSRF_COOKIE]) {
      const cleared = lastCookie(out, name);
      expect(cleared).toMatchObject({ value: '', path: '/', secure: true });
      expect(new Date(cleared.expires!).getTime()).toBeLessThan(Date.now());
    }

    const after = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: cookieHeader(stale) });
    expect(after.statusCode).toBe(401);
    expect(lastCookie(after, SESSION_COOKIE).value).toBe('');

    // The browser still sends the stale cookie, and no CSRF header, with its next sign-in.
    const again = await login(app, { username: 'admin', password: ADMIN_PASSWORD }, cookieHeader(stale));
    expect(again.statusCode).toBe(200);
    const fresh = lastCookie(again, SESSION_COOKIE).value;
    expect(fresh).toMatch(/^lts_/);
    expect(fresh).not.toBe(stale);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: cookieHeader(fresh) })).statusCode).toBe(200);
  });
});

describe('password sign-in', () => {
  it('token mode answers the token; wrong password and unknown user read the same', async () => {
    const { app } = await f.serve(SESSIONS);
    const res = await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' });
    expect(res.statusCode).toBe(200);
    expect(res.cookies).toEqual([]);
    const { token, csrfToken } = json(res);
    expect(token).toMatch(/^lts_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).user.username).toBe('admin');

    const wrong = await login(app, { username: 'admin', password: 'not the password at all, no', mode: 'token' });
    const unknown = await login(app, { username: 'nobody', password: ADMIN_PASSWORD, mode: 'token' });
    for (const refused of [wrong, unknown]) {
      expect(refused.statusCode).toBe(401);
      expect(json(refused)).toEqual({ error: { code: 'ERR_UNAUTHENTICATED', message: 'wrong username or password' } });
    }
  });

  it('locks the account at the fifth failure: 429 with Retry-After, the right password included', async () => {
    const { app, auth } = await f.serve(SESSIONS);
    await createUser(app, auth, 'bob');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await login(app, { username: 'bob', password: `wrong guess number ${i}!`, mode: 'token' })).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429]);
    const locked = await login(app, { username: 'bob', password: USER_PASSWORD, mode: 'token' });
    expect(locked.statusCode).toBe(429);
    expect(json(locked).error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(json(locked)).not.toHaveProperty('token');
  });
});

describe('session limit', () => {
  it('refuse_new: at concurrentSessions a further sign-in is 409 until a session ends', async () => {
    const { app } = await f.serve({ auth: { concurrentSessions: 2, onSessionLimit: 'refuse_new' } });
    const second = await tokenLogin(app);
    const refused = await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error.code).toBe('ERR_SESSION_LIMIT');
    expect(refused.body).not.toMatch(/lts_/);
    expect((await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(second.token) })).statusCode).toBe(204);
    expect((await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' })).statusCode).toBe(200);
  });

  it('end_oldest: a further sign-in ends the oldest session', async () => {
    const { app, token: oldest } = await f.serve({ auth: { concurrentSessions: 2, onSessionLimit: 'end_oldest' } });
    const second = await tokenLogin(app);
    const third = await tokenLogin(app);
    const status = async (token: string) => (await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).statusCode;
    expect([await status(oldest), await status(second.token), await status(third.token)]).toEqual([401, 200, 200]);
  });
});

describe('second factor over HTTP', () => {
  it('enrols TOTP, then a sign-in needs a fresh code: wrong and replayed codes are refused', async () => {
    const { app, auth } = await f.serve(SESSIONS);
    const start = await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp', headers: auth });
    expect(start.statusCode).toBe(200);
    const { secret, uri } = json(start);
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    const bad = await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: wrongTotp(secret) } });
    expect(bad.statusCode).toBe(400);
    const confirmCode = totpAt(secret, Date.now());
    expect((await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: confirmCode } })).statusCode).toBe(204);

    const first = await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' });
    expect(json(first)).toMatchObject({ status: 'mfa_required', methods: ['totp'] });
    expect(json(first)).not.toHaveProperty('token');
    const { challenge } = json(first);
    const verify = (payload: object) => app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge, method: 'totp', mode: 'token', ...payload } });
    const wrong = await verify({ code: wrongTotp(secret) });
    expect(wrong.statusCode).toBe(401);
    expect(json(wrong).error.message).toBe('that code is wrong, used or expired');
    // The code that confirmed the enrolment is spent (RFC 6238 §5.2).
    expect((await verify({ code: confirmCode })).statusCode).toBe(401);
    // The window accepts the next step, so the following code is usable now.
    const nextCode = totpAt(secret, Date.now() + STEP_MS);
    const ok = await verify({ code: nextCode });
    expect(ok.statusCode).toBe(200);
    expect(json(ok)).toMatchObject({ status: 'authenticated', session: { mfa: true } });
    const whoami = json(await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(json(ok).token) }));
    expect(whoami).toMatchObject({ session: { mfa: true }, user: { mfa: true } });
    // The challenge is spent with the sign-in it granted.
    expect((await verify({ code: nextCode })).statusCode).toBe(401);

    const second = json(await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' }));
    const replay = await app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge: second.challenge, method: 'totp', code: nextCode, mode: 'token' } });
    expect(replay.statusCode).toBe(401);
  });

  it('finishes a sign-in with a recovery code, once', async () => {
    const { app, auth } = await f.serve(SESSIONS);
    const { secret } = json(await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp', headers: auth }));
    await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: totpAt(secret, Date.now()) } });
    const generated = await app.inject({ method: 'POST', url: '/v1/auth/mfa/recovery-codes', headers: auth });
    expect(generated.statusCode).toBe(200);
    const { codes } = json(generated);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const withRecovery = async (code: string) => {
      const { challenge } = json(await login(app, { username: 'admin', password: ADMIN_PASSWORD }));
      return app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge, method: 'recovery', code } });
    };
    const ok = await withRecovery(codes[3]);
    expect(ok.statusCode).toBe(200);
    expect(json(ok)).toMatchObject({ status: 'authenticated', session: { mfa: true } });
    expect(lastCookie(ok, SESSION_COOKIE).httpOnly).toBe(true);
    const reused = await withRecovery(codes[3]);
    expect(reused.statusCode).toBe(401);
    expect(reused.cookies).toEqual([]);
    expect((await withRecovery(codes[4])).statusCode).toBe(200);
  });
});

describe('changes that need a recent sign-in', () => {
  it('refuses second-factor, recovery-code and API key changes from a session older than 10 minutes, and allows them after signing in again', async () => {
    const { app, security } = await f.serve(SESSIONS);
    const auth = await security.authenticationManager();
    const user = await auth.users.createUser({ username: 'olga', password: USER_PASSWORD });
    // A session signed in 20 minutes ago and used since (within the idle timeout): as a stolen cookie would be.
    const earlier = new SessionStore({ concurrentSessions: null }, { store: security.store, audit: security.audit, clock: () => new Date(Date.now() - 20 * 60_000) });
    const old = await earlier.create({ userId: user.id, mfa: false });
    const routes = [
      ['POST', '/v1/auth/mfa/totp', undefined],
      ['POST', '/v1/auth/mfa/recovery-codes', undefined],
      ['POST', '/v1/auth/api-keys', { permissions: ['models.inference'] }],
    ] as const;
    for (const [method, url, payload] of routes) {
      const res = await app.inject({ method, url, headers: bearer(old.token), ...(payload ? { payload } : {}) });
      expect(res.statusCode, url).toBe(403);
      expect(json(res).error.code).toBe('ERR_REAUTH_REQUIRED');
    }
    // Reading is still fine with the old session.
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(old.token) })).statusCode).toBe(200);
    const fresh = await tokenLogin(app, 'olga', USER_PASSWORD);
    for (const [method, url, payload] of routes) {
      const res = await app.inject({ method, url, headers: bearer(fresh.token), ...(payload ? { payload } : {}) });
      expect(res.statusCode, url).toBeLessThan(300);
    }
    const refusals = await security.audit.query({ eventType: 'api.authentication' });
    expect(refusals.filter((e) => e.additionalData?.reason === 'reauthentication_required')).toHaveLength(3);
  });
});

describe('own sessions', () => {
  it('lists them marking the current one, ends one by id, never another user’s, and revokes the others', async () => {
    const { app, auth, token: fixtureToken } = await f.serve(SESSIONS);
    await createUser(app, auth, 'bob');
    const bob = await tokenLogin(app, 'bob', USER_PASSWORD);
    const mine = await tokenLogin(app);
    const spare = await tokenLogin(app);
    const third = await tokenLogin(app);

    const listed = json(await app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: bearer(mine.token) })).sessions as Array<{ id: string; current: boolean; ip: string }>;
    expect(listed).toHaveLength(4);
    expect(listed.filter((s) => s.current).map((s) => s.id)).toEqual([mine.sessionId]);
    expect(listed.map((s) => s.id)).not.toContain(bob.sessionId);
    expect(JSON.stringify(listed)).not.toMatch(/lts_/);

    const end = (id: string) => app.inject({ method: 'DELETE', url: `/v1/auth/sessions/${id}`, headers: bearer(mine.token) });
    expect((await end(spare.sessionId)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(spare.token) })).statusCode).toBe(401);
    for (const id of [bob.sessionId, spare.sessionId, '0'.repeat(32)]) {
      const missing = await end(id);
      expect(missing.statusCode).toBe(404);
      expect(json(missing).error.code).toBe('ERR_NOT_FOUND');
    }
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(bob.token) })).statusCode).toBe(200);

    const others = await app.inject({ method: 'POST', url: '/v1/auth/sessions/revoke-others', headers: bearer(mine.token) });
    expect(json(others)).toEqual({ revoked: 2 });
    const status = async (token: string) => (await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).statusCode;
    expect([await status(mine.token), await status(third.token), await status(fixtureToken), await status(bob.token)]).toEqual([200, 401, 401, 200]);
  });

  it('a password change needs the current password, ends the other sessions, and retires the old password', async () => {
    const { app } = await f.serve(SESSIONS);
    const mine = await tokenLogin(app);
    const other = await tokenLogin(app);
    const change = (currentPassword: string, newPassword: string) => app.inject({ method: 'POST', url: '/v1/auth/password', headers: bearer(mine.token), payload: { currentPassword, newPassword } });
    const NEW = 'an entirely different passphrase now';
    const wrongCurrent = await change('not the current password, sorry', NEW);
    expect(wrongCurrent.statusCode).toBe(401);
    const weak = await change(ADMIN_PASSWORD, 'short');
    expect(weak.statusCode).toBe(400);
    expect(json(weak).error.code).toBe('ERR_PASSWORD_REJECTED');
    expect((await change(ADMIN_PASSWORD, NEW)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(mine.token) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(other.token) })).statusCode).toBe(401);
    expect((await login(app, { username: 'admin', password: ADMIN_PASSWORD, mode: 'token' })).statusCode).toBe(401);
    expect((await login(app, { username: 'admin', password: NEW, mode: 'token' })).statusCode).toBe(200);
  });
});

describe('own API keys', () => {
  it('shows a key once, lists without secrets, rotates with both keys working, revokes, and hides other users’ keys', async () => {
    const { app, auth } = await f.serve(SESSIONS);
    const create = await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: auth, payload: { permissions: ['audit.read'], name: 'ci' } });
    expect(create.statusCode).toBe(201);
    const first = json(create);
    expect(first.key).toMatch(/^lt_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
    expect(first.key).toContain(first.id);
    const secretPart = first.key.split('_')[3];

    const listed = await app.inject({ method: 'GET', url: '/v1/auth/api-keys', headers: auth });
    expect(json(listed).apiKeys).toEqual([expect.objectContaining({ id: first.id, name: 'ci', permissions: ['audit.read'], status: 'active' })]);
    expect(listed.body).not.toContain(secretPart);
    expect(json(listed).apiKeys[0]).not.toHaveProperty('key');

    const use = async (key: string) => (await app.inject({ method: 'GET', url: '/v1/audit/events', headers: bearer(key) })).statusCode;
    expect(await use(first.key)).toBe(200);
    const rotated = await app.inject({ method: 'POST', url: `/v1/auth/api-keys/${first.id}/rotate`, headers: auth });
    expect(rotated.statusCode).toBe(201);
    const second = json(rotated);
    expect(second.id).not.toBe(first.id);
    expect([await use(first.key), await use(second.key)]).toEqual([200, 200]);

    const revoke = (id: string) => app.inject({ method: 'DELETE', url: `/v1/auth/api-keys/${id}`, headers: auth });
    expect((await revoke(first.id)).statusCode).toBe(204);
    const revoked = await app.inject({ method: 'GET', url: '/v1/audit/events', headers: bearer(first.key) });
    expect(revoked.statusCode).toBe(401);
    expect(json(revoked).error.code).toBe('ERR_UNAUTHENTICATED');
    expect(revoked.body).not.toContain(secretPart);
    expect(await use(second.key)).toBe(200);
    expect((await revoke(second.id)).statusCode).toBe(204);
    expect(await use(second.key)).toBe(401);
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/api-keys', headers: auth })).apiKeys.map((k: { status: string }) => k.status)).toEqual(['revoked', 'revoked']);

    await createUser(app, auth, 'bob');
    const bob = await tokenLogin(app, 'bob', USER_PASSWORD);
    const bobKey = json(await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: bearer(bob.token), payload: { permissions: ['audit.read'] } }));
    for (const [method, url] of [
      ['DELETE', `/v1/auth/api-keys/${bobKey.id}`],
      ['POST', `/v1/auth/api-keys/${bobKey.id}/rotate`],
      ['DELETE', '/v1/auth/api-keys/nosuchkey000'],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth });
      expect(res.statusCode).toBe(404);
      expect(json(res).error.code).toBe('ERR_NOT_FOUND');
    }
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/api-keys', headers: bearer(bob.token) })).apiKeys.map((k: { status: string }) => k.status)).toEqual(['active']);
  });
});

describe('auth events over HTTP', () => {
  it('record the client address and user agent on API key events, never the key', async () => {
    const { app, security, auth } = await f.serve(SESSIONS);
    const headers = { ...auth, 'user-agent': 'ml-pipeline/2.1' };
    const created = json(await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers, payload: { permissions: ['audit.read'] } }));
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: { authorization: `Bearer ${created.key}`, 'user-agent': 'ml-pipeline/2.1' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/v1/auth/api-keys/${created.id}/rotate`, headers })).statusCode).toBe(201);
    expect((await app.inject({ method: 'DELETE', url: `/v1/auth/api-keys/${created.id}`, headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: { authorization: `Bearer ${created.key}`, 'user-agent': 'ml-pipeline/2.1' } })).statusCode).toBe(401);
    const events = await security.audit.query({ limit: 1000 });
    const keyEventTypes: Array<string | null> = ['auth.api_key_created', 'auth.api_key_rotated', 'auth.api_key_revoked', 'auth.api_key_refused'];
    const keyEvents = events.filter((e) => keyEventTypes.includes(e.eventType));
    expect(keyEvents.map((e) => e.eventType)).toEqual(expect.arrayContaining(['auth.api_key_created', 'auth.api_key_rotated', 'auth.api_key_revoked', 'auth.api_key_refused']));
    for (const e of keyEvents) expect(e.additionalData, String(e.eventType)).toMatchObject({ ip: '127.0.0.1', userAgent: 'ml-pipeline/2.1' });
    expect(JSON.stringify(events)).not.toContain(created.key);
  });
});

describe('two instances sharing the store and Redis', () => {
  async function pair(label: string) {
    const { first, second, a, b } = await f.twoInstances(SESSIONS, { label });
    const keyPrefix = first.security.config.store.redisKeyPrefix;
    const raw = new Redis(REDIS_URL);
    f.defer(() => void raw.quit());
    const adminToken = await signInAdmin(first.security);
    return { a, b, raw, keyPrefix, adminToken };
  }

  it("enforces an API key's rate limit across both, with IETF RateLimit headers", async () => {
    const { a, b, adminToken } = await pair('apikey');
    const created = await a.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: bearer(adminToken), payload: { permissions: ['audit.read'], rateLimit: '3/minute' } });
    const { key } = json(created);
    const results = [];
    for (const app of [a, b, a, b]) results.push(await app.inject({ method: 'GET', url: '/v1/audit/events', headers: bearer(key) }));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    expect(results.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    for (const r of results) expect(r.headers['ratelimit-limit']).toBe('3');
    const limited = results[3]!;
    expect(json(limited).error.code).toBe('ERR_RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // The sliding window may make a client wait into the following window.
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(results[0]!.headers['retry-after']).toBeUndefined();
    // The key's limit is its own: the admin's session is not throttled by it.
    expect((await b.inject({ method: 'GET', url: '/v1/audit/events', headers: bearer(adminToken) })).statusCode).toBe(200);
  });

  it('a sign-out on one instance is refused at once by the other', async () => {
    const { a, b, raw, keyPrefix } = await pair('revoke');
    const { token, sessionId } = await tokenLogin(a);
    expect((await b.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(200);
    expect((await a.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(204);
    expect(await raw.exists(`${keyPrefix}sessions:revoked:${sessionId}`)).toBe(1);
    const refused = await b.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) });
    expect(refused.statusCode).toBe(401);
    expect(json(refused).error.code).toBe('ERR_UNAUTHENTICATED');
  });
});
