import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_ERROR_LOG_MESSAGE } from '../../src/server/error-reply.js';
import { REDACTED_PATHS, UNMATCHED_ROUTE } from '../../src/server/logger.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const requestLines = (records: Array<Record<string, unknown>>) => records.filter((r) => r.msg === 'incoming request').map((r) => r.req as { method: string; url: string });

// Path parameters are subject ids (often emails): the request log holds the route's pattern.
describe('the request log never holds path parameters or query values', () => {
  it('logs the route pattern, not the subject id in the path nor the query string', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'alice@example.com', dataTypes: ['chat'], purposes: ['analytics'] } });
    expect((await app.inject({ method: 'GET', url: '/v1/consent/alice@example.com/export', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/alice%40example.com/valid?dataType=chat&purpose=bob_secret_purpose', headers: auth })).statusCode).toBe(200);

    const seen = requestLines(logs.records);
    expect(seen).toContainEqual({ method: 'GET', url: '/v1/consent/:userId/export', remoteAddress: '127.0.0.1' });
    expect(seen).toContainEqual(expect.objectContaining({ method: 'GET', url: '/v1/consent/:userId/valid' }));
    expect(seen).toContainEqual(expect.objectContaining({ method: 'POST', url: '/v1/consent' }));
    for (const leaked of ['alice@example.com', 'alice%40example.com', 'bob_secret_purpose', 'dataType=']) expect(logs.text).not.toContain(leaked);
  });

  it('logs neither the path nor the query of a request that matched no route (the path may hold an id)', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    const res = await app.inject({ method: 'GET', url: '/v1/consent/carol@example.com/exprot?token=t0ps3cret', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(requestLines(logs.records)).toEqual([expect.objectContaining({ method: 'GET', url: UNMATCHED_ROUTE })]);
    expect(logs.records.some((r) => r.msg === 'request completed' && (r.res as { statusCode: number }).statusCode === 404)).toBe(true);
    for (const leaked of ['carol', 'exprot', 't0ps3cret']) expect(logs.text).not.toContain(leaked);
  });

  // A client error's message echoes the request (an unknown query key, an artifact's name): the
  // caller gets it, the log only its code, status and route pattern.
  it('logs a refused request by code, status and route, not by its message, which echoes the query', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    const res = await app.inject({ method: 'GET', url: '/v1/consent/u1/valid?dataType=chat&alice@example.com=1', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(json(res).error.message).toContain('unknown field alice@example.com');

    const refused = logs.records.filter((r) => r.msg === CLIENT_ERROR_LOG_MESSAGE);
    expect(refused).toEqual([expect.objectContaining({ level: 30, code: 'ERR_INVALID_INPUT', status: 400, route: '/v1/consent/:userId/valid', reqId: res.headers['x-request-id'] })]);
    for (const leaked of ['alice', 'example.com', 'unknown field', 'dataType', 'chat']) expect(logs.text).not.toContain(leaked);
  });

  it('logs a 404 for a path value by code, status and route, not by the name it did not find', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    const res = await app.inject({ method: 'GET', url: '/v1/lineage/dataset:carol-secret-name', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(json(res).error).toEqual({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('dataset:carol-secret-name') });

    const refused = logs.records.filter((r) => r.msg === CLIENT_ERROR_LOG_MESSAGE);
    expect(refused).toEqual([expect.objectContaining({ level: 30, code: 'ERR_NOT_FOUND', status: 404, route: '/v1/lineage/*' })]);
    for (const leaked of ['carol', 'secret-name', 'no artifact']) expect(logs.text).not.toContain(leaked);
  });

  it('still censors credential headers', () => {
    expect(REDACTED_PATHS).toEqual(expect.arrayContaining(['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]']));
  });
});
