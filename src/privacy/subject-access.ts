import type { AuditSink } from '../core/audit-sink.js';
import { invalidInput } from '../core/errors.js';
import type { EncryptionService } from '../crypto/encryption-service.js';
import type { ConsentManager, ConsentSubjectRecords } from './consent/consent-manager.js';
import type { AffectedArtifact } from './erasure.js';
import type { LineageStore } from './lineage/lineage-store.js';
import { checkSubjectId, checkSubjectKeyServices } from './subject-id.js';

export interface SubjectAccessDeps {
  consent: ConsentManager;
  lineage: LineageStore;
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
    /** The subject's grants and withdrawals and what they allow now (ConsentManager.subjectRecords). */
    consent: ConsentSubjectRecords;
    /** The data sets and models lineage says hold the subject's data: recorded with them (direct) or built from one that is (downstream). */
    lineage: { domain: 'lineage'; artifacts: AffectedArtifact[] };
    /** The keyring keys under which data of the subject's was encrypted with a key of their own (which erasure destroys). */
    encryption: { domain: 'encryption'; keysWithSubjectKey: string[] };
  };
}

/**
 * Everything the privacy domains hold about one subject (GDPR Art. 15), read only: consent
 * history, the artifacts lineage says contain them, and the keyring keys under which they
 * have a key of their own.
 *
 * The document is personal data: it is returned, never logged. The request is recorded as one
 * `privacy.subject_exported` audit event (accountability, Art. 5(2)) with the subject id as the
 * event's (sensitive) user id, pseudonymised when the log encrypts, and counts only. The export
 * is not returned unless that record was written.
 */
export async function exportSubject(userId: string, deps: SubjectAccessDeps): Promise<SubjectExport> {
  checkSubjectId(userId);
  if (typeof deps?.actor !== 'string' || deps.actor.trim() === '') throw invalidInput('actor must name who answered the access request', { field: 'actor' });
  const services = checkSubjectKeyServices(deps.encryption);
  const generatedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const consent = await deps.consent.subjectRecords(userId);
  const artifacts = (await deps.lineage.artifactsContaining(userId)).map(({ digest, names, via }) => ({ digest, names, via }));
  const keysWithSubjectKey: string[] = [];
  for (const service of services) if ((await service.subjectKey(userId)) !== undefined) keysWithSubjectKey.push(service.options.key);

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
      artifacts: artifacts.length,
      keysWithSubjectKey: keysWithSubjectKey.length,
    },
  });
  return {
    format: SUBJECT_EXPORT_FORMAT,
    formatVersion: SUBJECT_EXPORT_VERSION,
    generatedAt,
    subject: userId,
    domains: {
      consent,
      lineage: { domain: 'lineage', artifacts },
      encryption: { domain: 'encryption', keysWithSubjectKey },
    },
  };
}
