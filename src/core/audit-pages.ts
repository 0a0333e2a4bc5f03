import type { AuditEventInput, AuditReceipt, AuditSink, JsonValue } from './audit-sink.js';
import { isLangtrainError } from './errors.js';

/**
 * The most bytes of JSON (UTF-8) an event's `additionalData` may take: the audit log refuses a
 * larger one (src/audit/entry.ts, whose limit this mirrors; domains do not import audit/). A
 * domain recording a list whose length it does not choose (a request's redactions, the
 * artifacts an erasure affected) pages it to fit, rather than let the log refuse the record and
 * the caller be told its request was invalid.
 */
export const MAX_AUDIT_PAYLOAD_BYTES = 64 * 1024;

/** Bytes of `value` as JSON in UTF-8, as the audit log measures a payload. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * `items` in order, cut into pages whose JSON array takes at most `budget` bytes (the first page
 * at most `firstBudget`, which may leave it empty). There is always at least one page. An item
 * that alone takes more than `budget` is a RangeError: bounding each item is the caller's part.
 */
export function pagesWithin<T>(items: readonly T[], budget: number, firstBudget = budget): T[][] {
  const pages: T[][] = [[]];
  let used = 2; // the array's brackets
  let limit = firstBudget;
  items.forEach((item, i) => {
    const size = jsonBytes(item);
    if (2 + size > budget) throw new RangeError(`item ${i} takes ${size} bytes of JSON, more than a page's ${budget}`);
    const page = pages.at(-1)!;
    const added = page.length === 0 ? size : size + 1; // the comma
    if (used + added <= limit) {
      page.push(item);
      used += added;
    } else {
      pages.push([item]);
      used = 2 + size;
      limit = budget;
    }
  });
  return pages;
}

/**
 * Records `event` as one event when its payload fits the log, or else as several, each holding
 * a page of the list at `additionalData[list]`, the rest of the payload repeated, and `page` and
 * `pages` (1-based) so a reader can tell the set is whole. In order: a failure stops the pages
 * after it (the error is the sink's).
 */
export async function recordInPages(sink: AuditSink, event: AuditEventInput & { additionalData: { [key: string]: JsonValue } }, list: string): Promise<AuditReceipt[]> {
  if (jsonBytes(event.additionalData) <= MAX_AUDIT_PAYLOAD_BYTES) return [await sink.record(event)];
  const items = event.additionalData[list];
  if (!Array.isArray(items)) throw new TypeError(`additionalData.${list} is not a list to page`);
  // `page` and `pages` measured at their widest (no more pages than items)
  const rest = { ...event.additionalData, [list]: [], page: items.length, pages: items.length };
  const pages = pagesWithin(items, MAX_AUDIT_PAYLOAD_BYTES - (jsonBytes(rest) - 2));
  const receipts: AuditReceipt[] = [];
  for (const [i, page] of pages.entries()) {
    receipts.push(await sink.record({ ...event, additionalData: { ...event.additionalData, [list]: page, page: i + 1, pages: pages.length } }));
  }
  return receipts;
}

/**
 * A sink that counts the events given to it. A domain that records an operation's events before
 * the operation is done (a request's redactions page by page, a data set's batch by batch)
 * leaves them standing, each saying `success`, when a later page or step fails and the caller
 * never gets the result; the count tells it to record that failure too (recordFailureAfter).
 * Events given, whether or not the sink managed to write them: one it failed on may still be in
 * the log (written, its acknowledgement lost).
 */
export class CountingSink implements AuditSink {
  #recorded = 0;

  constructor(readonly inner: AuditSink) {}

  get recorded(): number {
    return this.#recorded;
  }

  record(event: AuditEventInput): Promise<AuditReceipt> {
    this.#recorded++;
    return this.inner.record(event);
  }
}

/**
 * Records `failure`, with result `failure` and `err`'s code as `additionalData.error`, when the
 * operation whose events went through `sink` failed with `err` after any was given to it. Never
 * `err`'s message, which may quote what it failed on (a column, a value). Written to the inner
 * sink, so it is not counted itself. Best effort: the operation's own error is what its caller
 * must see, so a sink that fails here too (most likely the one that failed the operation) is
 * passed over.
 */
export async function recordFailureAfter(sink: CountingSink, failure: Omit<AuditEventInput, 'result'> & { additionalData: { [key: string]: JsonValue } }, err: unknown): Promise<void> {
  if (sink.recorded === 0) return;
  try {
    await sink.inner.record({ ...failure, result: 'failure', additionalData: { ...failure.additionalData, error: isLangtrainError(err) ? err.code : 'ERR_INTERNAL' } });
  } catch {
    // best effort, as above
  }
}
