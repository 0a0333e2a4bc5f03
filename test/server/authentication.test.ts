import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearerToken } from '../../src/server/plugins/authentication.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const WRONG = `lts_${'0'.repeat(32)}_${'B'.repeat(43)}`;

describe('authentication on /v1', () => {
  it('reads only the Bearer scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('answers 401 without a token, and records the failure', async () => {
    const { app, security } = await f.serve();
    const res = await app.inject({ method: 'GET', url: '/v1/audit/events?limit=5' });
    expect(res.statusCode).toBe(401);
    expect(json(res).error.code).toBe('ERR_UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="langtrain"');
    const [failure, ...rest] = await security.audit.query({ eventType: 'api.authentication' });
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ result: 'failure', additionalData: { ip: '127.0.0.1', route: '/v1/audit/events', reason: 'missing' } });
    expect(failure!.userId).toBeNull();
  });

  it('answers 401 for a wrong, malformed or revoked token, never echoing it, and records each', async () => {
    const { app, security, token } = await f.serve();
    const auth = await security.authenticationManager();
    expect(await auth.logout(token)).toBe(true);
    for (const presented of [WRONG, 'not-a-token', token]) {
      const res = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: { authorization: `Bearer ${presented}` } });
      expect(res.statusCode).toBe(401);
      expect(json(res).error).toEqual({ code: 'ERR_UNAUTHENTICATED', message: 'the bearer token is not a live session or API key; sign in again' });
      expect(res.body).not.toContain(presented);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const failures = await security.audit.query({ eventType: 'api.authentication', result: 'failure' });
    expect(failures.map((e) => e.additionalData)).toEqual(Array(3).fill({ ip: '127.0.0.1', userAgent: 'lightMyRequest', route: '/v1/audit/checkpoints', reason: 'invalid_bearer_token' }));
    expect(JSON.stringify(failures)).not.toContain(WRONG);
    expect(JSON.stringify(failures)).not.toContain(token);
  });

  it('lets a valid token through, and leaves /healthz and /openapi.json open', async () => {
    const { app, auth } = await f.serve();
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });

  it('at audit.level detailed, records each successful authenticated request without bodies or headers', async () => {
    const { app, auth, security } = await f.serve({ audit: { level: 'detailed' } });
    const admin = (await (await security.authenticationManager()).users.findByUsername('admin'))!;
    await app.inject({ method: 'POST', url: '/v1/audit/events', headers: auth, payload: { eventType: 'model.evaluated', result: 'success', additionalData: { secret: 'do-not-copy' } } });
    await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: auth });
    await app.inject({ method: 'GET', url: '/v1/audit/proofs/inclusion/0', headers: auth });
    await app.inject({ method: 'GET', url: '/v1/audit/events?limit=0', headers: auth }); // 400: not recorded
    await app.inject({ method: 'GET', url: '/v1/audit/events' }); // 401: recorded as a failure only
    const requests = await vi.waitFor(async () => {
      const found = await security.audit.query({ eventType: 'api.request' });
      expect(found).toHaveLength(3);
      return found;
    });
    expect(requests.map((e) => [e.level, e.result, e.userId, e.additionalData])).toEqual([
      ['detailed', 'success', `user:${admin.id}`, { method: 'POST', route: '/v1/audit/events', status: 201 }],
      ['detailed', 'success', `user:${admin.id}`, { method: 'POST', route: '/v1/audit/checkpoints', status: 200 }],
      ['detailed', 'success', `user:${admin.id}`, { method: 'GET', route: '/v1/audit/proofs/inclusion/:index', status: 200 }],
    ]);
    expect(JSON.stringify(requests)).not.toMatch(/do-not-copy|Bearer|lts_/);
  });

  it('at audit.level basic, records failures but not each request', async () => {
    const { app, auth, security } = await f.serve({ audit: { level: 'basic' } });
    await app.inject({ method: 'GET', url: '/v1/audit/events', headers: auth });
    await app.inject({ method: 'GET', url: '/v1/audit/events' });
    await app.close(); // waits for audit writes still in flight
    expect(await security.audit.query({ eventType: 'api.request' })).toEqual([]);
    expect(await security.audit.query({ eventType: 'api.authentication' })).toHaveLength(1);
  });

  it('records the client address from X-Forwarded-For only when the proxy is trusted (server.trustProxy)', async () => {
    const forwarded = { 'x-forwarded-for': '198.51.100.23' };
    const trusting = await f.serve({ server: { trustProxy: '127.0.0.1, 10.0.0.0/8' } });
    await trusting.app.inject({ method: 'GET', url: '/v1/audit/events', headers: forwarded });
    const [seen] = await trusting.security.audit.query({ eventType: 'api.authentication' });
    expect(seen?.additionalData?.ip).toBe('198.51.100.23');
    const plain = await f.serve();
    await plain.app.inject({ method: 'GET', url: '/v1/audit/events', headers: forwarded });
    const [ignored] = await plain.security.audit.query({ eventType: 'api.authentication' });
    expect(ignored?.additionalData?.ip).toBe('127.0.0.1');
  });

  it('logs request paths without their query strings (an OIDC callback carries its code there)', async () => {
    const { app, logs } = await f.serve({ server: { logLevel: 'info' } });
    await app.inject({ method: 'GET', url: '/v1/auth/session?code=oidc-code-must-not-be-logged&state=s' });
    expect(logs.text).toContain('/v1/auth/session');
    expect(logs.text).not.toContain('oidc-code-must-not-be-logged');
  });
});
