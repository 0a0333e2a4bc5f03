import type { JsonValue } from './audit-sink.js';

/**
 * How a domain reads the audit log as a stream of events, in log order: the threat domain
 * watches it (ARCHITECTURE.md: `threat/` subscribes to the audit stream). The audit domain
 * implements it (`AuditLogger.query` has this shape), so no domain imports `audit/`.
 */
export interface AuditStream {
  /** Entries after leaf index `afterIndex` (-1: from the first), in log order, at most `limit`; with `from`, only those whose event time is at or after it (ISO 8601). */
  query(page: { afterIndex: number; limit: number; from?: string }): Promise<AuditStreamEntry[]>;
}

/** What a reader of the stream sees of an entry. Fields are null once retention pruned it. */
export interface AuditStreamEntry {
  /** The entry's leaf index: its position in the log. */
  readonly index: number;
  /** Event time, ISO 8601. */
  readonly timestamp: string | null;
  readonly eventType: string | null;
  readonly userId: string | null;
  readonly result: string | null;
  readonly additionalData?: { readonly [key: string]: JsonValue };
}
