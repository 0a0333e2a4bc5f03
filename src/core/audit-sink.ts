/**
 * How every domain records what it does. The audit domain implements it; the others
 * depend only on this interface, so no domain imports `audit/` (ARCHITECTURE.md).
 */

/** JSON values an audit payload may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * `basic` events are security-significant (authentication outcomes, key and policy
 * changes, denials, erasures, redactions: evidence of what was done to personal data);
 * `detailed` events are routine activity (each API read). A log at `auditLevel: "basic"`
 * keeps only the former.
 */
export type AuditEventLevel = 'basic' | 'detailed';

/** One event, as the seed's `log_event(event_type, user_id, timestamp, result, additional_data)` takes it. */
export interface AuditEventInput {
  /** Dotted lower-case name, e.g. `user_authentication`, `keys.rotated`. */
  eventType: string;
  /** The acting principal; omitted for system events. */
  userId?: string | null;
  /** When the event happened (ISO 8601 or Date); default: when it is logged. */
  timestamp?: string | Date;
  /** Outcome, e.g. `success`, `failure`, `denied`. */
  result: string;
  additionalData?: { [key: string]: JsonValue };
  /**
   * Entry fields to seal with the payload when the log encrypts: `userId` is then stored
   * only as a keyed pseudonym (still queryable by the real id) and revealed to key holders.
   */
  sensitive?: ReadonlyArray<'userId'>;
  /** Default `basic`. */
  level?: AuditEventLevel;
}

/** What a recorded event can be found by afterwards. */
export interface AuditReceipt {
  /** Position in the log (leaf index), or null when the log's level dropped the event. */
  index: number | null;
  id: string;
}

export interface AuditSink {
  record(event: AuditEventInput): Promise<AuditReceipt>;
  /**
   * Whether the log encrypts payloads, so `sensitive: ['userId']` is accepted (a log that
   * stores payloads in clear refuses it rather than pretend). Domains recording a data
   * subject's id ask for it to be sealed when this is true.
   */
  readonly sealsPayloads?: boolean;
  /**
   * Crypto-shreds what the log sealed under the subject's id (their data keys destroyed: the
   * payloads of their events unreadable by anyone, the entries and proofs intact); the number
   * of keys destroyed. Only a log that seals payloads has it.
   */
  shredSubject?(userId: string): Promise<number>;
  /**
   * Fails as an append would, without appending: for a step that cannot be undone and must be
   * recorded (an erasure), so that a log refusing this process (a key that does not open it,
   * or no encryption on a log that seals) fails it before anything is deleted.
   */
  checkWritable?(): Promise<void>;
}

/**
 * The event names the platform writes itself: a namespace (`auth.login`, `keys.rotated`) or a
 * whole name. Events sent over the HTTP API may not use them, so that an `auth.login` entry is
 * always the server's own account of a sign-in (a test keeps this list to what src/ writes).
 */
export const PLATFORM_EVENT_NAMESPACES = ['access', 'api', 'auth', 'consent', 'keys', 'lineage', 'pii', 'privacy', 'secrets', 'threat'] as const;
export const PLATFORM_EVENT_TYPES = ['model.trained', 'audit.shredded', 'audit.checkpoint_refused'] as const;

export function isPlatformEventType(eventType: string): boolean {
  const dot = eventType.indexOf('.');
  const namespace = dot < 0 ? '' : eventType.slice(0, dot);
  return (PLATFORM_EVENT_NAMESPACES as readonly string[]).includes(namespace) || (PLATFORM_EVENT_TYPES as readonly string[]).includes(eventType);
}
