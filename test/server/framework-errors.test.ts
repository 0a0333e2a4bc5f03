import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const CSP = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";

/** The reply is in the one error shape, with the headers every reply carries. */
function expectErrorReply(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, message: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(json(res)).toEqual({ error: { code: 'ERR_INVALID_INPUT', message } });
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['content-security-policy']).toBe(CSP);
  expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  expect(res.headers['x-request-id']).toMatch(/^req-/);
}

// The router answers these before any hook runs; Fastify's own reply echoed the path (a subject id) and had no security headers.
describe("the router's errors", () => {
  it('answer a path parameter over the limit with 414 in the one error shape, never echoing the path nor logging it', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    const subject = `alice@example.com${'x'.repeat(2300)}`;
    const res = await app.inject({ method: 'GET', url: `/v1/consent/${encodeURIComponent(subject)}`, headers: auth });
    expectErrorReply(res, 414, 'a segment of the path is longer than any this API takes');
    expect(res.body).not.toContain('alice');
    expect(logs.text).not.toContain('alice');
    expect(logs.records).toContainEqual(expect.objectContaining({ reqId: res.headers['x-request-id'], code: 'ERR_INVALID_INPUT', status: 414, route: '(no matching route)' }));
  });

  it('answer a path that does not decode to UTF-8 with 400 in the one error shape, never echoing the path nor logging it', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    // %ED%A0%80 is an encoded lone surrogate, not UTF-8.
    const res = await app.inject({ method: 'GET', url: '/v1/consent/alice%ED%A0%80b', headers: auth });
    expectErrorReply(res, 400, 'the path is not valid: a percent-encoded part of it is not UTF-8');
    expect(res.body).not.toContain('alice');
    expect(logs.text).not.toContain('alice');
  });
});

describe('request bodies the server cannot read', () => {
  const MESSAGE = "unsupported media type: send the body as the route's content type (application/json; GET /openapi.json lists each route's), without content-encoding";
  const grant = { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'] };

  it('answer 415 for text/plain, not a schema error about a string', async () => {
    const { app, auth } = await f.serve();
    const res = await app.inject({ method: 'POST', url: '/v1/consent', headers: { ...auth, 'content-type': 'text/plain' }, payload: JSON.stringify(grant) });
    expectErrorReply(res, 415, MESSAGE);
  });

  it('answer 415 for a compressed body, not "not valid JSON"; identity is no encoding', async () => {
    const { app, auth } = await f.serve();
    const gzipped = await app.inject({ method: 'POST', url: '/v1/consent', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(grant)) });
    expectErrorReply(gzipped, 415, MESSAGE);
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/u-1', headers: auth })).events).toEqual([]);
    const identity = await app.inject({ method: 'POST', url: '/v1/consent', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'identity' }, payload: JSON.stringify(grant) });
    expect(identity.statusCode, identity.body).toBe(201);
    // a stray header on a request without a body harms nothing
    const read = await app.inject({ method: 'GET', url: '/v1/consent/u-1', headers: { ...auth, 'content-encoding': 'gzip' } });
    expect(read.statusCode, read.body).toBe(200);
  });
});
