import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import { AzureKeyVaultStandIn, kvError } from './stand-ins/azure-key-vault.js';
import { RecordedEvents, errorTexts, withEnv } from './support.js';

const VALUE = 'super_secure_password';
const DAY = 86_400_000;
const TENANT = 'contoso.onmicrosoft.com';
const CLIENT_ID = '00000000-1111-2222-3333-444444444444';
const CLIENT_SECRET = 'Qx8~StandInClientSecret.Zv1Rk';

describe('SecretsManager, azure_kv provider (REST 7.4 against the Key Vault stand-in)', () => {
  let azure: AzureKeyVaultStandIn;
  let audit: RecordedEvents;
  let secrets: SecretsManager;
  let restoreEnv: () => void;

  const clientSecret = (clientId = CLIENT_ID) => ({ tenantId: TENANT, clientId, secret: 'env:TEST_AZURE_CLIENT_SECRET', authorityHost: azure.url });
  const open = (azureKv: Record<string, unknown> = { clientSecret: clientSecret() }) =>
    new SecretsManager({ provider: 'azure_kv', rotationSchedule: '30d', azureKv: { vaultUrl: azure.url, ...azureKv } }, { audit });

  beforeEach(async () => {
    azure = await AzureKeyVaultStandIn.start({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, deniedClientId: 'denied-client' });
    restoreEnv = withEnv({ TEST_AZURE_CLIENT_SECRET: CLIENT_SECRET });
    audit = new RecordedEvents();
    secrets = open();
  });
  afterEach(async () => {
    await secrets.close();
    await azure.close();
    restoreEnv();
  });

  const vaultRequests = () => azure.http.requests.filter((r) => r.path.startsWith('/secrets'));

  it('gets a token by client credentials once, then stores and reads versions with tags', async () => {
    const first = await secrets.storeSecret({ name: 'database_password', value: VALUE, tags: { environment: 'production', service: 'database' } });
    expect(first.version).toMatch(/^[0-9a-f]{32}$/);
    const second = await secrets.storeSecret({ name: 'database_password', value: 'second' });
    const token = azure.http.requests[0]!;
    expect(token.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://vault.azure.net/.default' });
    expect(azure.tokensIssued).toBe(1);
    const put = vaultRequests().find((r) => r.method === 'PUT')!;
    // `_` is not allowed in Azure names: stored as database-password, the real name in a tag.
    expect(put.path).toBe('/secrets/database-password');
    expect(put.query.get('api-version')).toBe('7.4');
    expect(put.headers['authorization']).toMatch(/^Bearer eyJ/);
    expect(JSON.parse(put.body)).toEqual({ value: VALUE, tags: { environment: 'production', service: 'database', 'langtrain-name': 'database_password' } });
    // The second store carried the tags forward (Azure tags are per version).
    expect(JSON.parse(vaultRequests().filter((r) => r.method === 'PUT')[1]!.body).tags).toEqual({ environment: 'production', service: 'database', 'langtrain-name': 'database_password' });
    expect(await secrets.getSecret('database_password')).toMatchObject({ version: second.version, value: 'second', tags: { environment: 'production', service: 'database' } });
    expect((await secrets.getSecret('database_password', { version: first.version })).value).toBe(VALUE);
    expect(vaultRequests().at(-1)!.path).toBe(`/secrets/database-password/${first.version}`);
  });

  it('refuses a name that maps onto another secret instead of overwriting it', async () => {
    await secrets.storeSecret({ name: 'db-password', value: 'one' });
    await expect(secrets.storeSecret({ name: 'db_password', value: 'two' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'Azure Key Vault: db_password maps to the Azure name db-password, which holds the secret db-password (Azure names allow only letters, digits and -); choose another name',
    });
    await expect(secrets.getSecret('db_password')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await secrets.getSecret('db-password')).value).toBe('one');
  });

  it('lists across nextLink pages by tag, lists versions, rotates and rotates what is due', async () => {
    for (const [name, environment] of [
      ['a_prod', 'production'],
      ['b_staging', 'staging'],
      ['c_prod', 'production'],
      ['d_dev', 'dev'],
      ['e_prod', 'production'],
    ] as const) {
      await secrets.storeSecret({ name, value: `${name}-value`, tags: { environment } });
    }
    const production = await secrets.listSecrets({ tag: { environment: 'production' } });
    expect(production.map((s) => [s.name, s.tags])).toEqual([
      ['a_prod', { environment: 'production' }],
      ['c_prod', { environment: 'production' }],
      ['e_prod', { environment: 'production' }],
    ]);
    expect(vaultRequests().filter((r) => r.method === 'GET' && r.path === '/secrets')).toHaveLength(3);
    await secrets.rotateSecret('a_prod');
    expect((await secrets.getSecret('a_prod')).value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await secrets.rotateSecret('a_prod', () => 'custom-value');
    const current = await secrets.getSecret('a_prod');
    expect(current).toMatchObject({ value: 'custom-value', tags: { environment: 'production' } });
    const versions = await secrets.versions('a_prod');
    expect(versions).toHaveLength(3);
    expect(versions.filter((v) => v.current).map((v) => v.version)).toEqual([current.version]);
    expect(vaultRequests().some((r) => r.path === '/secrets/a-prod/versions')).toBe(true);
    expect(await secrets.rotateDue(new Date(Date.now() + 29 * DAY))).toEqual([]);
    expect((await secrets.rotateDue(new Date(Date.now() + 31 * DAY))).map((r) => r.name)).toEqual(['a_prod', 'b_staging', 'c_prod', 'd_dev', 'e_prod']);
  });

  it('deletes (Azure soft delete): reads fail with ERR_NOT_FOUND and the name stays taken', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await secrets.deleteSecret('db');
    expect(vaultRequests().at(-1)).toMatchObject({ method: 'DELETE', path: '/secrets/db' });
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'no secret named db in Azure Key Vault' });
    await expect(secrets.deleteSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.rotateSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await secrets.listSecrets()).toEqual([]);
    const reuse = await secrets.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(reuse).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { status: 409, providerCode: 'Conflict' } });
    expect((reuse as Error).message).toContain('is currently in a deleted but recoverable state');
    await expect(secrets.getSecret('db', { version: 'v1' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('32 hexadecimal digits') });
  });

  it('maps 401 (wrong client secret, unknown token) and 403 (RBAC) to ERR_PROVIDER_DENIED without the value or credentials', async () => {
    restoreEnv();
    restoreEnv = withEnv({ TEST_AZURE_CLIENT_SECRET: 'wrong-Secret~value.123' });
    const wrong = await open().storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { status: 401, providerCode: 'invalid_client' } });
    expect((wrong as Error).message).toBe(
      `Azure Key Vault: acquiring a token for client ${CLIENT_ID} failed (HTTP 401 invalid_client): AADSTS7000215: Invalid client secret provided.; check the credentials and the permissions they grant on this secret`,
    );
    restoreEnv();
    restoreEnv = withEnv({ TEST_AZURE_CLIENT_SECRET: CLIENT_SECRET, TEST_AZURE_TOKEN: 'eyJ0eXAiOiJKV1QifQ.not-issued.sig' });
    const unknownToken = await open({ accessToken: 'env:TEST_AZURE_TOKEN' }).getSecret('db').catch((e: unknown) => e);
    expect(unknownToken).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { status: 401, providerCode: 'Unauthorized' } });
    const denied = await open({ clientSecret: clientSecret('denied-client') }).storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { status: 403, providerCode: 'Forbidden/ForbiddenByRbac' } });
    for (const err of [wrong, unknownToken, denied]) {
      const texts = errorTexts(err);
      expect(texts).not.toContain(VALUE);
      expect(texts).not.toContain(CLIENT_SECRET);
      expect(texts).not.toContain('wrong-Secret~value');
      expect(texts).not.toContain('not-issued');
    }
  });

  it('takes a token by reference or from a TokenCredential', async () => {
    restoreEnv();
    restoreEnv = withEnv({ TEST_AZURE_TOKEN: azure.issueToken() });
    const byReference = open({ accessToken: 'env:TEST_AZURE_TOKEN' });
    await byReference.storeSecret({ name: 'db', value: 'x' });
    const scopes: unknown[] = [];
    const credential = {
      getToken: async (scope: string | string[]) => {
        scopes.push(scope);
        return { token: azure.issueToken(), expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const viaCredential = open({ credential });
    expect((await viaCredential.getSecret('db')).value).toBe('x');
    await viaCredential.getSecret('db');
    expect(scopes).toEqual(['https://vault.azure.net/.default']);
    const broken = open({ credential: { getToken: async () => null } });
    await expect(broken.getSecret('db')).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED', message: 'Azure Key Vault: the credential gave no token for https://vault.azure.net/.default' });
  });

  it('withholds a Key Vault message quoting the value, and never follows a nextLink to another host', async () => {
    azure.http.failWhen(
      (r) => r.method === 'PUT',
      (r) => kvError(400, 'BadParameter', `Value '${JSON.parse(r.body).value}' is not valid`),
    );
    const err = await secrets.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'Azure Key Vault: writing secret db failed (HTTP 400 BadParameter): (message withheld: it quoted a sensitive value)' });
    expect(errorTexts(err)).not.toContain(VALUE);

    const elsewhere = await AzureKeyVaultStandIn.start({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, nextLinkOrigin: 'http://127.0.0.1:9' });
    const other = new SecretsManager({ provider: 'azure_kv', azureKv: { vaultUrl: elsewhere.url, clientSecret: { ...clientSecret(), authorityHost: elsewhere.url } } }, { audit });
    for (const name of ['a', 'b', 'c']) await other.storeSecret({ name, value: 'v' });
    await expect(other.listSecrets()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: expect.stringContaining('nextLink points at http://127.0.0.1:9, not at the vault') });
    await elsewhere.close();
  });
});
