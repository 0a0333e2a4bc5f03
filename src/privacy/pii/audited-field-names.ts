import type { EntityType } from './entity-types.js';
import { scannerFor, type EntityScanner } from './entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './pii-options.js';

/**
 * Field paths and column names as the audit log gets them. They are built of the record's keys
 * (a CSV's header cells), and keys can be data: `{"contacts": {"carol@example.com": …}}`,
 * `{"cards": {"4111 1111 1111 1111": …}}`. So each key of a path is scanned on its own (joined
 * by dots, a card number or a name no longer reads as one) and the whole path too (a key holding
 * dots, an address), and what is found is replaced by its type: `cards.<credit_card>`. With
 * every type at the default threshold, whatever the job looks for: the job's `types` and
 * `threshold` say what to redact, not what the audit log may hold. Paths repeat from record to
 * record, so each is scanned once per batch.
 */
export class AuditedFieldNames {
  readonly #scanner: EntityScanner = scannerFor({ threshold: DEFAULT_CONFIDENCE_THRESHOLD });
  readonly #seen = new Map<string, string>();

  of(field: string): string {
    let audited = this.#seen.get(field);
    if (audited === undefined) {
      audited = masked(field, this.#found(field));
      this.#seen.set(field, audited);
    }
    return audited;
  }

  /**
   * What the scanner finds in `field` whole, in each of its keys, and in what follows each key's
   * start (an address written as keys, `ips.203.0.113.5`, reads as one only from its first
   * part), as spans of `field`; and every key of LONG_DIGIT_RUN digits or more (a phone number
   * or an id as a key, which the scanner wants a cue word to call personal).
   */
  #found(field: string): Array<{ start: number; end: number; type: EntityType | 'digits' }> {
    const keys = [...field.matchAll(KEY)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    const texts = [field, ...keys.map((k) => field.slice(k.start, k.end)), ...keys.slice(1).map((k) => field.slice(k.start))];
    const findings = this.#scanner.scanAll(texts);
    const offsets = [0, ...keys.map((k) => k.start), ...keys.slice(1).map((k) => k.start)];
    const spans: Array<{ start: number; end: number; type: EntityType | 'digits' }> = [];
    findings.forEach((found, i) => {
      for (const f of found) spans.push({ start: offsets[i]! + f.start, end: offsets[i]! + f.end, type: f.type });
    });
    for (const key of keys) if (LONG_DIGIT_RUN.test(field.slice(key.start, key.end))) spans.push({ ...key, type: 'digits' });
    return spans;
  }
}

/** A key holding this many digits in a row is masked whatever the scanner says. */
const LONG_DIGIT_RUN = /\d{7}/;

/** The keys and indices of a path: what lies between its `.`, `[` and `]`. */
const KEY = /[^.[\]]+/g;

/** `field` with every span replaced by `<type>`; overlapping spans become one, named by the first. */
function masked(field: string, spans: Array<{ start: number; end: number; type: EntityType | 'digits' }>): string {
  if (spans.length === 0) return field;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    if (span.start >= at) {
      out += `${field.slice(at, span.start)}<${span.type}>`;
    }
    at = span.end;
  }
  return out + field.slice(at);
}
