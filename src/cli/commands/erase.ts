import { Command } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { Dialect } from '../../store/database.js';
import type { ErasureReport } from '../../privacy/erasure.js';
import { cliActor, output, withCommonOptions, withSecurity, type Run } from '../context.js';

/**
 * `langtrain erase SUBJECT`: the right to be forgotten (GDPR Art. 17). Irreversible (consent
 * records deleted, the subject's key destroyed), so it runs only with `--yes`.
 */
export function eraseCommand(run: Run): Command {
  return withCommonOptions(new Command('erase'))
    .description("erase a data subject: consent records and lineage links deleted, their encryption key destroyed, affected data sets and models listed")
    .argument('<subject>', 'the data subject id')
    .option('--encryption-key <name>', 'destroy the per-subject key under this keyring key only (default: under every key data sets were encrypted under with per-subject keys)')
    .option('--shred-audit-trail', "also make the audit log's sealed payloads of their events unreadable (consent given, exports, earlier erasures); needs audit.encryption: true. Off by default: they are the evidence that consent was given")
    .option('--yes', 'confirm: erasure cannot be undone')
    .action((subject: string, o) =>
      withSecurity(run, o, async (security) => {
        if (!o.yes) {
          throw invalidInput(
            `erasing ${subject} cannot be undone: their consent records and lineage links are deleted and their encryption key is destroyed, so every copy of their encrypted fields becomes unreadable. ` +
              `Run \`langtrain lineage containing --user ${subject}\` to see what is affected, then repeat with --yes`,
          );
        }
        const report = await security.eraseSubject(subject, { actor: cliActor(), shredAuditTrail: o.shredAuditTrail === true, ...(o.encryptionKey !== undefined ? { encryptionKey: o.encryptionKey as string } : {}) });
        output(o, { subject, ...report }, () => describeReport(subject, report, security.store.dialect));
      }),
    );
}

function describeReport(subject: string, report: ErasureReport, dialect: Dialect): string {
  const lines = [
    `erased ${subject}: ${report.consentRecords} consent record(s), ${report.lineageLinks} lineage link(s) deleted${actedLine(report)}; ${keysLine(report)}`,
  ];
  if (report.auditKeysShredded !== undefined) lines.push(`audit log: ${report.auditKeysShredded} data key(s) of theirs destroyed; their earlier events' payloads are unreadable`);
  if (report.auditEntriesInClear !== undefined && report.auditEntriesInClear > 0) {
    lines.push(
      `audit log: ${report.auditEntriesInClear} entr${report.auditEntriesInClear === 1 ? 'y' : 'ies'} still name ${subject} in clear (their consent history, exports and this erasure), which erasure cannot make unreadable; ` +
        'set audit.encryption: true so that later events are sealed and can be shredded with --shred-audit-trail (docs/audit.md)',
    );
  }
  if (report.auditEntriesNamingAsActor !== undefined && report.auditEntriesNamingAsActor > 0) {
    lines.push(`audit log: ${report.auditEntriesNamingAsActor} entr${report.auditEntriesNamingAsActor === 1 ? 'y' : 'ies'} of others' consent events, written before the actor was pseudonymised, still name ${subject} as who recorded them, which neither erasure nor --shred-audit-trail reaches`);
  }
  if (report.filesScrubbed === false) {
    lines.push(
      dialect === 'postgres'
        ? "store: PostgreSQL keeps the deleted rows' bytes until their pages are reused, and in its WAL, replicas and backups: plan their retention for erasure (docs/privacy.md, Deleted bytes)"
        : "store: another connection was reading, so the database's write-ahead log still holds the deleted rows' bytes; they go after the store's next write (docs/privacy.md, Deleted bytes)",
    );
  }
  if (report.affectedArtifacts.length === 0) lines.push('no recorded data set or model held their data');
  else {
    lines.push(`${report.affectedArtifacts.length} artifact(s) held their data; retrain, re-export or delete them:`);
    for (const a of report.affectedArtifacts) lines.push(`  ${a.digest}  ${a.via}${a.names.length > 0 ? `  ${a.names.join(', ')}` : ''}`);
  }
  return lines.join('\n');
}

/** Where they were the actor of others' records, which now name "erased". */
function actedLine({ lineageActorsErased, consentActorsErased, budgetActorsErased = 0 }: ErasureReport): string {
  const parts = [
    ...(lineageActorsErased > 0 ? [`${lineageActorsErased} lineage edge(s)`] : []),
    ...(consentActorsErased > 0 ? [`${consentActorsErased} consent event(s) of others`] : []),
    ...(budgetActorsErased > 0 ? [`${budgetActorsErased} privacy budget record(s)`] : []),
  ];
  return parts.length > 0 ? `, ${parts.join(', ')} they acted on now name "erased"` : '';
}

function keysLine({ keysShredded, keysShreddedBefore }: ErasureReport): string {
  const parts = [
    ...(keysShredded.length > 0 ? [`their key destroyed under: ${keysShredded.join(', ')}`] : []),
    ...(keysShreddedBefore.length > 0 ? [`their key already destroyed (an earlier erasure) under: ${keysShreddedBefore.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'no encrypted data of theirs (no key to destroy)';
}
