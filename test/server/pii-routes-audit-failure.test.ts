import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLogger } from '../../src/audit/audit-logger.js';
import { LangtrainError } from '../../src/core/errors.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { storeUrls } from '../support/services.js';
import { Fixtures, json, type LogCapture } from './support.js';

/** Its message must reach the server's log, never the audit log. */
const AUDIT_DOWN = 'the audit store went away under jane.0@example.com';

/**
 * Makes the server's own audit log fail the `nth` event of each type in `failing`, as a log that
 * goes down midway does; every other event is written to the real log.
 */
function failNth(audit: AuditLogger, nth: number, ...failing: string[]): void {
  const record = audit.record.bind(audit);
  const seen = new Map<string, number>();
  audit.record = async (event) => {
    const count = (seen.get(event.eventType) ?? 0) + 1;
    seen.set(event.eventType, count);
    if (failing.includes(event.eventType) && count === nth) throw new LangtrainError('ERR_STORE_UNAVAILABLE', AUDIT_DOWN);
    return record(event);
  };
}

// A request's redactions are audited in pages before its reply is sent: pages left standing, each
// saying `success`, for a request that failed must be followed by a record of the failure.
describe.each(storeUrls('server-pii-audit-failure'))('/v1/pii when the audit log fails midway, on $dialect', ({ make }) => {
  const f = new Fixtures();
  let app: FastifyInstance;
  let security: SecurityManager;
  let auth: { authorization: string };
  let logs: LogCapture;

  beforeEach(async () => {
    const store = make();
    f.defer(store.cleanup); // runs last, after the manager has closed
    ({ app, security, auth, logs } = await f.serve({}, store.url));
  });
  afterEach(() => f.close());

  /** The reply is the original error's (a 500 that says nothing of the log), logged with its message. */
  const expectOriginalError = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode, res.body.slice(0, 300)).toBe(500);
    expect(json(res).error.code).toBe('ERR_INTERNAL');
    expect(logs.text).toContain(AUDIT_DOWN);
  };
  const events = async (eventType: string) => security.audit.query({ eventType });
  // 800 texts, each holding an email: more redactions than one event takes
  const texts = Array.from({ length: 800 }, (_, i) => `mail jane.${i}@example.com about the order`);

  it('/redact records pii.redaction_failed, result failure, with the counts and error code, after the page that failed', async () => {
    failNth(security.audit, 2, 'pii.redacted');
    const res = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: texts, method: 'synthetic', dataset: 'tickets-2026' } });
    expectOriginalError(res);
    const [page, ...others] = await events('pii.redacted');
    expect(others).toEqual([]);
    expect(page!.additionalData).toMatchObject({ method: 'synthetic', dataset: 'tickets-2026', page: 1 });
    expect(page!.additionalData!.pages).toBeGreaterThanOrEqual(2);
    expect(await events('pii.redaction_failed')).toEqual([
      expect.objectContaining({
        eventType: 'pii.redaction_failed',
        result: 'failure',
        userId: page!.userId,
        additionalData: { method: 'synthetic', dataset: 'tickets-2026', error: 'ERR_STORE_UNAVAILABLE', redactionEvents: 2 },
      }),
    ]);
    const audited = JSON.stringify(await security.audit.query({}));
    expect(audited).not.toContain('@example.com');
    expect(audited).not.toContain('went away');
  });

  it('/redact answers with its own error when the failure cannot be recorded either', async () => {
    failNth(security.audit, 2, 'pii.redacted');
    failNth(security.audit, 1, 'pii.redaction_failed');
    expectOriginalError(await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: texts } }));
    expect(await events('pii.redacted')).toHaveLength(1);
    expect(await events('pii.redaction_failed')).toEqual([]);
  });

  it('/redact records no failure for a request that succeeded', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/pii/redact', headers: auth, payload: { text: texts } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect((await events('pii.redacted')).length).toBeGreaterThan(1);
    expect(await events('pii.redaction_failed')).toEqual([]);
  });

  // 300 records under 2,000-character keys: one batch, its audited paths (cut to 512) paged
  const records = Array.from({ length: 300 }, (_, i) => ({ [`k${'k'.repeat(1999)}`]: `mail jane.${i}@example.com` }));

  it('/redact-records records pii.dataset_redaction_failed after a page of its batch failed', async () => {
    failNth(security.audit, 2, 'pii.redacted');
    expectOriginalError(await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records } }));
    const [page, ...others] = await events('pii.redacted');
    expect(others).toEqual([]);
    expect(page!.additionalData).toMatchObject({ dataset: 'api-request', method: 'masking', page: 1 });
    expect(await events('pii.dataset_redacted')).toEqual([]);
    expect(await events('pii.dataset_redaction_failed')).toEqual([
      expect.objectContaining({
        result: 'failure',
        userId: page!.userId,
        additionalData: { dataset: 'api-request', method: 'masking', error: 'ERR_STORE_UNAVAILABLE', redactionEvents: 2 },
      }),
    ]);
    expect(JSON.stringify(await security.audit.query({}))).not.toMatch(/@example\.com|went away/);
  });

  it('/redact-records records it when its summary cannot be recorded, counting the pii.redacted events it leaves', async () => {
    failNth(security.audit, 1, 'pii.dataset_redacted');
    expectOriginalError(await app.inject({ method: 'POST', url: '/v1/pii/redact-records', headers: auth, payload: { records } }));
    const pages = await events('pii.redacted');
    expect(pages.length).toBeGreaterThan(1);
    expect((await events('pii.dataset_redaction_failed')).map((e) => [e.result, e.additionalData])).toEqual([
      ['failure', { dataset: 'api-request', method: 'masking', error: 'ERR_STORE_UNAVAILABLE', redactionEvents: pages.length }],
    ]);
  });
});
