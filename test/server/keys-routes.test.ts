import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures } from './support.js';

describe('/v1/keys', () => {
  const f = new Fixtures();
  afterEach(() => f.close());

  it('creates, rotates and lists keys; encrypts and decrypts bound to a context; old versions still open', async () => {
    const { app, auth } = await f.serve();
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    expect((await call('POST', '/v1/keys', { name: 'transit' })).statusCode).toBe(201);
    const plaintext = Buffer.from('model-signing-secret').toString('base64');
    const first = (await call('POST', '/v1/keys/transit/encrypt', { plaintext, context: 'model:m-1' })).json();
    expect(first.keyVersion).toBe(1);
    expect((await call('POST', '/v1/keys/transit/rotate')).json().primaryVersion).toBe(2);
    const second = (await call('POST', '/v1/keys/transit/encrypt', { plaintext, context: 'model:m-1' })).json();
    expect(second.keyVersion).toBe(2);
    for (const sealed of [first, second]) {
      const opened = await call('POST', '/v1/keys/transit/decrypt', { ciphertext: sealed.ciphertext, context: 'model:m-1' });
      expect(opened.json().plaintext).toBe(plaintext);
    }
    expect((await call('POST', '/v1/keys', { name: 'other' })).statusCode).toBe(201);
    const wrongKey = await call('POST', '/v1/keys/other/decrypt', { ciphertext: first.ciphertext, context: 'model:m-1' });
    expect(wrongKey.statusCode).toBe(422);
    expect(wrongKey.json().error.message).toContain('not made by key other');
    const moved = await call('POST', '/v1/keys/transit/decrypt', { ciphertext: first.ciphertext, context: 'model:m-2' });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().error.code).toBe('ERR_CRYPTO_DECRYPT_FAILED');
    expect((await call('DELETE', '/v1/keys/transit/versions/1')).json().versions[0].destroyedAt).not.toBeNull();
    const gone = await call('POST', '/v1/keys/transit/decrypt', { ciphertext: first.ciphertext, context: 'model:m-1' });
    expect(gone.statusCode).toBe(410);
    const list = (await call('GET', '/v1/keys')).json();
    expect(list.keys.map((k: { name: string }) => k.name)).toContain('transit');
    expect(JSON.stringify(list)).not.toMatch(/wrapped|material/);
    expect((await call('GET', '/v1/keys/nope')).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/keys' })).statusCode).toBe(401);
  });

  it("serves data keys only: the platform's own keys can be neither listed, rotated, destroyed nor used", async () => {
    const { app, auth, security } = await f.serve();
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    // a deployment from before system keys: its secrets key was made as a data key
    await security.keyring.createKey('secrets');
    const secrets = security.secretsManager();
    await secrets.storeSecret({ name: 'db-password', value: 'correct horse battery staple' }); // the local store asks for its key as a system key
    expect((await security.keyring.describe('secrets')).purpose).toBe('system');
    expect((await security.keyring.describe('identity')).purpose).toBe('system');
    expect((await call('GET', '/v1/keys')).json().keys.map((k: { name: string }) => k.name)).toEqual([]);
    const before = await security.keyring.describe('identity', { fresh: true });
    const context = 'langtrain/secret/v1';
    for (const name of ['identity', 'secrets']) {
      for (const [method, url, payload] of [
        ['GET', `/v1/keys/${name}`],
        ['POST', `/v1/keys/${name}/rotate`],
        ['POST', `/v1/keys/${name}/min-decryption-version`, { version: 1 }],
        ['DELETE', `/v1/keys/${name}/versions/1`],
        ['POST', `/v1/keys/${name}/encrypt`, { plaintext: 'AA==', context }],
        ['POST', `/v1/keys/${name}/decrypt`, { ciphertext: 'AA==', context }],
      ] as const) {
        const refused = await call(method, url, payload);
        expect(refused.statusCode, `${method} ${url}`).toBe(404);
        expect(refused.json().error.message).toMatch(new RegExp(`^no data key named ${name}: it is the platform's own key or a data subject's`));
      }
    }
    expect(await security.keyring.describe('identity', { fresh: true })).toEqual(before);
    // the platform's names are refused before the platform has made their keys: none can be made, nor one made earlier used
    for (const name of ['pii', 'datasets.subject-refs', 'datasets.fpe']) {
      const made = await call('POST', '/v1/keys', { name, rotationIntervalMs: 3_600_000 });
      expect(made.statusCode, name).toBe(400);
      expect(made.json().error.message).toMatch(new RegExp(`^${name.replace('.', '\\.')} names one of the platform's own keys`));
    }
    await security.keyring.createKey('datasets.fpe'); // as an older store holds it: a data key not yet converted
    expect((await call('POST', '/v1/keys/datasets.fpe/rotate')).statusCode).toBe(404);
    expect(await secrets.getSecret('db-password')).toMatchObject({ value: 'correct horse battery staple' });
    await secrets.close();
  });
});
