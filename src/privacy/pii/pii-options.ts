/**
 * PII option values, in a module with no imports: the CLI and SecurityManager name them
 * without loading the recognizers (whose word lists take most of a second to import).
 */

/**
 * The default confidence threshold: validated formats (checksums, issuer ranges) and cued
 * candidates pass; weak candidates without context (a bare national number) do not.
 */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.5;

/** The seed's `redaction_method` values, plus keyed hashing and format-preserving encryption. */
export const REDACTION_METHODS = ['masking', 'synthetic', 'removal', 'hash', 'encrypt'] as const;
export type RedactionMethod = (typeof REDACTION_METHODS)[number];

/**
 * What is wrong with `preserveFormat` as given for `method`, or undefined: only masking has a
 * choice. Synthetic fakes and FF1 ciphertexts always keep the value's format and removal and
 * hash never can, so a value saying otherwise would be ignored. One rule for the library, the
 * CLI (`--preserve-format`, only ever true) and the HTTP routes.
 */
export function preserveFormatProblem(method: RedactionMethod, given: boolean | undefined): string | undefined {
  if (given === undefined || method === 'masking') return undefined;
  const keepsFormat = method === 'synthetic' || method === 'encrypt';
  if (given === keepsFormat) return undefined;
  return `preserveFormat ${given} has no effect with the method ${method}, which ${keepsFormat ? 'always keeps' : 'cannot keep'} the format; leave it out (it applies to masking)`;
}
