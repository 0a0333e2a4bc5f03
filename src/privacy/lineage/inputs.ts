import { z } from 'zod';

/**
 * The fields LineageStore's methods take, one source for the library and the HTTP routes
 * (src/server/schemas/privacy.ts builds its bodies and query from these). The library parses
 * its inputs strictly with parseOptions (a misspelt `params` or `dept` is refused, naming the
 * supported fields), then checks each value itself, naming the field in the error.
 */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
export const LINEAGE_DIRECTIONS = ['upstream', 'downstream'] as const;
/** The longest operation name: with the other bounds, an edge always fits in its audit event. */
export const MAX_OPERATION = 64;

/** An artifact digest: `sha256:` and 64 lower-case hex digits (digestFile). */
export const lineageDigest = z.string().regex(DIGEST_PATTERN, 'must be sha256:<64 lower-case hex>');

/** recordTransformation's input. `at` is an ISO 8601 date-time with a zone (the library also takes a Date). */
export const recordTransformationFields = {
  inputDigest: lineageDigest,
  outputDigest: lineageDigest,
  operation: z.string().min(1).max(MAX_OPERATION),
  parameters: z.record(z.string(), z.unknown()).optional(),
  actor: z.string().min(1).max(256),
  at: z.string().max(64).optional(),
};

/** lineageOf's options. */
export const lineageOfFields = {
  direction: z.enum(LINEAGE_DIRECTIONS),
  depth: z.number().int().min(1).optional(),
};

/** recordSubjects' options. */
export const recordSubjectsFields = {
  complete: z.boolean().optional(),
};

