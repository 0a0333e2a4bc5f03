import { z } from 'zod';
import { strictQuery } from './strict-query.js';
import { LINEAGE_DIRECTIONS, lineageDigest, lineageOfFields, recordSubjectsFields, recordTransformationFields } from '../../privacy/lineage/inputs.js';

/**
 * Bodies and replies of `/v1/consent` and `/v1/lineage`. Shapes only: the names, dates,
 * digests and parameters are checked by ConsentManager and LineageStore, whose errors name
 * the field (400), so the rules live in one place.
 */
const subjectId = z.string().min(1).max(256);
const digest = lineageDigest;

export const userIdParams = z.object({ userId: subjectId });

// Defined beside ConsentManager, whose inputs have the same keys (plus the caller as `actor`).
export { recordConsentBody, withdrawConsentBody } from '../../privacy/consent/inputs.js';
export const validityQuery = strictQuery({ dataType: z.string().min(1).max(64), purpose: z.string().min(1).max(64).optional() });

const names = z.union([z.array(z.string()), z.literal('all')]);
export const consentGrant = z.object({ kind: z.literal('granted'), seq: z.number(), userId: z.string(), dataTypes: z.array(z.string()), purposes: z.array(z.string()), consentDate: z.string(), expiryDate: z.string().nullable(), recordedAt: z.string(), actor: z.string().nullable() });
export const consentWithdrawal = z.object({ kind: z.literal('withdrawn'), seq: z.number(), userId: z.string(), dataTypes: names, purposes: names, recordedAt: z.string(), actor: z.string().nullable() });
export const consentEvent = z.discriminatedUnion('kind', [consentGrant, consentWithdrawal]);
export const consentHistory = z.object({ userId: z.string(), events: z.array(consentEvent) });
export const consentValidity = z.object({ userId: z.string(), dataType: z.string(), purpose: z.string().nullable(), valid: z.boolean() });
export const subjectRecords = z.object({
  domain: z.literal('consent'),
  subjectId: z.string(),
  exportedAt: z.string(),
  events: z.array(consentEvent),
  validConsents: z.array(z.object({ dataType: z.string(), purpose: z.string(), consentDate: z.string(), expiryDate: z.string().nullable(), grantSeq: z.number() })),
});

const artifact = z.object({ digest: z.string(), names: z.array(z.string()), via: z.enum(['direct', 'downstream']) });
const parameters = z.record(z.string(), z.unknown());
export const lineageEdge = z.object({ seq: z.number(), inputDigest: z.string(), outputDigest: z.string(), operation: z.string(), parameters, actor: z.string(), at: z.string() });
/** The Art. 15 document (privacy/subject-access.ts): a section per privacy domain. */
export const subjectExport = z.object({
  format: z.literal('langtrain.subject-export'),
  formatVersion: z.literal(1),
  generatedAt: z.string(),
  subject: z.string(),
  domains: z.object({
    consent: subjectRecords.extend({ eventsRecordedBy: z.array(z.object({ seq: z.number(), kind: z.enum(['granted', 'withdrawn']), recordedAt: z.string() })) }),
    lineage: z.object({ domain: z.literal('lineage'), artifacts: z.array(artifact), edgesActedBy: z.array(lineageEdge) }),
    encryption: z.object({ domain: z.literal('encryption'), keysWithSubjectKey: z.array(z.string()) }),
    budgets: z
      .object({
        domain: z.literal('budgets'),
        actedBy: z.object({
          created: z.array(z.object({ unit: z.string(), createdAt: z.string() })),
          spends: z.array(z.object({ unit: z.string(), seq: z.number(), noiseMultiplier: z.number(), samplingRate: z.number(), steps: z.number(), job: z.string(), actor: z.string(), epsilonAfter: z.number(), at: z.string() })),
        }),
      })
      .optional(),
    audit: z
      .object({
        domain: z.literal('audit'),
        count: z.number(),
        truncated: z.boolean(),
        entries: z.array(z.object({ index: z.number(), eventType: z.string().nullable(), timestamp: z.string().nullable(), result: z.string().nullable(), payload: z.string(), additionalData: z.record(z.string(), z.unknown()).optional() })),
      })
      .optional(),
  }),
});
export const erasureReport = z.object({ subject: z.string(), consentRecords: z.number(), consentActorsErased: z.number(), lineageActorsErased: z.number(), budgetActorsErased: z.number().optional(), lineageLinks: z.number(), keysShredded: z.array(z.string()), keysShreddedBefore: z.array(z.string()), affectedArtifacts: z.array(artifact), auditKeysShredded: z.number().optional(), auditEntriesInClear: z.number().optional(), auditEntriesNamingAsActor: z.number().optional(), filesScrubbed: z.boolean().optional() });
export const exportQuery = strictQuery({});
export const erasureQuery = strictQuery({ shredAuditTrail: z.enum(['true', 'false']).default('false') });

// The edge's actor is the caller (the principal), never a field of the body.
export const recordEdgeBody = z.strictObject(recordTransformationFields).omit({ actor: true });
export const digestParams = z.object({ digest });
export const nameArtifactBody = z.strictObject({ name: z.string().min(1).max(256) });
/** `*`: a name may hold `/` (dataset:org/clean-v1), as the path's rest or encoded as %2F. */
export const refParams = z.object({ '*': z.string().min(1).max(300) });
// A query string's depth is text: coerced, then held to lineageOf's rule.
export const lineageQuery = strictQuery({ direction: lineageOfFields.direction.default('upstream'), depth: z.coerce.number().pipe(lineageOfFields.depth.unwrap()).optional() });
export const lineageGraph = z.object({ root: z.string(), direction: z.enum(LINEAGE_DIRECTIONS), nodes: z.array(z.object({ digest: z.string(), names: z.array(z.string()), depth: z.number() })), edges: z.array(lineageEdge) });
export const subjectsBody = z.strictObject({ subjectIds: z.array(subjectId).min(1).max(100_000), ...recordSubjectsFields });
export const subjectArtifacts = z.object({ subjectId: z.string(), artifacts: z.array(artifact.extend({ depth: z.number() })) });

// `/v1/privacy/budgets`: shapes only; BudgetLedger checks the figures and names the field.
const unit = z.string().min(1).max(256);
export const unitParams = z.object({ unit });
export const createBudgetBody = z.strictObject({ unit, epsilon: z.number(), delta: z.number(), accountant: z.string().optional() });
export const reserveBody = z.strictObject({ noiseMultiplier: z.number(), samplingRate: z.number(), steps: z.number(), upTo: z.boolean().optional(), job: z.string().min(1).max(256) });
const budgetSummary = { unit: z.string(), epsilon: z.number(), delta: z.number(), accountant: z.enum(['rdp', 'prv']), spentEpsilon: z.number(), remainingEpsilon: z.number() };
export const budgetSpend = z.object({ seq: z.number(), noiseMultiplier: z.number(), samplingRate: z.number(), steps: z.number(), job: z.string(), actor: z.string(), epsilonAfter: z.number(), at: z.string() });
export const privacyBudget = z.object({ ...budgetSummary, spends: z.array(budgetSpend) });
export const privacyBudgetList = z.object({ budgets: z.array(z.object(budgetSummary)) });
export const reservation = z.object({ unit: z.string(), steps: z.number(), epsilonAfter: z.number(), remainingEpsilon: z.number() });
