import { describe, expect, it } from 'vitest';
import { CountingSink, recordFailureAfter, recordInPages } from '../../src/core/audit-pages.js';
import type { AuditEventInput } from '../../src/core/audit-sink.js';
import { LangtrainError } from '../../src/core/errors.js';
import { RecordedEvents } from '../support/recorded-events.js';

/** Fails the `nth` event given to it, as a log that goes down midway does. */
class FailingOnNth extends RecordedEvents {
  given = 0;
  constructor(readonly nth: number) {
    super(false);
  }
  override async record(event: AuditEventInput) {
    if (++this.given === this.nth) throw new LangtrainError('ERR_STORE_UNAVAILABLE', 'down while writing jane@example.com');
    return super.record(event);
  }
}

const redactions = Array.from({ length: 2000 }, (_, record) => ({ record, start: 0, end: 16, type: 'email', recognizer: 'email.rfc5322', score: 1 }));
const paged = { eventType: 'pii.redacted', result: 'success', additionalData: { method: 'masking', redactions } };
const failure = { eventType: 'pii.redaction_failed', userId: 'user:1', additionalData: { method: 'masking' } };

describe('a failure after audit pages', () => {
  it('is recorded, uncounted, with result failure and the error\'s code, never its message, once any event was given', async () => {
    const inner = new FailingOnNth(2);
    const sink = new CountingSink(inner);
    const err = await recordInPages(sink, paged, 'redactions').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LangtrainError);
    expect(sink.recorded).toBe(2); // the page that failed may still be in a real log
    await recordFailureAfter(sink, failure, err);
    expect(sink.recorded).toBe(2);
    expect(inner.events.map((e) => e.additionalData!.page ?? e.eventType)).toEqual([1, 'pii.redaction_failed']);
    expect(inner.events[1]).toEqual({ ...failure, result: 'failure', additionalData: { method: 'masking', error: 'ERR_STORE_UNAVAILABLE' } });
    expect(JSON.stringify(inner.events)).not.toContain('jane@');
  });

  it('is ERR_INTERNAL for an error without a code; nothing when no event was given; passed over when the sink fails it too', async () => {
    const fine = new CountingSink(new RecordedEvents(false));
    await recordFailureAfter(fine, failure, new Error('x'));
    expect((fine.inner as RecordedEvents).events).toEqual([]);
    await fine.record({ eventType: 'pii.redacted', result: 'success' });
    await recordFailureAfter(fine, failure, new Error('x'));
    expect((fine.inner as RecordedEvents).of('pii.redaction_failed').map((e) => e.additionalData)).toEqual([{ method: 'masking', error: 'ERR_INTERNAL' }]);

    const down = new CountingSink(new FailingOnNth(2));
    await down.record({ eventType: 'pii.redacted', result: 'success' });
    await expect(recordFailureAfter(down, failure, new Error('x'))).resolves.toBeUndefined();
  });
});
