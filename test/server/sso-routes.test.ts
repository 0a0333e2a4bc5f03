import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { HOTP, Secret } from 'otpauth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/core/config.js';
import { SESSION_COOKIE } from '../../src/server/session-cookies.js';
import { SSO_COOKIE } from '../../src/server/plugins/sso-routes.js';
import { startTestIdentityProvider, type TestAccount, type TestIdentityProvider } from '../support/oidc-provider.js';
import { CLASS_MULTI_FACTOR, CLASS_PASSWORD, TestSamlIdp, type ResponseKnobs, type TestSamlUser } from '../support/saml-idp.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const PUBLIC_URL = 'https://langtrain.example.test';
/** Signed in with a second factor at the IdP (amr mfa). */
const ALICE: TestAccount = { sub: 'alice-7f3a', email: 'alice@example.com', email_verified: true, preferred_username: 'alice', groups: ['ml-admins', 'staff'], amr: ['pwd', 'mfa'] };
/** Password only at the IdP. */
const BOB: TestAccount = { sub: 'bob-91c2', email: 'bob@example.com', email_verified: true, preferred_username: 'bob', groups: ['staff'], amr: ['pwd'] };
const CAROL: TestSamlUser = { nameId: 'carol@example.com', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', groups: ['ml-engineers'], authnContextClassRef: CLASS_MULTI_FACTOR };
const GROUP_ROLES = { 'ml-admins': ['admin'], 'ml-engineers': ['trainer'], staff: ['viewer'] };

let idp: TestIdentityProvider;
let saml: TestSamlIdp;
let secretFile: string;
beforeAll(async () => {
  idp = await startTestIdentityProvider({ accounts: [ALICE, BOB] });
  saml = TestSamlIdp.create();
  secretFile = join(saml.directory, 'oidc-client-secret');
  writeFileSync(secretFile, `${idp.clientSecret}\n`);
});
afterAll(async () => {
  saml?.cleanup();
  await idp?.close();
});

/**
 * `corp` is OpenID Connect at the test IdP, `okta` SAML at the test SAML IdP. The test IdP
 * has one registered redirect URI, so `corp` names it; the IdP's answer is then delivered
 * to our callback route as the browser would (the query is what matters).
 */
const config = (auth: Record<string, unknown> = {}): ConfigInput => ({
  auth: {
    publicUrl: PUBLIC_URL,
    concurrentSessions: 10,
    ssoProviders: {
      corp: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: `file:${secretFile}`, redirectUri: idp.redirectUri, scopes: ['openid', 'email', 'profile', 'groups'], groupRoles: GROUP_ROLES },
      okta: { samlEndpoint: saml.ssoUrl, certificatePath: saml.certificatePath, groupRoles: GROUP_ROLES, defaultRoles: ['sso'] },
    },
    ...auth,
  },
});

/** The browser's SSO binding cookie from a response. */
function ssoCookie(res: LightMyRequestResponse) {
  const cookie = res.cookies.find((c) => c.name === SSO_COOKIE);
  expect(cookie).toBeDefined();
  return cookie!;
}

const withCookie = (token: string) => ({ cookie: `${SSO_COOKIE}=${token}` });

/** GET start: the IdP URL the browser is sent to and the binding token it now holds. */
async function start(app: FastifyInstance, provider: string): Promise<{ location: string; token: string }> {
  const res = await app.inject({ method: 'GET', url: `/v1/auth/sso/${provider}/start` });
  expect(res.statusCode).toBe(302);
  return { location: String(res.headers.location), token: ssoCookie(res).value };
}

/** OpenID Connect up to the IdP's redirect back: the callback path our server receives. */
async function oidcToCallback(app: FastifyInstance, account: TestAccount) {
  const { location, token } = await start(app, 'corp');
  const back = new URL(await idp.signIn(location, account.sub));
  return { token, callback: `/v1/auth/sso/corp/callback${back.search}` };
}

const oidcCallback = (app: FastifyInstance, url: string, token?: string) => app.inject({ method: 'GET', url, headers: token === undefined ? {} : withCookie(token) });

/** SAML up to the IdP's answer: the form the browser posts back. */
async function samlToCallback(app: FastifyInstance, user: TestSamlUser, knobs: ResponseKnobs = {}) {
  const { location, token } = await start(app, 'okta');
  const metadata = await app.inject({ method: 'GET', url: '/v1/auth/sso/okta/metadata' });
  const answer = await saml.respond(location, metadata.body, user, knobs);
  return { token, samlResponse: answer.samlResponse, relayState: answer.relayState };
}

const samlCallback = (app: FastifyInstance, form: { SAMLResponse: string; RelayState: string }, token?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/sso/okta/callback',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token === undefined ? {} : withCookie(token)) },
    payload: new URLSearchParams(form).toString(),
  });

describe('SSO over HTTP: OpenID Connect', () => {
  it('signs a new user in through the IdP: binding cookie, JIT account with mapped roles, session cookies', async () => {
    const { app, security } = await f.serve(config());
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/sso' }))).toEqual({ providers: ['corp', 'okta'] });

    const started = await app.inject({ method: 'GET', url: '/v1/auth/sso/corp/start', headers: { 'user-agent': 'TestBrowser/1.0' } });
    expect(started.statusCode).toBe(302);
    const location = new URL(String(started.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(location.searchParams.get('redirect_uri')).toBe(idp.redirectUri);
    const cookie = ssoCookie(started);
    expect(cookie).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'None' });
    expect(cookie.value).toMatch(/^ltsso_/);
    expect(Date.parse(String(cookie.expires)) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(started.body).not.toContain(cookie.value);

    const back = new URL(await idp.signIn(location.href, ALICE.sub));
    const res = await oidcCallback(app, `/v1/auth/sso/corp/callback${back.search}`, cookie.value);
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ status: 'authenticated', user: { username: 'alice', roles: ['admin', 'viewer'], hasPassword: false }, session: { mfa: true } });
    const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session?.value).toMatch(/^lts_/);
    // The binding is spent: the browser is told to drop it.
    expect(res.cookies.find((c) => c.name === SSO_COOKIE)).toMatchObject({ value: '' });

    const whoami = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: `${SESSION_COOKIE}=${session!.value}` } });
    expect(json(whoami)).toMatchObject({ principal: 'user', user: { id: body.user.id, username: 'alice' }, session: { mfa: true } });

    const logins = await security.audit.query({ eventType: 'auth.sso_login' });
    expect(logins.map((e) => [e.result, e.userId, e.additionalData?.provider, e.additionalData?.subject, e.additionalData?.created, e.additionalData?.idpMfa])).toEqual([
      ['success', body.user.id, 'corp', ALICE.sub, true, true],
    ]);
    expect(await security.audit.query({ eventType: 'auth.sso_provisioned' })).toHaveLength(1);
    // No binding token, authorization code or session token in the audit log.
    const text = JSON.stringify(await security.audit.query({}));
    for (const secret of [cookie.value, back.searchParams.get('code')!, session!.value]) expect(text).not.toContain(secret);

    // A second sign-in finds the same account.
    const again = await oidcToCallback(app, ALICE);
    const second = await oidcCallback(app, again.callback, again.token);
    expect(json(second)).toMatchObject({ status: 'authenticated', user: { id: body.user.id } });
  });

  it('refuses a callback without the binding cookie, with another sign-in’s cookie, and a replayed one', async () => {
    const { app, security } = await f.serve(config());
    const flow = await oidcToCallback(app, ALICE);

    const bare = await oidcCallback(app, flow.callback);
    expect(bare.statusCode).toBe(401);
    expect(json(bare).error.message).toMatch(/not started in this browser/);

    // Login CSRF: the IdP's answer to one sign-in delivered to a browser bound to another.
    const other = await start(app, 'corp');
    const crossed = await oidcCallback(app, flow.callback, other.token);
    expect(crossed.statusCode).toBe(401);
    expect(json(crossed).error.code).toBe('ERR_UNAUTHENTICATED');

    // The right browser still finishes (the refusals spent nothing of it), once.
    const ok = await oidcCallback(app, flow.callback, flow.token);
    expect(ok.statusCode).toBe(200);
    const replayed = await oidcCallback(app, flow.callback, flow.token);
    expect(replayed.statusCode).toBe(401);
    expect(json(replayed).error.message).toMatch(/expired or was already finished/);
    // A refused callback also tells the browser to drop the spent binding.
    expect(replayed.cookies.find((c) => c.name === SSO_COOKIE)).toMatchObject({ value: '' });

    const failures = await security.audit.query({ eventType: 'auth.sso_login', result: 'failure' });
    expect(failures.map((e) => e.additionalData?.reason)).toEqual(['state_mismatch', 'invalid_challenge']);
  });

  it('answers an unknown provider with 404 naming the configured ones, and an IdP error as a refusal', async () => {
    const { app } = await f.serve(config());
    const unknown = await app.inject({ method: 'GET', url: '/v1/auth/sso/github/start' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error.message).toBe('no SSO provider named "github" (configured: corp, okta)');
    expect(unknown.cookies.find((c) => c.name === SSO_COOKIE)).toBeUndefined();

    const { location, token } = await start(app, 'corp');
    const cancelled = new URL(await idp.cancel(location));
    const res = await oidcCallback(app, `/v1/auth/sso/corp/callback${cancelled.search}`, token);
    expect(res.statusCode).toBe(401);
    expect(json(res).error.message).toMatch(/identity provider answer was refused/);
    // OpenID Connect answers come back by GET only; a SAML-style post to it is refused.
    expect((await samlCallback(app, { SAMLResponse: 'x', RelayState: token }, token)).statusCode).toBe(401);
  });

  it('with mfaRequired and an IdP asserting no second factor: an enrolment-only session without a local one, mfa_required with one', async () => {
    // f.open, not f.serve: the password-only admin of f.serve could not sign in here.
    const { security } = await f.open(config({ mfaRequired: true }));
    const { app } = await f.server(security);
    // alice's IdP asserts MFA: no local factor needed.
    const alice = await oidcToCallback(app, ALICE);
    expect(json(await oidcCallback(app, alice.callback, alice.token))).toMatchObject({ status: 'authenticated', session: { mfa: true } });

    const first = await oidcToCallback(app, BOB);
    const confined = await oidcCallback(app, first.callback, first.token);
    expect(confined.statusCode).toBe(200);
    expect(json(confined)).toMatchObject({ status: 'enrolment_required', session: { mfa: false } });
    const cookie = confined.cookies.find((c) => c.name === SESSION_COOKIE)!;
    const elsewhere = await app.inject({ method: 'GET', url: '/v1/auth/api-keys', headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` } });
    expect(elsewhere.statusCode).toBe(403);
    expect(json(elsewhere).error.code).toBe('ERR_MFA_ENROLMENT_REQUIRED');

    // An administrator helps bob enrol TOTP on the account SSO made for him.
    const users = (await security.authenticationManager()).users;
    const bob = (await users.findByUsername('bob'))!;
    expect(bob.roles).toEqual(['viewer']);
    const { secret } = await users.enrolTotp(bob.id);
    const totp = (at: number) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(at / 30_000) });
    expect(await users.confirmTotp(bob.id, totp(Date.now() - 30_000))).toEqual({ ok: true });

    const second = await oidcToCallback(app, BOB);
    const res = await oidcCallback(app, second.callback, second.token);
    expect(res.statusCode).toBe(200);
    const pending = json(res);
    expect(pending).toMatchObject({ status: 'mfa_required', methods: ['totp'] });
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const done = await app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge: pending.challenge, method: 'totp', code: totp(Date.now()), mode: 'token' } });
    expect(done.statusCode).toBe(200);
    expect(json(done)).toMatchObject({ status: 'authenticated', user: { id: bob.id }, session: { mfa: true } });
  });
});

describe('SSO over HTTP: SAML', () => {
  it('serves SP metadata derived from publicUrl', async () => {
    const { app } = await f.serve(config());
    const res = await app.inject({ method: 'GET', url: '/v1/auth/sso/okta/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    expect(res.body).toContain(`entityID="${PUBLIC_URL}/v1/auth/sso/okta/metadata"`);
    expect(res.body).toContain(`Location="${PUBLIC_URL}/v1/auth/sso/okta/callback"`);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/sso/corp/metadata' })).statusCode).toBe(404);
  });

  it('signs a user in with the posted SAMLResponse and RelayState matching the binding cookie', async () => {
    const { app } = await f.serve(config());
    const flow = await samlToCallback(app, CAROL);
    // RelayState is a digest of the cookie's token: the token never passes through the IdP.
    expect(flow.relayState).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(flow.relayState).not.toBe(flow.token);
    const res = await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token);
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ status: 'authenticated', user: { username: 'carol@example.com', roles: ['sso', 'trainer'] }, session: { mfa: true } });
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toMatch(/^lts_/);
    // The same response again: the sign-in is spent.
    expect((await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token)).statusCode).toBe(401);
  });

  it('refuses a post without the cookie or with a RelayState not matching it, and keeps the sign-in for the right one', async () => {
    const { app } = await f.serve(config());
    const flow = await samlToCallback(app, CAROL);
    const form = { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! };
    expect((await samlCallback(app, form)).statusCode).toBe(401);
    const other = await start(app, 'okta');
    const mismatched = await samlCallback(app, form, other.token);
    expect(mismatched.statusCode).toBe(401);
    expect(json(mismatched).error.message).toMatch(/sign in again/);
    expect((await samlCallback(app, { ...form, RelayState: other.token }, flow.token)).statusCode).toBe(401);
    expect(json(await samlCallback(app, form, flow.token))).toMatchObject({ status: 'authenticated' });
  });

  it('refuses a tampered assertion and audits why', async () => {
    const { app, security } = await f.serve(config());
    const flow = await samlToCallback(app, CAROL, { tamper: (xml) => xml.replace('>ml-engineers<', '>ml-admins<') });
    const res = await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token);
    expect(res.statusCode).toBe(401);
    expect(json(res).error.message).toMatch(/identity provider answer was refused/);
    const [failure, ...rest] = await security.audit.query({ eventType: 'auth.sso_login' });
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ result: 'failure', userId: null, additionalData: { provider: 'okta', reason: 'signature' } });
    expect(JSON.stringify(failure)).not.toContain(flow.samlResponse.slice(0, 60));
    expect(await (await security.authenticationManager()).users.findByUsername('carol@example.com')).toBeNull();
  });

  it('with mfaRequired, a password-only SAML sign-in of an account without a local factor gets a session confined to enrolment', async () => {
    const { app } = await f.server((await f.open(config({ mfaRequired: true }))).security);
    const flow = await samlToCallback(app, { ...CAROL, authnContextClassRef: CLASS_PASSWORD });
    const res = await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token);
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ status: 'enrolment_required', session: { mfa: false } });
    const cookie = { cookie: `${SESSION_COOKIE}=${res.cookies.find((c) => c.name === SESSION_COOKIE)!.value}` };
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/session', headers: cookie }))).toMatchObject({ principal: 'user', session: { mfa: false } });
    expect(json(await app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: cookie })).error.code).toBe('ERR_MFA_ENROLMENT_REQUIRED');
  });

  it('without jitProvisioning, an identity no administrator linked is refused 403, and admitted once linked', async () => {
    const base = config().auth!.ssoProviders!;
    const { app, security, auth } = await f.serve(config({ ssoProviders: { ...base, okta: { ...base.okta, jitProvisioning: false } } }));
    const flow = await samlToCallback(app, CAROL);
    const res = await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token);
    expect(res.statusCode).toBe(403);
    expect(json(res).error.message).toMatch(/no account here/);
    const users = (await security.authenticationManager()).users;
    expect(await users.findByUsername('carol@example.com')).toBeNull();

    // An administrator admits carol by linking an account to her IdP subject.
    const account = json(await app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload: { username: 'carol' } }));
    const link = (body: { provider: string; subject: string }) => app.inject({ method: 'POST', url: `/v1/users/${account.id}/sso-links`, headers: auth, payload: body });
    expect((await link({ provider: 'nope', subject: CAROL.nameId })).statusCode).toBe(404);
    expect((await link({ provider: 'okta', subject: CAROL.nameId })).statusCode).toBe(204);
    const again = await samlToCallback(app, CAROL);
    const signedIn = await samlCallback(app, { SAMLResponse: again.samlResponse, RelayState: again.relayState! }, again.token);
    expect(json(signedIn)).toMatchObject({ status: 'authenticated', user: { id: account.id, username: 'carol' } });
    expect(await security.audit.query({ eventType: 'auth.sso_linked' })).toHaveLength(1);
  });

  it('refuses a SAML callback whose username collides with a local account (403, no session)', async () => {
    const { app, security } = await f.serve(config());
    await (await security.authenticationManager()).users.createUser({ username: 'carol@example.com', password: 'a long enough passphrase for tests', roles: ['admin'] });
    const flow = await samlToCallback(app, CAROL);
    const res = await samlCallback(app, { SAMLResponse: flow.samlResponse, RelayState: flow.relayState! }, flow.token);
    expect(res.statusCode).toBe(403);
    expect(json(res).error.message).toMatch(/ask an administrator to link it/);
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const denied = await security.audit.query({ eventType: 'auth.sso_login', result: 'denied' });
    expect(denied.map((e) => e.additionalData?.reason)).toEqual(['account_conflict']);
  });
});
