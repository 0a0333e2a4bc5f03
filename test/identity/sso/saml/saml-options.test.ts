import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LangtrainError } from '../../../../src/core/errors.js';
import { SamlServiceProvider, type SamlServiceProviderOptions } from '../../../../src/identity/sso/saml/index.js';
import { openStore, type Store } from '../../../../src/store/database.js';
import { TestSamlIdp } from '../../../support/saml-idp.js';

let idp: TestSamlIdp;
let store: Store;
beforeAll(async () => {
  idp = TestSamlIdp.create();
  store = await openStore('sqlite::memory:');
});
afterAll(async () => {
  await store.close();
  idp.cleanup();
});

const base = (): SamlServiceProviderOptions => ({
  name: 'okta',
  samlEndpoint: 'https://company.okta.com/app/langtrain/sso/saml',
  certificatePath: idp.certificatePath,
  entityId: 'https://langtrain.example.test/saml/okta',
  callbackUrl: 'https://langtrain.example.test/v1/auth/saml/okta/acs',
});

function refusal(options: unknown): LangtrainError {
  try {
    new SamlServiceProvider(options as SamlServiceProviderOptions, { store });
  } catch (err) {
    expect(err).toBeInstanceOf(LangtrainError);
    return err as LangtrainError;
  }
  throw new Error('expected the options to be refused');
}

describe('SamlServiceProvider options', () => {
  it('accepts the seed entry plus what a service provider needs', () => {
    expect(new SamlServiceProvider(base(), { store }).name).toBe('okta');
  });

  it('refuses an unknown option, naming it and the supported ones', () => {
    const err = refusal({ ...base(), wantAssertionsSigned: false });
    expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(err.message).toContain('unknown option wantAssertionsSigned');
    for (const supported of ['samlEndpoint', 'certificatePath', 'entityId', 'callbackUrl', 'audience', 'groupsAttribute', 'mfaContextClasses', 'maxClockSkewMs']) {
      expect(err.message).toContain(supported);
    }
    // The seed's snake_case spelling is named too rather than ignored.
    expect(refusal({ ...base(), saml_endpoint: 'https://x.example' }).message).toContain('unknown option saml_endpoint');
  });

  it('names a missing option and a bad value', () => {
    const { entityId: _omitted, ...withoutEntityId } = base();
    expect(refusal(withoutEntityId).message).toMatch(/entityId/);
    expect(refusal({ ...base(), maxClockSkewMs: 3_600_000 }).message).toMatch(/maxClockSkewMs: must be at most 600000/);
    expect(refusal({ ...base(), name: 'okta eu' }).message).toMatch(/name:/);
  });

  it('requires https for the IdP endpoint and the ACS URL, except on loopback', () => {
    expect(refusal({ ...base(), callbackUrl: 'http://langtrain.example.test/acs' }).message).toMatch(/callbackUrl must use https/);
    expect(refusal({ ...base(), samlEndpoint: 'http://idp.example.test/sso' }).message).toMatch(/samlEndpoint must use https/);
    expect(refusal({ ...base(), samlEndpoint: 'not a url' }).message).toMatch(/samlEndpoint must be an absolute URL/);
    expect(new SamlServiceProvider({ ...base(), samlEndpoint: 'http://127.0.0.1:8080/sso', callbackUrl: 'http://localhost:3000/acs' }, { store }).name).toBe('okta');
  });

  it('names the path of a missing or unreadable certificate file', () => {
    const missing = join(idp.directory, 'no-such-okta.pem');
    const err = refusal({ ...base(), certificatePath: missing });
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('there is no such file');
    expect(err.details).toMatchObject({ option: 'certificatePath', path: missing });

    const directory = join(idp.directory, 'certs');
    mkdirSync(directory, { recursive: true });
    expect(refusal({ ...base(), certificatePath: directory }).message).toContain(`${directory}: it is a directory`);
  });

  it('names the path of a file that holds no valid PEM certificate', () => {
    const key = join(idp.directory, 'idp-key.pem'); // a private key, a classic mix-up
    const err = refusal({ ...base(), certificatePath: key });
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toContain(`certificatePath ${key} holds no PEM certificate`);
    // Nothing of the key file's content in the message.
    expect(err.message).not.toContain(readFileSync(key, 'utf8').split('\n')[1]);

    const broken = join(idp.directory, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    expect(refusal({ ...base(), certificatePath: broken }).message).toContain(`certificate 1 in certificatePath ${broken} is not a valid X.509 certificate`);
  });

  it('needs a store', () => {
    expect(() => new SamlServiceProvider(base(), {} as { store: Store })).toThrow(/needs a store/);
  });
});
