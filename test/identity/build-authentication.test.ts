import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAuthentication } from '../../src/identity/build-authentication.js';
import type { Keyring } from '../../src/crypto/keyring/keyring.js';
import type { Store } from '../../src/store/database.js';
import { errorTexts, openKeyedStore, RecordedEvents, withEnv } from '../secrets/support.js';

/** What `SecurityManager.authenticationManager(options)` builds, given the seed's options and the deployment's (`sms`, `publicUrl`, `onSessionLimit`). */
describe('buildAuthentication options', () => {
  const TOKEN = 'sk_live_abcdef0123456789';
  const SMS = { accountSid: 'AC1', from: '+15005550006', baseUrl: 'https://api.twilio.com' };
  let store: Store;
  let keyring: Keyring;
  let audit: RecordedEvents;
  let restoreEnv: () => void;

  beforeEach(async () => {
    ({ store, keyring } = await openKeyedStore('sqlite::memory:'));
    audit = new RecordedEvents();
    restoreEnv = withEnv({ LANGTRAIN_TEST_TWILIO_TOKEN: TOKEN });
  });
  afterEach(async () => {
    restoreEnv();
    // Nothing refused or built may put the token in the audit log.
    expect(JSON.stringify(audit.events)).not.toContain(TOKEN);
    await store.close();
  });

  const build = (options: Record<string, unknown>) => buildAuthentication(options as never, { store, audit, keyring });
  const refusal = async (options: Record<string, unknown>) => {
    const err = await build(options).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err === undefined) throw new Error('accepted');
    return err as { code: string; message: string; details?: unknown };
  };

  it('refuses an sms.authToken given inline, never echoing the token', async () => {
    const err = await refusal({ mfaMethods: ['sms'], sms: { ...SMS, authToken: TOKEN } });
    expect(err.code).toMatch(/^ERR_CONFIG_/);
    expect(err.message).toContain('sms.authToken');
    expect(err.message).toMatch(/env:NAME.*file:/);
    const texts = errorTexts(err);
    expect(texts).not.toContain(TOKEN);
    expect(texts).not.toContain(TOKEN.slice(5)); // the old message cut "file:" off it
    expect(texts).not.toContain('abcdef0123456789');
  });

  it('builds with the token by reference, env:NAME', async () => {
    const auth = await build({ mfaMethods: ['totp', 'sms'], sms: { ...SMS, authToken: 'env:LANGTRAIN_TEST_TWILIO_TOKEN' } });
    expect(auth.settings.mfaMethods).toEqual(['totp', 'sms']);
  });

  it('refuses an unknown key in sms, naming the supported ones', async () => {
    const err = await refusal({ mfaMethods: ['sms'], sms: { accountSid: 'AC1', authToken: 'env:LANGTRAIN_TEST_TWILIO_TOKEN', fromm: '+15005550006' } });
    expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(err.message).toContain('fromm');
    expect(err.message).toMatch(/supported: baseUrl, accountSid, authToken, from/);
  });

  it('accepts sms without "sms" in mfaMethods: phone verification uses it before SMS sign-in is on', async () => {
    const auth = await build({ mfaMethods: ['totp'], sms: { ...SMS, authToken: 'env:LANGTRAIN_TEST_TWILIO_TOKEN' } });
    expect(auth.settings.mfaMethods).toEqual(['totp']);
    await expect(auth.startPhoneVerification('u1', 'not a phone')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { option: 'phone' } }); // not "SMS is not enabled"
  });

  it('names the sms option, not deps.smsCodes, when mfaMethods "sms" has no gateway', async () => {
    const err = await refusal({ mfaMethods: ['sms'] });
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).not.toContain('deps.');
    expect(err.message).toMatch(/needs the sms option.*accountSid.*authToken.*from/);
  });

  it('refuses a publicUrl that is not a URL, even without biometric, and an unknown option naming the supported ones', async () => {
    const bad = await refusal({ mfaMethods: ['totp'], publicUrl: 'not a url' });
    expect(bad.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(bad.message).toContain('publicUrl');
    const unknown = await refusal({ publicURL: 'https://langtrain.example.com' });
    expect(unknown.message).toMatch(/unknown option publicURL \(supported: .*publicUrl, sms, onSessionLimit/);
    expect((await refusal({ onSessionLimit: 'queue' })).message).toContain('onSessionLimit');
    expect((await refusal({ mfaMethods: ['biometric'] })).message).toMatch(/needs auth\.publicUrl \(the publicUrl option\)/);
  });

  it('refuses a publicUrl that nothing would use: neither biometric (WebAuthn) nor SSO', async () => {
    const err = await refusal({ mfaMethods: ['totp', 'sms'], publicUrl: 'https://langtrain.example.com', sms: { ...SMS, authToken: 'env:LANGTRAIN_TEST_TWILIO_TOKEN' } });
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { option: 'publicUrl' } });
    expect(err.message).toMatch(/^AuthenticationManager: publicUrl has no effect without mfaMethods "biometric" \(WebAuthn\) or ssoProviders/);
    expect((await refusal({ publicUrl: 'https://langtrain.example.com' })).message).toContain('publicUrl has no effect');
    const auth = await build({ mfaMethods: ['totp', 'biometric'], publicUrl: 'https://langtrain.example.com' });
    expect(auth.webauthn).toBeDefined();
  });

  it('refuses onSessionLimit with concurrentSessions: null (no limit to apply it at), and applies it otherwise', async () => {
    for (const onSessionLimit of ['end_oldest', 'refuse_new']) {
      const err = await refusal({ concurrentSessions: null, onSessionLimit });
      expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { option: 'onSessionLimit' } });
      expect(err.message).toMatch(/^AuthenticationManager: onSessionLimit has no effect with concurrentSessions: null/);
    }
    expect((await build({ concurrentSessions: null })).sessions.concurrentSessions).toBeNull();
    const limited = await build({ concurrentSessions: 2, onSessionLimit: 'end_oldest' });
    expect([limited.sessions.concurrentSessions, limited.sessions.onLimit]).toEqual([2, 'end_oldest']);
    // Without concurrentSessions the store's default limit (one) applies, and so does the policy.
    expect((await build({ onSessionLimit: 'end_oldest' })).sessions.onLimit).toBe('end_oldest');
  });

  it('names sessionTimeout as written when it is shorter than the default idleTimeout', async () => {
    const err = await refusal({ sessionTimeout: 8 });
    expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(err.message).toMatch(/^AuthenticationManager: sessionTimeout 8 \(milliseconds/);
    expect(err.message).toContain('"8h"');
    expect(err.message).toContain('the default idleTimeout "30m"');
  });
});
