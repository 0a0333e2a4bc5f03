import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAuthnCredentials, type WebAuthnOptions } from '../../../../src/identity/mfa/webauthn/index.js';
import { openStore, type Store } from '../../../../src/store/database.js';
import { RecordedEvents } from '../../../support/recorded-events.js';

const VALID = { rpId: 'example.com', rpName: 'LangTrain', origins: ['https://example.com'] };

describe('WebAuthnCredentials options', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterAll(async () => {
    await store.close();
  });

  const build = (options: unknown) => new WebAuthnCredentials(options as WebAuthnOptions, { store, audit: new RecordedEvents() });
  const refusal = (options: unknown): { code?: string; message: string } => {
    try {
      build(options);
    } catch (err) {
      return err as { code: string; message: string };
    }
    throw new Error('options were accepted');
  };

  it('takes valid options, with a 5 minute timeout by default', () => {
    expect(build(VALID).settings).toEqual({ ...VALID, timeout: 300_000 });
    expect(build({ ...VALID, timeout: '2m' }).settings.timeout).toBe(120_000);
    expect(build({ rpId: 'localhost', rpName: 'Dev', origins: ['http://localhost:5173'] }).settings.origins).toEqual(['http://localhost:5173']);
    expect(build({ ...VALID, origins: ['https://example.com', 'https://app.example.com:8443'] }).settings.origins).toHaveLength(2);
  });

  it('refuses an unknown option, naming it and the supported ones', () => {
    const err = refusal({ ...VALID, rpID: 'example.com' });
    expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(err.message).toContain('unknown option rpID');
    expect(err.message).toContain('supported: rpId, rpName, origins, timeout');
  });

  it('refuses an empty or missing list of origins, naming origins', () => {
    for (const options of [{ ...VALID, origins: [] }, { rpId: 'example.com', rpName: 'LangTrain' }]) {
      const err = refusal(options);
      expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
      expect(err.message).toMatch(/origins: /);
    }
    expect(refusal({ ...VALID, origins: [] }).message).toContain('at least one origin');
  });

  it('refuses origins that are not bare secure origins on the RP ID', () => {
    expect(refusal({ ...VALID, origins: ['https://example.com/'] }).message).toContain('origins.0: must be an origin');
    expect(refusal({ ...VALID, origins: ['https://example.com', 'http://example.com'] }).message).toContain('origins.1: must be an origin');
    expect(refusal({ ...VALID, origins: ['example.com'] }).message).toContain('origins.0');
    expect(refusal({ ...VALID, origins: ['https://example.com', 'https://notexample.com'] }).message).toContain(
      'origins.1: https://notexample.com is not on example.com or a subdomain of it',
    );
  });

  it('refuses a bad RP ID, RP name or timeout, naming the option', () => {
    expect(refusal({ ...VALID, rpId: 'https://example.com' }).message).toContain('rpId: must be a lower-case domain');
    expect(refusal({ ...VALID, rpId: '127.0.0.1', origins: ['https://127.0.0.1'] }).message).toContain('rpId: must be a domain, not an IP address');
    expect(refusal({ ...VALID, rpName: '  ' }).message).toContain('rpName');
    expect(refusal({ ...VALID, timeout: '1h' }).message).toContain('timeout: must be from 10s to 10m');
  });

  it('needs a store and an audit sink', () => {
    expect(() => new WebAuthnCredentials(VALID, { store, audit: undefined as never })).toThrow(/audit sink/);
  });
});
