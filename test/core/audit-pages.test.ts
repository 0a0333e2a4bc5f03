import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/audit/entry.js';
import { jsonBytes, MAX_AUDIT_PAYLOAD_BYTES, pagesWithin, recordInPages } from '../../src/core/audit-pages.js';
import { RecordedEvents } from '../support/recorded-events.js';

describe('audit pages', () => {
  it('MAX_AUDIT_PAYLOAD_BYTES is the audit log\'s own limit: a payload of exactly that is taken, one byte more refused', () => {
    const payload = (bytes: number) => ({ text: 'x'.repeat(bytes - jsonBytes({ text: '' })) });
    expect(jsonBytes(payload(MAX_AUDIT_PAYLOAD_BYTES))).toBe(MAX_AUDIT_PAYLOAD_BYTES);
    expect(() => validateEvent({ eventType: 'note', result: 'success', additionalData: payload(MAX_AUDIT_PAYLOAD_BYTES) }, new Date())).not.toThrow();
    expect(() => validateEvent({ eventType: 'note', result: 'success', additionalData: payload(MAX_AUDIT_PAYLOAD_BYTES + 1) }, new Date())).toThrow(/larger than 65536 bytes/);
  });

  it('pages a list in order, each page\'s JSON within the budget (the first within its own), measured in UTF-8', () => {
    const items = Array.from({ length: 100 }, (_, i) => `é${i}`.repeat(3)); // é is two bytes
    const pages = pagesWithin(items, 100, 30);
    expect(pages.flat()).toEqual(items);
    expect(jsonBytes(pages[0])).toBeLessThanOrEqual(30);
    for (const page of pages) expect(jsonBytes(page)).toBeLessThanOrEqual(100);
    // full pages: the next item would not have fitted
    for (let i = 1; i < pages.length - 1; i++) expect(jsonBytes([...pages[i]!, pages[i + 1]![0]])).toBeGreaterThan(100);
    expect(pagesWithin([], 100)).toEqual([[]]);
    expect(pagesWithin(['abc'], 100, 1)).toEqual([[], ['abc']]);
    expect(() => pagesWithin(['x'.repeat(200)], 100)).toThrow(RangeError);
  });

  it('records an event that fits as it is, and one that does not as numbered pages that each fit', async () => {
    const sink = new RecordedEvents(false);
    const small = { eventType: 'pii.redacted', result: 'success', additionalData: { method: 'masking', redactions: [{ record: 0 }] } };
    expect(await recordInPages(sink, small, 'redactions')).toHaveLength(1);
    expect(sink.events).toEqual([small]);

    sink.events.length = 0;
    const redactions = Array.from({ length: 2000 }, (_, record) => ({ record, start: 0, end: 16, type: 'email', recognizer: 'email.rfc5322', score: 1 }));
    const receipts = await recordInPages(sink, { ...small, additionalData: { method: 'masking', redactions } }, 'redactions');
    expect(receipts.length).toBe(sink.events.length);
    expect(sink.events.length).toBeGreaterThan(1);
    sink.events.forEach((event, i) => {
      expect(event.additionalData).toMatchObject({ method: 'masking', page: i + 1, pages: sink.events.length });
      expect(() => validateEvent(event, new Date())).not.toThrow();
    });
    expect(sink.events.flatMap((e) => e.additionalData!.redactions as unknown[])).toEqual(redactions);
  });
});
