import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedVerifiers } from '../../src/audit/checkpoint-signer.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { openNote, parseCheckpoint } from '../../src/audit/signed-note.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { storeUrls } from '../support/services.js';
import { Fixtures, json } from './support.js';

const hex = (h: string) => Buffer.from(h, 'hex');

describe.each(storeUrls('server-audit'))('audit routes on $dialect', ({ make }) => {
  const f = new Fixtures();
  let app: FastifyInstance;
  let security: SecurityManager;
  let auth: { authorization: string };

  beforeEach(async () => {
    const store = make();
    f.defer(store.cleanup); // runs last, after the manager has closed
    ({ app, security, auth } = await f.serve({}, store.url));
  });
  afterEach(() => f.close());

  const post = (url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  /** The root a signed checkpoint commits to, checked against the verifier key in the store. */
  const rootOf = async (note: string) => {
    const { text } = openNote(note, await storedVerifiers(security.store.db));
    return parseCheckpoint(text);
  };

  it('appends one event and reads it back, with who sent it', async () => {
    const event = { eventType: 'model.evaluated', userId: 'alice', timestamp: '2024-01-15T10:30:00Z', result: 'success', additionalData: { epochs: 3, tags: ['a'] } };
    const res = await post('/v1/audit/events', event);
    expect(res.statusCode).toBe(201);
    const { receipts } = json(res);
    expect(receipts).toEqual([{ index: expect.any(Number), id: expect.any(String) }]);
    const read = json(await get('/v1/audit/events?eventType=model.evaluated&userId=alice'));
    expect(read.nextAfterIndex).toBeNull();
    expect(read.entries).toEqual([
      expect.objectContaining({
        ...receipts[0],
        timestamp: '2024-01-15T10:30:00.000Z',
        eventType: 'model.evaluated',
        userId: 'alice',
        userIdSealed: false,
        result: 'success',
        level: 'basic',
        additionalData: { ...event.additionalData, submittedBy: expect.stringMatching(/^user:/) },
        payload: 'clear',
      }),
    ]);
  });

  it("refuses the platform's own event names, and a submittedBy of the sender's choosing", async () => {
    for (const eventType of ['auth.login', 'keys.rotated', 'secrets.read', 'model.trained']) {
      const single = await post('/v1/audit/events', { eventType, userId: 'bob', result: 'success' });
      expect(single.statusCode, eventType).toBe(400);
      expect(json(single).error.message).toMatch(new RegExp(`^eventType ${eventType.replace('.', '\\.')} is one the platform writes itself`));
    }
    const inBatch = await post('/v1/audit/events', { events: [{ eventType: 'training.started', result: 'success' }, { eventType: 'auth.login', result: 'success' }] });
    expect(json(inBatch).error.message).toMatch(/^events\.1: eventType auth\.login is one the platform writes itself/);
    const forged = await post('/v1/audit/events', { eventType: 'training.started', result: 'success', additionalData: { submittedBy: 'user:someone-else' } });
    expect(forged.statusCode).toBe(400);
    expect(json(forged).error.message).toMatch(/additionalData\.submittedBy is set by the server/);
    expect(json(await get('/v1/audit/events?eventType=training.started')).entries).toEqual([]);
  });

  it('appends a batch in order', async () => {
    const events = ['a', 'b', 'c'].map((step) => ({ eventType: 'pipeline.step', result: 'success', additionalData: { step } }));
    const res = await post('/v1/audit/events', { events });
    expect(res.statusCode).toBe(201);
    const indices = json(res).receipts.map((r: { index: number }) => r.index);
    expect(indices).toEqual([indices[0], indices[0] + 1, indices[0] + 2]);
    const read = json(await get('/v1/audit/events?eventType=pipeline.step'));
    expect(read.entries.map((e: { additionalData: { step: string } }) => e.additionalData.step)).toEqual(['a', 'b', 'c']);
  });

  it('appends nothing from a batch with one bad event, naming its index and field', async () => {
    const good = { eventType: 'batch.test', result: 'success' };
    const badName = await post('/v1/audit/events', { events: [good, { eventType: 'Not A Name', result: 'success' }, good] });
    expect(badName.statusCode).toBe(400);
    expect(json(badName).error.code).toBe('ERR_INVALID_INPUT');
    expect(json(badName).error.message).toMatch(/^events\.1: invalid audit event: eventType: /);
    const missing = await post('/v1/audit/events', { events: [good, good, { eventType: 'batch.test' }] });
    expect(json(missing).error.message).toBe('invalid body: events.2.result: Invalid input: expected string, received undefined');
    const badDate = await post('/v1/audit/events', { events: [good, { ...good, timestamp: 'yesterday' }] });
    expect(json(badDate).error.message).toMatch(/^events\.1: .*timestamp/);
    expect(json(await get('/v1/audit/events?eventType=batch.test')).entries).toEqual([]);
  });

  it('refuses a sensitive user id on a log without encryption, with a batch position only for a batch', async () => {
    const sensitive = { eventType: 'user.login', userId: 'alice', result: 'success', sensitive: ['userId'] };
    const single = await post('/v1/audit/events', sensitive);
    expect(single.statusCode).toBe(400);
    expect(json(single).error.message).toMatch(/^invalid audit event: sensitive: \["userId"\] needs a log with encryption: true .*LANGTRAIN_AUDIT_ENCRYPTION=true/);
    const batch = await post('/v1/audit/events', { events: [{ eventType: 'user.login', result: 'success' }, sensitive] });
    expect(batch.statusCode).toBe(400);
    expect(json(batch).error.message).toMatch(/^events\.1: invalid audit event: sensitive: /);
    expect(json(await get('/v1/audit/events?eventType=user.login')).entries).toEqual([]);
  });

  it('refuses an empty batch, a batch over 1000, and unknown fields', async () => {
    expect((await post('/v1/audit/events', { events: [] })).statusCode).toBe(400);
    const tooMany = await post('/v1/audit/events', { events: Array(1001).fill({ eventType: 'x', result: 'success' }) });
    expect(json(tooMany).error.message).toMatch(/events: .*1000/);
    const unknown = await post('/v1/audit/events', { eventType: 'x', result: 'success', severity: 'high' });
    expect(json(unknown).error.message).toBe('invalid body: unknown field severity');
  });

  it('pages through a query with coerced numbers', async () => {
    await post('/v1/audit/events', { events: Array.from({ length: 5 }, (_, i) => ({ eventType: 'page.item', result: 'success', additionalData: { i } })) });
    const seen: number[] = [];
    let after: number | null = -1;
    while (after !== null) {
      const page: { entries: Array<{ additionalData: { i: number } }>; nextAfterIndex: number | null } = json(await get(`/v1/audit/events?eventType=page.item&limit=2&afterIndex=${after}`));
      seen.push(...page.entries.map((e) => e.additionalData.i));
      after = page.nextAfterIndex;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const bad = await get('/v1/audit/events?limit=many');
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.message).toMatch(/^invalid querystring: limit: /);
  });

  it('signs a checkpoint on demand and serves the latest', async () => {
    expect(json(await get('/v1/audit/checkpoints/latest')).error.code).toBe('ERR_NOT_FOUND');
    const signed = await post('/v1/audit/checkpoints');
    expect(signed.statusCode).toBe(200);
    const { size, note } = json(signed);
    expect((await rootOf(note)).size).toBe(size);
    const latest = json(await get('/v1/audit/checkpoints/latest'));
    expect(latest.size).toBeGreaterThanOrEqual(size);
    expect((await rootOf(latest.note)).size).toBe(latest.size);
  });

  it('proves inclusion against a signed checkpoint', async () => {
    const { receipts } = json(await post('/v1/audit/events', { eventType: 'proof.target', result: 'success' }));
    const index: number = receipts[0].index;
    // A GET never writes: the entry has no proof until a checkpoint covers it.
    const early = await get(`/v1/audit/proofs/inclusion/${index}`);
    expect(early.statusCode).toBe(404);
    expect(json(early).error.message).toMatch(/not covered by a signed checkpoint/);
    await post('/v1/audit/checkpoints');
    const res = await get(`/v1/audit/proofs/inclusion/${index}`);
    expect(res.statusCode).toBe(200);
    const proof = json(res);
    const checkpoint = await rootOf(proof.checkpoint);
    expect(checkpoint.size).toBe(proof.treeSize);
    const [entry] = json(await get('/v1/audit/events?eventType=proof.target')).entries;
    expect(proof.leafHash).toBe(entry.leafHash);
    const path = proof.proof.map(hex);
    expect(verifyInclusion(hex(proof.leafHash), index, proof.treeSize, path, checkpoint.root)).toBe(true);
    expect(verifyInclusion(hex(entry.leafHash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))), index, proof.treeSize, path, checkpoint.root)).toBe(false);

    expect(json(await get('/v1/audit/proofs/inclusion/999999')).error.code).toBe('ERR_NOT_FOUND');
    expect(json(await get('/v1/audit/proofs/inclusion/-1')).error.message).toMatch(/^invalid params: index: /);
  });

  it('proves consistency between two signed checkpoints', async () => {
    await post('/v1/audit/events', { events: Array(3).fill({ eventType: 'grow.log', result: 'success' }) });
    const first = json(await post('/v1/audit/checkpoints'));
    await post('/v1/audit/events', { events: Array(4).fill({ eventType: 'grow.log', result: 'success' }) });
    const second = json(await post('/v1/audit/checkpoints'));
    expect(second.size).toBeGreaterThan(first.size);
    const res = await get(`/v1/audit/proofs/consistency?from=${first.size}&to=${second.size}`);
    expect(res.statusCode).toBe(200);
    const proof = json(res);
    const [old, now] = [await rootOf(proof.checkpoint1), await rootOf(proof.checkpoint2)];
    expect([old.size, now.size]).toEqual([first.size, second.size]);
    expect(verifyConsistency(old.size, now.size, proof.proof.map(hex), old.root, now.root)).toBe(true);
    expect(verifyConsistency(old.size, now.size, proof.proof.map(hex), now.root, old.root)).toBe(false);

    expect(json(await get(`/v1/audit/proofs/consistency?from=${second.size}&to=${first.size}`)).error.code).toBe('ERR_INVALID_INPUT');
    expect(json(await get(`/v1/audit/proofs/consistency?from=${first.size}&to=${second.size + 1000}`)).error.code).toBe('ERR_NOT_FOUND');
    expect(json(await get('/v1/audit/proofs/consistency?from=1')).error.message).toMatch(/to: /);
    const missing = await get('/v1/audit/proofs/consistency');
    expect(missing.statusCode).toBe(400);
    expect(json(missing).error).toEqual({ code: 'ERR_INVALID_INPUT', message: 'invalid querystring: from: required; to: required' });
    expect(json(await get('/v1/audit/proofs/consistency?from=abc&to=0')).error.message).toBe('invalid querystring: from: expected a whole number; to: expected a whole number >= 1');
  });
});

describe('audit routes on a log that seals', () => {
  const f = new Fixtures();
  afterEach(() => f.close());

  it('tell an entry that stores the user id only as its pseudonym from one naming them in clear, though both show it opened', async () => {
    const { app, auth } = await f.serve({ audit: { encryption: true } });
    const events = [
      { eventType: 'user.sealed', userId: 'alice', result: 'success', sensitive: ['userId'] },
      { eventType: 'user.clear', userId: 'alice', result: 'success' },
      { eventType: 'user.nobody', result: 'success' },
    ];
    expect((await app.inject({ method: 'POST', url: '/v1/audit/events', headers: auth, payload: { events } })).statusCode).toBe(201);
    const read = json(await app.inject({ method: 'GET', url: '/v1/audit/events?eventType=user.sealed', headers: auth })).entries;
    expect(read).toEqual([expect.objectContaining({ userId: 'alice', userIdSealed: true, payload: 'opened' })]);
    const others = (type: string) => app.inject({ method: 'GET', url: `/v1/audit/events?eventType=${type}`, headers: auth }).then((r) => json(r).entries);
    expect(await others('user.clear')).toEqual([expect.objectContaining({ userId: 'alice', userIdSealed: false })]);
    expect(await others('user.nobody')).toEqual([expect.objectContaining({ userId: null, userIdSealed: false })]);
  });

  it('document userIdSealed in OpenAPI', async () => {
    const { app } = await f.serve();
    const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(JSON.stringify(doc.paths['/v1/audit/events'].get.responses['200'])).toContain('userIdSealed');
  });
});
