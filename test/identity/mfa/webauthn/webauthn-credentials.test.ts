import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../../src/core/errors.js';
import {
  WebAuthnCredentials,
  webauthnMigrations,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '../../../../src/identity/mfa/webauthn/index.js';
import { openStore, type Store } from '../../../../src/store/database.js';
import { migrate } from '../../../../src/store/migrations.js';
import { RecordedEvents, manualClock } from '../../../support/recorded-events.js';
import { storeUrls } from '../../../support/services.js';
import { SoftwareAuthenticator } from '../../../support/software-authenticator.js';

const RP = { rpId: 'example.com', rpName: 'LangTrain', origins: ['https://example.com', 'https://app.example.com'] };
const ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://example.com.evil.test';
const ALICE = { id: 'user-alice', username: 'alice@example.com' };
const BOB = { id: 'user-bob', username: 'bob@example.com' };
const START = Date.parse('2025-03-01T09:00:00.000Z');
const TABLE = 'identity_webauthn_credentials';

describe.each(storeUrls('webauthn'))('WebAuthnCredentials on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  let webauthn: WebAuthnCredentials;
  /** Every challenge, signature and client/authenticator blob a test produced: none may reach the audit log. */
  const material: string[] = [];

  const keep = <R extends RegistrationResponseJSON | AuthenticationResponseJSON>(response: R): R => {
    const r = response.response as unknown as Record<string, unknown>;
    for (const field of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature', 'publicKey']) {
      if (typeof r[field] === 'string') material.push(r[field]);
    }
    material.push(JSON.parse(Buffer.from(String(r.clientDataJSON), 'base64url').toString('utf8')).challenge);
    return response;
  };

  /** Registration as the server's route will do it: options out, response back with the kept challenge. */
  const register = async (authenticator: SoftwareAuthenticator, user = ALICE, name?: string): Promise<WebAuthnCredential> => {
    const { options, challenge } = await webauthn.registrationOptions(user);
    return webauthn.verifyRegistration(user.id, keep(authenticator.register(options, ORIGIN)), challenge, name);
  };

  const signCount = async (id: string) => Number((await store.db.selectFrom(TABLE).select('sign_count').where('id', '=', id).executeTakeFirstOrThrow()).sign_count);

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'webauthn', webauthnMigrations);
    audit = new RecordedEvents();
    time = manualClock(START);
    webauthn = new WebAuthnCredentials(RP, { store, audit, clock: time.clock });
    material.length = 0;
  });

  afterEach(async () => {
    // Whatever a test did, no event may carry a challenge, signature, client data or key.
    const text = JSON.stringify(audit.events);
    for (const m of material) expect(text).not.toContain(m);
    for (const row of await store.db.selectFrom(TABLE).select('public_key').execute()) {
      const key = Buffer.from(row.public_key as Uint8Array);
      for (const encoding of ['base64url', 'base64', 'hex'] as const) expect(text).not.toContain(key.toString(encoding));
    }
    await store.close();
    await cleanup();
  });

  it('registers a credential and authenticates with it', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { options, challenge } = await webauthn.registrationOptions(ALICE);
    expect(challenge).toBe(options.challenge);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.rp).toEqual({ id: 'example.com', name: 'LangTrain' });
    expect(options.user).toEqual({ id: Buffer.from('user-alice').toString('base64url'), name: ALICE.username, displayName: ALICE.username });
    expect(options.authenticatorSelection).toMatchObject({ userVerification: 'required', residentKey: 'preferred' });
    expect(options.attestation).toBe('none');
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.excludeCredentials).toEqual([]);
    expect(options.timeout).toBe(300_000);

    const credential = await webauthn.verifyRegistration(ALICE.id, keep(authenticator.register(options, ORIGIN)), challenge, '  MacBook Touch ID ');
    expect(credential).toEqual({
      id: authenticator.credentialIds[0],
      userId: ALICE.id,
      name: 'MacBook Touch ID',
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      createdAt: '2025-03-01T09:00:00.000Z',
      lastUsedAt: null,
    });
    expect(await webauthn.list(ALICE.id)).toEqual([credential]);
    expect(await webauthn.hasCredentials(ALICE.id)).toBe(true);
    expect(await webauthn.hasCredentials(BOB.id)).toBe(false);

    time.advance(60_000);
    const request = await webauthn.authenticationOptions(ALICE.id);
    expect(request.options).toMatchObject({ rpId: 'example.com', userVerification: 'required', timeout: 300_000 });
    expect(request.options.allowCredentials).toEqual([{ id: credential.id, type: 'public-key', transports: ['internal'] }]);
    expect(request.challenge).not.toBe(challenge);

    // The other configured origin is accepted too.
    const result = await webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(request.options, 'https://example.com')), request.challenge);
    expect(result).toEqual({ ok: true, credentialId: credential.id });
    expect((await webauthn.list(ALICE.id))[0]!.lastUsedAt).toBe('2025-03-01T09:01:00.000Z');
    expect(await signCount(credential.id)).toBe(1);

    expect(audit.of('auth.webauthn_registered')).toMatchObject([
      { userId: ALICE.id, result: 'success', additionalData: { credentialId: credential.id, name: 'MacBook Touch ID', deviceType: 'singleDevice', backedUp: false, transports: ['internal'] } },
    ]);
    expect(audit.of('auth.webauthn_verified')).toMatchObject([{ userId: ALICE.id, result: 'success', additionalData: { credentialId: credential.id, signCount: 1 } }]);
  });

  it('stores a synced passkey as multi-device and backed up, and accepts its constant zero counter', async () => {
    const authenticator = new SoftwareAuthenticator({ backedUp: true, counterless: true });
    const credential = await register(authenticator);
    expect(credential).toMatchObject({ deviceType: 'multiDevice', backedUp: true, name: 'Passkey' });
    for (let i = 0; i < 3; i++) {
      const { options, challenge } = await webauthn.authenticationOptions(ALICE.id);
      expect(await webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(options, ORIGIN)), challenge)).toEqual({ ok: true, credentialId: credential.id });
    }
    expect(await signCount(credential.id)).toBe(0);
  });

  it('refuses a registration or an assertion without user verification', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { options, challenge } = await webauthn.registrationOptions(ALICE);
    const refused = await webauthn.verifyRegistration(ALICE.id, keep(authenticator.register(options, ORIGIN, { userVerified: false })), challenge).catch((e: unknown) => e);
    expect(isLangtrainError(refused, 'ERR_WEBAUTHN_REJECTED')).toBe(true);
    expect((refused as { details: unknown }).details).toEqual({ check: 'user_verification' });
    expect(await webauthn.hasCredentials(ALICE.id)).toBe(false);
    expect(audit.of('auth.webauthn_registered')).toMatchObject([{ result: 'failure', additionalData: { reason: 'invalid', check: 'user_verification' } }]);

    const credential = await register(authenticator);
    const request = await webauthn.authenticationOptions(ALICE.id);
    const result = await webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(request.options, ORIGIN, { userVerified: false })), request.challenge);
    expect(result).toEqual({ ok: false, reason: 'invalid' });
    expect(await signCount(credential.id)).toBe(0);
    expect(audit.of('auth.webauthn_verified')).toMatchObject([{ result: 'failure', additionalData: { reason: 'invalid', check: 'user_verification', credentialId: credential.id } }]);
  });

  it('refuses a registration or an assertion from an origin not configured', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { options, challenge } = await webauthn.registrationOptions(ALICE);
    const refused = await webauthn.verifyRegistration(ALICE.id, keep(authenticator.register(options, EVIL_ORIGIN)), challenge).catch((e: unknown) => e);
    expect(isLangtrainError(refused, 'ERR_WEBAUTHN_REJECTED')).toBe(true);
    expect((refused as { details: unknown }).details).toEqual({ check: 'origin' });
    expect((refused as Error).message).not.toContain(EVIL_ORIGIN);
    expect(await webauthn.hasCredentials(ALICE.id)).toBe(false);

    await register(authenticator);
    const request = await webauthn.authenticationOptions(ALICE.id);
    const result = await webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(request.options, EVIL_ORIGIN)), request.challenge);
    expect(result).toEqual({ ok: false, reason: 'invalid' });
    expect(audit.of('auth.webauthn_verified')).toMatchObject([{ result: 'failure', additionalData: { check: 'origin' } }]);
  });

  it('refuses a response to another challenge, and an empty expected challenge', async () => {
    const authenticator = new SoftwareAuthenticator();
    const first = await webauthn.registrationOptions(ALICE);
    const second = await webauthn.registrationOptions(ALICE);
    const refused = await webauthn.verifyRegistration(ALICE.id, keep(authenticator.register(first.options, ORIGIN)), second.challenge).catch((e: unknown) => e);
    expect((refused as { details: unknown }).details).toEqual({ check: 'challenge' });

    await register(authenticator);
    const a = await webauthn.authenticationOptions(ALICE.id);
    const b = await webauthn.authenticationOptions(ALICE.id);
    const response = keep(authenticator.authenticate(a.options, ORIGIN));
    expect(await webauthn.verifyAuthentication(ALICE.id, response, b.challenge)).toEqual({ ok: false, reason: 'invalid' });
    expect(audit.of('auth.webauthn_verified').at(-1)).toMatchObject({ result: 'failure', additionalData: { check: 'challenge' } });
    // A missing challenge record must not turn into a comparison a crafted response could win.
    await expect(webauthn.verifyAuthentication(ALICE.id, response, '')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    const fresh = await webauthn.registrationOptions(ALICE);
    await expect(webauthn.verifyRegistration(ALICE.id, keep(new SoftwareAuthenticator().register(fresh.options, ORIGIN)), undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('refuses a tampered signature and leaves the credential as it was', async () => {
    const authenticator = new SoftwareAuthenticator();
    const credential = await register(authenticator);
    const { options, challenge } = await webauthn.authenticationOptions(ALICE.id);
    const result = await webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(options, ORIGIN, { tamperSignature: true })), challenge);
    expect(result).toEqual({ ok: false, reason: 'invalid' });
    expect(audit.of('auth.webauthn_verified')).toMatchObject([{ result: 'failure', additionalData: { reason: 'invalid', check: 'signature', credentialId: credential.id } }]);
    expect(await signCount(credential.id)).toBe(0);
    expect((await webauthn.list(ALICE.id))[0]!.lastUsedAt).toBeNull();
  });

  it("refuses another user's credential, and a user handle that is not the owner's", async () => {
    const alices = new SoftwareAuthenticator();
    const bobs = new SoftwareAuthenticator();
    await register(alices, ALICE);
    const bobCredential = await register(bobs, BOB);

    // Bob's authenticator answers Alice's challenge with Bob's (genuine) credential.
    const { options, challenge } = await webauthn.authenticationOptions(ALICE.id);
    const result = await webauthn.verifyAuthentication(ALICE.id, keep(bobs.authenticate(options, ORIGIN, { credentialId: bobCredential.id })), challenge);
    expect(result).toEqual({ ok: false, reason: 'unknown_credential' });
    const event = audit.of('auth.webauthn_verified').at(-1)!;
    expect(event).toMatchObject({ userId: ALICE.id, result: 'failure', additionalData: { reason: 'unknown_credential' } });
    expect(JSON.stringify(event)).not.toContain(bobCredential.id);
    expect(await signCount(bobCredential.id)).toBe(0);

    const again = await webauthn.authenticationOptions(ALICE.id);
    const forged = keep(alices.authenticate(again.options, ORIGIN, { userHandle: Buffer.from(BOB.id).toString('base64url') }));
    expect(await webauthn.verifyAuthentication(ALICE.id, forged, again.challenge)).toEqual({ ok: false, reason: 'invalid' });
    expect(audit.of('auth.webauthn_verified').at(-1)).toMatchObject({ additionalData: { check: 'user_handle' } });
  });

  it('refuses a counter that does not advance (a cloned authenticator or a replay)', async () => {
    const authenticator = new SoftwareAuthenticator();
    const credential = await register(authenticator);
    const assert = async (tweaks = {}) => {
      const { options, challenge } = await webauthn.authenticationOptions(ALICE.id);
      return webauthn.verifyAuthentication(ALICE.id, keep(authenticator.authenticate(options, ORIGIN, tweaks)), challenge);
    };
    expect(await assert()).toEqual({ ok: true, credentialId: credential.id });
    expect(await assert()).toEqual({ ok: true, credentialId: credential.id });
    expect(await signCount(credential.id)).toBe(2);

    expect(await assert({ signCount: 1 })).toEqual({ ok: false, reason: 'counter_regressed' });
    expect(await assert({ signCount: 2 })).toEqual({ ok: false, reason: 'counter_regressed' });
    expect(await assert({ signCount: 0 })).toEqual({ ok: false, reason: 'counter_regressed' });
    expect(await signCount(credential.id)).toBe(2);
    expect(audit.of('auth.webauthn_verified').filter((e) => e.result === 'failure').map((e) => e.additionalData)).toEqual([
      { reason: 'counter_regressed', credentialId: credential.id, storedCount: 2, presentedCount: 1 },
      { reason: 'counter_regressed', credentialId: credential.id, storedCount: 2, presentedCount: 2 },
      { reason: 'counter_regressed', credentialId: credential.id, storedCount: 2, presentedCount: 0 },
    ]);
    // The genuine authenticator carries on.
    expect(await assert()).toEqual({ ok: true, credentialId: credential.id });
    expect(await signCount(credential.id)).toBe(3);
  });

  it('accepts only one of two concurrent assertions carrying the same counter', async () => {
    const authenticator = new SoftwareAuthenticator();
    await register(authenticator);
    const a = await webauthn.authenticationOptions(ALICE.id);
    const b = await webauthn.authenticationOptions(ALICE.id);
    const first = keep(authenticator.authenticate(a.options, ORIGIN));
    const second = keep(authenticator.authenticate(b.options, ORIGIN, { signCount: 1 }));
    const results = await Promise.all([webauthn.verifyAuthentication(ALICE.id, first, a.challenge), webauthn.verifyAuthentication(ALICE.id, second, b.challenge)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'counter_regressed' }]);
  });

  it('refuses a credential id that is already registered, to anyone', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { options, challenge } = await webauthn.registrationOptions(ALICE);
    const response = keep(authenticator.register(options, ORIGIN));
    const credential = await webauthn.verifyRegistration(ALICE.id, response, challenge);

    // The same signed response replayed for another account, and for the same one.
    for (const user of [BOB, ALICE]) {
      const refused = await webauthn.verifyRegistration(user.id, response, challenge).catch((e: unknown) => e);
      expect(isLangtrainError(refused, 'ERR_WEBAUTHN_CREDENTIAL_EXISTS')).toBe(true);
      expect((refused as Error).message).toMatch(/already registered/);
      expect((refused as Error).message).not.toContain(ALICE.id);
    }
    expect(await webauthn.list(BOB.id)).toEqual([]);
    expect(await webauthn.list(ALICE.id)).toEqual([credential]);
    expect(audit.of('auth.webauthn_registered').filter((e) => e.result === 'failure')).toMatchObject([
      { userId: BOB.id, additionalData: { reason: 'duplicate', credentialId: credential.id, sameUser: false } },
      { userId: ALICE.id, additionalData: { reason: 'duplicate', credentialId: credential.id, sameUser: true } },
    ]);
  });

  it("lists the user's credentials in excludeCredentials, so an authenticator does not register twice", async () => {
    const laptop = new SoftwareAuthenticator();
    const key = new SoftwareAuthenticator();
    const first = await register(laptop);
    await register(new SoftwareAuthenticator(), BOB);

    const { options } = await webauthn.registrationOptions(ALICE);
    expect(options.excludeCredentials).toEqual([{ id: first.id, type: 'public-key', transports: ['internal'] }]);
    expect(() => laptop.register(options, ORIGIN)).toThrow(/InvalidStateError/);

    time.advance(1000);
    const second = await register(key, ALICE, 'YubiKey');
    const next = await webauthn.registrationOptions(ALICE);
    expect(next.options.excludeCredentials!.map((c) => c.id)).toEqual([first.id, second.id]);
    expect((await webauthn.authenticationOptions(ALICE.id)).options.allowCredentials!.map((c) => c.id)).toEqual([first.id, second.id]);
  });

  it("removes a credential of the user's, and only of the user's", async () => {
    const authenticator = new SoftwareAuthenticator();
    const credential = await register(authenticator);
    const { options, challenge } = await webauthn.authenticationOptions(ALICE.id);
    const earlier = keep(authenticator.authenticate(options, ORIGIN));

    expect(await webauthn.remove(BOB.id, credential.id)).toBe(false);
    expect(await webauthn.hasCredentials(ALICE.id)).toBe(true);
    expect(await webauthn.remove(ALICE.id, credential.id)).toBe(true);
    expect(await webauthn.remove(ALICE.id, credential.id)).toBe(false);
    expect(await webauthn.list(ALICE.id)).toEqual([]);
    expect(await webauthn.hasCredentials(ALICE.id)).toBe(false);
    expect(audit.of('auth.webauthn_removed')).toMatchObject([{ userId: ALICE.id, result: 'success', additionalData: { credentialId: credential.id } }]);

    await expect(webauthn.authenticationOptions(ALICE.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await webauthn.verifyAuthentication(ALICE.id, earlier, challenge)).toEqual({ ok: false, reason: 'unknown_credential' });
    // Removed, the authenticator may register again.
    expect((await webauthn.registrationOptions(ALICE)).options.excludeCredentials).toEqual([]);
  });

  it('refuses input that names no user or credential', async () => {
    await expect(webauthn.registrationOptions({ id: 'x'.repeat(65), username: 'alice' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(webauthn.registrationOptions({ id: 'user-alice', username: ' ' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(webauthn.list('')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(webauthn.remove(ALICE.id, '')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    const { challenge } = await webauthn.registrationOptions(ALICE);
    const garbage = await webauthn.verifyRegistration(ALICE.id, { id: 'abc' } as never, challenge).catch((e: unknown) => e);
    expect((garbage as { details: unknown }).details).toEqual({ check: 'malformed' });
  });
});
