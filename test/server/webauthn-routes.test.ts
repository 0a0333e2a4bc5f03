import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HOTP, Secret } from 'otpauth';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '../../src/identity/mfa/webauthn/index.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const ORIGIN = 'https://localhost:8443';
const CONFIG = { auth: { publicUrl: ORIGIN, mfaMethods: ['totp', 'biometric'], concurrentSessions: 10 } };
const PASSWORD = 'a long enough passphrase for tests';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const login = (app: FastifyInstance, username: string) => app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: PASSWORD, mode: 'token' } });
const requestOptions = (app: FastifyInstance, challenge: string) => app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/options', payload: { challenge } });
const verify = (app: FastifyInstance, challenge: string, response: AuthenticationResponseJSON) =>
  app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge, method: 'biometric', response, mode: 'token' } });

/** A user with a password, signed in over HTTP (single factor): its id and session token. */
async function signedInUser(app: FastifyInstance, security: SecurityManager, username: string) {
  const { id } = await (await security.authenticationManager()).users.createUser({ username, password: PASSWORD });
  const res = await login(app, username);
  expect(json(res)).toMatchObject({ status: 'authenticated', session: { mfa: false } });
  return { id, token: json(res).token as string };
}

async function register(app: FastifyInstance, token: string, authenticator: SoftwareAuthenticator, name?: string) {
  const begun = await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register/options', headers: bearer(token) });
  expect(begun.statusCode).toBe(200);
  const { registration, options } = json(begun);
  return app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register', headers: bearer(token), payload: { registration, response: authenticator.register(options, ORIGIN), ...(name ? { name } : {}) } });
}

/** Password step, then WebAuthn options: the challenge and what navigator.credentials.get receives. */
async function passwordStep(app: FastifyInstance, username: string): Promise<{ challenge: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const first = await login(app, username);
  expect(first.statusCode).toBe(200);
  expect(json(first)).toMatchObject({ status: 'mfa_required', methods: ['biometric'] });
  const { challenge } = json(first);
  const options = await requestOptions(app, challenge);
  expect(options.statusCode).toBe(200);
  return { challenge, options: json(options) };
}

describe('WebAuthn (biometric) over HTTP', () => {
  it('registers an authenticator, then signs in with password and assertion; removing it makes sign-in single-factor again', async () => {
    const { app, security } = await f.serve(CONFIG);
    const carol = await signedInUser(app, security, 'carol');
    const authenticator = new SoftwareAuthenticator();

    const registered = await register(app, carol.token, authenticator, 'Laptop');
    expect(registered.statusCode).toBe(201);
    const credential = json(registered);
    expect(credential).toMatchObject({ id: authenticator.credentialIds[0], name: 'Laptop', lastUsedAt: null, transports: ['internal'] });
    const listed = await app.inject({ method: 'GET', url: '/v1/auth/mfa/webauthn/credentials', headers: bearer(carol.token) });
    expect(json(listed).credentials).toEqual([credential]);

    const { challenge, options } = await passwordStep(app, 'carol');
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([credential.id]);
    const done = await verify(app, challenge, authenticator.authenticate(options, ORIGIN));
    expect(done.statusCode).toBe(200);
    expect(json(done)).toMatchObject({ status: 'authenticated', user: { id: carol.id, username: 'carol' }, session: { mfa: true } });
    const whoami = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(json(done).token) });
    expect(json(whoami).session).toEqual({ id: json(done).session.id, mfa: true });
    const used = json(await app.inject({ method: 'GET', url: '/v1/auth/mfa/webauthn/credentials', headers: bearer(carol.token) })).credentials[0];
    expect(used.lastUsedAt).not.toBeNull();

    const verified = await security.audit.query({ eventType: 'auth.mfa_completed' });
    expect(verified.map((e) => [e.userId, e.result, e.additionalData?.method])).toEqual([[carol.id, 'success', 'biometric']]);

    const removed = await app.inject({ method: 'DELETE', url: `/v1/auth/mfa/webauthn/credentials/${encodeURIComponent(credential.id)}`, headers: bearer(carol.token) });
    expect(removed.statusCode).toBe(204);
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/mfa/webauthn/credentials', headers: bearer(carol.token) })).credentials).toEqual([]);
    const again = await login(app, 'carol');
    expect(json(again)).toMatchObject({ status: 'authenticated', session: { mfa: false } });
    // Removing twice, or another user's credential, is not found.
    expect((await app.inject({ method: 'DELETE', url: `/v1/auth/mfa/webauthn/credentials/${encodeURIComponent(credential.id)}`, headers: bearer(carol.token) })).statusCode).toBe(404);
  });

  it('refuses a wrong assertion, asks for fresh options after it, and refuses a replayed one', async () => {
    const { app, security } = await f.serve(CONFIG);
    const carol = await signedInUser(app, security, 'carol');
    const authenticator = new SoftwareAuthenticator();
    expect((await register(app, carol.token, authenticator)).statusCode).toBe(201);

    const { challenge, options } = await passwordStep(app, 'carol');
    const tampered = await verify(app, challenge, authenticator.authenticate(options, ORIGIN, { tamperSignature: true }));
    expect(tampered.statusCode).toBe(401);
    expect(json(tampered).error.code).toBe('ERR_UNAUTHENTICATED');
    // The failed assertion spent the WebAuthn challenge; the sign-in survives and needs new options.
    const stale = await verify(app, challenge, authenticator.authenticate(options, ORIGIN));
    expect(stale.statusCode).toBe(400);
    expect(json(stale).error.message).toMatch(/get the WebAuthn options first/);

    const fresh = json(await requestOptions(app, challenge));
    expect(fresh.challenge).not.toBe(options.challenge);
    const assertion = authenticator.authenticate(fresh, ORIGIN);
    const done = await verify(app, challenge, assertion);
    expect(json(done)).toMatchObject({ status: 'authenticated', session: { mfa: true } });

    // The same assertion again: its sign-in is finished, and a new sign-in has a new challenge.
    expect((await verify(app, challenge, assertion)).statusCode).toBe(401);
    const next = await passwordStep(app, 'carol');
    const replayed = await verify(app, next.challenge, assertion);
    expect(replayed.statusCode).toBe(401);
    const failures = await security.audit.query({ eventType: 'auth.mfa_completed', result: 'failure' });
    expect(failures.map((e) => [e.additionalData?.method, e.additionalData?.reason])).toEqual([
      ['biometric', 'invalid_code'],
      ['biometric', 'webauthn_not_started'],
      ['biometric', 'invalid_code'],
    ]);
    // Nothing of an assertion reaches the audit log.
    const text = JSON.stringify(await security.audit.query({}));
    for (const secret of [assertion.response.signature, assertion.response.clientDataJSON, assertion.response.authenticatorData, fresh.challenge, challenge]) expect(text).not.toContain(secret);
  });

  it('binds a registration to the user who began it and needs a session', async () => {
    const { app, security } = await f.serve(CONFIG);
    const carol = await signedInUser(app, security, 'carol');
    const dave = await signedInUser(app, security, 'dave');
    const begun = json(await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register/options', headers: bearer(carol.token) }));
    const response = new SoftwareAuthenticator().register(begun.options, ORIGIN);
    const stolen = await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register', headers: bearer(dave.token), payload: { registration: begun.registration, response } });
    expect(stolen.statusCode).toBe(400);
    expect(json(stolen).error.message).toMatch(/expired or is not yours/);
    // Spent by the attempt: carol starts again.
    expect((await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register', headers: bearer(carol.token), payload: { registration: begun.registration, response } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register/options' })).statusCode).toBe(401);
    expect(await (await security.authenticationManager()).webauthn!.list(carol.id)).toEqual([]);
  });

  it('offers biometric to accounts with a credential, next to TOTP when that is enrolled too', async () => {
    const { app, security } = await f.serve(CONFIG);
    const carol = await signedInUser(app, security, 'carol');
    const dave = await signedInUser(app, security, 'dave');
    await signedInUser(app, security, 'erin');
    for (const user of [carol, dave]) expect((await register(app, user.token, new SoftwareAuthenticator())).statusCode).toBe(201);
    const users = (await security.authenticationManager()).users;
    const { secret } = await users.enrolTotp(dave.id);
    const code = HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(Date.now() / 30_000) });
    expect(await users.confirmTotp(dave.id, code)).toEqual({ ok: true });

    expect(json(await login(app, 'dave'))).toMatchObject({ status: 'mfa_required', methods: ['totp', 'biometric'] });
    // erin has no second factor: her sign-in stays single-factor.
    expect(json(await login(app, 'erin'))).toMatchObject({ status: 'authenticated', session: { mfa: false } });
    const pending = json(await login(app, 'carol'));
    expect(pending.methods).toEqual(['biometric']);
    const totp = await app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge: pending.challenge, method: 'totp', code: '123456' } });
    expect(totp.statusCode).toBe(400);
    expect(json(totp).error.message).toMatch(/not available/);
  });

  it('refuses to start with biometric but no auth.publicUrl, naming it', async () => {
    const { security } = await f.open({ auth: { mfaMethods: ['biometric'] } });
    await expect(f.server(security)).rejects.toThrow(/mfaMethods "biometric" \(WebAuthn\) needs auth\.publicUrl/);
    await expect(security.authenticationManager()).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { option: 'auth.publicUrl' } });
  });

  it('has no WebAuthn routes when biometric is not enabled', async () => {
    const { app, auth } = await f.serve({});
    expect((await app.inject({ method: 'POST', url: '/v1/auth/mfa/webauthn/register/options', headers: auth })).statusCode).toBe(404);
  });
});
