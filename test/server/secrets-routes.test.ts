import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures } from './support.js';

describe('/v1/secrets', () => {
  const f = new Fixtures();
  afterEach(() => f.close());

  it('stores versions, reads them back, lists without values, rotates and deletes; the value never reaches the audit log or the server log', async () => {
    const { app, auth, security, logs } = await f.serve({ server: { logLevel: 'trace' } });
    const value = 'super_secure_password-9f2c1a';
    const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const first = await call('PUT', '/v1/secrets/database_password', { value, tags: { environment: 'production', service: 'database' } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ name: 'database_password', version: '1' });
    expect((await call('PUT', '/v1/secrets/database_password', { value: `${value}-2` })).json().version).toBe('2');
    expect((await call('GET', '/v1/secrets/database_password')).json()).toMatchObject({ version: '2', value: `${value}-2`, tags: { environment: 'production' } });
    expect((await call('GET', '/v1/secrets/database_password?version=1')).json().value).toBe(value);
    const list = await call('GET', '/v1/secrets?tag=service=database');
    expect(list.json().secrets.map((s: { name: string }) => s.name)).toEqual(['database_password']);
    expect(list.body).not.toContain(value);
    const rotated = (await call('POST', '/v1/secrets/database_password/rotate')).json();
    expect(rotated.version).toBe('3');
    expect((await call('DELETE', '/v1/secrets/database_password')).statusCode).toBe(204);
    expect((await call('GET', '/v1/secrets/database_password')).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/secrets' })).statusCode).toBe(401);

    const events = await security.audit.query({ limit: 1000 });
    expect(events.map((e) => e.eventType)).toEqual(expect.arrayContaining(['secrets.stored', 'secrets.read', 'secrets.listed', 'secrets.rotated', 'secrets.deleted']));
    expect(JSON.stringify(events)).not.toContain(value);
    expect(logs.text).not.toContain(value);
  });
});
