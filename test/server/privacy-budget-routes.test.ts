import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json, userWith } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());



describe('/v1/privacy/budgets', () => {
  it('sets a budget, reserves steps against it, refuses the reservation that would go over (409), and audits', async () => {
    const { app, auth } = await f.serve();
    const created = await app.inject({ method: 'POST', url: '/v1/privacy/budgets', headers: auth, payload: { unit: 'dataset:tickets', epsilon: 1, delta: 1e-5 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created)).toMatchObject({ unit: 'dataset:tickets', epsilon: 1, accountant: 'rdp', spentEpsilon: 0, remainingEpsilon: 1 });

    const reserve = (payload: object) => app.inject({ method: 'POST', url: '/v1/privacy/budgets/dataset:tickets/reservations', headers: auth, payload });
    const first = await reserve({ noiseMultiplier: 1.1, samplingRate: 0.01, steps: 100, job: 'nightly' });
    expect(first.statusCode, first.body).toBe(201);
    expect(json(first).epsilonAfter).toBeGreaterThan(0);
    expect(json(first).epsilonAfter).toBeLessThan(1);

    const over = await reserve({ noiseMultiplier: 1.1, samplingRate: 0.01, steps: 100_000, job: 'greedy' });
    expect(over.statusCode).toBe(409);
    expect(json(over).error.code).toBe('ERR_PRIVACY_BUDGET_EXHAUSTED');
    const bad = await reserve({ noiseMultiplier: 1.1, samplingRate: 1.5, steps: 1, job: 'bad' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.message).toContain('samplingRate');
    const noNoise = await reserve({ noiseMultiplier: 0, samplingRate: 0.01, steps: 1, job: 'bad' });
    expect(noNoise.statusCode).toBe(400);
    expect(json(noNoise).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'noiseMultiplier: must be > 0 (without noise the steps give no privacy: epsilon would be infinite)', details: { field: 'noiseMultiplier' } });

    const shown = json(await app.inject({ method: 'GET', url: '/v1/privacy/budgets/dataset:tickets', headers: auth }));
    expect(shown.spends.map((s: { job: string; actor: string }) => [s.job, s.actor.startsWith('user:')])).toEqual([['nightly', true]]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/privacy/budgets', headers: auth })).budgets).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/v1/privacy/budgets/dataset:nothing', headers: auth })).statusCode).toBe(404);
    const badUnit = await app.inject({ method: 'GET', url: '/v1/privacy/budgets/has%20space', headers: auth });
    expect(badUnit.statusCode, badUnit.body).toBe(400);
    expect(json(badUnit).error.message).toMatch(/^unit: a privacy unit is a name such as dataset:tickets-v2/);

    const audited = json(await app.inject({ method: 'GET', url: '/v1/audit/events?eventType=privacy.budget_refused', headers: auth }));
    expect(JSON.stringify(audited)).toContain('greedy');
  });

  it('refuses (400) a unit whose name holds personal data without echoing it, and creates no budget', async () => {
    const { app, auth, logs } = await f.serve({ server: { logLevel: 'info' } });
    const created = await app.inject({ method: 'POST', url: '/v1/privacy/budgets', headers: auth, payload: { unit: 'user:jane.doe@example.com', epsilon: 1, delta: 1e-5 } });
    expect(created.statusCode, created.body).toBe(400);
    expect(json(created).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^unit looks like it holds personal data \(email\)/) });
    expect(created.body).not.toContain('jane');
    expect(logs.text).not.toContain('jane');
    expect(json(await app.inject({ method: 'GET', url: '/v1/privacy/budgets', headers: auth })).budgets).toEqual([]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/audit/events?eventType=privacy.budget_created', headers: auth })).entries).toEqual([]);
  });

  it('reads need privacy_budget.read and changes privacy_budget.write; a training job with read only cannot reserve', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'POST', url: '/v1/privacy/budgets', headers: auth, payload: { unit: 'dataset:x', epsilon: 1, delta: 1e-5 } });
    const reader = await userWith(app, auth, 'auditor', ['privacy_budget.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/privacy/budgets/dataset:x', headers: reader })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'POST', url: '/v1/privacy/budgets/dataset:x/reservations', headers: reader, payload: { noiseMultiplier: 1.1, samplingRate: 0.01, steps: 10, job: 'j' } });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error.message).toContain('privacy_budget.write');
    const stranger = await userWith(app, auth, 'stranger', ['consent.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/privacy/budgets', headers: stranger })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/privacy/budgets' })).statusCode).toBe(401);
  });
});
