import type { FastifyInstance } from 'fastify';
import { HOTP, Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/server/session-cookies.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const PASSWORD = 'a long enough passphrase for tests';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signIn(app: FastifyInstance, username: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password, mode: 'token' } });
  expect(res.statusCode).toBe(200);
  return json(res).token;
}

async function createUser(app: FastifyInstance, adminAuth: Record<string, string>, username: string, roles: string[] = []): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/users', headers: adminAuth, payload: { username, password: PASSWORD, roles } });
  expect(res.statusCode).toBe(201);
  return json(res).id;
}

describe('permissions', () => {
  it('a user without roles may use its own session but no administration', async () => {
    const { app, auth } = await f.serve();
    await createUser(app, auth, 'bob');
    const bob = bearer(await signIn(app, 'bob'));
    const whoami = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bob });
    expect(whoami.statusCode).toBe(200);
    expect(json(whoami).user).toMatchObject({ username: 'bob', roles: [] });
    for (const [method, url] of [
      ['GET', '/v1/audit/events'],
      ['GET', '/v1/keys'],
      ['GET', '/v1/users'],
      ['POST', '/v1/users'],
    ] as const) {
      const refused = await app.inject({ method, url, headers: bob, ...(method === 'POST' ? { payload: { username: 'mallory', roles: ['admin'] } } : {}) });
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(json(refused).error.code).toBe('ERR_FORBIDDEN');
      expect((await app.inject({ method: 'GET', url, headers: auth })).statusCode, `admin ${url}`).toBe(200);
    }
    expect(json(await app.inject({ method: 'GET', url: '/v1/users', headers: auth })).users.map((u: { username: string }) => u.username)).toEqual(['admin', 'bob']);
  });

  it("an API key does what its grants say and its owner may do now: demotion forbids, disabling refuses", async () => {
    const { app, auth, security } = await f.serve();
    const carolId = await createUser(app, auth, 'carol', ['admin']);
    const carol = bearer(await signIn(app, 'carol'));
    const created = await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: carol, payload: { permissions: ['audit.read'] } });
    const key = bearer(json(created).key);
    const status = async (method: 'GET' | 'POST', url: string) => (await app.inject({ method, url, headers: key, ...(method === 'POST' ? { payload: { eventType: 'model.evaluated', result: 'success' } } : {}) })).statusCode;

    expect(await status('GET', '/v1/audit/events')).toBe(200);
    expect(await status('POST', '/v1/audit/events')).toBe(403);
    expect(await status('GET', '/v1/keys')).toBe(403);
    expect(await status('GET', '/v1/users')).toBe(403);
    const whoami = json(await app.inject({ method: 'GET', url: '/v1/auth/session', headers: key }));
    expect(whoami).toMatchObject({ principal: 'api_key', user: { username: 'carol' }, apiKey: { permissions: ['audit.read'] }, session: null });
    // A key cannot act as a session: no keys minted by keys, no password changes.
    expect((await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: key, payload: { permissions: ['*'] } })).statusCode).toBe(403);

    const demoted = await app.inject({ method: 'PUT', url: `/v1/users/${carolId}/roles`, headers: auth, payload: { roles: [] } });
    expect(json(demoted).roles).toEqual([]);
    expect(await status('GET', '/v1/audit/events')).toBe(403);
    // Roles are read per request: carol's live session loses the permission at once too.
    expect((await app.inject({ method: 'GET', url: '/v1/users', headers: carol })).statusCode).toBe(403);
    const denied = await security.audit.query({ eventType: 'api.authentication', result: 'denied' });
    expect(denied.at(-1)?.additionalData).toMatchObject({ reason: 'forbidden', permission: 'users.read', route: '/v1/users' });

    // A binding that names the key itself gives it what the role grants, within the key's own grants.
    const keyId = json(created).id;
    await app.inject({ method: 'PUT', url: '/v1/access/roles/auditor', headers: auth, payload: { permissions: ['audit.read', 'audit.write', 'users.read'] } });
    const bound = await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: `api_key:${keyId}`, role: 'auditor' } });
    expect(bound.statusCode).toBe(201);
    expect(await status('GET', '/v1/audit/events')).toBe(200);
    expect(await status('GET', '/v1/users')).toBe(403); // not among the key's grants
    expect((await app.inject({ method: 'GET', url: '/v1/users', headers: carol })).statusCode).toBe(403); // the owner gained nothing
    await app.inject({ method: 'DELETE', url: `/v1/access/bindings/${json(bound).id}`, headers: auth });
    expect(await status('GET', '/v1/audit/events')).toBe(403);

    await app.inject({ method: 'PUT', url: `/v1/users/${carolId}/roles`, headers: auth, payload: { roles: ['admin'] } });
    expect(await status('GET', '/v1/audit/events')).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/v1/users/${carolId}/disable`, headers: auth })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: '/v1/audit/events', headers: key });
    expect(refused.statusCode).toBe(401);
    expect(json(refused).error.code).toBe('ERR_UNAUTHENTICATED');
    // Disabling revokes the keys too, as the CLI does.
    expect((await (await security.authenticationManager()).apiKeys.list(carolId)).map((k) => k.status)).toEqual(['revoked']);
  });

  it('refuses the sessions and keys of an account disabled without revoking them (a sign-in racing the disable)', async () => {
    const { app, auth, security } = await f.serve({ auth: { concurrentSessions: 5 } });
    const carolId = await createUser(app, auth, 'carol', ['admin']);
    const session = bearer(await signIn(app, 'carol'));
    const key = bearer(json(await app.inject({ method: 'POST', url: '/v1/auth/api-keys', headers: session, payload: { permissions: ['audit.read'] } })).key);
    const browser = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'carol', password: PASSWORD } });
    const cookie = { cookie: `${SESSION_COOKIE}=${browser.cookies.find((c) => c.name === SESSION_COOKIE)!.value}` };
    await (await security.authenticationManager()).users.disable(carolId);

    const byCookie = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: cookie });
    expect(byCookie.statusCode).toBe(401);
    expect(byCookie.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');

    const bySession = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: session });
    expect(bySession.statusCode).toBe(401);
    expect(bySession.headers['www-authenticate']).toContain('error="invalid_token"');
    const byKey = await app.inject({ method: 'GET', url: '/v1/audit/events', headers: key });
    expect(byKey.statusCode).toBe(401);
    expect(json(byKey).error).toEqual({ code: 'ERR_UNAUTHENTICATED', message: 'the API key belongs to a disabled account' });
    const failures = await security.audit.query({ eventType: 'api.authentication', result: 'failure' });
    expect(failures.map((e) => [e.userId, e.additionalData?.reason])).toEqual([
      [null, 'missing'],
      [carolId, 'account_disabled'],
      [carolId, 'api_key_owner_disabled'],
    ]);
  });
});

describe('/v1/users', () => {
  it('creates accounts with and without a password, refuses duplicates, bad roles and weak passwords', async () => {
    const { app, auth } = await f.serve();
    const create = (payload: object) => app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload });
    await app.inject({ method: 'PUT', url: '/v1/access/roles/analyst', headers: auth, payload: { permissions: ['audit.read'] } });
    const withPassword = await create({ username: 'Bob', password: PASSWORD, roles: ['analyst', 'admin'] });
    expect(withPassword.statusCode).toBe(201);
    expect(json(withPassword)).toMatchObject({ username: 'bob', roles: ['admin', 'analyst'], hasPassword: true, mfa: false, disabled: false });
    expect(withPassword.body).not.toContain(PASSWORD);
    const sso = await create({ username: 'sso-only' });
    expect(json(sso)).toMatchObject({ username: 'sso-only', roles: [], hasPassword: false });
    // Without a password no password signs in, not even an empty-looking guess.
    const ssoLogin = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'sso-only', password: PASSWORD, mode: 'token' } });
    expect(ssoLogin.statusCode).toBe(401);

    const duplicate = await create({ username: 'BOB', password: PASSWORD });
    expect(duplicate.statusCode).toBe(409);
    expect(json(duplicate).error.code).toBe('ERR_USER_EXISTS');
    for (const roles of [['Admin'], ['1st'], ['has space']]) {
      const bad = await create({ username: 'dave', roles });
      expect(bad.statusCode, JSON.stringify(roles)).toBe(400);
      expect(json(bad).error.code).toBe('ERR_INVALID_INPUT');
    }
    const weak = await create({ username: 'erin', password: 'password' });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).error.code).toBe('ERR_PASSWORD_REJECTED');
    expect((await create({ username: 'frank', password: PASSWORD, extra: true })).statusCode).toBe(400);
    expect(json(await app.inject({ method: 'GET', url: '/v1/users', headers: auth })).users.map((u: { username: string }) => u.username)).toEqual(['admin', 'bob', 'sso-only']);
  });

  it('refuses a role that does not exist (a typo would grant nothing), naming it and where roles are listed and made', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'PUT', url: '/v1/access/roles/trainer', headers: auth, payload: { permissions: ['audit.read'] } });
    const created = await app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload: { username: 'gil', password: PASSWORD, roles: ['trainer', 'nosuchrole'] } });
    expect(created.statusCode).toBe(400);
    expect(json(created).error).toEqual({ code: 'ERR_INVALID_INPUT', message: 'no such role: nosuchrole. GET /v1/access lists the roles; PUT /v1/access/roles/:name creates one' });
    expect(json(await app.inject({ method: 'GET', url: '/v1/users', headers: auth })).users.map((u: { username: string }) => u.username)).toEqual(['admin']);

    const id = await createUser(app, auth, 'gil', ['trainer', 'admin']);
    const replaced = await app.inject({ method: 'PUT', url: `/v1/users/${id}/roles`, headers: auth, payload: { roles: ['admin', 'trainr'] } });
    expect(replaced.statusCode).toBe(400);
    expect(json(replaced).error.message).toContain('no such role: trainr.');
    expect(json(await app.inject({ method: 'GET', url: `/v1/users/${id}`, headers: auth })).roles).toEqual(['admin', 'trainer']);
  });

  it('replaces roles, reads one account, and answers 404 for unknown ids', async () => {
    const { app, auth } = await f.serve();
    const id = await createUser(app, auth, 'bob');
    for (const role of ['trainer', 'auditor']) await app.inject({ method: 'PUT', url: `/v1/access/roles/${role}`, headers: auth, payload: { permissions: ['audit.read'] } });
    const put = await app.inject({ method: 'PUT', url: `/v1/users/${id}/roles`, headers: auth, payload: { roles: ['trainer', 'auditor', 'trainer'] } });
    expect(put.statusCode).toBe(200);
    expect(json(put).roles).toEqual(['auditor', 'trainer']);
    expect(json(await app.inject({ method: 'GET', url: `/v1/users/${id}`, headers: auth })).roles).toEqual(['auditor', 'trainer']);
    expect((await app.inject({ method: 'PUT', url: `/v1/users/${id}/roles`, headers: auth, payload: { roles: ['BAD'] } })).statusCode).toBe(400);
    const unknown = crypto.randomUUID();
    for (const [method, url, payload] of [
      ['GET', `/v1/users/${unknown}`, undefined],
      ['PUT', `/v1/users/${unknown}/roles`, { roles: [] }],
      ['POST', `/v1/users/${unknown}/disable`, undefined],
      ['POST', `/v1/users/${unknown}/unlock`, undefined],
      ['GET', `/v1/users/${unknown}/sessions`, undefined],
      ['DELETE', `/v1/users/${unknown}/sessions`, undefined],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(json(res).error.code).toBe('ERR_NOT_FOUND');
    }
  });

  it('disabling ends the sessions at once and refuses the next sign-in', async () => {
    const { app, auth } = await f.serve({ auth: { concurrentSessions: 5 } });
    const id = await createUser(app, auth, 'bob');
    const first = await signIn(app, 'bob');
    const second = await signIn(app, 'bob');
    const sessions = json(await app.inject({ method: 'GET', url: `/v1/users/${id}/sessions`, headers: auth })).sessions;
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s: { current: boolean }) => !s.current)).toBe(true);

    const disabled = await app.inject({ method: 'POST', url: `/v1/users/${id}/disable`, headers: auth });
    expect(json(disabled)).toMatchObject({ id, disabled: true });
    for (const token of [first, second]) expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(401);
    const again = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'bob', password: PASSWORD, mode: 'token' } });
    expect(again.statusCode).toBe(401);
    expect(json(again).error.message).toBe('wrong username or password');
    expect(json(await app.inject({ method: 'GET', url: `/v1/users/${id}/sessions`, headers: auth })).sessions).toEqual([]);
  });

  it('ends every session of an account on request', async () => {
    const { app, auth } = await f.serve({ auth: { concurrentSessions: 5 } });
    const id = await createUser(app, auth, 'bob');
    const tokens = [await signIn(app, 'bob'), await signIn(app, 'bob')];
    const res = await app.inject({ method: 'DELETE', url: `/v1/users/${id}/sessions`, headers: auth });
    expect(json(res)).toEqual({ revoked: 2 });
    for (const token of tokens) expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: auth })).statusCode).toBe(200);
  });

  it('unlock ends a lockout at once', async () => {
    const { app, auth } = await f.serve();
    const id = await createUser(app, auth, 'bob');
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'bob', password: `wrong guess number ${i}!`, mode: 'token' } });
    const locked = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'bob', password: PASSWORD, mode: 'token' } });
    expect(locked.statusCode).toBe(429);
    const unlocked = await app.inject({ method: 'POST', url: `/v1/users/${id}/unlock`, headers: auth });
    expect(unlocked.statusCode).toBe(200);
    expect(json(unlocked)).toMatchObject({ id, username: 'bob' });
    expect(await signIn(app, 'bob')).toMatch(/^lts_/);
  });
  it('reset-mfa removes every second factor of a user who lost the device and ends the sessions', async () => {
    const { app, auth, security } = await f.serve({ auth: { concurrentSessions: null } });
    const id = await createUser(app, auth, 'dora');
    const manager = await security.authenticationManager();
    const { secret } = await manager.users.enrolTotp(id);
    expect((await manager.users.confirmTotp(id, HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(Date.now() / 30_000) }))).ok).toBe(true);
    await manager.users.generateRecoveryCodes(id);
    await manager.users.setPhone(id, '+447700900123');
    const before = json(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'dora', password: PASSWORD, mode: 'token' } }));
    expect(before.status).toBe('mfa_required');

    const reset = await app.inject({ method: 'POST', url: `/v1/users/${id}/reset-mfa`, headers: auth });
    expect(reset.statusCode).toBe(200);
    expect(json(reset)).toMatchObject({ totp: true, recoveryCodes: 10, webauthnCredentials: 0, phone: true });
    const after = await manager.users.get(id);
    expect(after).toMatchObject({ mfa: false, phone: null });
    expect(await manager.users.remainingRecoveryCodes(id)).toBe(0);
    expect(json(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'dora', password: PASSWORD, mode: 'token' } })).status).toBe('authenticated');
    expect((await security.audit.query({ eventType: 'auth.mfa_removed' })).map((e) => e.additionalData)).toMatchObject([{ method: 'totp', totp: true, recoveryCodes: 10 }]);
    expect((await app.inject({ method: 'POST', url: '/v1/users/no-such-user/reset-mfa', headers: auth })).statusCode).toBe(404);
  });

  it('users.write alone cannot grant roles or link identities: that needs access.write too', async () => {
    const { app, auth, security } = await f.serve({ auth: { concurrentSessions: null } });
    await app.inject({ method: 'PUT', url: '/v1/access/roles/helpdesk', headers: auth, payload: { permissions: ['users.read', 'users.write'] } });
    const helpdeskId = await createUser(app, auth, 'hana', ['helpdesk']);
    const helpdesk = bearer(await signIn(app, 'hana'));
    expect((await app.inject({ method: 'POST', url: '/v1/users', headers: helpdesk, payload: { username: 'plain', password: PASSWORD } })).statusCode).toBe(201);
    const escalate = await app.inject({ method: 'POST', url: '/v1/users', headers: helpdesk, payload: { username: 'sneaky', password: PASSWORD, roles: ['admin'] } });
    expect(escalate.statusCode).toBe(403);
    expect(await (await security.authenticationManager()).users.findByUsername('sneaky')).toBeNull();
    expect((await app.inject({ method: 'PUT', url: `/v1/users/${helpdeskId}/roles`, headers: helpdesk, payload: { roles: ['admin'] } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/v1/users/${helpdeskId}/unlock`, headers: helpdesk })).statusCode).toBe(200);
    // A name that would pass for a service principal is refused.
    expect((await app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload: { username: 'service:ci', password: PASSWORD } })).statusCode).toBe(400);
  });
});
