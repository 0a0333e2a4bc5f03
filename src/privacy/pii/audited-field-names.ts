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
    for (const key of keys) if (holdsLongNumber(field.slice(key.start, key.end), field)) spans.push({ ...key, type: 'digits' });
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
 * Whether `key` holds seven or more digits in a row that are not the day of an export
 * (compactDate): a phone number, an account, a card. Names of exports and daily partitions
 * carry their day (`export_20260115`, `{"20260115": …}`), which names no one. Not when the
 * path or label speaks of a birth (`dob-19850312`, `dob.20010312`): that day is a person's.
 * The price: an eight-digit national number that reads as a day of this century (a Danish
 * mobile, 20 26 01 15) passes.
 */
function holdsLongNumber(key: string, field: string): boolean {
  for (const [run] of key.matchAll(DIGIT_RUN)) if (isPersonalNumber(run, field)) return true;
  return false;
}

/** Whether `digits` (seven or more, nothing else) in `context` (the path or label they stand in) is personal data: not an export's day (holdsLongNumber). */
export function isPersonalNumber(digits: string, context: string): boolean {
  return mentionsBirth(context) || !compactDate(digits);
}

/** Whether a path or label names a birth anywhere (BIRTH_CUE): then no day in it is an export's. */
export function mentionsBirth(context: string): boolean {
  return BIRTH_CUE.test(context);
}

/** Seven or more digits in a row, each run whole (a date followed by more digits is one run, and no date). */
const DIGIT_RUN = /\d{7,}/g;

/**
 * Words that make a date in a path or label someone's birthday, in the languages the
 * date-of-birth recognizer reads; anywhere, as keys glue words (`dateOfBirth`, `customerDob`,
 * `dob20010312`): a word that only looks like one (`adobe`) masks a day that was no birthday,
 * the safe mistake.
 */
const BIRTH_CUE = /dob|d\.o\.b|bday|born|birth|geb(?:oren|urt)|naissance|nacimiento|nascimento|nascita|geboorte|urodz|doğum|fødsel|födelse/iu;

/**
 * Whether a run of digits is a day of 2000 to 2199 written YYYYMMDD, alone or with its time
 * (YYYYMMDDhhmmss): a real calendar day (no 20260230) and time (no 2460). Not the 12-digit
 * YYYYMMDDhhmm, which is also the length of a Swedish personnummer (YYYYMMDDNNNN) and of
 * phone numbers with their country code (+20 10 1215 0930); not the twentieth century's days,
 * which are the birthdays of most adults; not ten digits (YYYYMMDDhh, Unix seconds): a phone
 * number's length.
 */
export function compactDate(run: string): boolean {
  if (run.length !== 8 && run.length !== 14) return false;
  const part = (from: number, to: number) => Number(run.slice(from, to)); // '' past the end: 0
  const [year, month, day] = [part(0, 4), part(4, 6), part(6, 8)];
  const date = new Date(Date.UTC(year, month - 1, day));
  const validDay = year >= 2000 && year <= 2199 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
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
