import { invalidInput } from '../../core/errors.js';
import { DIGITS, FpeCipher } from '../../crypto/fpe-ff1.js';
import { scannerFor, type ScanSettings } from './entity-scanner.js';
import type { EntityType } from './entity-types.js';
import type { RecordRedactor } from './record-redaction.js';
import { checkHashKey, FPE_ENTITY_TYPES, redactText, type RedactionOperator } from './redaction/operators.js';
import type { syntheticOperator } from './redaction/synthetic-values.js';

/**
 * How to redact, as plain data that can cross to a worker thread: what to look for and the
 * operator with its key material as bytes (a cipher object cannot be sent).
 */
export type RedactionSpec =
  | { method: 'masking'; preserveFormat: boolean }
  | { method: 'synthetic'; seed: Uint8Array }
  | { method: 'removal' }
  | { method: 'hash'; key: Uint8Array }
  | { method: 'encrypt'; key: Uint8Array };

export interface RedactorSpec {
  scan: ScanSettings;
  redaction: RedactionSpec;
}

/**
 * What makes the `synthetic` operator: synthetic-values.ts, whose faker locales take ~100 ms to
 * import, a third of a worker thread's start-up; so a worker loads it only for a synthetic job
 * ({@link loadRecordRedactor}) and callers on the main thread pass it in.
 */
export type SyntheticOperatorMaker = typeof syntheticOperator;

/** The redactor `spec` describes; `makeSynthetic` is needed (and used) only for the `synthetic` method. */
export function buildRecordRedactor(spec: RedactorSpec, makeSynthetic: SyntheticOperatorMaker | null): RecordRedactor {
  const scanner = scannerFor(scanSettingsFor(spec));
  const operator = operatorOf(spec.redaction, makeSynthetic);
  return {
    detectAll: (texts) => scanner.scanAll(texts),
    redact: (text, findings) => redactText(text, findings, operator).text,
  };
}

/** {@link buildRecordRedactor}, importing synthetic-values.ts only when `spec` asks for fakes. */
export async function loadRecordRedactor(spec: RedactorSpec): Promise<RecordRedactor> {
  const makeSynthetic = spec.redaction.method === 'synthetic' ? (await import('./redaction/synthetic-values.js')).syntheticOperator : null;
  return buildRecordRedactor(spec, makeSynthetic);
}

/**
 * Format-preserving encryption covers digit values only, so `encrypt` needs its types named, all
 * of them digit types, before any record is read: narrowing "all types" to those quietly left
 * names, emails and keys in clear while the job, and its lineage, said every type was covered.
 */
function scanSettingsFor({ scan, redaction }: RedactorSpec): ScanSettings {
  if (redaction.method !== 'encrypt') return scan;
  const problem = encryptTypesProblem(scan.types);
  if (problem !== undefined) throw invalidInput(problem);
  return scan;
}

/** What is wrong with `types` (undefined: all) for the `encrypt` method, if anything: PIIDetector's options and every job ask this. */
export function encryptTypesProblem(types: readonly EntityType[] | undefined): string | undefined {
  if (types === undefined) {
    return `format-preserving encryption covers ${FPE_ENTITY_TYPES.join(', ')} only: name them as the types to look for (--types ${FPE_ENTITY_TYPES.join(',')}; detectionTypes), and redact the other types with another method in a pass of their own`;
  }
  const other = types.filter((t) => !(FPE_ENTITY_TYPES as readonly string[]).includes(t));
  return other.length > 0 ? `format-preserving encryption supports ${FPE_ENTITY_TYPES.join(', ')}; not ${other.join(', ')} (use another method for those)` : undefined;
}

function operatorOf(spec: RedactionSpec, makeSynthetic: SyntheticOperatorMaker | null): RedactionOperator {
  switch (spec.method) {
    case 'masking':
      return { method: 'masking', preserveFormat: spec.preserveFormat };
    case 'synthetic':
      if (makeSynthetic === null) throw new Error('a synthetic redactor needs syntheticOperator: use loadRecordRedactor');
      return makeSynthetic(spec.seed);
    case 'removal':
      return { method: 'removal' };
    case 'hash':
      checkHashKey(spec.key, 'key');
      return { method: 'hash', key: spec.key };
    case 'encrypt':
      return { method: 'encrypt', cipher: new FpeCipher({ key: spec.key, alphabet: DIGITS }) };
  }
}
