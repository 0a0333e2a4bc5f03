import type { AuditSink } from '../core/audit-sink.js';
import { invalidInput, isLangtrainError } from '../core/errors.js';
import type { EncryptionService } from '../crypto/encryption-service.js';
import type { ConsentManager } from './consent/consent-manager.js';
import type { LineageStore } from './lineage/lineage-store.js';

export interface ErasureDeps {
  consent: ConsentManager;
  lineage: LineageStore;
  /** With per-subject keys (secureDeletion and a subjectField): the subject's key is destroyed. */
  encryption?: EncryptionService;
  audit: AuditSink;
  /** Who asked for the erasure (the operator or DPO), recorded in the audit log. */
  actor: string;
}

/** An artifact that held the subject's data, for the operator to retrain, re-export or delete. */
export interface AffectedArtifact {
  digest: string;
  names: string[];
  via: 'direct' | 'downstream';
}

export interface ErasureReport {
  consentRecords: number;
  lineageLinks: number;
  /** Whether the subject's encryption key was destroyed (false: no service given, or the subject never had a key). */
  keysShredded: boolean;
  affectedArtifacts: AffectedArtifact[];
}

/**
 * The right to be forgotten (GDPR Art. 17) across the privacy domains: deletes the
 * subject's consent records and their rows in the lineage subject table, crypto-shreds
 * their key (every encrypted copy of their fields, in any data set or backup, becomes
 * unreadable), and lists the data sets and models lineage says held their data, since
 * files and trained weights cannot be edited from here.
 *
 * Writes one `privacy.subject_erased` record: counts and artifact digests and names, with
 * the subject id as the event's (sensitive) user id, which accountability requires
 * (Art. 5(2)) and which is pseudonymised when the log encrypts. Erasing an unknown subject
 * yields zeros and is recorded all the same: the request itself must be answerable.
 */
export async function eraseSubject(userId: string, deps: ErasureDeps): Promise<ErasureReport> {
  if (typeof userId !== 'string' || userId.trim() === '' || userId.length > 256) throw invalidInput('userId must be a non-empty string of at most 256 characters', { field: 'userId' });
  if (typeof deps?.actor !== 'string' || deps.actor.trim() === '') throw invalidInput('actor must name who asked for the erasure', { field: 'actor' });
  const encryption = deps.encryption;
  // Checked before anything is deleted, so a misconfigured service cannot leave a half-done erasure behind.
  if (encryption && (!encryption.options.secureDeletion || encryption.options.subjectField === undefined)) {
    throw invalidInput('the EncryptionService given has no per-subject keys (secureDeletion: true and a subjectField); pass none, or one that has', { field: 'encryption' });
  }

  // Read before the subject's rows go: afterwards nothing links the artifacts to them.
  const affectedArtifacts = (await deps.lineage.artifactsContaining(userId)).map(({ digest, names, via }) => ({ digest, names, via }));
  const { consentRecords } = await deps.consent.eraseSubject(userId);
  const lineageLinks = await deps.lineage.forgetSubject(userId);
  let keysShredded = false;
  if (encryption) {
    try {
      await encryption.eraseSubject(userId, deps.actor);
      keysShredded = true;
    } catch (err) {
      // A subject whose fields were never encrypted has no key: nothing to shred.
      if (!isLangtrainError(err, 'ERR_NOT_FOUND')) throw err;
    }
  }

  const report: ErasureReport = { consentRecords, lineageLinks, keysShredded, affectedArtifacts };
  await deps.audit.record({
    eventType: 'privacy.subject_erased',
    userId,
    ...(deps.audit.sealsPayloads ? { sensitive: ['userId' as const] } : {}),
    result: 'success',
    level: 'basic',
    additionalData: { actor: deps.actor, consentRecords, lineageLinks, keysShredded, affectedArtifacts: affectedArtifacts.map((a) => ({ ...a })) },
  });
  return report;
}
