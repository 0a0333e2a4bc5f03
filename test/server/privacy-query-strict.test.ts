import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

// A mistyped query key used to be dropped: `?purpos=` read as "any purpose", `?depht=` as "no bound".
describe('privacy routes refuse query keys they do not know', () => {
  it('GET /v1/consent/:userId/valid: 400 naming the unknown key and the supported ones', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u1', dataTypes: ['chat'], purposes: ['analytics'] } });

    const typo = await app.inject({ method: 'GET', url: '/v1/consent/u1/valid?dataType=chat&purpos=training', headers: auth });
    expect(typo.statusCode, typo.body).toBe(400);
    expect(json(typo).error).toEqual({ code: 'ERR_INVALID_INPUT', message: 'invalid querystring: unknown field purpos (supported: dataType, purpose)' });

    // Missing required key and an unknown one: both are reported.
    const both = await app.inject({ method: 'GET', url: '/v1/consent/u1/valid?purpos=training', headers: auth });
    expect(both.statusCode).toBe(400);
    expect(json(both).error.message).toMatch(/dataType: .*; unknown field purpos \(supported: dataType, purpose\)$/);

    // The spelled-right keys still work, with and without the optional one.
    const ok = await app.inject({ method: 'GET', url: '/v1/consent/u1/valid?dataType=chat&purpose=training', headers: auth });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok)).toEqual({ userId: 'u1', dataType: 'chat', purpose: 'training', valid: false });
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/u1/valid?dataType=chat', headers: auth })).valid).toBe(true);
  });

  it('GET /v1/lineage/:ref: 400 for ?depht= and every other unknown key', async () => {
    const { app, auth } = await f.serve();
    const [raw, model] = [digest('raw'), digest('model')];
    await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: model, operation: 'train' } });

    const typo = await app.inject({ method: 'GET', url: `/v1/lineage/${model}?depht=2`, headers: auth });
    expect(typo.statusCode, typo.body).toBe(400);
    expect(json(typo).error).toEqual({ code: 'ERR_INVALID_INPUT', message: 'invalid querystring: unknown field depht (supported: direction, depth)' });
    const two = await app.inject({ method: 'GET', url: `/v1/lineage/${model}?direction=upstream&Depth=1&dir=down`, headers: auth });
    expect(two.statusCode).toBe(400);
    expect(json(two).error.message).toBe('invalid querystring: unknown field Depth, dir (supported: direction, depth)');

    const ok = await app.inject({ method: 'GET', url: `/v1/lineage/${model}?direction=upstream&depth=1`, headers: auth });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok).edges).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: `/v1/lineage/${model}`, headers: auth })).statusCode).toBe(200);
  });
});
