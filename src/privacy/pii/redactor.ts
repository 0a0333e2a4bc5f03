import { invalidInput } from '../../core/errors.js';
import { DIGITS, FpeCipher } from '../../crypto/fpe-ff1.js';
import { scannerFor, type ScanSettings } from './entity-scanner.js';
import type { RecordRedactor } from './record-redaction.js';
import { FPE_ENTITY_TYPES, redactText, type RedactionOperator } from './redaction/operators.js';

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

export function buildRecordRedactor(spec: RedactorSpec): RecordRedactor {
  const scanner = scannerFor(scanSettingsFor(spec));
  const operator = operatorOf(spec.redaction);
  return {
    detect: (text) => scanner.scan(text),
    redact: (text, findings) => redactText(text, findings, operator).text,
  };
}

/**
 * Format-preserving encryption covers digit values only: by default `encrypt` looks for just
 * those types, and naming another is refused before any record is read.
 */
function scanSettingsFor({ scan, redaction }: RedactorSpec): ScanSettings {
  if (redaction.method !== 'encrypt') return scan;
  if (scan.types === undefined) return { ...scan, types: FPE_ENTITY_TYPES };
  const other = scan.types.filter((t) => !(FPE_ENTITY_TYPES as readonly string[]).includes(t));
  if (other.length > 0) throw invalidInput(`format-preserving encryption supports ${FPE_ENTITY_TYPES.join(', ')}; not ${other.join(', ')} (use another method for those)`);
  return scan;
}

function operatorOf(spec: RedactionSpec): RedactionOperator {
  switch (spec.method) {
    case 'masking':
      return { method: 'masking', preserveFormat: spec.preserveFormat };
    case 'synthetic':
      return { method: 'synthetic', seed: spec.seed };
    case 'removal':
      return { method: 'removal' };
    case 'hash':
      return { method: 'hash', key: spec.key };
    case 'encrypt':
      return { method: 'encrypt', cipher: new FpeCipher({ key: spec.key, alphabet: DIGITS }) };
  }
}
