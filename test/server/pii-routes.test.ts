import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const EMAIL = 'li.wei@post-example.cn';
const TEXT = `Customer ${EMAIL} paid with 4111 1111 1111 1111 from 192.0.2.17`;

describe('/v1/pii', () => {
  it('detects in one text or a list, honouring types and threshold', async () => {
    const { app, auth } = await f.serve();
    const one = await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload: { text: TEXT } });
    expect(one.statusCode, one.body).toBe(200);
    const spans = json(one).results[0].spans as Array<{ start: number; end: number; type: string }>;
    expect(spans.map((s) => [s.type, TEXT.slice(s.start, s.end)])).toEqual([
      ['email', EMAIL],
      ['credit_card', '4111 1111 1111 1111'],
      ['ip_address', '192.0.2.17'],
    ]);
    const some = await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload: { text: [TEXT, 'nothing here'], types: ['ip_address'] } });
    expect(json(some).results.map((r: { spans: Array<{ type: string }> }) => r.spans.map((s) => s.type))).toEqual([['ip_address'], []]);
    const bad = await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload: { text: TEXT, types: ['zip'] } });
    expect(bad.statusCode).toBe(400);
  });

  it('explains one text: every candidate with its scores, context words and outcome; the reported ones are what /detect finds', async () => {
    const { app, auth, security } = await f.serve();
    const text = `Invoice 4111 1111 1111 1111, reference 4012 8888 8888 1881; ${TEXT}; ask Ada Lovelace`;
    const payload = { text, allowList: [EMAIL], threshold: 0.6 };
    const explained = await app.inject({ method: 'POST', url: '/v1/pii/explain', headers: auth, payload });
    expect(explained.statusCode, explained.body).toBe(200);
    expect(explained.headers['cache-control']).toBe('no-store');
    const { threshold, candidates } = json(explained) as { threshold: number; candidates: Array<{ start: number; end: number; type: string; score: number; recognizer: string; outcome: string; negativeContextWord: string | null }> };
    expect(threshold).toBe(0.6);
    const detected = json(await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload })).results[0].spans;
    expect(candidates.filter((c) => c.outcome === 'reported').map(({ start, end, type, score, recognizer }) => ({ start, end, type, score, recognizer }))).toEqual(detected);
    expect(candidates.find((c) => text.slice(c.start, c.end) === EMAIL)).toMatchObject({ type: 'email', outcome: 'allow_listed' });
    const invoiced = candidates.find((c) => text.slice(c.start, c.end) === '4111 1111 1111 1111');
    expect(invoiced).toMatchObject({ type: 'credit_card', negativeContextWord: 'invoice' });
    // explaining records nothing: it neither redacts nor stores the text
    expect(await security.audit.query({ eventType: 'pii.redacted' })).toEqual([]);
    const long = await app.inject({ method: 'POST', url: '/v1/pii/explain', headers: auth, payload: { text: 'a'.repeat(16 * 1024 + 1) } });
    expect(long.statusCode).toBe(400);
    expect(json(long).error.message).toMatch(/at most 16384 characters: explain is for one text/);
    const list = await app.inject({ method: 'POST', url: '/v1/pii/explain', headers: auth, payload: { text: [TEXT] } });
    expect(list.statusCode).toBe(400);
  });

  it("takes a request's allow list (exact) and deny lists, never audits their values, and refuses a regex allow list", async () => {
    const { app, auth, security } = await f.serve();
    const text = `Ask Zorblax Quintavius (${EMAIL}) or support@example.com`;
    const payload = { text, allowList: ['support@example.com'], denyList: { person_name: ['zorblax quintavius'] } };
    const detected = json(await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload })).results[0].spans as Array<{ start: number; end: number; recognizer: string }>;
    expect(detected.map((s) => [text.slice(s.start, s.end), s.recognizer])).toEqual([
      ['Zorblax Quintavius', 'person_name.deny_list'],
      [EMAIL, 'email.rfc5322'],
    ]);
    const redacted = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload });
    expect(json(redacted).results[0].text).toBe('Ask <PERSON_NAME> (<EMAIL>) or support@example.com');
    expect(JSON.stringify(await security.audit.query({}))).not.toMatch(/zorblax/i);
    const regex = await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload: { text, allowList: ['.*'], allowListMatch: 'regex' } });
    expect(regex.statusCode).toBe(400);
    expect(json(regex).error.message).toMatch(/allowListMatch/);
    const contradicting = await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: auth, payload: { text, types: ['email'], denyList: { person_name: ['x'] } } });
    expect(contradicting.statusCode).toBe(400);
    expect(json(contradicting).error.message).toMatch(/denyList\.person_name: person_name is not among the types looked for \(email\)/);
  });

  it('redacts and audits each redaction without its value; preserveFormat only with masking', async () => {
    const { app, auth, security } = await f.serve();
    const masked = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, preserveFormat: true } });
    expect(masked.statusCode, masked.body).toBe(200);
    const out = json(masked).results[0].text as string;
    expect(out).toContain('**** **** **** 1111');
    expect(out).not.toContain(EMAIL);
    expect(out.length).toBe(TEXT.length);
    const hashed = json(await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: [TEXT, TEXT], method: 'hash', types: ['email'] } })).results;
    expect(hashed[0].text).toBe(hashed[1].text);
    expect(hashed[0].text).toMatch(/^Customer <EMAIL:[0-9a-f]{16}> paid/);
    const refused = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, method: 'removal', preserveFormat: true } });
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error.message).toBe('preserveFormat true has no effect with the method removal, which cannot keep the format; leave it out (it applies to masking)');
    // the library's rule: synthetic fakes keep the format, so true is what they do and false is refused
    const fakes = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, method: 'synthetic', preserveFormat: true } });
    expect(fakes.statusCode, fakes.body).toBe(200);
    const noFormat = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, method: 'synthetic', preserveFormat: false } });
    expect(json(noFormat).error.message).toContain('preserveFormat false has no effect with the method synthetic, which always keeps the format');

    const events = await security.audit.query({ eventType: 'pii.redacted' });
    expect(events.map((e) => e.additionalData?.method)).toEqual(['masking', 'hash', 'synthetic']);
    expect(events[0]!.additionalData).toMatchObject({ method: 'masking', redactions: [{ record: 0, type: 'email', start: 9, end: 9 + EMAIL.length }, { type: 'credit_card' }, { type: 'ip_address' }] });
    expect(JSON.stringify(events)).not.toContain(EMAIL);
  });

  it('redact-records: JSON records redacted in values and keys, at field paths or everywhere, audited as a data set', async () => {
    const { app, auth, security } = await f.serve();
    const records = [
      { id: 1, text: TEXT, byPhone: { '+44 20 7946 0958': 'called' }, card: 4111111111111111 },
      { id: 2, text: 'nothing here' },
    ];
    const everywhere = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records, dataset: 'crm-export' } });
    expect(everywhere.statusCode, everywhere.body).toBe(200);
    expect(json(everywhere)).toMatchObject({
      records: [{ id: 1, text: 'Customer <EMAIL> paid with <CREDIT_CARD> from <IP_ADDRESS>', byPhone: { '<PHONE>': 'called' }, card: '<CREDIT_CARD>' }, { id: 2, text: 'nothing here' }],
      redactedRecords: 1,
      counts: { email: 1, credit_card: 2, ip_address: 1, phone: 1 },
    });
    const chosen = json(await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records, fields: ['card'] } }));
    expect(chosen.records[0]).toMatchObject({ text: TEXT, card: '<CREDIT_CARD>' });

    const audited = await security.audit.query({ eventType: 'pii.redacted' });
    expect(audited[0]!.additionalData).toMatchObject({ dataset: 'crm-export', method: 'masking', redactions: expect.arrayContaining([expect.objectContaining({ line: 1, field: 'byPhone.<phone>', type: 'phone', inKey: true })]) });
    const summaries = await security.audit.query({ eventType: 'pii.dataset_redacted' });
    expect(summaries.map((e) => (e.additionalData as { dataset: string }).dataset)).toEqual(['crm-export', 'api-request']);
    expect(JSON.stringify(await security.audit.query({}))).not.toMatch(/li\.wei|7946 0958/); // digits alone can stand in hashes

    const notObject = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records: ['text'] } });
    expect(notObject.statusCode).toBe(400);
    const missing = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records, fields: ['txt'] } });
    expect(missing.statusCode).toBe(400);
    expect(json(missing).error.message).toContain('no record has a value at the field path "txt"');
    const wrongMethod = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records, method: 'removal', preserveFormat: true } });
    expect(wrongMethod.statusCode).toBe(400);
    // a record nested 200,000 deep (400 KB of JSON) is a bad record, not a server error
    const deep = `{"records":[{"a":${'['.repeat(200_000)}1${']'.repeat(200_000)}}]}`;
    const tooDeep = await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: { ...auth, 'content-type': 'application/json' }, payload: deep });
    expect(tooDeep.statusCode, tooDeep.body.slice(0, 300)).toBe(400);
    expect(json(tooDeep).error.message).toBe('invalid body: records.0: nested more than 1000 levels deep (objects and lists); flatten it');
  });

  it('synthetic fakes are the same across requests naming one dataset, and differ between data sets', async () => {
    const { app, auth, security } = await f.serve();
    const fake = async (payload: object) => {
      const res = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, method: 'synthetic', types: ['email'], ...payload } });
      expect(res.statusCode, res.body).toBe(200);
      return json(res).results[0].text as string;
    };
    const first = await fake({ dataset: 'tickets-2026' });
    expect(first).not.toContain(EMAIL);
    expect(await fake({ dataset: 'tickets-2026' })).toBe(first);
    expect(await fake({ dataset: 'chats-2026' })).not.toBe(first);
    const named = await security.audit.query({ eventType: 'pii.redacted' });
    expect(named.map((e) => (e.additionalData as { dataset?: string }).dataset)).toEqual(['tickets-2026', 'tickets-2026', 'chats-2026']);
    const refused = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: TEXT, method: 'masking', dataset: 'tickets-2026' } });
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error.message).toContain('dataset applies to method synthetic');
  });

  it('needs pii.detect / pii.redact', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload: { username: 'dana', password: 'a long enough passphrase for tests', roles: [] } });
    await app.inject({ method: 'PUT', url: '/v1/access/roles/pii_scanner', headers: auth, payload: { permissions: ['pii.detect'] } });
    await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: 'dana', role: 'pii_scanner' } });
    const login = json(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'dana', password: 'a long enough passphrase for tests', mode: 'token' } }));
    const dana = { authorization: `Bearer ${login.token}` };
    expect((await app.inject({ method: 'POST', url: '/v1/pii/detect', headers: dana, payload: { text: TEXT } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/pii/explain', headers: dana, payload: { text: TEXT } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: dana, payload: { text: TEXT } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/pii/explain', payload: { text: TEXT } })).statusCode).toBe(401);
  });
});
