import { z } from 'zod';
import { MAX_LABEL_LENGTH, personalDataInLabel, personalLabelProblem } from '../../privacy/pii/dataset-label.js';
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

/**
 * The most text one explanation reads, in characters: it works out every candidate's score and
 * context words, a few times a scan's work, on the event loop (16,384 characters of the worst
 * case measured, a deny-list value overlapping an IP address 1,820 times, took 40-140 ms); one
 * text that surprised someone, not a data set.
 */
export const MAX_EXPLAINED_TEXT = 16 * 1024;
export const explainBody = z.strictObject({
  text: z.string().max(MAX_EXPLAINED_TEXT, `at most ${MAX_EXPLAINED_TEXT} characters: explain is for one text that surprised you; scan many with /v1/pii/detect`),
  ...detection,
});
const scoredCandidate = {
  start: z.number(),
  end: z.number(),
  type: z.enum(ENTITY_TYPES),
  recognizer: z.string(),
  baseScore: z.number(),
  score: z.number(),
  cued: z.boolean(),
  contextWord: z.string().nullable(),
  negativeContextWord: z.string().nullable(),
};
export const explainReply = z.object({
  threshold: z.number(),
  candidates: z.array(
    z.discriminatedUnion('outcome', [
      z.object({ ...scoredCandidate, outcome: z.enum(['reported', 'below_threshold', 'allow_listed']) }),
      z.object({ ...scoredCandidate, outcome: z.literal('overlapped'), overlappedBy: z.number() }),
    ]),
  ),
});
export const finding = z.object({ start: z.number(), end: z.number(), type: z.enum(ENTITY_TYPES), score: z.number(), recognizer: z.string() });
export const detectReply = z.object({ results: z.array(z.object({ spans: z.array(finding) })) });

/**
 * A data set's label: the characters of a lineage artifact name (so `dataset:customers-v2`
 * names the same data set here), a letter or digit first, at most 200. No spaces or `@`: the
 * label is written to the audit log, which cannot be changed or erased, so it is a name, not
 * free text that could carry an address or a sentence about someone. Then checked for personal
 * data as the library's and the CLI's labels are (dataset-label.ts). Only this door limits the
 * characters: its labels come from any holder of `pii.redact`, and a sentence about someone is
 * what the scanner is least sure to catch.
 */
const DATASET_LABEL = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,${MAX_LABEL_LENGTH - 1}}$`);

const dataset = z
  .string()
  .regex(DATASET_LABEL, `must be a label of letters, digits and . _ : / - (a letter or digit first, at most ${MAX_LABEL_LENGTH} characters), such as crm-export-2026-01: it is written to the audit log, which cannot be changed`)
  .superRefine((label, ctx) => {
    if (!DATASET_LABEL.test(label)) return; // said above; and a label of any length is not scanned
    const found = personalDataInLabel(label);
    if (found.length > 0) ctx.addIssue({ code: 'custom', message: personalLabelProblem(found) });
  });

const redaction = {
  method: z.enum(['masking', 'removal', 'synthetic', 'hash']).default('masking'),
  preserveFormat: z.boolean().optional(),
  /** `synthetic`: the data set the texts belong to, for the same fakes across requests (default: one request's texts only). */
  dataset: dataset.optional(),
  ...detection,
};
export const redactBody = z.strictObject({ text: texts, ...redaction });
export const redactReply = z.object({ results: z.array(z.object({ text: z.string(), spans: z.array(finding) })) });

/**
 * Deepest nesting of a record (the record itself is level 1). The reply is serialised by
 * JSON.stringify, which recurses once per level: on Node 20's default stack a record of about
 * 2,500 levels overflowed it (a 500 for a request that had been redacted and audited), so the
 * door refuses well below that. Real records nest a few levels.
 */
export const MAX_RECORD_DEPTH = 1000;

/** Whether `value` nests objects and lists more than `limit` levels (itself level 1), walked without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: object; depth: number }> = value !== null && typeof value === 'object' ? [{ value, depth: 1 }] : [];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) {
      if (child !== null && typeof child === 'object') pending.push({ value: child as object, depth: next.depth + 1 });
    }
  }
  return false;
}

const jsonRecord = z.record(z.string(), z.unknown()).refine((record) => !nestedDeeperThan(record, MAX_RECORD_DEPTH), `nested more than ${MAX_RECORD_DEPTH} levels deep (objects and lists); flatten it`);

/**
 * JSON records, as `processDataset` takes a list: values and keys redacted, at `fields` (paths)
 * or everywhere. `dataset` names them in the audit log with any method (and seeds `synthetic`).
 */
export const redactRecordsBody = z.strictObject({
  records: z.array(jsonRecord).min(1).max(MAX_PII_TEXTS),
  fields: z.array(z.string().min(1).max(512)).min(1).max(64).optional(),
  ...redaction,
});
export const redactRecordsReply = z.object({
  records: z.array(z.record(z.string(), z.unknown())),
  redactedRecords: z.number(),
  counts: z.record(z.enum(ENTITY_TYPES), z.number()),
});
