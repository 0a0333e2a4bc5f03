import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

describe('server shell', () => {
  it('answers /healthz without authentication, with the store dialect', async () => {
    const { app } = await f.serve();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ ok: true, store: 'sqlite' });
  });

  it('sends strict security headers on success, error and unknown-route replies', async () => {
    const { app } = await f.serve();
    for (const url of ['/healthz', '/v1/audit/events', '/no/such/route']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy']).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-request-id']).toMatch(/^req-/);
    }
  });

  it('answers an unknown route with 404 ERR_NOT_FOUND in the one error shape', async () => {
    const { app } = await f.serve();
    const res = await app.inject({ method: 'DELETE', url: '/v2/secret?token=abc' });
    expect(res.statusCode).toBe(404);
    const body = json(res);
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error.code).toBe('ERR_NOT_FOUND');
    expect(res.body).not.toContain('token=abc');
  });

  it('serves the OpenAPI document, generated from the route schemas', async () => {
    const { app } = await f.serve();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = json(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/v1/audit/events',
        '/v1/audit/checkpoints/latest',
        '/v1/audit/checkpoints',
        '/v1/audit/proofs/inclusion/{index}',
        '/v1/audit/proofs/consistency',
      ]),
    );
    expect(doc.paths['/v1/audit/events'].get.security).toEqual([{ bearer: [] }, { sessionCookie: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-lt_session' });
    expect(doc.paths['/v1/auth/login'].post.security).toBeUndefined();
    // Every $ref must resolve: a dangling one breaks client generators.
    for (const [, name] of res.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(doc.components.schemas).toHaveProperty(name!);
  });

  it('answers malformed JSON with 400 ERR_INVALID_INPUT', async () => {
    const { app, auth } = await f.serve();
    const res = await app.inject({ method: 'POST', url: '/v1/audit/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"eventType":' });
    expect(res.statusCode).toBe(400);
    expect(json(res).error.code).toBe('ERR_INVALID_INPUT');
  });

  it('answers a body over server.bodyLimit with 413, and authenticates before reading it', async () => {
    const { app, auth } = await f.serve({ server: { bodyLimit: '1kb' } });
    const payload = { eventType: 'big.event', result: 'success', additionalData: { blob: 'x'.repeat(2000) } };
    const res = await app.inject({ method: 'POST', url: '/v1/audit/events', headers: auth, payload });
    expect(res.statusCode).toBe(413);
    expect(json(res)).toEqual({ error: { code: 'ERR_BODY_TOO_LARGE', message: 'request body is larger than the limit of 1000 bytes (server.bodyLimit)' } });
    const anonymous = await app.inject({ method: 'POST', url: '/v1/audit/events', payload });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers an unexpected fault with a generic 500 and no stack, and logs the real error', async () => {
    const { app, auth, security, logs } = await f.serve();
    // The table disappears under the running server (and comes back for teardown).
    await sql`ALTER TABLE audit_entries RENAME TO audit_entries_gone`.execute(security.store.db);
    const res = await app.inject({ method: 'GET', url: '/v1/audit/events', headers: auth });
    await sql`ALTER TABLE audit_entries_gone RENAME TO audit_entries`.execute(security.store.db);
    expect(res.statusCode).toBe(500);
    const body = json(res);
    expect(body.error.code).toBe('ERR_INTERNAL');
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(res.body).not.toMatch(/stack|\bat \S+ \(|node_modules|\.ts:\d+/);
    const logged = logs.records.find((r) => r.level === 50 && r.reqId === res.headers['x-request-id']);
    expect(logged?.err).toMatchObject({ message: expect.stringMatching(/no such table/), stack: expect.any(String) });
  });

  it('keeps credentials out of the log', async () => {
    const { app, auth, token, logs } = await f.serve({ server: { logLevel: 'trace' } });
    const wrong = `lt_admin_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    await app.inject({ method: 'GET', url: '/v1/audit/events', headers: auth });
    await app.inject({ method: 'GET', url: '/v1/audit/events', headers: { authorization: `Bearer ${wrong}`, cookie: 'session=s3cr3t-cookie' } });
    await app.inject({ method: 'POST', url: '/v1/audit/events', headers: auth, payload: '{' });
    // A plugin that logs a whole header set is censored by the redaction paths.
    app.log.info({ request: { headers: { authorization: `Bearer ${token}`, cookie: 'session=s3cr3t-cookie' } } }, 'headers');
    expect(logs.lines.length).toBeGreaterThan(6);
    expect(logs.text).not.toContain(token);
    expect(logs.text).not.toContain(token.slice(-43));
    expect(logs.text).not.toContain(wrong);
    expect(logs.text).not.toContain('s3cr3t-cookie');
    expect(logs.records.find((r) => r.msg === 'headers')).toMatchObject({ request: { headers: { authorization: '[redacted]', cookie: '[redacted]' } } });
  });
});
