import type { AuditEventInput, AuditSink } from '../../src/core/audit-sink.js';

/** An AuditSink that keeps what it is given, so tests can check what a domain records (and never leaks). */
export class RecordedEvents implements AuditSink {
  readonly events: AuditEventInput[] = [];
  /** Like an encrypting log by default: accepts `sensitive` fields. */
  constructor(readonly sealsPayloads = true) {}
  async record(event: AuditEventInput) {
    this.events.push(event);
    return { index: this.events.length - 1, id: String(this.events.length) };
  }
  of(type: string): AuditEventInput[] {
    return this.events.filter((e) => e.eventType === type);
  }
}

/** A clock the test moves by hand, starting at `start` (ms since the epoch). */
export function manualClock(start: number) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms), at: () => now };
}
