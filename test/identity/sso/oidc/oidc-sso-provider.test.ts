import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLangtrainError, type LangtrainError } from '../../../../src/core/errors.js';
import { OidcSsoProvider, type GenericOidcOptions, type OidcPendingLogin } from '../../../../src/identity/sso/oidc/index.js';
import { startTestIdentityProvider, type TestAccount, type TestIdentityProvider } from '../../../support/oidc-provider.js';
import { manualClock } from '../../../support/recorded-events.js';

const ALICE: TestAccount = {
  sub: 'alice-7f3a',
  email: 'alice@example.com',
  email_verified: true,
  preferred_username: 'alice',
  groups: ['ml-engineers', 'auditors'],
  amr: ['pwd', 'mfa'],
};
const BOB: TestAccount = { sub: 'bob-91c2', email: 'bob@example.com', email_verified: false, preferred_username: 'bob', groups: ['ops'], amr: ['pwd'] };
const CAROL: TestAccount = { sub: 'carol-04d1', email: 'carol@example.com', groups: [], amr: ['pwd', 'otp'] };
const DAVE: TestAccount = { sub: 'dave-5e60', email: 'dave@example.com', email_verified: true, amr: ['otp'] };
const ACCOUNTS = [ALICE, BOB, CAROL, DAVE];

function rpOptions(idp: TestIdentityProvider, extra: Partial<GenericOidcOptions> = {}): GenericOidcOptions {
  return {
    name: 'okta',
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: idp.redirectUri,
    scopes: ['openid', 'email', 'profile', 'groups'],
    ...extra,
  };
}

/** Runs `finish` expecting ERR_SSO_FAILED for `reason`, and checks no secret of the login leaks into it. */
async function refused(done: Promise<unknown>, reason: string, secrets: { callback?: string; pending?: OidcPendingLogin } = {}): Promise<LangtrainError> {
  const err = await done.then(
    () => {
      throw new Error(`expected ERR_SSO_FAILED (${reason}), but the login succeeded`);
    },
    (e: unknown) => e,
  );
  if (!isLangtrainError(err, 'ERR_SSO_FAILED')) throw err;
  expect(err.details.reason).toBe(reason);
  expect(err.cause).toBeUndefined();
  const text = `${err.message} ${JSON.stringify(err.details)}`;
  const code = secrets.callback ? new URL(secrets.callback).searchParams.get('code') : null;
  for (const secret of [code, secrets.pending?.codeVerifier, secrets.pending?.nonce, secrets.pending?.state]) {
    if (secret) expect(text).not.toContain(secret);
  }
  return err;
}

describe('OidcSsoProvider against oidc-provider, claims in the ID token', () => {
  let idp: TestIdentityProvider;
  let rp: OidcSsoProvider;

  const login = async (account: TestAccount, provider = rp) => {
    const { authorizationUrl, pending } = provider.start();
    return { pending, callback: await idp.signIn(authorizationUrl, account.sub) };
  };

  beforeAll(async () => {
    idp = await startTestIdentityProvider({ accounts: ACCOUNTS, claimsInIdToken: true });
    // userinfo off: everything below comes from the verified ID token alone.
    rp = await OidcSsoProvider.create(rpOptions(idp, { userinfo: false }));
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('a full browser login yields the identity the IdP asserts, with mfa from amr', async () => {
    const { pending, callback } = await login(ALICE);
    expect(new URL(callback).searchParams.get('iss')).toBe(idp.issuer);
    await expect(rp.finish(callback, pending)).resolves.toEqual({
      provider: 'okta',
      subject: ALICE.sub,
      email: 'alice@example.com',
      username: 'alice',
      groups: ['ml-engineers', 'auditors'],
      mfa: true,
    });
    expect(rp.name).toBe('okta');
    expect(rp.issuer).toBe(idp.issuer);
  });

  it('amr of a password alone is not mfa, and an email the IdP marks unverified is dropped', async () => {
    const { pending, callback } = await login(BOB);
    await expect(rp.finish(callback, pending)).resolves.toEqual({ provider: 'okta', subject: BOB.sub, email: null, username: 'bob', groups: ['ops'], mfa: false });
  });

  it('password plus one-time code is mfa; a one-time code alone (passwordless) is not', async () => {
    const carol = await login(CAROL);
    const identity = await rp.finish(carol.callback, carol.pending);
    expect(identity).toMatchObject({ subject: CAROL.sub, mfa: true, email: 'carol@example.com', username: null, groups: [] });
    const dave = await login(DAVE);
    expect(await rp.finish(dave.callback, dave.pending)).toMatchObject({ subject: DAVE.sub, mfa: false, groups: [] });
  });

  it('mfaAmrValues replaces the rule: then any listed method counts', async () => {
    const lenient = await OidcSsoProvider.create(rpOptions(idp, { userinfo: false, mfaAmrValues: ['otp'] }));
    const dave = await login(DAVE, lenient);
    expect((await lenient.finish(dave.callback, dave.pending)).mfa).toBe(true);
  });

  it('start asks for the code flow with PKCE S256 and fresh 256-bit state, nonce and verifier', () => {
    const a = rp.start();
    const b = rp.start();
    const url = new URL(a.authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: idp.clientId,
      redirect_uri: idp.redirectUri,
      response_type: 'code',
      scope: 'openid email profile groups',
      state: a.pending.state,
      nonce: a.pending.nonce,
      code_challenge: createHash('sha256').update(a.pending.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.has('code_verifier')).toBe(false);
    for (const value of [a.pending.state, a.pending.nonce, a.pending.codeVerifier]) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([a.pending.state, a.pending.nonce, a.pending.codeVerifier, b.pending.state, b.pending.nonce, b.pending.codeVerifier]).size).toBe(6);
  });

  it('a tampered state is refused before the code is spent', async () => {
    const { pending, callback } = await login(ALICE);
    const tampered = new URL(callback);
    // The last character changed for certain (a fixed replacement would equal it one time in 64).
    tampered.searchParams.set('state', `${pending.state.slice(0, -1)}${pending.state.endsWith('A') ? 'B' : 'A'}`);
    const err = await refused(rp.finish(tampered, pending), 'state_mismatch', { callback, pending });
    expect(err.message).toContain('state does not match');
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    await refused(rp.finish(missing, pending), 'state_mismatch', { callback, pending });
    // The code was never sent to the IdP, so the genuine callback still completes.
    expect((await rp.finish(callback, pending)).subject).toBe(ALICE.sub);
  });

  it("another login's pending values are refused: its state, its nonce, its PKCE verifier", async () => {
    const other = rp.start().pending;

    const first = await login(ALICE);
    await refused(rp.finish(first.callback, other), 'state_mismatch', first);

    const second = await login(ALICE);
    const wrongNonce = { ...second.pending, nonce: other.nonce };
    const nonceErr = await refused(rp.finish(second.callback, wrongNonce), 'verification_failed', { callback: second.callback, pending: wrongNonce });
    expect(nonceErr.message).toContain('"nonce"');

    const third = await login(ALICE);
    const wrongVerifier = { ...third.pending, codeVerifier: other.codeVerifier };
    const pkceErr = await refused(rp.finish(third.callback, wrongVerifier), 'token_exchange_failed', { callback: third.callback, pending: wrongVerifier });
    expect(pkceErr.details).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('a code is accepted once: finishing the same callback again is refused', async () => {
    const { pending, callback } = await login(ALICE);
    await rp.finish(callback, pending);
    const err = await refused(rp.finish(callback, pending), 'token_exchange_failed', { callback, pending });
    expect(err.message).toContain('invalid_grant');
  });

  it('the user cancelling at the IdP gives a clear access_denied failure', async () => {
    const { authorizationUrl, pending } = rp.start();
    const callback = await idp.cancel(authorizationUrl);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const err = await refused(rp.finish(callback, pending), 'idp_error', { callback, pending });
    expect(err.details.error).toBe('access_denied');
    expect(err.message).toBe('OIDC okta: the IdP answered with error "access_denied"');
  });

  it('a callback naming another issuer (RFC 9207 mix-up defence) is refused', async () => {
    const { pending, callback } = await login(ALICE);
    const mixedUp = new URL(callback);
    mixedUp.searchParams.set('iss', 'https://attacker.example');
    const err = await refused(rp.finish(mixedUp, pending), 'verification_failed', { callback, pending });
    expect(err.message).toContain('"iss"');
  });

  it('a callback without a code is refused', async () => {
    const { pending } = rp.start();
    const callback = `${idp.redirectUri}?state=${pending.state}&iss=${encodeURIComponent(idp.issuer)}`;
    await refused(rp.finish(callback, pending), 'callback_invalid', { pending });
  });

  it('accepts the callback as a request path and query, resolved against redirectUri', async () => {
    const { pending, callback } = await login(ALICE);
    const { pathname, search } = new URL(callback);
    expect((await rp.finish(`${pathname}${search}`, pending)).subject).toBe(ALICE.sub);
  });

  it('a login older than loginTimeout is refused without contacting the IdP', async () => {
    const time = manualClock(Date.now());
    const timed = await OidcSsoProvider.create(rpOptions(idp, { userinfo: false, loginTimeout: '5m' }), { clock: time.clock });
    const { pending, callback } = await login(ALICE, timed);
    time.advance(5 * 60_000 + 1);
    await refused(timed.finish(callback, pending), 'login_expired', { callback, pending });
    time.advance(-1);
    // Still unspent, because the refusal came first.
    expect((await timed.finish(callback, pending)).subject).toBe(ALICE.sub);
  });

  it('refuses a pending login that is not one', async () => {
    const { callback } = await login(ALICE);
    await expect(rp.finish(callback, { state: 'x' } as OidcPendingLogin)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });
});

describe('OidcSsoProvider against oidc-provider, claims only from UserInfo', () => {
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    idp = await startTestIdentityProvider({ accounts: ACCOUNTS, claimsInIdToken: false });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('fetches UserInfo for the email, username and groups the ID token lacks', async () => {
    const rp = await OidcSsoProvider.create(rpOptions(idp));
    const { authorizationUrl, pending } = rp.start();
    const identity = await rp.finish(await idp.signIn(authorizationUrl, ALICE.sub), pending);
    expect(identity).toEqual({ provider: 'okta', subject: ALICE.sub, email: 'alice@example.com', username: 'alice', groups: ['ml-engineers', 'auditors'], mfa: true });
  });

  it('with userinfo: false, only what the ID token says', async () => {
    const rp = await OidcSsoProvider.create(rpOptions(idp, { userinfo: false }));
    const { authorizationUrl, pending } = rp.start();
    const identity = await rp.finish(await idp.signIn(authorizationUrl, ALICE.sub), pending);
    expect(identity).toEqual({ provider: 'okta', subject: ALICE.sub, email: null, username: null, groups: [], mfa: true });
  });

  it('with the default scopes the groups scope is not asked for, so no groups', async () => {
    const rp = await OidcSsoProvider.create({ name: 'keycloak', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri });
    const { authorizationUrl, pending } = rp.start();
    expect(new URL(authorizationUrl).searchParams.get('scope')).toBe('openid email profile');
    const identity = await rp.finish(await idp.signIn(authorizationUrl, ALICE.sub), pending);
    expect(identity).toMatchObject({ provider: 'keycloak', email: 'alice@example.com', groups: [] });
  });
});

describe('OidcSsoProvider discovery', () => {
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    idp = await startTestIdentityProvider({ accounts: ACCOUNTS });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('refuses an IdP whose discovery document names another issuer, naming the issuer asked for', async () => {
    const asked = idp.issuer.replace('127.0.0.1', 'localhost');
    const err = await refused(OidcSsoProvider.create(rpOptions(idp, { issuer: asked })), 'discovery_failed');
    expect(err.message).toBe(`OIDC okta: discovery of ${asked}/ failed: the discovery document names another issuer`);
  });

  it('refuses an issuer that cannot be reached, naming it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const err = await refused(OidcSsoProvider.create(rpOptions(idp, { issuer })), 'discovery_failed');
    expect(err.message).toBe(`OIDC okta: discovery of ${issuer}/ failed: the IdP could not be reached`);
  });
});
