import { scannerFor } from './entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './pii-options.js';

/**
 * Whether field or column names may be shown in an error. A CSV without a header row has a
 * record where its header should be, and a JSON record can be keyed by data, so names are shown
 * only when none looks like personal data: no `@` or run of three digits (a date, a phone; the
 * scanner wants context for those), and nothing the scanner finds in any name or in all of them
 * read as one line (a context word beside a value).
 */
export function namesFitForAnError(names: readonly string[]): boolean {
  if (names.length === 0) return true;
  if (names.some((name) => /@|\d{3}/.test(name))) return false;
  return scannerFor({ threshold: DEFAULT_CONFIDENCE_THRESHOLD })
    .scanAll([...names, names.join(', ')])
    .every((findings) => findings.length === 0);
}
