import type { JsonValue } from './audit-sink.js';

/**
 * How a domain reads the audit log as a stream of events, in log order: the threat domain
 * watches it (ARCHITECTURE.md: `threat/` subscribes to the audit stream). The audit domain
 * implements it (`AuditLogger.query` has this shape), so no domain imports `audit/`.
 */
export interface AuditStream {
  /** Entries after leaf index `afterIndex` (-1: from the first), in log order, at most `limit`; with `from`, only those whose event time is at or after it (ISO 8601). */
  query(page: { afterIndex: number; limit: number; from?: string }): Promise<AuditStreamEntry[]>;
  /** Entries in the log: the next one's index. */
  size(): Promise<number>;
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
  /**
   * Whether the payload (additionalData, and a sensitive user id) was stored sealed, for
   * crypto-shredding on erasure; `clear` if not. A reader that copies entries elsewhere (a
   * SIEM) leaves what was sealed out, or erasure would not reach the copy.
   */
  readonly payload?: 'clear' | 'opened' | 'shredded' | 'locked' | 'tampered' | 'pruned';
  /** The user id is stored only as a keyed pseudonym (`userId` is then the opened id, or the pseudonym). */
  readonly userIdSealed?: boolean;
}

/**
 * Evidence from the audit log: a bundle of entries with inclusion proofs against a signed
 * checkpoint, which anyone holding the log's verifier key can check offline (`langtrain audit
 * verify --bundle`). The audit domain implements it (`AuditLogger`); incident response uses it to
 * preserve what an incident's entries said.
 */
export interface AuditEvidence {
  /** Signs a checkpoint over everything appended so far; its tree size. */
  checkpoint(): Promise<number>;
  /** Writes the bundle of entries with event times in [from, to) as lines; how many entries it holds. */
  exportBundle(options: { filter: { from: string; to: string }; write: (line: string) => void | Promise<void> }): Promise<number>;
}
