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
      audited = masked(field, this.spansIn(field));
      this.#seen.set(field, audited);
    }
    return audited;
  }

  /**
   * What the scanner finds in `field` whole, in each of its keys, and in what follows each key's
   * start (an address written as keys, `ips.203.0.113.5`, reads as one only from its first
   * part), as spans of `field`; and every key holding a long number (holdsLongNumber: a phone
   * number or an id as a key, which the scanner wants a cue word to call personal). Not cached.
   */
  spansIn(field: string): PersonalSpan[] {
    const keys = [...field.matchAll(KEY)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    const texts = [field, ...keys.map((k) => field.slice(k.start, k.end)), ...keys.slice(1).map((k) => field.slice(k.start))];
    const findings = this.#scanner.scanAll(texts);
    const offsets = [0, ...keys.map((k) => k.start), ...keys.slice(1).map((k) => k.start)];
    const spans: PersonalSpan[] = [];
    findings.forEach((found, i) => {
      for (const f of found) spans.push({ start: offsets[i]! + f.start, end: offsets[i]! + f.end, type: f.type });
    });
    for (const key of keys) if (holdsLongNumber(field.slice(key.start, key.end))) spans.push({ ...key, type: 'digits' });
    return spans;
  }
}

/** Where in a field path (or a data set's label) personal data was found, and of which type; `digits` for a long number. */
export interface PersonalSpan {
  start: number;
  end: number;
  type: EntityType | 'digits';
}

/**
 * Whether `key` holds seven or more digits in a row that are not a date or timestamp
 * (compactDate): a phone number, an account, a card. Dates are let through because names of
 * exports and daily partitions carry them (`export_20260115`, `{"20260115": …}`) and a date
 * alone names no one; the price is that an eight-digit national number that reads as a day
 * (a Danish mobile, 20 26 01 15) passes; written with its country code (+45…, ten digits) it
 * does not.
 */
function holdsLongNumber(key: string): boolean {
  for (const [run] of key.matchAll(DIGIT_RUN)) if (!compactDate(run)) return true;
  return false;
}

/** Seven or more digits in a row, each run whole (a date followed by more digits is one run, and no date). */
const DIGIT_RUN = /\d{7,}/g;

/**
 * Whether a run of digits is a day of 1900 to 2199 written YYYYMMDD, alone or with a time of
 * day (YYYYMMDDhhmm, YYYYMMDDhhmmss): a real calendar day (no 20260230) and time (no 2460),
 * which few numbers of those lengths are. Ten digits (YYYYMMDDhh, Unix seconds) are no date
 * here: that is a phone number's length.
 */
function compactDate(run: string): boolean {
  if (run.length !== 8 && run.length !== 12 && run.length !== 14) return false;
  const part = (from: number, to: number) => Number(run.slice(from, to)); // '' past the end: 0
  const [year, month, day] = [part(0, 4), part(4, 6), part(6, 8)];
  const date = new Date(Date.UTC(year, month - 1, day));
  const validDay = year >= 1900 && year <= 2199 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return validDay && part(8, 10) <= 23 && part(10, 12) <= 59 && part(12, 14) <= 59;
}

/** The keys and indices of a path: what lies between its `.`, `[` and `]`. */
const KEY = /[^.[\]]+/g;

/** `field` with every span replaced by `<type>`; overlapping spans become one, named by the first. */
export function masked(field: string, spans: PersonalSpan[]): string {
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
