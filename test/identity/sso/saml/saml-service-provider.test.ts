import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LangtrainError } from '../../../../src/core/errors.js';
import { SamlServiceProvider, samlMigrations, type SamlServiceProviderOptions } from '../../../../src/identity/sso/saml/index.js';
import { openStore, type Store } from '../../../../src/store/database.js';
import { migrate } from '../../../../src/store/migrations.js';
import { CLASS_MULTI_FACTOR, CLASS_PASSWORD, TestSamlIdp, type ResponseKnobs, type TestSamlResponse, type TestSamlUser } from '../../../support/saml-idp.js';
import { storeUrls } from '../../../support/services.js';

const ENTITY_ID = 'https://langtrain.example.test/saml/okta';
const ACS = 'https://langtrain.example.test/v1/auth/saml/okta/acs';
const ALICE: TestSamlUser = { nameId: '00u1a2b3c4d5e6f7', email: 'alice@example.com', groups: ['ml-engineers', 'auditors'], authnContextClassRef: CLASS_MULTI_FACTOR };

let idp: TestSamlIdp;
beforeAll(() => {
  idp = TestSamlIdp.create();
});
afterAll(() => idp.cleanup());

async function openMigrated(url: string): Promise<Store> {
  const store = await openStore(url);
  await migrate(store, 'saml', samlMigrations);
  return store;
}

/** The refusal `work` fails with; fails the test when it succeeds or throws anything else. */
async function refusal(work: Promise<unknown>): Promise<LangtrainError> {
  const err = await work.then(
    () => {
      throw new Error('expected the response to be refused');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LangtrainError);
  expect((err as LangtrainError).code).toBe('ERR_SSO_FAILED');
  return err as LangtrainError;
}

describe.each(storeUrls('saml'))('SamlServiceProvider on $dialect', ({ make }) => {
  let url: string;
  let store: Store;
  let cleanup: () => Promise<void>;
  const extraStores: Store[] = [];

  const provider = (options: Partial<SamlServiceProviderOptions> = {}, on: Store = store) =>
    new SamlServiceProvider({ name: 'okta', samlEndpoint: idp.ssoUrl, certificatePath: idp.certificatePath, entityId: ENTITY_ID, callbackUrl: ACS, ...options }, { store: on });

  /** A second server instance: its own connection to the same database. */
  const secondInstance = async (options: Partial<SamlServiceProviderOptions> = {}) => {
    const other = await openMigrated(url);
    extraStores.push(other);
    return provider(options, other);
  };

  const signIn = async (sp: SamlServiceProvider, user: TestSamlUser = ALICE, knobs: ResponseKnobs = {}, relayState?: string) => {
    const started = await sp.start(relayState);
    const response = await idp.respond(started.redirectUrl, sp.metadata(), user, knobs);
    return { started, response };
  };

  /** The refusal must say what failed without repeating the response or anything in it. */
  const expectRefused = async (sp: SamlServiceProvider, response: TestSamlResponse, reason: string, expectedRequestId?: string) => {
    const err = await refusal(sp.finish(response.samlResponse, undefined, expectedRequestId));
    expect(err.details).toEqual({ provider: 'okta', protocol: 'saml', reason });
    const xml = Buffer.from(response.samlResponse, 'base64').toString('utf8');
    for (const leak of [response.samlResponse.slice(0, 40), ALICE.email!, ALICE.nameId, response.assertionId, xml.slice(0, 40)]) expect(err.message).not.toContain(leak);
    return err;
  };

  beforeEach(async () => {
    const made = make();
    url = made.url;
    cleanup = made.cleanup;
    store = await openMigrated(url);
  });
  afterEach(async () => {
    for (const s of extraStores.splice(0)) await s.close();
    await store.close();
    await cleanup();
  });

  it('signs a user in: NameID, email, groups and a multi-factor class become the SsoIdentity', async () => {
    const sp = provider();
    const { started, response } = await signIn(sp, ALICE, {}, '/dashboard');
    expect(started.redirectUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    expect(response.inResponseTo).toBe(started.requestId);
    expect(response.relayState).toBe('/dashboard');
    const pending = await store.db.selectFrom('identity_saml_requests').selectAll().execute();
    expect(pending.map((r) => [r.id, r.provider])).toEqual([[started.requestId, 'okta']]);

    const identity = await sp.finish(response.samlResponse, response.relayState, started.requestId);
    expect(identity).toEqual({ provider: 'okta', subject: ALICE.nameId, email: 'alice@example.com', username: null, groups: ['ml-engineers', 'auditors'], mfa: true });

    // The request is answered; the assertion is remembered until it expires (5 min) plus the skew (3 min).
    expect(await store.db.selectFrom('identity_saml_requests').selectAll().execute()).toEqual([]);
    const [used] = await store.db.selectFrom('identity_saml_assertions').selectAll().execute();
    expect(used?.id).toBe(response.assertionId);
    const kept = Date.parse(String(used?.expires_at)) - Date.now();
    expect(kept).toBeGreaterThan(7 * 60_000);
    expect(kept).toBeLessThanOrEqual(8 * 60_000);
  });

  it('reports mfa false for a password-only class, and reads configured attribute names', async () => {
    const sp = provider({ usernameAttribute: 'login', groupsAttribute: 'roles', emailAttribute: 'primaryEmail' });
    const user: TestSamlUser = {
      nameId: 'bob@example.com',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      authnContextClassRef: CLASS_PASSWORD,
      groups: ['ignored-because-roles-is-configured'],
      attributes: { login: 'bob', roles: ['admins'], primaryEmail: 'robert@example.com' },
    };
    const { response } = await signIn(sp, user);
    expect(await sp.finish(response.samlResponse)).toEqual({ provider: 'okta', subject: 'bob@example.com', email: 'robert@example.com', username: 'bob', groups: ['admins'], mfa: false });
  });

  it('understands Entra ID (Azure AD): claim-URI attributes and multipleauthn in authnmethodsreferences', async () => {
    const sp = provider();
    const user: TestSamlUser = {
      nameId: 'Zk3v1mJc0kQ8rJ0aT1xwqk7y5vD0fLr9QeXb2uJ6sHc',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
      attributes: {
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'carol@contoso.com',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'carol@contoso.onmicrosoft.com',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['6f1b3c52-4c1e-4a7e-9d43-1f0e2b6a9c11'],
        'http://schemas.microsoft.com/claims/authnmethodsreferences': ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', 'http://schemas.microsoft.com/claims/multipleauthn'],
      },
    };
    const { response } = await signIn(sp, user);
    expect(await sp.finish(response.samlResponse)).toEqual({
      provider: 'okta',
      subject: user.nameId,
      email: 'carol@contoso.com',
      username: 'carol@contoso.onmicrosoft.com',
      groups: ['6f1b3c52-4c1e-4a7e-9d43-1f0e2b6a9c11'],
      mfa: true,
    });
  });

  it('counts only the configured mfaContextClasses as a second factor', async () => {
    const sp = provider({ mfaContextClasses: ['urn:example:ac:hardware-key'] });
    const standard = await signIn(sp, ALICE);
    expect((await sp.finish(standard.response.samlResponse)).mfa).toBe(false);
    const hardware = await signIn(sp, { ...ALICE, authnContextClassRef: 'urn:example:ac:hardware-key' });
    expect((await sp.finish(hardware.response.samlResponse)).mfa).toBe(true);
  });

  it('refuses an assertion changed after signing', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE, { tamper: (xml) => xml.replace('>alice@example.com<', '>mallory@example.com<') });
    const err = await expectRefused(sp, response, 'signature');
    expect(err.message).toMatch(/signature/);
    expect(err.message).not.toContain('mallory');
  });

  it('refuses an assertion signed by a key whose certificate is not in certificatePath', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE, { signWith: 'other' });
    await expectRefused(sp, response, 'signature');
  });

  it('refuses an unsigned assertion, also inside a signed Response', async () => {
    const sp = provider();
    const stripped = await signIn(sp, ALICE, { sign: 'none' });
    await expectRefused(sp, stripped.response, 'signature');
    const responseOnly = await signIn(sp, ALICE, { sign: 'response' });
    expect(Buffer.from(responseOnly.response.samlResponse, 'base64').toString()).toContain('<ds:Signature');
    await expectRefused(sp, responseOnly.response, 'signature');
  });

  it('trusts every certificate in certificatePath (an IdP key rotation)', async () => {
    const both = join(idp.directory, 'rotation.pem');
    writeFileSync(both, readFileSync(idp.certificatePath, 'utf8') + readFileSync(idp.otherCertificatePath, 'utf8'));
    const sp = provider({ certificatePath: both });
    const { response } = await signIn(sp, ALICE, { signWith: 'other' });
    expect((await sp.finish(response.samlResponse)).subject).toBe(ALICE.nameId);
  });

  it('refuses an assertion for another audience', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE, { audience: 'https://other-app.example.test/saml' });
    const err = await expectRefused(sp, response, 'audience');
    expect(err.message).not.toContain('other-app');
  });

  it('checks the configured audience when it differs from the entity id', async () => {
    const sp = provider({ audience: 'urn:langtrain:okta' });
    const wrong = await signIn(sp, ALICE);
    await expectRefused(sp, wrong.response, 'audience');
    const right = await signIn(sp, ALICE, { audience: 'urn:langtrain:okta' });
    expect((await sp.finish(right.response.samlResponse)).subject).toBe(ALICE.nameId);
  });

  it('refuses an expired assertion', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE, { expired: true });
    await expectRefused(sp, response, 'expired');
  });

  it('forgives up to maxClockSkewMs of clock difference with the IdP', async () => {
    // The expired knob ended the assertion five minutes ago.
    const lenient = provider({ maxClockSkewMs: 6 * 60_000 });
    const { response } = await signIn(lenient, ALICE, { expired: true });
    expect((await lenient.finish(response.samlResponse)).subject).toBe(ALICE.nameId);
    const [used] = await store.db.selectFrom('identity_saml_assertions').selectAll().execute();
    expect(Date.parse(String(used?.expires_at))).toBeGreaterThan(Date.now());
  });

  it('refuses the same response a second time, on this instance and on another sharing the store', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE);
    await sp.finish(response.samlResponse);
    await expectRefused(sp, response, 'unknown_request');
    await expectRefused(await secondInstance(), response, 'unknown_request');
  });

  it('refuses a used assertion re-addressed to a new request (its SubjectConfirmation names none) on another instance', async () => {
    const first = provider();
    const { response } = await signIn(first, ALICE, { subjectInResponseTo: false });
    await first.finish(response.samlResponse);

    // The Response's InResponseTo lies outside the assertion's signature: whoever captured the
    // response can point it at a fresh request, which node-saml then finds pending.
    const second = await secondInstance();
    const fresh = await second.start();
    const readdressed = Buffer.from(
      Buffer.from(response.samlResponse, 'base64').toString('utf8').replace(`InResponseTo="${response.inResponseTo}"`, `InResponseTo="${fresh.requestId}"`),
    ).toString('base64');
    await expectRefused(second, { ...response, samlResponse: readdressed }, 'replay');
    // The request it was aimed at is spent too.
    expect(await store.db.selectFrom('identity_saml_requests').selectAll().execute()).toEqual([]);
  });

  it('lets exactly one of two instances finishing the same response at once succeed', async () => {
    const first = provider();
    const second = await secondInstance();
    const { response } = await signIn(first, ALICE, { subjectInResponseTo: false });
    const outcomes = await Promise.allSettled([first.finish(response.samlResponse), second.finish(response.samlResponse)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [failed] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(failed?.reason).toMatchObject({ code: 'ERR_SSO_FAILED' });
    expect(['replay', 'unknown_request']).toContain(failed?.reason.details.reason);
  });

  it('finishes on another instance a sign-in this one started', async () => {
    const { started, response } = await signIn(provider(), ALICE);
    expect((await (await secondInstance()).finish(response.samlResponse, undefined, started.requestId)).subject).toBe(ALICE.nameId);
  });

  it('refuses a response to a request it never sent, or sent through another provider', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE);
    const forged = Buffer.from(Buffer.from(response.samlResponse, 'base64').toString('utf8').replace(`InResponseTo="${response.inResponseTo}"`, 'InResponseTo="_0000"')).toString('base64');
    await expectRefused(sp, { ...response, samlResponse: forged }, 'unknown_request');

    // Same IdP configured twice: a request sent as `okta` cannot be answered through `okta_eu`.
    const elsewhere = await signIn(sp, ALICE);
    const err = await refusal(provider({ name: 'okta_eu' }).finish(elsewhere.response.samlResponse));
    expect(err.details.reason).toBe('unknown_request');
    expect((await sp.finish(elsewhere.response.samlResponse)).subject).toBe(ALICE.nameId);
  });

  it('refuses an unsolicited (IdP-initiated) response', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE, { subjectInResponseTo: false });
    const unsolicited = Buffer.from(Buffer.from(response.samlResponse, 'base64').toString('utf8').replace(` InResponseTo="${response.inResponseTo}"`, '')).toString('base64');
    await expectRefused(sp, { ...response, samlResponse: unsolicited }, 'unsolicited');
  });

  it('refuses a response to a request that has outlived its lifetime', async () => {
    const sp = provider();
    const { started, response } = await signIn(sp, ALICE);
    await store.db.updateTable('identity_saml_requests').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', started.requestId).execute();
    await expectRefused(sp, response, 'unknown_request');
  });

  it('with expectedRequestId, refuses a response to another request (login CSRF)', async () => {
    const sp = provider();
    const mine = await sp.start();
    const { response } = await signIn(sp, ALICE); // someone else's sign-in
    await expectRefused(sp, response, 'request_mismatch', mine.requestId);
  });

  it('refuses a transient NameID, which would give a new subject at every sign-in', async () => {
    const sp = provider();
    // Without InResponseTo in the assertion node-saml leaves the request pending; the refusal ends it.
    const { response } = await signIn(sp, { ...ALICE, nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }, { subjectInResponseTo: false });
    const err = await expectRefused(sp, response, 'subject');
    expect(err.message).toMatch(/transient/);
    expect(await store.db.selectFrom('identity_saml_requests').selectAll().execute()).toEqual([]);
  });

  it('refuses an assertion addressed to another ACS URL', async () => {
    const sp = provider();
    const { response } = await signIn(sp, ALICE);
    // Another SP on the same entity id but a different ACS: the recipient is signed, so the
    // mismatch is only visible by comparing it with our callbackUrl.
    const elsewhere = provider({ callbackUrl: 'https://langtrain.example.test/other/acs', name: 'okta' });
    await expectRefused(elsewhere, response, 'recipient');
  });

  it('forgets expired requests and assertion ids as it goes', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await store.db.insertInto('identity_saml_requests').values({ id: '_stale', provider: 'okta', created_at: past, expires_at: past }).execute();
    await store.db.insertInto('identity_saml_assertions').values({ id: '_old', expires_at: past }).execute();
    const sp = provider();
    const { response } = await signIn(sp, ALICE);
    expect((await store.db.selectFrom('identity_saml_requests').select('id').execute()).map((r) => r.id)).not.toContain('_stale');
    await sp.finish(response.samlResponse);
    expect((await store.db.selectFrom('identity_saml_assertions').select('id').execute()).map((r) => r.id)).toEqual([response.assertionId]);
  });

  it('refuses input that is not a SAML response', async () => {
    const sp = provider();
    const err = await refusal(sp.finish(Buffer.from('not XML at all').toString('base64')));
    expect(err.details.reason).toBe('malformed');
    await expect(sp.finish('')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(sp.start('x'.repeat(81))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('publishes metadata an IdP can register: entity id, ACS (HTTP-POST), signed assertions wanted', () => {
    const xml = provider().metadata();
    expect(xml).toContain(`entityID="${ENTITY_ID}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toMatch(new RegExp(`<AssertionConsumerService [^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ACS}"`));
  });
});
