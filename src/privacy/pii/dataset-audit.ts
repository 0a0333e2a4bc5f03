import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { CountingSink, recordFailureAfter, recordInPages } from '../../core/audit-pages.js';
import { isLangtrainError } from '../../core/errors.js';
import { maskedLabel } from './dataset-label.js';
import type { EntityType } from './entity-types.js';
import type { RedactionRecord } from './record-redaction.js';
import type { RedactorSpec } from './redactor.js';

/** Where a data set job's redactions are recorded, and under which names. */
export interface DatasetAudit {
  sink: AuditSink;
  /**
   * The data set's label, written into every event: one its caller gave, checked where it came in
   * (refusePersonalLabel: processDataset, the CLI, the HTTP schema), or one made from a file's
   * name (labelOfPath, maskedLabel). Not checked again here: a shard's label is made, not given.
   */
  dataset: string;
  userId?: string | null;
}

/**
 * A job's audit settings with a sink that counts what goes through it. Each batch's
 * `pii.redacted` events are recorded as the batch is written, before the job knows whether it
 * will succeed: a job that fails afterwards (a bad line near the end, the worker threads closed)
 * leaves them standing, each saying `success`, for an output that was never written. The count
 * tells the job to record its failure too (recordFailure). A data set in shards passes one
 * counting sink to every file's job, as one failure undoes them all.
 */
export type CountedAudit = DatasetAudit & { sink: CountingSink };

export function countedAudit(audit: DatasetAudit): CountedAudit {
  return { ...audit, sink: new CountingSink(audit.sink) };
}

/**
 * A batch's redactions as `pii.redacted` events (where, what type, found how; never the values),
 * as many as the audit log's payload limit needs (recordInPages): paged by bytes, not by count,
 * as a record's field paths are as long as its keys.
 */
export async function recordBatch(spec: RedactorSpec, audit: DatasetAudit, redactions: RedactionRecord[]): Promise<void> {
  if (redactions.length === 0) return;
  await recordInPages(
    audit.sink,
    {
      eventType: 'pii.redacted',
      result: 'success',
      userId: audit.userId ?? null,
      additionalData: { dataset: audit.dataset, method: spec.redaction.method, redactions: redactions.map(auditable) as unknown as JsonValue[] },
    },
    'redactions',
  );
}

/**
 * Audited field paths are cut to this many characters: a record's keys are as long as its
 * writer made them, and a path of 2,000-character keys took 2 KB per redaction. Cut, the path
 * still says where in the record it was; its end is marked with `…`.
 */
const MAX_AUDITED_FIELD = 512;

/** A UTF-16 surrogate not part of a pair: JSON may escape one into a key (`"\ud800"`), the audit log's stores refuse it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A redaction with its field path cut to MAX_AUDITED_FIELD and each lone surrogate in it as U+FFFD: limits of the log's, not the data's. */
function auditable(redaction: RedactionRecord): RedactionRecord {
  let field = redaction.field;
  if (field.length > MAX_AUDITED_FIELD) {
    // never between the halves of a surrogate pair
    const end = /[\ud800-\udbff]/.test(field.charAt(MAX_AUDITED_FIELD - 1)) ? MAX_AUDITED_FIELD - 1 : MAX_AUDITED_FIELD;
    field = `${field.slice(0, end)}…`;
  }
  field = field.replace(LONE_SURROGATE, '\ufffd');
  return field === redaction.field ? redaction : { ...redaction, field };
}

/** The `pii.dataset_redacted` record of a data set (or one shard) written in full. */
export async function recordSummary(spec: RedactorSpec, audit: DatasetAudit, report: { records: number; redactedRecords: number; counts: Record<EntityType, number> }): Promise<void> {
  await audit.sink.record({
    eventType: 'pii.dataset_redacted',
    result: 'success',
    userId: audit.userId ?? null,
    additionalData: { dataset: audit.dataset, method: spec.redaction.method, records: report.records, redactedRecords: report.redactedRecords, counts: report.counts },
  });
}

/**
 * A `pii.dataset_redaction_failed` record, with result `failure`, for a job that failed with
 * `err` after recording any `pii.redacted` event (`redactionEvents` of them): those redactions
 * never reached an output. It holds the error's code and where it arose (line or record,
 * problem, file of a shard), never its message, which may name columns; best effort
 * (recordFailureAfter).
 */
export async function recordFailure(spec: RedactorSpec, audit: CountedAudit, err: unknown): Promise<void> {
  const details = isLangtrainError(err) ? err.details : {};
  const where: Record<string, JsonValue> = {};
  for (const key of ['line', 'record'] as const) if (typeof details[key] === 'number') where[key] = details[key];
  if (typeof details.problem === 'string') where.problem = details.problem;
  if (typeof details.file === 'string') where.file = maskedLabel(details.file); // a shard's name, masked as in its label (shardAudit)
  await recordFailureAfter(
    audit.sink,
    { eventType: 'pii.dataset_redaction_failed', userId: audit.userId ?? null, additionalData: { dataset: audit.dataset, method: spec.redaction.method, ...where, redactionEvents: audit.sink.recorded } },
    err,
  );
}
