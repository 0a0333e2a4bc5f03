import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SUBJECT_ID } from '../../src/privacy/subject-id.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

// Bodies take subject ids of MAX_SUBJECT_ID UTF-16 units; the router used to refuse path parameters over 100 characters (414).
const LONGEST_IDS = {
  ascii: `${'a'.repeat(MAX_SUBJECT_ID - 12)}@example.org`,
  // Three bytes of UTF-8 per unit: the longest id once percent-encoded (9 characters a unit).
  'three-byte characters': '一'.repeat(MAX_SUBJECT_ID),
  // Surrogate pairs, and characters that stay encoded until the parameter is decoded (%2F, %25).
  'surrogate pairs, / and %': '😀/%'.repeat(MAX_SUBJECT_ID / 4),
};

describe('a subject id of the longest length', () => {
  it.each(Object.entries(LONGEST_IDS))('(%s) is recorded, read, exported and erased over HTTP', async (_kind, subject) => {
    expect(subject).toHaveLength(MAX_SUBJECT_ID);
    const { app, auth } = await f.serve();
    const path = `/v1/consent/${encodeURIComponent(subject)}`;
    const recorded = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: subject, dataTypes: ['email'], purposes: ['analytics'] } });
    expect(recorded.statusCode, recorded.body).toBe(201);
    const model = digest('model');
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${model}/subjects`, headers: auth, payload: { subjectIds: [subject] } });

    const history = await app.inject({ method: 'GET', url: path, headers: auth });
    expect(history.statusCode, history.body).toBe(200);
    expect(json(history)).toMatchObject({ userId: subject, events: [expect.objectContaining({ kind: 'granted', userId: subject })] });
    const valid = await app.inject({ method: 'GET', url: `${path}/valid?dataType=email&purpose=analytics`, headers: auth });
    expect(json(valid)).toEqual({ userId: subject, dataType: 'email', purpose: 'analytics', valid: true });
    const artifacts = await app.inject({ method: 'GET', url: `/v1/lineage/subjects/${encodeURIComponent(subject)}/artifacts`, headers: auth });
    expect(json(artifacts)).toMatchObject({ subjectId: subject, artifacts: [expect.objectContaining({ digest: model })] });
    const exported = await app.inject({ method: 'GET', url: `${path}/export`, headers: auth });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(json(exported)).toMatchObject({ subject, domains: { consent: { subjectId: subject, events: [expect.objectContaining({ userId: subject })] } } });

    const erased = await app.inject({ method: 'DELETE', url: path, headers: auth });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(json(erased)).toMatchObject({ subject, consentRecords: 1, affectedArtifacts: [expect.objectContaining({ digest: model })] });
    expect(json(await app.inject({ method: 'GET', url: path, headers: auth })).events).toEqual([]);
  });

  it('one unit longer is refused by the schema, 400 naming the parameter, not by the router', async () => {
    const { app, auth } = await f.serve();
    const res = await app.inject({ method: 'GET', url: `/v1/consent/${encodeURIComponent('一'.repeat(MAX_SUBJECT_ID + 1))}`, headers: auth });
    expect(res.statusCode, res.body).toBe(400);
    expect(json(res).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('userId') });
  });
});
