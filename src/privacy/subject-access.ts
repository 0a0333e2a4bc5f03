import type { AuditSink, JsonValue } from '../core/audit-sink.js';
import { invalidInput } from '../core/errors.js';
import { keysOnly, parseOptions } from '../core/options.js';
import type { EncryptionService } from '../crypto/encryption-service.js';
import type { BudgetActions, BudgetLedger } from './budget/budget-ledger.js';
import type { ConsentEventRecorded, ConsentManager, ConsentSubjectRecords } from './consent/consent-manager.js';
import { subjectAuditEntries, type AffectedArtifact, type SubjectAuditReader } from './erasure.js';
import type { LineageEdge, LineageStore } from './lineage/lineage-store.js';
import { checkSubjectId, checkSubjectKeyServices } from './subject-id.js';

export interface SubjectAccessDeps {
  consent: ConsentManager;
  lineage: LineageStore;
  /** The privacy budget ledger: the export's `budgets` section (what the subject did there as actor). */
  budgets?: BudgetLedger;
  /**
   * Services with per-subject keys (secureDeletion and a subjectField), one per keyring key
   * that data sets were encrypted under: the export names those holding a key of the subject's.
   * Only read: no key is created.
   */
  encryption?: readonly EncryptionService[];
  audit: AuditSink;
  /** Who answered the access request (the operator or DPO), recorded in the audit log. */
  actor: string;
  /** Default: the system clock. */
  clock?: () => Date;
  /** The audit log read by the subject's id (AuditLogger.query): the export's `audit` section. SecurityManager passes its log. */
  auditLog?: SubjectAuditReader;
}

const EXPORT_SUBJECT_OPTIONS = keysOnly(['actor']);
const subjectAccessDepsSchema = keysOnly(['consent', 'lineage', 'budgets', 'encryption', 'audit', 'actor', 'clock', 'auditLog']);

/** SecurityManager.exportSubject's options. */
export interface ExportSubjectOptions {
  /** Who answered the access request (the operator or DPO). */
  actor: string;
}

/** SecurityManager.exportSubject's options, strictly (a misspelt actor is refused, naming it). */
export function parseExportSubjectOptions(options: unknown): ExportSubjectOptions {
  return parseOptions(EXPORT_SUBJECT_OPTIONS, options, 'exportSubject') as ExportSubjectOptions;
}

/** At most this many audit entries are listed (all are counted): the document is returned whole. */
export const MAX_EXPORTED_AUDIT_ENTRIES = 10_000;

/** One of the subject's audit entries in the export. */
export interface ExportedAuditEntry {
  index: number;
  eventType: string | null;
  timestamp: string | null;
  result: string | null;
  /** `clear`, `opened` (sealed, and the subject's key still exists), `shredded`, `locked`, `pruned`. */
  payload: string;
  /** The sealed payload, opened (`payload: opened` only). */
  additionalData?: { [key: string]: JsonValue };
}

/** The document's identifier and version: a reader checks both before reading the sections. */
export const SUBJECT_EXPORT_FORMAT = 'langtrain.subject-export';
export const SUBJECT_EXPORT_VERSION = 1;

/**
 * The answer to a GDPR Art. 15 access request: one JSON document, a section per privacy domain
 * this deployment keeps about people. A new domain adds a section (readers ignore ones they do
 * not know); a changed section bumps `formatVersion`.
 */
export interface SubjectExport {
  format: typeof SUBJECT_EXPORT_FORMAT;
  formatVersion: typeof SUBJECT_EXPORT_VERSION;
  generatedAt: string;
  subject: string;
  domains: {
    /**
     * The subject's grants and withdrawals and what they allow now (ConsentManager.subjectRecords),
     * and `eventsRecordedBy`: the events the subject recorded as their actor, oldest first, each
     * its number, kind and time only (ConsentEventRecorded: whose consent it was is not theirs).
     */
    consent: ConsentSubjectRecords & { eventsRecordedBy: ConsentEventRecorded[] };
    /**
     * `artifacts`: the data sets and models lineage says hold the subject's data, recorded with
     * them (direct) or built from one that is (downstream). `edgesActedBy`: the transformations
     * the subject ran (they are the edge's actor), oldest first.
     */
    lineage: { domain: 'lineage'; artifacts: AffectedArtifact[]; edgesActedBy: LineageEdge[] };
    /** The keyring keys under which data of the subject's was encrypted with a key of their own (which erasure destroys). */
    encryption: { domain: 'encryption'; keysWithSubjectKey: string[] };
    /** With `budgets`: the privacy budgets the subject created and the spends they reserved, as their actor (BudgetLedger.actedBy). */
    budgets?: { domain: 'budgets'; actedBy: BudgetActions };
    /**
     * The audit log's entries found by the subject's id, oldest first (with `auditLog`): event
     * type, time and result, and the payload where the log seals it and it opens. `count` is
     * all of them; `entries` lists the first MAX_EXPORTED_AUDIT_ENTRIES (`truncated` beyond).
     */
    audit?: { domain: 'audit'; count: number; truncated: boolean; entries: ExportedAuditEntry[] };
  };
}

/**
 * Everything the privacy domains hold about one subject (GDPR Art. 15), read only: consent
 * history, the artifacts lineage says contain them, and the keyring keys under which they have
 * a key of their own; and, since an actor may be a person, what they did as one: the consent
 * events they recorded, the transformations they ran, the budgets they created and spent from.
 *
 * The document is personal data: it is returned, never logged. The request is recorded as one
 * `privacy.subject_exported` audit event (accountability, Art. 5(2)) with the subject id as the
 * event's (sensitive) user id, pseudonymised when the log encrypts, and counts only. The export
 * is not returned unless that record was written.
 */
export async function exportSubject(userId: string, deps: SubjectAccessDeps): Promise<SubjectExport> {
  checkSubjectId(userId);
  parseOptions(subjectAccessDepsSchema, deps, 'exportSubject');
  if (deps.auditLog !== undefined && typeof deps.auditLog?.query !== 'function') throw invalidInput('auditLog must be an audit log to read (AuditLogger: query)', { field: 'auditLog' });
  if (deps.clock !== undefined && typeof deps.clock !== 'function') throw invalidInput('clock must be a function returning the current Date', { field: 'clock' });
  if (typeof deps?.actor !== 'string' || deps.actor.trim() === '') throw invalidInput('actor must name who answered the access request', { field: 'actor' });
  const services = checkSubjectKeyServices(deps.encryption);
  const generatedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const consent = { ...(await deps.consent.subjectRecords(userId)), eventsRecordedBy: await deps.consent.eventsRecordedBy(userId) };
  const artifacts = (await deps.lineage.artifactsContaining(userId)).map(({ digest, names, via }) => ({ digest, names, via }));
  const edgesActedBy = await deps.lineage.edgesActedBy(userId);
  const budgetActions = deps.budgets === undefined ? undefined : await deps.budgets.actedBy(userId);
  const keysWithSubjectKey: string[] = [];
  for (const service of services) if ((await service.subjectKey(userId)) !== undefined) keysWithSubjectKey.push(service.options.key);
  let audit: NonNullable<SubjectExport['domains']['audit']> | undefined;
  if (deps.auditLog !== undefined) {
    const section: NonNullable<SubjectExport['domains']['audit']> = { domain: 'audit', count: 0, truncated: false, entries: [] };
    await subjectAuditEntries(deps.auditLog, userId, ({ index, eventType, timestamp, result, payload, additionalData }) => {
      section.count += 1;
      if (section.entries.length >= MAX_EXPORTED_AUDIT_ENTRIES) return void (section.truncated = true);
      section.entries.push({ index, eventType, timestamp, result, payload, ...(payload === 'opened' && additionalData !== undefined ? { additionalData } : {}) });
    });
    audit = section;
  }

  await deps.audit.record({
    eventType: 'privacy.subject_exported',
    userId,
    ...(deps.audit.sealsPayloads ? { sensitive: ['userId' as const] } : {}),
    timestamp: generatedAt,
    result: 'success',
    level: 'basic',
    additionalData: {
      actor: deps.actor,
      formatVersion: SUBJECT_EXPORT_VERSION,
      consentEvents: consent.events.length,
      consentEventsRecordedBy: consent.eventsRecordedBy.length,
      artifacts: artifacts.length,
      edgesActedBy: edgesActedBy.length,
      ...(budgetActions === undefined ? {} : { budgetsCreatedBy: budgetActions.created.length, budgetSpendsBy: budgetActions.spends.length }),
      keysWithSubjectKey: keysWithSubjectKey.length,
      ...(audit === undefined ? {} : { auditEntries: audit.count }),
    },
  });
  return {
    format: SUBJECT_EXPORT_FORMAT,
    formatVersion: SUBJECT_EXPORT_VERSION,
    generatedAt,
    subject: userId,
    domains: {
      consent,
      lineage: { domain: 'lineage', artifacts, edgesActedBy },
      encryption: { domain: 'encryption', keysWithSubjectKey },
      ...(budgetActions === undefined ? {} : { budgets: { domain: 'budgets' as const, actedBy: budgetActions } }),
      ...(audit === undefined ? {} : { audit }),
    },
  };
}
