import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AUDIT_PAYLOAD_BYTES } from '../../src/core/audit-pages.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

type Redacted = { additionalData?: { page?: number; pages?: number; redactions?: Array<{ record?: number; line?: number; field?: string }> } };

/** Every pii.redacted event fits the log's payload limit; their redactions, in order. */
function redactionsOf(events: readonly Redacted[]) {
  for (const event of events) expect(Buffer.byteLength(JSON.stringify(event.additionalData))).toBeLessThanOrEqual(MAX_AUDIT_PAYLOAD_BYTES);
  return events.flatMap((e) => e.additionalData?.redactions ?? []);
}

describe('/v1/pii at the audit log\'s limits', () => {
  it('/redact with 800 texts, each holding an email, is audited whole, in pages that fit the log', async () => {
    const { app, auth, security } = await f.serve();
    const text = Array.from({ length: 800 }, (_, i) => `mail jane.${i}@example.com about the order`);
    const res = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(json(res).results.every((r: { text: string }) => r.text.startsWith('mail <EMAIL> about'))).toBe(true);
    const events = (await security.audit.query({ eventType: 'pii.redacted' })) as Redacted[];
    expect(events.length).toBeGreaterThan(1);
    expect(events.map((e) => [e.additionalData?.page, e.additionalData?.pages])).toEqual(events.map((_, i) => [i + 1, events.length]));
    expect(redactionsOf(events).map((r) => r.record)).toEqual(text.map((_, i) => i));
    expect(JSON.stringify(events)).not.toContain('@example.com');
  });

  it('/redact-records with 300 records under 2,000-character keys is audited whole, each field path cut to 512 characters', async () => {
    const { app, auth, security } = await f.serve();
    const key = 'k'.repeat(2000);
    const records = Array.from({ length: 300 }, () => ({ [key]: 'mail jane@example.com' }));
    const res = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(json(res)).toMatchObject({ redactedRecords: 300, counts: { email: 300 } });
    const redactions = redactionsOf((await security.audit.query({ eventType: 'pii.redacted' })) as Redacted[]);
    expect(redactions.map((r) => r.line)).toEqual(records.map((_, i) => i + 1));
    expect(new Set(redactions.map((r) => r.field))).toEqual(new Set([`${'k'.repeat(512)}…`]));
    expect(await security.audit.query({ eventType: 'pii.dataset_redacted' })).toHaveLength(1);
  });

  it('/redact-records audits a key holding a lone UTF-16 surrogate (valid JSON, refused by the log\'s stores) with U+FFFD in its place', async () => {
    const { app, auth, security } = await f.serve();
    const res = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"records":[{"\\ud800x":"mail jane@example.com","\\ud83d\\ude00":"jane@example.com"}]}' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(json(res).records[0]['\ud800x']).toBe('mail <EMAIL>');
    const redactions = redactionsOf((await security.audit.query({ eventType: 'pii.redacted' })) as Redacted[]);
    expect(redactions.map((r) => r.field)).toEqual(['\ufffdx', '\ud83d\ude00']);
  });

  it('/redact-records refuses a record nested deeper than the reply can be written (3,000 levels) with a 400 naming it, and takes 1,000', async () => {
    const { app, auth } = await f.serve();
    const nested = (levels: number) => `{"records":[{"text":"mail jane@example.com"},{"a":${'['.repeat(levels)}"jane@example.com"${']'.repeat(levels)}}]}`;
    const headers = { ...auth, 'content-type': 'application/json' };
    const deep = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers, payload: nested(3000) });
    expect(deep.statusCode, deep.body.slice(0, 300)).toBe(400);
    expect(json(deep).error.message).toBe('invalid body: records.1: nested more than 1000 levels deep (objects and lists); flatten it');
    // the record is level 1, its lists 999 more
    const deepest = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers, payload: nested(999) });
    expect(deepest.statusCode, deepest.body.slice(0, 300)).toBe(200);
    expect(JSON.stringify(json(deepest).records[1])).toContain('"<EMAIL>"');
  });

  it('refuses a dataset that is not a label, or holds personal data, with a 400 naming dataset, and audits none of it', async () => {
    const { app, auth, security } = await f.serve();
    const refused = [
      ['export-for-alice@example.com 4111 1111 1111 1111', 'must be a label of letters, digits and . _ : / -'],
      ['export for alice', 'must be a label of letters, digits and . _ : / -'],
      ['export-4111111111111111', 'looks like it holds personal data (a run of seven or more digits that is no date'],
      ['crm-4155550123', 'looks like it holds personal data (a run of seven or more digits that is no date'],
      ['export-20260230', 'looks like it holds personal data (a run of seven or more digits that is no date'], // no such day
      ['crm-415-555-0123', 'looks like it holds personal data (phone, a run of seven or more digits'],
      ['4111-1111-1111-1111', 'looks like it holds personal data (credit_card, a run of seven or more digits'],
      ['born-1990-05-12', 'looks like it holds personal data (date_of_birth, a run of seven or more digits'],
      ['export_Jane_Doe', 'looks like it holds personal data (person_name)'],
    ];
    for (const [dataset, message] of refused) {
      for (const [url, body] of [['/v1/pii/redact', { text: 'mail jane@example.com', method: 'synthetic' }], ['/v1/pii/redact-records', { records: [{ text: 'mail jane@example.com' }] }]] as const) {
        const res = await app.inject({ method: 'POST', url, headers: auth, payload: { ...body, dataset } });
        expect(res.statusCode, `${url} ${dataset}`).toBe(400);
        expect(json(res).error.message).toMatch(/^invalid body: dataset: /);
        expect(json(res).error.message).toContain(message);
        expect(json(res).error.message).not.toContain(';'); // one problem said, not the label's and the scan's
      }
    }
    const audited = JSON.stringify(await security.audit.query({}));
    for (const part of ['alice', '4111', '1990-05-12', '4155550123', '555-0123', 'Jane']) expect(audited).not.toContain(part);
    expect(await security.audit.query({ eventType: 'pii.redacted' })).toEqual([]);
    // lineage's artifact names are labels too, and a date or timestamp as digits is no phone number
    for (const dataset of ['dataset:customers-v2', 'tickets-2026-01-15', 'exports/crm_2026.q1', 'export_20260115', 'export-20260115123000']) {
      const res = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records: [{ text: 'mail jane@example.com' }], dataset } });
      expect(res.statusCode, `${dataset}: ${res.body}`).toBe(200);
    }
  });

  it('answers every pii route with cache-control: no-store, its errors too', async () => {
    const { app, auth } = await f.serve();
    const text = 'mail jane@example.com';
    for (const [url, payload] of [
      ['/v1/pii/detect', { text }],
      ['/v1/pii/redact', { text }],
      ['/v1/pii/redact-records', { records: [{ text }] }],
      ['/v1/pii/redact', { text, method: 'removal', preserveFormat: true }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, headers: auth, payload });
      expect(res.headers['cache-control'], `${url} ${res.statusCode}`).toBe('no-store');
    }
  });
});
