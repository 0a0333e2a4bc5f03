/** `langtrain/compliance`: the seed's `langtrain.compliance` module (what exists of it). */
export { AuditLogger, type AuditLoggerOptions, type InclusionProof, type ConsistencyProof } from './audit/audit-logger.js';
export type { AuditQuery, AuditEntryView } from './audit/query.js';
export type { VerificationReport, VerificationProblem } from './audit/verifier.js';
export { verifyBundle } from './audit/bundle.js';
export { verifyInclusion, verifyConsistency } from './audit/merkle.js';
export { openNote, parseCheckpoint, parseVerifierKey } from './audit/signed-note.js';
