import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import { VaultStandIn } from './stand-ins/vault.js';
import { RecordedEvents, errorTexts, withEnv } from './support.js';

const VALUE = 'super_secure_password';
const DAY = 86_400_000;

describe('SecretsManager, vault provider (against the KV v2 stand-in)', () => {
  let vault: VaultStandIn;
  let audit: RecordedEvents;
  let secrets: SecretsManager;
  let restoreEnv: () => void;
  const token = `hvs.${randomBytes(18).toString('base64url')}`;

  const open = (options: Record<string, unknown> = {}, vaultOptions: Record<string, unknown> = {}) =>
    new SecretsManager({ provider: 'vault', rotationSchedule: '30d', ...options, vault: { address: vault.url, token: 'env:TEST_VAULT_TOKEN', ...vaultOptions } }, { audit });

  beforeEach(async () => {
    vault = await VaultStandIn.start({ token, deniedTokens: ['hvs.denied'] });
    restoreEnv = withEnv({ TEST_VAULT_TOKEN: token, TEST_VAULT_DENIED: 'hvs.denied' });
    audit = new RecordedEvents();
    secrets = open();
  });
  afterEach(async () => {
    await secrets.close();
    await vault.close();
    restoreEnv();
  });

  it('stores versions with tags and reads them back through the documented endpoints', async () => {
    expect(await secrets.storeSecret({ name: 'database_password', value: VALUE, tags: { environment: 'production', service: 'database' } })).toEqual({ name: 'database_password', version: '1' });
    expect(await secrets.storeSecret({ name: 'database_password', value: 'second' })).toEqual({ name: 'database_password', version: '2' });
    expect(await secrets.getSecret('database_password')).toMatchObject({ version: '2', value: 'second', tags: { environment: 'production', service: 'database' } });
    expect((await secrets.getSecret('database_password', { version: '1' })).value).toBe(VALUE);

    const write = vault.http.requests.find((r) => r.method === 'POST' && r.path === '/v1/secret/data/database_password')!;
    expect(JSON.parse(write.body)).toEqual({ data: { value: VALUE } });
    expect(write.headers['x-vault-token']).toBe(token);
    expect(write.headers['x-vault-request']).toBe('true');
    const tagWrite = vault.http.requests.find((r) => r.path === '/v1/secret/metadata/database_password' && r.method === 'POST')!;
    expect(JSON.parse(tagWrite.body)).toEqual({ custom_metadata: { environment: 'production', service: 'database' } });
    expect(vault.http.requests.some((r) => r.method === 'GET' && r.path === '/v1/secret/data/database_password' && r.query.get('version') === '1')).toBe(true);
    // Stored as KV data: Vault, not us, encrypts it at rest.
    expect(vault.secrets.get('database_password')!.versions.get(1)!.data).toEqual({ value: VALUE });
  });

  it('lists by tag, lists versions, rotates and rotates what is due', async () => {
    await secrets.storeSecret({ name: 'db_prod', value: 'a', tags: { environment: 'production' } });
    await secrets.storeSecret({ name: 'db_staging', value: 'b', tags: { environment: 'staging' } });
    await secrets.storeSecret({ name: 'api_key', value: 'c', tags: { environment: 'production' } });
    expect((await secrets.listSecrets({ tag: { environment: 'production' } })).map((s) => [s.name, s.version])).toEqual([
      ['api_key', '1'],
      ['db_prod', '1'],
    ]);
    expect(vault.http.requests.some((r) => r.path === '/v1/secret/metadata/' && r.query.get('list') === 'true')).toBe(true);
    expect(await secrets.rotateSecret('db_prod')).toEqual({ name: 'db_prod', version: '2' });
    expect((await secrets.getSecret('db_prod')).value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await secrets.rotateSecret('db_prod', () => 'custom-value');
    expect((await secrets.getSecret('db_prod')).value).toBe('custom-value');
    expect((await secrets.versions('db_prod')).map((v) => [v.version, v.current])).toEqual([
      ['1', false],
      ['2', false],
      ['3', true],
    ]);
    expect((await secrets.getSecret('db_prod')).tags).toEqual({ environment: 'production' });
    const rotated = await secrets.rotateDue(new Date(Date.now() + 31 * DAY));
    expect(rotated.map((r) => [r.name, r.version])).toEqual([
      ['api_key', '2'],
      ['db_prod', '4'],
      ['db_staging', '2'],
    ]);
  });

  it('deletes by destroying every version; reads then fail with ERR_NOT_FOUND', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await secrets.storeSecret({ name: 'db', value: 'second' });
    await secrets.deleteSecret('db');
    const destroy = vault.http.requests.find((r) => r.path === '/v1/secret/destroy/db')!;
    expect(JSON.parse(destroy.body)).toEqual({ versions: [1, 2] });
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'version 2 of secret db was destroyed in Vault' });
    await expect(secrets.getSecret('db', { version: '1' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.deleteSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await secrets.versions('db')).every((v) => v.destroyed && !v.current)).toBe(true);
    expect(await secrets.listSecrets()).toEqual([]);
    await expect(secrets.getSecret('never')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'no secret named never in Vault' });
    await expect(secrets.getSecret('db', { version: 'abc' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('maps 403 from Vault to ERR_PROVIDER_DENIED without the value or the token', async () => {
    const denied = open({}, { token: 'env:TEST_VAULT_DENIED' });
    const err = await denied.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { provider: 'vault', status: 403 } });
    expect((err as Error).message).toMatch(/^HashiCorp Vault: writing secret db failed \(HTTP 403\): 1 error occurred: \* permission denied; check the credentials/);
    const texts = errorTexts(err);
    expect(texts).not.toContain(VALUE);
    expect(texts).not.toContain('hvs.denied');
    restoreEnv();
    restoreEnv = withEnv({ TEST_VAULT_TOKEN: 'hvs.wrong-token' });
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    delete process.env['TEST_VAULT_TOKEN'];
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: 'vault.token: environment variable TEST_VAULT_TOKEN (from env:TEST_VAULT_TOKEN) is not set' });
  });

  it('withholds a Vault error message that quotes the value', async () => {
    vault.http.failWhen(
      (r) => r.path.startsWith('/v1/secret/data/'),
      (r) => ({ status: 400, body: { errors: [`invalid data: ${JSON.parse(r.body).data.value.slice(0, 12)}... rejected`] } }),
    );
    const err = await secrets.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'HashiCorp Vault: writing secret db failed (HTTP 400): (message withheld: it quoted a sensitive value)' });
    expect(errorTexts(err)).not.toContain(VALUE.slice(0, 8));
  });

  it('uses check-and-set when asked, so a concurrent writer is refused rather than overwritten', async () => {
    const cas = open({}, { cas: true });
    await cas.storeSecret({ name: 'db', value: 'one' });
    await cas.storeSecret({ name: 'db', value: 'two' });
    const writes = vault.http.requests.filter((r) => r.method === 'POST' && r.path === '/v1/secret/data/db').map((r) => JSON.parse(r.body).options);
    expect(writes).toEqual([{ cas: 0 }, { cas: 1 }]);
    // Someone else writes between our metadata read and our write.
    vault.http.failWhen(
      (r) => r.method === 'POST' && r.path === '/v1/secret/data/db',
      () => ({ status: 400, body: { errors: ['check-and-set parameter did not match the current version'] } }),
    );
    await expect(cas.storeSecret({ name: 'db', value: 'three' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('check-and-set parameter did not match') });
  });

  it('reads the token from a file on every request (a Vault Agent sink) and sends the namespace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'langtrain-vault-'));
    try {
      writeFileSync(join(dir, 'token'), `${token}\n`);
      const agent = open({}, { token: `file:${join(dir, 'token')}`, namespace: 'team-a', mount: 'secret' });
      await agent.storeSecret({ name: 'db', value: 'x' });
      expect(vault.http.requests.at(-1)!.headers['x-vault-namespace']).toBe('team-a');
      writeFileSync(join(dir, 'token'), 'hvs.expired\n');
      await expect(agent.getSecret('db')).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreachable Vault as ERR_STORE_UNAVAILABLE and does not follow redirects', async () => {
    vault.http.failWhen(
      () => true,
      () => ({ status: 307, headers: { location: 'http://127.0.0.2:8200/v1/secret/data/db' } }),
    );
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: expect.stringContaining('redirect, which is not followed') });
    const url = vault.url;
    await vault.close();
    const gone = new SecretsManager({ provider: 'vault', vault: { address: url, token: 'env:TEST_VAULT_TOKEN', timeoutMs: 2_000 } }, { audit });
    await expect(gone.getSecret('db')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    vault = await VaultStandIn.start({ token });
  });
});
