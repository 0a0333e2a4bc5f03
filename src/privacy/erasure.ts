import { z } from 'zod';
import type { AuditSink, JsonValue } from '../core/audit-sink.js';
import { errorCodeOf, invalidInput, isLangtrainError, LangtrainError } from '../core/errors.js';
import { keysOnly, parseOptions } from '../core/options.js';
import type { EncryptionService } from '../crypto/encryption-service.js';
import type { BudgetLedger } from './budget/budget-ledger.js';
import { CONSENT_AUDIT_EVENTS, namesActor } from './consent/actor-reference.js';
import type { ConsentManager } from './consent/consent-manager.js';
import { ArtifactPagesUnrecorded, recordErasure } from './erasure-record.js';
import type { LineageStore } from './lineage/lineage-store.js';
import { checkSubjectId, checkSubjectKeyServices } from './subject-id.js';

export interface ErasureDeps {
  consent: ConsentManager;
  lineage: LineageStore;
  /**
   * The privacy budget ledger, where the subject may have created budgets and reserved spends
   * as their actor (which becomes `erased`). Without it the ledger is not looked at, and the
   * report has no `budgetActorsErased`: a deployment that never opened one has no tables for it.
   */
  budgets?: BudgetLedger;
  /**
   * Services with per-subject keys (secureDeletion and a subjectField), one per keyring key
   * that data sets were encrypted under: the subject's key under each is destroyed.
   */
  encryption?: readonly EncryptionService[];
  audit: AuditSink;
  /** Who asked for the erasure (the operator or DPO), recorded in the audit log. */
  actor: string;
  /**
   * Also crypto-shred the audit log's sealed payloads of the subject's events (consent given
   * and withdrawn, exports, earlier erasures) before the erasure is recorded, under a new key.
   * Needs a log that seals payloads. Off by default: those events are the evidence that consent
   * was given (Art. 7(1)) and that requests were answered, which a controller may have to keep.
   */
  shredAuditTrail?: boolean;
  /**
   * The audit log read by the subject's id (AuditLogger.query), to count the entries that
   * still name them in clear (`auditEntriesInClear`), and by event type, to count those that
   * name them as another's actor (`auditEntriesNamingAsActor`). SecurityManager passes its log.
   */
  auditLog?: SubjectAuditReader;
}

/** An audit entry as AuditLogger.query shows it (the fields read here). */
export interface SubjectAuditEntry {
  index: number;
  eventType: string | null;
  timestamp: string | null;
  result: string | null;
  userId: string | null;
  /** Whether the entry stores the user id only as its pseudonym (AuditEntryView.userIdSealed); if not, it names them in clear. */
  userIdSealed: boolean;
  /** `clear` (never sealed), `opened`, `shredded`, `locked` (no key here), `pruned`. */
  payload: string;
  additionalData?: { [key: string]: JsonValue };
}

/** What erasure and the Art. 15 export read of the audit log: its entries by user id or event type, oldest first, a page at a time. */
export interface SubjectAuditReader {
  query(filter: AuditEntryFilter & { afterIndex?: number; limit?: number }): Promise<readonly SubjectAuditEntry[]>;
}

/** The entries read: a user's, or an event type's. */
type AuditEntryFilter = { userId: string } | { eventType: string };

/** SecurityManager.eraseSubject's options. */
export interface EraseSubjectOptions {
  /** Who asked for the erasure (the operator or DPO). */
  actor: string;
  /** Destroy the subject's key under this keyring key only (default: under every key with per-subject keys). */
  encryptionKey?: string;
  /** See ErasureDeps.shredAuditTrail. */
  shredAuditTrail?: boolean;
}

const eraseSubjectOptionsSchema = z.strictObject({
  actor: z.unknown().optional(),
  encryptionKey: z.string().min(1, 'name a keyring key, or leave encryptionKey out to erase under every key').optional(),
  shredAuditTrail: z.boolean().optional(),
});

/** SecurityManager.eraseSubject's options, strictly: a misspelt shredAuditTrail or encryptionKey is refused, naming the supported ones. */
export function parseEraseSubjectOptions(options: unknown): EraseSubjectOptions {
  return parseOptions(eraseSubjectOptionsSchema, options, 'eraseSubject') as EraseSubjectOptions;
}

/** ErasureDeps' fields: unknown ones are refused (a misspelt shredAuditTrail must not erase without shredding). */
const erasureDepsSchema = keysOnly(['consent', 'lineage', 'budgets', 'encryption', 'audit', 'actor', 'auditLog']).extend({ shredAuditTrail: z.boolean().optional() });

/** An artifact that held the subject's data, for the operator to retrain, re-export or delete. */
export interface AffectedArtifact {
  digest: string;
  names: string[];
  via: 'direct' | 'downstream';
}

export interface ErasureReport {
  consentRecords: number;
  /** Other subjects' consent events the subject recorded (their `actor`), now `erased` (ConsentManager.eraseActor). */
  consentActorsErased: number;
  /** Lineage edges whose actor was the subject, now `erased` (LineageStore.eraseActor). */
  lineageActorsErased: number;
  /** With `budgets`: privacy budgets the subject created and spends they reserved, their actor now `erased` (BudgetLedger.eraseActor). */
  budgetActorsErased?: number;
  lineageLinks: number;
  /** The keyring keys under which the subject's own key was destroyed (none: no service given, or nothing of theirs was encrypted). */
  keysShredded: string[];
  /** The keyring keys under which it had been destroyed before (an earlier erasure, or one that stopped part-way). */
  keysShreddedBefore: string[];
  affectedArtifacts: AffectedArtifact[];
  /** With `shredAuditTrail`: the audit log's data keys of the subject destroyed. */
  auditKeysShredded?: number;
  /**
   * With an audit log to read (`auditLog`): its entries that still name the subject in clear
   * after the erasure, this erasure's own record included. On a log without encryption that is
   * every entry of theirs (their consent history, exports, erasures: user id and payload in
   * clear), which erasure cannot make unreadable: set `audit.encryption: true` (docs/audit.md)
   * so later events are sealed and can be shredded. On a log with encryption: the entries that
   * store the id in clear, whatever their payload's state: those written before it encrypted,
   * and those whose user id was not marked sensitive (the `lineage.recorded` entry of an edge
   * they ran, a budget they created or spent from). Absent without an audit log to read, or
   * when reading it for the count failed (the erasure itself is done).
   */
  auditEntriesInClear?: number;
  /**
   * With an audit log to read: the entries of other subjects' consent events that still name
   * the subject as the event's actor, by their id, after the erasure. Written before those
   * entries named their actor by `actorRef` (consent/actor-reference.ts), which this erasure
   * unlinks: they hold the id in the other subject's payload, in clear or sealed under that
   * subject's key, where neither erasure nor shredding the subject's audit trail reaches it.
   * Only payloads the reader opens are searched. Absent as auditEntriesInClear is.
   */
  auditEntriesNamingAsActor?: number;
  /**
   * With a store (SecurityManager.eraseSubject): whether the store's files no longer hold the
   * bytes of what the erasure deleted (Store.scrubDeleted). False on PostgreSQL, which keeps them
   * until its pages are reused and in its WAL and backups, and on SQLite while another
   * connection's read is in the way (done after the store's next write).
   */
  filesScrubbed?: boolean;
}

/** The subject's audit entries, every page (the query returns at most 10,000 at a time). */
export function subjectAuditEntries(reader: SubjectAuditReader, userId: string, visit: (entry: SubjectAuditEntry) => void): Promise<void> {
  return auditEntries(reader, { userId }, visit);
}

/** The audit entries the filter selects, every page. */
async function auditEntries(reader: SubjectAuditReader, filter: AuditEntryFilter, visit: (entry: SubjectAuditEntry) => void): Promise<void> {
  const PAGE = 10_000;
  let afterIndex: number | undefined;
  for (;;) {
    const page = await reader.query({ ...filter, limit: PAGE, ...(afterIndex === undefined ? {} : { afterIndex }) });
    for (const entry of page) visit(entry);
    if (page.length < PAGE) return;
    afterIndex = page.at(-1)!.index;
  }
}

/**
 * The subject's entries that name them in clear (ErasureReport.auditEntriesInClear), before this
 * erasure's record: those that store the id itself rather than its pseudonym, whether or not
 * their payload opens, since the id is in the stored body either way, for anyone who reads the
 * store. Only `userIdSealed: true` is left out: a reader that does not say is counted.
 */
async function countInClear(reader: SubjectAuditReader, userId: string): Promise<number> {
  let count = 0;
  await subjectAuditEntries(reader, userId, (entry) => {
    if (entry.userIdSealed !== true) count += 1;
  });
  return count;
}

/**
 * The entries of others' consent events that name the subject as their actor by id
 * (ErasureReport.auditEntriesNamingAsActor). The audit log cannot be searched by payload, so
 * every consent event's entry is read: erasure is rare, and an entry left out would be an id
 * the report says is gone. An entry whose user is the subject (consent they recorded
 * themselves) is theirs, counted by countInClear and reached by their shred.
 */
async function countNamingAsActor(reader: SubjectAuditReader, userId: string): Promise<number> {
  let count = 0;
  for (const eventType of CONSENT_AUDIT_EVENTS) {
    await auditEntries(reader, { eventType }, (entry) => {
      if (entry.userId !== userId && namesActor(entry.additionalData, userId)) count += 1;
    });
  }
  return count;
}

/**
 * The right to be forgotten (GDPR Art. 17) across the privacy domains: crypto-shreds the
 * subject's keys (every encrypted copy of their fields, in any data set or backup, becomes
 * unreadable), deletes their consent records, replaces their id by `erased` where they are the
 * actor of a lineage edge, of another subject's consent event (whose audit entry's `actorRef`
 * then leads to no one) or of a privacy budget or spend, deletes their rows in the lineage
 * subject table, and lists the data sets and models lineage says held their data, since files
 * and trained weights cannot be edited from here.
 *
 * Everything that can fail for want of configuration (a service without per-subject keys, a
 * keyring the KEK does not open, an audit log that would refuse the erasure's record) fails
 * before anything is deleted. The steps then run keys
 * first (the one that protects copies outside this store) and lineage links last (what lists
 * the artifacts), so a run that fails part-way can be repeated to finish, and still lists them;
 * each step between finds nothing left to do the second time.
 *
 * Writes a `privacy.subject_erased` record (recordErasure): counts, and the artifacts' digests
 * and names with their count and a SHA-256 over the list (paged over further events when they
 * do not fit one), with the subject id as the event's (sensitive) user id, which accountability
 * requires (Art. 5(2)) and which is pseudonymised when the log encrypts; a run that failed
 * part-way is recorded as a failure, with what it did. Erasing an unknown subject yields zeros
 * and is recorded all the same: the request itself must be answerable.
 */
export async function eraseSubject(userId: string, deps: ErasureDeps): Promise<ErasureReport> {
  checkSubjectId(userId);
  parseOptions(erasureDepsSchema, deps, 'eraseSubject');
  if (deps.auditLog !== undefined && typeof deps.auditLog?.query !== 'function') throw invalidInput('auditLog must be an audit log to read (AuditLogger: query)', { field: 'auditLog' });
  if (typeof deps?.actor !== 'string' || deps.actor.trim() === '') throw invalidInput('actor must name who asked for the erasure', { field: 'actor' });
  const services = checkSubjectKeyServices(deps.encryption);
  const shredAudit = deps.shredAuditTrail === true ? deps.audit.shredSubject?.bind(deps.audit) : undefined;
  if (deps.shredAuditTrail === true && (shredAudit === undefined || deps.audit.sealsPayloads !== true)) {
    throw invalidInput('shredAuditTrail needs an audit log with encryption: true (this one stores payloads in clear, so none of them can be made unreadable): set audit.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true', { field: 'shredAuditTrail' });
  }
  // the record of an erasure is required: a log that would refuse it refuses the erasure first
  await deps.audit.checkWritable?.();
  const withKey = [];
  const keysShreddedBefore: string[] = [];
  for (const service of services) {
    const state = await service.subjectKeyState(userId);
    if (state?.destroyed === false) withKey.push(service);
    else if (state?.destroyed === true) keysShreddedBefore.push(service.options.key);
  }
  const affectedArtifacts = (await deps.lineage.artifactsContaining(userId)).map(({ digest, names, via }) => ({ digest, names, via }));
  // Before anything is deleted, as no step changes it: this reads every consent event's entry
  // (seconds on a large log), which between the deletions and the erasure's record would widen
  // the window in which a crash leaves the erasure unrecorded.
  const namingAsActor = deps.auditLog === undefined ? undefined : await countNamingAsActor(deps.auditLog, userId).catch(() => undefined);

  const report: ErasureReport = {
    consentRecords: 0,
    consentActorsErased: 0,
    lineageActorsErased: 0,
    ...(deps.budgets === undefined ? {} : { budgetActorsErased: 0 }),
    lineageLinks: 0,
    keysShredded: [],
    keysShreddedBefore,
    affectedArtifacts,
  };
  try {
    for (const service of withKey) {
      await service.eraseSubject(userId, deps.actor);
      report.keysShredded.push(service.options.key);
    }
    report.consentRecords = (await deps.consent.eraseSubject(userId)).consentRecords;
    if (shredAudit !== undefined) report.auditKeysShredded = await shredAudit(userId);
    report.lineageActorsErased = await deps.lineage.eraseActor(userId);
    report.consentActorsErased = await deps.consent.eraseActor(userId);
    if (deps.budgets !== undefined) report.budgetActorsErased = await deps.budgets.eraseActor(userId);
    report.lineageLinks = await deps.lineage.forgetSubject(userId);
  } catch (err) {
    // The failure is what the caller must see: an audit log that is down too is added to it
    // (by code only: its message may quote the event), never put in its place.
    let auditFailure: string | undefined;
    try {
      await recordErasure(userId, deps, report, err);
    } catch (auditErr) {
      auditFailure = auditFailureCode(auditErr);
    }
    throw new LangtrainError(
      isLangtrainError(err) ? err.code : 'ERR_INTERNAL',
      `the erasure stopped part-way (${describeDone(report)}): ${err instanceof Error ? err.message : String(err)}; ${auditFailure === undefined ? '' : `and the failure could not be audited (${auditFailure}); `}it is safe to run it again to finish`,
      { done: { ...report, affectedArtifacts: report.affectedArtifacts.length }, ...(auditFailure === undefined ? {} : { auditFailure }) },
      { cause: err },
    );
  }
  // Counted after the erasure, outside it: what is left. Only a count: a log that cannot be read
  // now leaves it out rather than report a finished erasure as failed. On a clear log, this
  // erasure's own record names them in clear too.
  if (deps.auditLog !== undefined) {
    const inClear = await countInClear(deps.auditLog, userId).catch(() => undefined);
    if (inClear !== undefined) report.auditEntriesInClear = inClear + (deps.audit.sealsPayloads === true ? 0 : 1);
    if (namingAsActor !== undefined) report.auditEntriesNamingAsActor = namingAsActor;
  }
  try {
    await recordErasure(userId, deps, report);
  } catch (auditErr) {
    // done, but unrecorded (or recorded without all of its list): the accountability Art. 5(2)
    // asks for is missing, and the caller must know
    const artifacts = report.affectedArtifacts.map((a) => a.digest).join(', ') || 'none';
    const unrecorded =
      auditErr instanceof ArtifactPagesUnrecorded
        ? `its audit record holds pages 1 to ${auditErr.recorded} of ${auditErr.pages} of the list of affected data sets and models (and the count and SHA-256 of the whole list): the others could not be written`
        : 'the erasure could not be recorded in the audit log';
    throw new LangtrainError(
      'ERR_ERASURE_NOT_AUDITED',
      `the subject was erased (${describeDone(report)}; affected data sets and models: ${artifacts}), but ${unrecorded} (${auditFailureCode(auditErr)}); keep this message as its record: running the erasure again records it, but can no longer list the affected data sets and models`,
      { done: report, auditFailure: auditFailureCode(auditErr) },
      { cause: auditErr },
    );
  }
  return report;
}

/** The code of the audit failure (errorCodeOf), that of the page that failed for a list in pages. */
function auditFailureCode(err: unknown): string {
  return errorCodeOf(err instanceof ArtifactPagesUnrecorded ? err.cause : err);
}

function describeDone({ keysShredded, keysShreddedBefore, consentRecords, consentActorsErased, lineageActorsErased, budgetActorsErased, lineageLinks, auditKeysShredded }: ErasureReport): string {
  const before = keysShreddedBefore.length > 0 ? ` (destroyed before under: ${keysShreddedBefore.join(', ')})` : '';
  const audit = auditKeysShredded === undefined ? '' : `; audit log data keys destroyed: ${auditKeysShredded}`;
  const budgets = budgetActorsErased === undefined ? '' : `; privacy budgets and spends with them as actor now erased: ${budgetActorsErased}`;
  return `keys destroyed under: ${keysShredded.length > 0 ? keysShredded.join(', ') : 'none'}${before}; consent records deleted: ${consentRecords}${audit}; lineage edges with them as actor now erased: ${lineageActorsErased}; consent events with them as actor now erased: ${consentActorsErased}${budgets}; lineage links deleted: ${lineageLinks}`;
}
