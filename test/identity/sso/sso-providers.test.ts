import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LangtrainError } from '../../../src/core/errors.js';
import { samlMigrations } from '../../../src/identity/sso/saml/index.js';
import { SsoProviders } from '../../../src/identity/sso/sso-providers.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../../support/oidc-provider.js';
import { CLASS_MULTI_FACTOR, TestSamlIdp } from '../../support/saml-idp.js';
import { storeUrls, tempDir } from '../../support/services.js';

const PUBLIC_URL = 'https://langtrain.example.test';
const SECRET_ENV = 'LANGTRAIN_TEST_SSO_PROVIDERS_SECRET';

let idp: TestIdentityProvider;
let saml: TestSamlIdp;
beforeAll(async () => {
  idp = await startTestIdentityProvider({ accounts: [{ sub: 'alice-7f3a', email: 'alice@example.com', email_verified: true, preferred_username: 'alice', groups: ['ml-admins'], amr: ['pwd', 'mfa'] }] });
  saml = TestSamlIdp.create();
  process.env[SECRET_ENV] = idp.clientSecret;
});
afterAll(async () => {
  delete process.env[SECRET_ENV];
  saml?.cleanup();
  await idp?.close();
});

const samlConfig = () => ({ samlEndpoint: saml.ssoUrl, certificatePath: saml.certificatePath });
const oidcConfig = (extra: Record<string, unknown> = {}) => ({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: `env:${SECRET_ENV}`, scopes: ['openid', 'email', 'profile', 'groups'], ...extra });

/** The LangtrainError `make` throws; fails the test when it does not. */
function thrown(make: () => unknown): LangtrainError {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(LangtrainError);
    return err as LangtrainError;
  }
  throw new Error('expected a LangtrainError');
}

describe('SsoProviders configuration', () => {
  let store: Store;
  let dir: ReturnType<typeof tempDir>;
  const providers = (config: Record<string, unknown>, publicUrl: string | null = PUBLIC_URL) => new SsoProviders(config, { store, publicUrl });

  beforeEach(async () => {
    dir = tempDir('sso-providers');
    store = await openStore(`sqlite:${join(dir.path, 'langtrain.db')}`);
    await migrate(store, 'saml', samlMigrations);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('infers the protocol from the keys and applies provisioning defaults', () => {
    const p = providers({ okta: samlConfig(), keycloak: oidcConfig({ groupRoles: { 'ml-admins': ['admin'] }, roleSync: 'on_create', jitProvisioning: false }) });
    expect(p.names).toEqual(['okta', 'keycloak']);
    expect(p.policy('okta')).toEqual({ jitProvisioning: true, groupRoles: {}, defaultRoles: [], roleSync: 'always' });
    expect(p.policy('keycloak')).toEqual({ jitProvisioning: false, groupRoles: { 'ml-admins': ['admin'] }, defaultRoles: [], roleSync: 'on_create' });
    expect(() => p.samlMetadata('keycloak')).toThrow(/keycloak is OpenID Connect/);
  });

  it('refuses a provider of no known shape, naming what each protocol needs', () => {
    const err = thrown(() => providers({ corp: { clientId: 'x', endpoint: 'https://idp.example' } }));
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toBe('ssoProviders.corp: needs samlEndpoint and certificatePath (SAML 2.0), issuer and clientId (OpenID Connect), or, as azure_ad, tenantId and clientId');
    expect(thrown(() => providers({ corp: 'https://idp.example' })).message).toBe('ssoProviders.corp: must be a mapping of options');
    // A misspelt option of a recognised protocol is named with the supported ones.
    expect(thrown(() => providers({ okta: { ...samlConfig(), certficatePath: 'x' } })).message).toMatch(/unknown option certficatePath/);
  });

  it('refuses tenantId under any name but azure_ad', () => {
    const err = thrown(() => providers({ entra: { tenantId: '0b8d5f0e-7c1a-4b1e-9f4a-3c2d1e0f9a8b', clientId: 'app', clientSecret: 'env:X' } }));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { option: 'ssoProviders.entra' } });
    expect(err.message).toMatch(/^ssoProviders\.entra: tenantId is the azure_ad preset/);
    expect(providers({ azure_ad: { tenantId: '0b8d5f0e-7c1a-4b1e-9f4a-3c2d1e0f9a8b', clientId: 'app', clientSecret: 'env:X' } }).names).toEqual(['azure_ad']);
  });

  it('refuses an inline client secret without repeating it', () => {
    const secret = 'kc-Sup3rS3cret-value';
    const err = thrown(() => providers({ keycloak: oidcConfig({ clientSecret: secret }) }));
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toMatch(/clientSecret must be a reference, env:NAME or file:PATH/);
    expect(`${err.message} ${JSON.stringify(err.details)}`).not.toContain(secret);
  });

  it('needs auth.publicUrl to derive callback and entity URLs, unless they are given', () => {
    for (const config of [{ okta: samlConfig() }, { keycloak: oidcConfig() }]) {
      const err = thrown(() => providers(config, null));
      expect(err.code).toBe('ERR_CONFIG_INVALID');
      expect(err.message).toMatch(/needs auth\.publicUrl \(where browsers reach this server\)/);
    }
    const explicit = providers(
      { okta: { ...samlConfig(), entityId: 'urn:langtrain', callbackUrl: 'https://sso.example.test/acs' }, keycloak: oidcConfig({ redirectUri: idp.redirectUri }) },
      null,
    );
    expect(explicit.samlMetadata('okta')).toContain('entityID="urn:langtrain"');
  });

  it('names the SAML certificate file it cannot read', () => {
    const missing = join(dir.path, 'no-such-idp.pem');
    const err = thrown(() => providers({ okta: { ...samlConfig(), certificatePath: missing } }));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { path: missing } });
    expect(err.message).toContain(`certificatePath ${missing}: there is no such file`);
    const notPem = join(dir.path, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(thrown(() => providers({ okta: { ...samlConfig(), certificatePath: notPem } })).message).toContain(`certificatePath ${notPem} holds no PEM certificate`);
  });

  it('checks provisioning options and role names at construction', () => {
    expect(thrown(() => providers({ okta: { ...samlConfig(), roleSync: 'sometimes' } })).message).toMatch(/^ssoProviders\.okta: roleSync: /);
    const err = thrown(() => providers({ okta: { ...samlConfig(), groupRoles: { admins: ['Admin'] } } }));
    expect(err.message).toMatch(/^ssoProviders\.okta: groupRoles\.admins: .*"Admin" is not a role name/);
    expect(thrown(() => providers({ okta: { ...samlConfig(), defaultRoles: ['ok', ''] } })).message).toMatch(/defaultRoles: .*"" is not a role name/);
  });

  it('refuses an unknown provider name, listing the configured ones', async () => {
    const p = providers({ okta: samlConfig(), keycloak: oidcConfig() });
    for (const use of [() => p.policy('github'), () => p.samlMetadata('github')]) {
      const err = thrown(use);
      expect(err.code).toBe('ERR_NOT_FOUND');
      expect(err.message).toBe('no SSO provider named "github" (configured: okta, keycloak)');
    }
    await expect(p.start('github', 'x')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'no SSO provider named "github" (configured: okta, keycloak)' });
    expect(thrown(() => providers({}).policy('okta')).message).toBe('no SSO provider named "okta" (configured: none)');
  });

  it('derives the OpenID Connect redirect URI and the SAML entity id and ACS from publicUrl', async () => {
    const p = providers({ okta: samlConfig(), keycloak: oidcConfig() });
    const metadata = p.samlMetadata('okta');
    expect(metadata).toContain(`entityID="${PUBLIC_URL}/v1/auth/sso/okta/metadata"`);
    expect(metadata).toContain(`Location="${PUBLIC_URL}/v1/auth/sso/okta/callback"`);
    const started = await p.start('keycloak', 'ignored');
    expect(started.state.protocol).toBe('oidc');
    const url = new URL(started.redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/v1/auth/sso/keycloak/callback`);
  });

  it('tries OpenID Connect discovery again at the next start when the IdP was down at the first', async () => {
    // The issuer's port, free until the IdP "comes up" there.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const p = providers({ keycloak: oidcConfig({ issuer }) });
    await expect(p.start('keycloak', 'x')).rejects.toMatchObject({ code: 'ERR_SSO_FAILED', details: { provider: 'keycloak', reason: 'discovery_failed' } });

    // Up now: the test IdP's discovery document, published at this issuer (it must name the issuer it is fetched from).
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const server = createServer((req, res) => {
      if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...discovery, issuer }));
    });
    await listen(server, port);
    try {
      const started = await p.start('keycloak', 'x');
      expect(started.redirectUrl.startsWith(`${idp.issuer}/auth?`)).toBe(true);
      expect(new URL(started.redirectUrl).searchParams.get('client_id')).toBe(idp.clientId);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe.each(storeUrls('sso-providers'))('SsoProviders sign-ins on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'saml', samlMigrations);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('OpenID Connect: start and finish with the secret read from its env: reference', async () => {
    const p = new SsoProviders({ keycloak: oidcConfig({ redirectUri: idp.redirectUri }) }, { store, publicUrl: PUBLIC_URL });
    const { redirectUrl, state } = await p.start('keycloak', 'unused');
    const callback = await idp.signIn(redirectUrl, 'alice-7f3a');
    // The callback path is ours, the query the IdP's: resolved against the configured redirect URI.
    const path = `/v1/auth/sso/keycloak/callback${new URL(callback).search}`;
    expect(await p.finish('keycloak', { url: path }, state)).toEqual({ provider: 'keycloak', subject: 'alice-7f3a', email: 'alice@example.com', username: 'alice', groups: ['ml-admins'], mfa: true });
  });

  it('SAML: start with the relay state, finish with the posted response', async () => {
    const p = new SsoProviders({ okta: samlConfig() }, { store, publicUrl: PUBLIC_URL });
    const { redirectUrl, state } = await p.start('okta', 'ltsso_relay');
    expect(state.protocol).toBe('saml');
    const response = await saml.respond(redirectUrl, p.samlMetadata('okta'), { nameId: '00u1', email: 'alice@example.com', groups: ['g'], authnContextClassRef: CLASS_MULTI_FACTOR });
    expect(response.relayState).toBe('ltsso_relay');
    expect(await p.finish('okta', { samlResponse: response.samlResponse, relayState: 'ltsso_relay' }, state)).toEqual({
      provider: 'okta',
      subject: '00u1',
      email: 'alice@example.com',
      username: null,
      groups: ['g'],
      mfa: true,
    });
  });

  it('refuses an answer of the other protocol as callback_invalid', async () => {
    const p = new SsoProviders({ okta: samlConfig() }, { store, publicUrl: PUBLIC_URL });
    const { state } = await p.start('okta', 'r');
    await expect(p.finish('okta', { url: '/v1/auth/sso/okta/callback?code=x&state=y' }, state)).rejects.toMatchObject({ code: 'ERR_SSO_FAILED', details: { provider: 'okta', reason: 'callback_invalid' } });
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await listen(probe, 0);
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
