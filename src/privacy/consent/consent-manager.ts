import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { errorCodeOf, LangtrainError, invalidInput, isLangtrainError } from '../../core/errors.js';
import { parseIsoInstant } from '../../core/iso-date.js';
import { parseOptions } from '../../core/options.js';
import type { Store, WriteTx } from '../../store/database.js';
import { nextSequenceNumber } from '../../store/sequence.js';
import { CONSENT_SEQ_NAME, CONSENT_SEQ_TABLE, CONSENT_TABLE, toConsentEvent, toConsentRow, type ConsentEvent, type ConsentGrant, type ConsentWithdrawal } from './schema.js';
import { checkSubjectId, ERASED_ACTOR } from '../subject-id.js';
import { CONSENT_NAME_PATTERN, MAX_CONSENT_NAME, MAX_CONSENT_NAMES, recordConsentInput, withdrawConsentInput } from './inputs.js';
import { actorRefIn, forgetActorKey, forgetUnusedActorKey } from './actor-reference.js';

export type { ConsentEvent, ConsentGrant, ConsentWithdrawal } from './schema.js';

export interface ConsentManagerDeps {
  /** Migrated with `consentMigrations` (domain `consent`). */
  store: Store;
  audit: AuditSink;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
}

export interface RecordConsentInput {
  userId: string;
  /** lower_snake_case names, e.g. `email`, `chat_transcripts`. */
  dataTypes: string[];
  /** lower_snake_case names, e.g. `model_training`, `analytics`. */
  purposes: string[];
  /** ISO 8601 date or date-time with zone; default: now. */
  consentDate?: string | Date;
  /** ISO 8601; must be after `consentDate`. Omitted: until withdrawn. */
  expiryDate?: string | Date;
  /** Who recorded it (an operator, or the subject through a self-service form). */
  actor?: string;
}

export interface WithdrawConsentInput {
  userId: string;
  /** Omitted: every data type. */
  dataTypes?: string[];
  /** Omitted: every purpose. */
  purposes?: string[];
  actor?: string;
}

/** One (data type, purpose) pair the subject consents to now, and the grant that gives it. */
export interface ValidConsent {
  dataType: string;
  purpose: string;
  consentDate: string;
  expiryDate: string | null;
  grantSeq: number;
}

/** What GDPR Art. 15 entitles the subject to see of this domain. */
export interface ConsentSubjectRecords {
  domain: 'consent';
  subjectId: string;
  exportedAt: string;
  events: ConsentEvent[];
  validConsents: ValidConsent[];
}

/**
 * A consent event as the Art. 15 export of its recorder (its `actor`) lists it: what they did
 * and when. Whose consent it was, and what it covered, is that subject's data, not the
 * recorder's (Art. 15(4): a copy must not adversely affect the rights of others): `seq` lets
 * the controller find the event if the request needs more.
 */
export interface ConsentEventRecorded {
  seq: number;
  kind: ConsentEvent['kind'];
  recordedAt: string;
}

const NAME = CONSENT_NAME_PATTERN;
/** Rows per `IN (…)` list: far below both databases' bound-parameter limits. */
const ID_CHUNK = 500;
const WRITE_LOCK = 'privacy.consent';

/**
 * The seed's `ConsentManager.record_consent(user_id, data_types, purposes, consent_date,
 * expiry_date)` / `has_valid_consent(user_id, data_type)`.
 *
 * ```ts
 * await migrate(store, 'consent', consentMigrations);
 * const consent = new ConsentManager({ store, audit });
 * await consent.recordConsent({ userId: 'u-1', dataTypes: ['chat_transcripts'], purposes: ['model_training'], expiryDate: '2026-01-01' });
 * await consent.hasValidConsent('u-1', 'chat_transcripts', 'model_training'); // true
 * ```
 *
 * Every grant and withdrawal is appended (schema.ts); validity is computed from the whole
 * history at the clock's now, so expiry needs no background job and a withdrawal followed
 * by a new grant behaves as the subject last said. Audit events carry the subject id (as a
 * sensitive field, pseudonymised when the log encrypts), data types, purposes and dates —
 * names of categories, never the data itself — and the actor as `actorRef`, a pseudonym that
 * erasing the actor unlinks (actor-reference.ts).
 */
export class ConsentManager {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;

  constructor(deps: ConsentManagerDeps) {
    if (!deps?.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'ConsentManager needs a store (deps.store)');
    if (typeof deps.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'ConsentManager needs an audit sink (deps.audit)');
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async recordConsent(input: RecordConsentInput): Promise<ConsentGrant> {
    if (typeof input !== 'object' || input === null) throw invalidInput('recordConsent takes { userId, dataTypes, purposes, consentDate?, expiryDate? }');
    noMoreArguments('recordConsent', arguments.length, 1);
    parseOptions(recordConsentInput, input, 'recordConsent');
    const userId = checkSubjectId(input.userId, 'userId');
    const dataTypes = checkNames(input.dataTypes, 'dataTypes');
    const purposes = checkNames(input.purposes, 'purposes');
    const now = this.#clock();
    const consentDate = input.consentDate === undefined ? now.toISOString() : checkDate(input.consentDate, 'consentDate');
    const expiryDate = input.expiryDate === undefined ? null : checkDate(input.expiryDate, 'expiryDate');
    if (expiryDate !== null && Date.parse(expiryDate) <= Date.parse(consentDate)) throw invalidInput(`expiryDate (${expiryDate}) must be after consentDate (${consentDate})`, { field: 'expiryDate' });
    const actor = input.actor === undefined ? null : checkSubjectId(input.actor, 'actor');
    const check = input.consentDate === undefined ? undefined : (tx: WriteTx) => refuseSupersededGrant(tx, userId, dataTypes, purposes, consentDate);
    return this.#appendAudited((seq) => ({ kind: 'granted', seq, userId, dataTypes, purposes, consentDate, expiryDate, recordedAt: now.toISOString(), actor }), 'consent.recorded', { consentDate, expiryDate }, check);
  }

  /** Withdraw the pairs named (omitted list: all). Always recorded, even when nothing was granted: it states the subject's wish. */
  async withdrawConsent(input: WithdrawConsentInput): Promise<ConsentWithdrawal> {
    if (typeof input !== 'object' || input === null) throw invalidInput('withdrawConsent takes { userId, dataTypes?, purposes? }');
    noMoreArguments('withdrawConsent', arguments.length, 1);
    parseOptions(withdrawConsentInput, input, 'withdrawConsent');
    const userId = checkSubjectId(input.userId, 'userId');
    const dataTypes = input.dataTypes === undefined ? 'all' : checkNames(input.dataTypes, 'dataTypes');
    const purposes = input.purposes === undefined ? 'all' : checkNames(input.purposes, 'purposes');
    const actor = input.actor === undefined ? null : checkSubjectId(input.actor, 'actor');
    const recordedAt = this.#clock().toISOString();
    return this.#appendAudited((seq) => ({ kind: 'withdrawn', seq, userId, dataTypes, purposes, recordedAt, actor }), 'consent.withdrawn', {});
  }

  /** Whether `userId` consents now to `dataType` (for `purpose`, or for at least one purpose when omitted). */
  async hasValidConsent(userId: string, dataType: string, purpose?: string): Promise<boolean> {
    noMoreArguments('hasValidConsent', arguments.length, 3);
    return (await this.consentedSubjects([userId], dataType, purpose)).has(userId);
  }

  /** The subjects among `userIds` with valid consent: one query per few hundred subjects, for pipelines. */
  async consentedSubjects(userIds: Iterable<string>, dataType: string, purpose?: string): Promise<Set<string>> {
    noMoreArguments('consentedSubjects', arguments.length, 3);
    checkName(dataType, 'dataType');
    if (purpose !== undefined) checkName(purpose, 'purpose');
    const ids = [...new Set(userIds)].map((id) => checkSubjectId(id, 'userId'));
    const now = this.#clock();
    const consented = new Set<string>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const rows = await this.#store.db.selectFrom(CONSENT_TABLE).selectAll().where('user_id', 'in', ids.slice(i, i + ID_CHUNK)).orderBy('seq').execute();
      const bySubject = new Map<string, ConsentEvent[]>();
      for (const row of rows) {
        const event = toConsentEvent(row);
        const list = bySubject.get(event.userId) ?? [];
        list.push(event);
        bySubject.set(event.userId, list);
      }
      for (const [id, events] of bySubject) {
        if (validConsents(events, now).some((c) => c.dataType === dataType && (purpose === undefined || c.purpose === purpose))) consented.add(id);
      }
    }
    return consented;
  }

  /** Every grant and withdrawal of `userId`, oldest first. */
  async history(userId: string): Promise<ConsentEvent[]> {
    checkSubjectId(userId, 'userId');
    return historyOf(this.#store.db, userId);
  }

  /** GDPR Art. 15: everything this domain holds about the subject, and what it currently allows. */
  async subjectRecords(userId: string): Promise<ConsentSubjectRecords> {
    const events = await this.history(userId);
    const now = this.#clock();
    return { domain: 'consent', subjectId: userId, exportedAt: now.toISOString(), events, validConsents: validConsents(events, now) };
  }

  /**
   * Delete every consent row of `userId` (right to be forgotten). Not audited here: erasure
   * (privacy/erasure.ts) writes one record for all domains. The sequence counter is kept, so
   * the erased events' numbers are never given to new ones.
   */
  async eraseSubject(userId: string): Promise<{ consentRecords: number }> {
    checkSubjectId(userId, 'userId');
    const deleted = await this.#store.writeTransaction(WRITE_LOCK, (tx) => tx.deleteFrom(CONSENT_TABLE).where('user_id', '=', userId).executeTakeFirst());
    return { consentRecords: Number(deleted.numDeletedRows) };
  }

  /**
   * The consent events `actor` recorded (an actor may be a person: an operator's email address,
   * or a principal id that is one person's), oldest first, as ConsentEventRecorded: the events
   * eraseActor changes. None for ERASED_ACTOR: its events are those of actors already erased.
   */
  async eventsRecordedBy(actor: string): Promise<ConsentEventRecorded[]> {
    checkSubjectId(actor, 'actor');
    if (actor === ERASED_ACTOR) return [];
    const rows = await this.#store.db.selectFrom(CONSENT_TABLE).select(['seq', 'kind', 'recorded_at']).where('actor', '=', actor).orderBy('seq').execute();
    return rows.map((row) => ({ seq: Number(row.seq), kind: row.kind as ConsentEvent['kind'], recordedAt: String(row.recorded_at) }));
  }

  /**
   * Replace `actor` where it stands as an event's recorder by ERASED_ACTOR (erasure), as
   * LineageStore.eraseActor does for edges: the table must name no one once they are forgotten,
   * yet another subject's grant or withdrawal must stay: it is the proof of their consent
   * (Art. 7(1)). Their key of `actorRef` goes too, so the audit entries of those events, which
   * cannot be changed, no longer lead to them; deleted even when no event is left to change (the
   * subjects whose events they recorded were erased first). Not audited here: erasure writes one
   * record for all domains. Returns how many events were changed.
   */
  async eraseActor(actor: string): Promise<number> {
    checkSubjectId(actor, 'actor');
    if (actor === ERASED_ACTOR) return 0;
    const updated = await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      await forgetActorKey(tx, actor);
      return tx.updateTable(CONSENT_TABLE).set({ actor: ERASED_ACTOR }).where('actor', '=', actor).executeTakeFirst();
    });
    return Number(updated.numUpdatedRows);
  }

  /**
   * Append the event, then audit it; an event whose audit record could not be written is
   * taken back (its row deleted) before the audit failure is rethrown, so no consent row is
   * left without its record and the caller can retry without recording it twice.
   *
   * The two cannot share a transaction: the audit sink has no append that joins one (the
   * AuditLogger group-commits in transactions of its own, on a store that may be this
   * database, whose writer lock ours would hold), so the event is committed first and audited
   * after. A row whose audit failed was never acknowledged, so deleting it breaks no promise of
   * the append-only history. Its `seq` is not given again (the counter keeps it), so should the
   * audit record have been written after all (a sink that failed after committing), the log
   * never shows two different events under one number. Readers may see the event in the short
   * window between its commit and its removal.
   */
  async #appendAudited<E extends ConsentEvent>(build: (seq: number) => E, eventType: string, extra: Record<string, JsonValue>, check?: (tx: WriteTx) => Promise<void>): Promise<E> {
    const { event, actorRef } = await this.#append(build, check);
    try {
      await this.#record(eventType, event, actorRef, extra);
    } catch (auditErr) {
      try {
        await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
          await tx.deleteFrom(CONSENT_TABLE).where('seq', '=', event.seq).where('user_id', '=', event.userId).execute();
          if (event.actor !== null) await forgetUnusedActorKey(tx, event.actor);
        });
      } catch (undoErr) {
        // Both failed: the row stays without its record, and the caller must know. Codes and the
        // event's number only: the messages may quote the subject id or the event.
        throw new LangtrainError(
          isLangtrainError(auditErr) ? auditErr.code : 'ERR_INTERNAL',
          `consent event ${event.seq} (${event.kind}) was stored but could not be recorded in the audit log (${errorCodeOf(auditErr)}), nor taken back (${errorCodeOf(undoErr)}): it stands unaudited; audit it, or delete it before recording it again`,
          { unaudited: true, seq: event.seq, kind: event.kind, auditFailure: errorCodeOf(auditErr), undoFailure: errorCodeOf(undoErr) },
          { cause: auditErr },
        );
      }
      throw auditErr;
    }
    return event;
  }

  /**
   * `check` runs first in the same write transaction and refuses by throwing: a rule that reads
   * the history must read it under the lock, or an event another writer commits between the read
   * and the insert (another server instance, another manager on this store) goes unseen. The
   * actor's reference is taken under the lock too, so an erasure of the actor cannot delete
   * their key between its making and the event that uses it.
   */
  async #append<E extends ConsentEvent>(build: (seq: number) => E, check?: (tx: WriteTx) => Promise<void>): Promise<{ event: E; actorRef: string | null }> {
    // Audited after commit (#appendAudited): the audit log may live in this database, whose writer lock the transaction holds.
    // The counter row (schema.ts) outlives erasure, so a number is never given twice.
    return this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      await check?.(tx);
      const event = build(await nextSequenceNumber(tx, CONSENT_TABLE, CONSENT_SEQ_TABLE, CONSENT_SEQ_NAME));
      await tx.insertInto(CONSENT_TABLE).values(toConsentRow(event)).execute();
      return { event, actorRef: event.actor === null ? null : await actorRefIn(tx, event.actor, event.seq) };
    });
  }

  #record(eventType: string, event: ConsentEvent, actorRef: string | null, extra: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({
      eventType,
      userId: event.userId,
      ...(this.#audit.sealsPayloads ? { sensitive: ['userId' as const] } : {}),
      timestamp: event.recordedAt,
      result: 'success',
      level: 'basic',
      additionalData: { seq: event.seq, dataTypes: event.dataTypes, purposes: event.purposes, ...extra, ...(actorRef === null ? {} : { actorRef }) },
    });
  }
}

/**
 * The pairs a subject's history allows at `now`: each pair of a grant that has begun, has
 * not expired (expiry is exclusive: at `expiryDate` the consent is over) and is covered by
 * no withdrawal. A withdrawal covers the pairs it names of every grant recorded before it
 * (lower `seq`), and of every grant recorded after it whose `consentDate` is before the
 * withdrawal's `recordedAt`: a paper form from before the withdrawal, entered late, does not
 * bring back consent the subject has since withdrawn. A grant recorded after it and dated at
 * or after the withdrawal gives the pairs again (at the same instant, the order of recording
 * decides: the grant came later). Times are compared as instants, not as text. Pure, so the
 * rule is testable without a database.
 */
export function validConsents(events: readonly ConsentEvent[], now: Date): ValidConsent[] {
  const at = now.getTime();
  const withdrawals = events.filter((e): e is ConsentWithdrawal => e.kind === 'withdrawn');
  const covers = (names: string[] | 'all', name: string) => names === 'all' || names.includes(name);
  const supersedes = (w: ConsentWithdrawal, grant: ConsentGrant) => w.seq > grant.seq || Date.parse(grant.consentDate) < Date.parse(w.recordedAt);
  const valid: ValidConsent[] = [];
  for (const grant of events) {
    if (grant.kind !== 'granted' || Date.parse(grant.consentDate) > at || (grant.expiryDate !== null && Date.parse(grant.expiryDate) <= at)) continue;
    for (const dataType of grant.dataTypes) {
      for (const purpose of grant.purposes) {
        if (withdrawals.some((w) => supersedes(w, grant) && covers(w.dataTypes, dataType) && covers(w.purposes, purpose))) continue;
        valid.push({ dataType, purpose, consentDate: grant.consentDate, expiryDate: grant.expiryDate, grantSeq: grant.seq });
      }
    }
  }
  return valid;
}

/** Every grant and withdrawal of `userId`, oldest first, read through `db` (the store, or a write transaction). */
async function historyOf(db: WriteTx, userId: string): Promise<ConsentEvent[]> {
  const rows = await db.selectFrom(CONSENT_TABLE).selectAll().where('user_id', '=', userId).orderBy('seq').execute();
  return rows.map(toConsentEvent);
}

/**
 * A grant dated before a withdrawal already recorded for one of its pairs would not count
 * (validConsents: the later wish wins), and recording it would say nothing of that: a grant
 * entered the day of a withdrawal with a date-only consentDate (midnight) is the usual case.
 * Run with the grant's write transaction (`tx`), so no withdrawal can commit between this
 * read and the insert.
 */
async function refuseSupersededGrant(tx: WriteTx, userId: string, dataTypes: string[], purposes: string[], consentDate: string): Promise<void> {
  const given = Date.parse(consentDate);
  for (const event of await historyOf(tx, userId)) {
    if (event.kind !== 'withdrawn' || given >= Date.parse(event.recordedAt)) continue;
    const dataType = dataTypes.find((d) => event.dataTypes === 'all' || event.dataTypes.includes(d));
    const purpose = purposes.find((p) => event.purposes === 'all' || event.purposes.includes(p));
    if (dataType === undefined || purpose === undefined) continue;
    throw invalidInput(
      `consentDate ${consentDate} is before the withdrawal recorded at ${event.recordedAt} for ${dataType} / ${purpose}, so this grant would not count: give the date and time the consent was given (after the withdrawal), or leave consentDate out to record it as given now`,
      { field: 'consentDate', withdrawnAt: event.recordedAt },
    );
  }
}


/** A call with more arguments than the method takes is refused: a stray argument would be ignored. */
function noMoreArguments(method: string, given: number, takes: number): void {
  if (given > takes) throw invalidInput(`${method} takes at most ${takes} argument${takes === 1 ? '' : 's'}; got ${given}`, { field: 'arguments' });
}

/** @internal A data type or purpose name, or an error naming `field` (filterByConsent checks its job with it). */
export function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > MAX_CONSENT_NAME || !NAME.test(value)) {
    throw invalidInput(`${field} must be a lower_snake_case name (e.g. chat_transcripts), at most ${MAX_CONSENT_NAME} characters; got ${JSON.stringify(value)?.slice(0, 80)}`, { field });
  }
  return value;
}

function checkNames(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CONSENT_NAMES) throw invalidInput(`${field} must be a list of 1 to ${MAX_CONSENT_NAMES} lower_snake_case names`, { field });
  return [...new Set(value.map((name, i) => checkName(name, `${field}[${i}]`)))];
}

/**
 * An ISO 8601 date (midnight UTC) or date-time with a zone, as a `toISOString()` string.
 * Date-times without a zone are refused: the same text would mean different instants on
 * different servers. Fields are range-checked because `Date.parse` rolls 2025-02-30 over to March.
 * A Date is held to the years the text form can say (0000 to 9999), so every stored date
 * is the same 24-character form.
 */
function checkDate(value: unknown, field: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidInput(`${field} is an invalid Date`, { field });
    const year = value.getUTCFullYear();
    if (year < 0 || year > 9999) throw invalidInput(`${field} must be in the years 0000 to 9999; got ${value.toISOString()}`, { field });
    return value.toISOString();
  }
  const instant = parseIsoInstant(value, { dateOnly: true });
  if (instant === undefined) {
    throw invalidInput(`${field} must be an ISO 8601 date (2025-06-30) or date-time with a zone (2025-06-30T12:00:00Z); got ${JSON.stringify(value)?.slice(0, 80)}`, { field });
  }
  return new Date(instant).toISOString();
}
