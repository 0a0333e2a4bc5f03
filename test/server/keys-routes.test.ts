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
});
