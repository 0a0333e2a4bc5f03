import { z } from 'zod';
import { auditQuerySchema } from '../../audit/query.js';

/**
 * The audit API's wire shapes: one zod schema per body, query and answer, which the type
 * provider uses to validate, type the handlers and write the OpenAPI document.
 *
 * The event schema checks shape (fields, types, unknown keys); the content rules (name
 * patterns, payload size, dates) stay in `validateEvent`, their one home, which the route
 * runs on every event before appending any.
 */
export const auditEventBody = z
  .object({
    eventType: z.string().describe('Dotted lower-case name, e.g. "user_authentication", "keys.rotated"'),
    userId: z.string().nullable().optional().describe('The acting principal; omit for system events'),
    timestamp: z.string().optional().describe('When it happened, ISO 8601; default: when it is logged'),
    result: z.string().describe('Outcome, e.g. "success", "failure", "denied"'),
    // Any JSON object: the body parser only yields JSON, and validateEvent bounds its size.
    // (z.json() would be exact, but its recursion becomes a dangling $ref in OpenAPI.)
    additionalData: z.record(z.string(), z.unknown()).optional(),
    sensitive: z.array(z.literal('userId')).optional().describe('Fields to seal with the payload when the log encrypts'),
    level: z.enum(['basic', 'detailed']).optional().describe('Default basic; a basic-level log drops detailed events'),
  })
  .strict();

/** Most events in one request: bounds the validation and commit work one call can cause. */
export const MAX_BATCH = 1000;

export const auditBatchBody = z.object({ events: z.array(auditEventBody).min(1).max(MAX_BATCH) }).strict();

export const appendBody = z.union([auditEventBody, auditBatchBody]);

export const receiptsReply = z.object({
  receipts: z.array(
    z.object({
      index: z.number().int().nullable().describe('Leaf index; null when the log level dropped the event'),
      id: z.string(),
    }),
  ),
});

/** The library's query, with numbers coerced from the query string. */
export const eventsQuery = auditQuerySchema.extend({
  afterIndex: z.coerce.number().int().min(-1).optional().describe('Resume after this index (nextAfterIndex of the previous page)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

/** `AuditEntryView`; every field but index, leafHash and payload is null once retention pruned the entry. */
const entryView = z.object({
  index: z.number().int(),
  id: z.string().nullable(),
  loggedAt: z.string().nullable(),
  timestamp: z.string().nullable(),
  eventType: z.string().nullable(),
  userId: z.string().nullable(),
  userIdSealed: z
    .boolean()
    .describe('Whether the entry stores the user id only as its pseudonym (sensitive: ["userId"] on a log with encryption); false when it stores the id in clear or has none. userId alone cannot tell once a sealed id is opened'),
  result: z.string().nullable(),
  level: z.enum(['basic', 'detailed']).nullable(),
  additionalData: z.record(z.string(), z.unknown()).optional(),
  payload: z.enum(['clear', 'opened', 'shredded', 'locked', 'tampered', 'pruned']),
  leafHash: z.string(),
});

export const eventsReply = z.object({
  entries: z.array(entryView),
  nextAfterIndex: z.number().int().nullable().describe('Pass as afterIndex for the next page; null on the last page'),
});

export const checkpointReply = z.object({
  size: z.number().int(),
  note: z.string().describe('C2SP signed note holding a tlog-checkpoint'),
});

export const inclusionParams = z.object({ index: z.coerce.number().int().min(0) });

export const inclusionReply = z.object({
  index: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  proof: z.array(z.string()).describe('RFC 6962 audit path, hex'),
  checkpoint: z.string().describe('The signed checkpoint whose root the proof leads to'),
});

/**
 * A whole number the query string must carry. z.coerce.number turns a missing key into NaN
 * and reports "expected number, received NaN"; this says "required" instead.
 */
function requiredQueryWholeNumber(min: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a whole number') })
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `expected a whole number >= ${min}` }));
}

export const consistencyQuery = z
  .object({
    from: requiredQueryWholeNumber(1).describe('Size of the older checkpoint'),
    to: requiredQueryWholeNumber(1).describe('Size of the newer checkpoint'),
  })
  .strict();

export const consistencyReply = z.object({
  size1: z.number().int(),
  size2: z.number().int(),
  proof: z.array(z.string()).describe('RFC 6962 consistency proof, hex'),
  checkpoint1: z.string(),
  checkpoint2: z.string(),
});
