import { z } from 'zod';
import { ENTITY_TYPES } from '../../privacy/pii/entity-types.js';
import { MAX_LIST_ENTRY_LENGTH } from '../../privacy/pii/scan-lists.js';

/** At most this much text in one request; data sets go through `langtrain pii redact`. */
export const MAX_PII_TEXT = 1_000_000;
const MAX_PII_TEXTS = 1000;

/** Entries per list in one request: a deployment's long lists belong in the CLI's files or the library's options. */
const MAX_REQUEST_LIST = 1000;
const listEntry = z.string().max(MAX_LIST_ENTRY_LENGTH);
const detection = {
  types: z.array(z.enum(ENTITY_TYPES)).min(1).optional(),
  threshold: z.number().min(0).max(1).optional(),
  /**
   * Found values never reported, compared exactly. No regex form here: a request's pattern would
   * run on the server's event loop, where a catastrophic one stalls every other request.
   */
  allowList: z.array(listEntry).max(MAX_REQUEST_LIST).optional(),
  /** Per type, values always reported as it: whole words, any case. Never audited or logged. */
  denyList: z.partialRecord(z.enum(ENTITY_TYPES), z.array(listEntry).max(MAX_REQUEST_LIST)).optional(),
};
const texts = z.union([z.string().max(MAX_PII_TEXT), z.array(z.string().max(MAX_PII_TEXT)).min(1).max(MAX_PII_TEXTS)]);

export const detectBody = z.strictObject({ text: texts, ...detection });
export const finding = z.object({ start: z.number(), end: z.number(), type: z.enum(ENTITY_TYPES), score: z.number(), recognizer: z.string() });
export const detectReply = z.object({ results: z.array(z.object({ spans: z.array(finding) })) });

const redaction = {
  method: z.enum(['masking', 'removal', 'synthetic', 'hash']).default('masking'),
  preserveFormat: z.boolean().optional(),
  /** `synthetic`: the data set the texts belong to, for the same fakes across requests (default: one request's texts only). */
  dataset: z.string().min(1).max(256).optional(),
  ...detection,
};
export const redactBody = z.strictObject({ text: texts, ...redaction });
export const redactReply = z.object({ results: z.array(z.object({ text: z.string(), spans: z.array(finding) })) });

/**
 * JSON records, as `processDataset` takes a list: values and keys redacted, at `fields` (paths)
 * or everywhere. `dataset` names them in the audit log with any method (and seeds `synthetic`).
 */
export const redactRecordsBody = z.strictObject({
  records: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_PII_TEXTS),
  fields: z.array(z.string().min(1).max(512)).min(1).max(64).optional(),
  ...redaction,
});
export const redactRecordsReply = z.object({
  records: z.array(z.record(z.string(), z.unknown())),
  redactedRecords: z.number(),
  counts: z.record(z.enum(ENTITY_TYPES), z.number()),
});
