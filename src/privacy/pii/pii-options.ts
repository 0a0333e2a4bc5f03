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
