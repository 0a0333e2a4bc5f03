import { afterEach, describe, expect, it } from 'vitest';
import { recordConsentBody as libraryRecordBody, recordConsentInput, withdrawConsentBody as libraryWithdrawBody, withdrawConsentInput } from '../../src/privacy/consent/inputs.js';
import { recordConsentBody, withdrawConsentBody } from '../../src/server/schemas/privacy.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

describe('/v1/consent bodies', () => {
  it('are the schemas the library defines, with the keys ConsentManager takes bar the actor (the caller)', () => {
    expect(recordConsentBody).toBe(libraryRecordBody);
    expect(withdrawConsentBody).toBe(libraryWithdrawBody);
    expect([...Object.keys(recordConsentBody.shape), 'actor']).toEqual(Object.keys(recordConsentInput.shape));
    expect([...Object.keys(withdrawConsentBody.shape), 'actor']).toEqual(Object.keys(withdrawConsentInput.shape));
  });

  it('refuse an unknown field, a misspelt list included, without recording or withdrawing anything', async () => {
    const { app, auth } = await f.serve();
    const recorded = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'], expiry: '2020-01-01' } });
    expect(recorded.statusCode).toBe(400);
    expect(json(recorded).error.message).toContain('expiry');
    expect((await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'] } })).statusCode).toBe(201);
    const withdrawn = await app.inject({ method: 'POST', url: '/v1/consent/withdraw', headers: auth, payload: { userId: 'u-1', datatypes: ['email'] } });
    expect(withdrawn.statusCode).toBe(400);
    expect(json(withdrawn).error.message).toContain('datatypes');
    expect((await app.inject({ method: 'POST', url: '/v1/consent/withdraw', headers: auth, payload: { userId: 'u-1', actor: 'someone-else' } })).statusCode).toBe(400);
    const history = json(await app.inject({ method: 'GET', url: '/v1/consent/u-1', headers: auth }));
    expect(history.events.map((e: { kind: string }) => e.kind)).toEqual(['granted']);
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/u-1/valid?dataType=email&purpose=analytics', headers: auth })).valid).toBe(true);
  });

  it('answer 400 naming the field for a subject id with NUL or an unpaired surrogate', async () => {
    const { app, auth } = await f.serve();
    for (const userId of ['a\u0000b', 'ana\uD800']) {
      const res = await app.inject({ method: 'POST', url: '/v1/consent', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ userId, dataTypes: ['email'], purposes: ['analytics'] }) });
      expect(res.statusCode).toBe(400);
      expect(json(res).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^userId must not contain/) });
    }
  });
});

describe('/v1/consent replies', () => {
  it('are never cached: every one names a subject, errors included', async () => {
    const { app, auth } = await f.serve();
    const requests = [
      { method: 'POST', url: '/v1/consent', payload: { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'] } },
      { method: 'POST', url: '/v1/consent/withdraw', payload: { userId: 'u-1', purposes: ['analytics'] } },
      { method: 'GET', url: '/v1/consent/u-1' },
      { method: 'GET', url: '/v1/consent/u-1/valid?dataType=email' },
      { method: 'GET', url: '/v1/consent/u-1/valid' },
      { method: 'GET', url: '/v1/consent/u-1/export' },
      { method: 'DELETE', url: '/v1/consent/u-1' },
    ] as const;
    for (const request of requests) {
      const res = await app.inject({ ...request, headers: auth });
      expect(res.statusCode, `${request.method} ${request.url}`).toBeLessThan(500);
      expect(res.headers['cache-control'], `${request.method} ${request.url}`).toBe('no-store');
    }
  });

  it('HEAD of the export is no route: it would run and audit an export to send nothing', async () => {
    const { app, auth, security } = await f.serve();
    const head = await app.inject({ method: 'HEAD', url: '/v1/consent/u-1/export', headers: auth });
    expect(head.statusCode).toBe(404);
    expect(await security.audit.query({ eventType: 'privacy.subject_exported' })).toEqual([]);
    // The other reads keep theirs: they neither audit nor change anything.
    expect((await app.inject({ method: 'HEAD', url: '/v1/consent/u-1', headers: auth })).statusCode).toBe(200);
  });

  it('the export refuses a query key, as erasure and /valid do, without exporting', async () => {
    const { app, auth, security } = await f.serve();
    const res = await app.inject({ method: 'GET', url: '/v1/consent/u-1/export?format=csv', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(json(res).error).toEqual({ code: 'ERR_INVALID_INPUT', message: 'invalid querystring: unknown field format (this route takes none)' });
    expect(await security.audit.query({ eventType: 'privacy.subject_exported' })).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: auth })).statusCode).toBe(200);
  });
});
