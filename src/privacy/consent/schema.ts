import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';
import { createSequenceCounter } from '../../store/sequence.js';

/**
 * The `consent` domain's table: an append-only log of consent events. A grant and a
 * withdrawal are both new rows, so the history a regulator asks for (GDPR Art. 7(1): the
 * controller must be able to show consent was given) is the table itself. Only erasure changes
 * it: it deletes the subject's events, and replaces their id by `erased` where they are the
 * `actor` of another's (ConsentManager.eraseActor; no trigger guards the rows, and the audit
 * log keeps its own record of each event). `seq` is assigned under the store's write lock from
 * the counter row in `privacy_consent_seq` (migration 0002), so history order does not
 * depend on clock resolution and a number is never given twice: erasure deletes a
 * subject's events but not the counter, so after the newest events are erased the next one
 * still gets a new number (max(seq) + 1 would hand out an erased event's number again,
 * and the audit log, which keeps `seq`, would show two different events under it). Lists
 * are JSON arrays of lower_snake_case names; in a withdrawal a NULL list means "all".
 * Times are `toISOString()` strings.
 */
export const CONSENT_TABLE = 'privacy_consent_events';
/** The last `seq` given, in the row named `CONSENT_SEQ_NAME` (one table, so a later counter can sit beside it). */
export const CONSENT_SEQ_TABLE = 'privacy_consent_seq';
export const CONSENT_SEQ_NAME = 'events';
/** Each actor's key for the pseudonym their consent events' audit entries carry (actor-reference.ts); a row is deleted when its actor is erased. */
export const CONSENT_ACTOR_KEYS_TABLE = 'privacy_consent_actor_keys';

export const consentMigrations: Migration[] = [
  {
    id: '0001_privacy_consent_events',
    async up(tx, dialect) {
      const { bigint } = columnTypes(dialect);
      await sql`CREATE TABLE privacy_consent_events (
        seq ${bigint} PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('granted', 'withdrawn')),
        data_types TEXT,
        purposes TEXT,
        consent_date TEXT,
        expiry_date TEXT,
        recorded_at TEXT NOT NULL,
        actor TEXT
      )`.execute(tx);
      await sql`CREATE INDEX privacy_consent_events_user ON privacy_consent_events (user_id, seq)`.execute(tx);
    },
  },
  {
    // The last `seq` given, kept apart from the events so erasure cannot lower it. Seeded
    // from the events still there: numbers an earlier erasure freed and reused cannot be
    // told apart any more, but none given from now on repeats one.
    id: '0002_privacy_consent_seq_counter',
    up: (tx, dialect) => createSequenceCounter(tx, dialect, CONSENT_TABLE, CONSENT_SEQ_TABLE, CONSENT_SEQ_NAME),
  },
  {
    // Erasure replaces a subject where they recorded others' events (ConsentManager.eraseActor)
    // and the Art. 15 export lists those events, both by `actor`: without an index each scans
    // the whole table, the first under the write lock. Events without an actor are left out.
    id: '0003_privacy_consent_actor_index',
    async up(tx) {
      await sql`CREATE INDEX privacy_consent_events_actor ON privacy_consent_events (actor, seq) WHERE actor IS NOT NULL`.execute(tx);
    },
  },
  {
    // The audit entry of a consent event names its actor by a pseudonym keyed per actor, not by
    // their id (actor-reference.ts): erasing the actor deletes the key, and the pseudonym in
    // entries the log can never change then links to no one.
    id: '0004_privacy_consent_actor_keys',
    async up(tx, dialect) {
      const { blob } = columnTypes(dialect);
      await sql`CREATE TABLE privacy_consent_actor_keys (
        actor TEXT PRIMARY KEY,
        ref_key ${blob} NOT NULL
      )`.execute(tx);
    },
  },
];

/** A consent given for every pair of `dataTypes` × `purposes`, valid from `consentDate` until `expiryDate` (exclusive). */
export interface ConsentGrant {
  kind: 'granted';
  seq: number;
  userId: string;
  dataTypes: string[];
  purposes: string[];
  consentDate: string;
  /** Null: until withdrawn. */
  expiryDate: string | null;
  recordedAt: string;
  actor: string | null;
}

/**
 * Ends the pairs it covers of every grant recorded before it, and of every grant recorded
 * after it but dated (consentDate) before its `recordedAt`; a grant recorded later and dated
 * at or after it gives them again (validConsents in consent-manager.ts).
 */
export interface ConsentWithdrawal {
  kind: 'withdrawn';
  seq: number;
  userId: string;
  dataTypes: string[] | 'all';
  purposes: string[] | 'all';
  recordedAt: string;
  actor: string | null;
}

export type ConsentEvent = ConsentGrant | ConsentWithdrawal;

export function toConsentRow(event: ConsentEvent): Record<string, unknown> {
  const list = (names: string[] | 'all') => (names === 'all' ? null : JSON.stringify(names));
  return {
    seq: event.seq,
    user_id: event.userId,
    kind: event.kind,
    data_types: list(event.dataTypes),
    purposes: list(event.purposes),
    consent_date: event.kind === 'granted' ? event.consentDate : null,
    expiry_date: event.kind === 'granted' ? event.expiryDate : null,
    recorded_at: event.recordedAt,
    actor: event.actor,
  };
}

export function toConsentEvent(row: Record<string, unknown>): ConsentEvent {
  const list = (value: unknown): string[] | 'all' => (value == null ? 'all' : (JSON.parse(String(value)) as string[]));
  const common = { seq: Number(row.seq), userId: String(row.user_id), recordedAt: String(row.recorded_at), actor: row.actor == null ? null : String(row.actor) };
  if (row.kind === 'granted') {
    return {
      kind: 'granted',
      ...common,
      dataTypes: list(row.data_types) as string[],
      purposes: list(row.purposes) as string[],
      consentDate: String(row.consent_date),
      expiryDate: row.expiry_date == null ? null : String(row.expiry_date),
    };
  }
  return { kind: 'withdrawn', ...common, dataTypes: list(row.data_types), purposes: list(row.purposes) };
}
