import { invalidInput } from '../../core/errors.js';
import { inexactNumberDigits } from '../../core/json-text.js';
import { transformAt, type FieldPath } from '../../crypto/field-paths.js';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { zeroCounts, type EntityType, type Finding } from './entity-types.js';
import { longIntegerTexts, replaceValues, type RecordChanges } from '../../core/json-value-replace.js';
import { jsonLineBatch, lineText, movableLines, movableUtf8, recordAt } from './jsonl-bytes.js';
import { AuditedFieldNames } from './audited-field-names.js';
import { cellFindings, csvHeaderLine, csvRowText } from './csv-row-text.js';
import { namesFitForAnError } from './names-in-errors.js';
import { TextScanError } from './entity-scanner.js';
import { RecordError } from './record-error.js';

/**
 * Detection and redaction of whole records: a batch of JSON Lines or CSV rows in, the
 * redacted batch and what was redacted out. Pure, so the same code runs on worker threads
 * and on the caller's thread.
 */
export interface RecordRedactor {
  /** The findings of each text (EntityScanner.scanAll). */
  detectAll(texts: readonly string[]): Finding[][];
  /** `text` with `findings` replaced. */
  redact(text: string, findings: readonly Finding[]): string;
}

/** One redaction, as the audit log records it: where, what kind, found how; never the value. */
export interface RedactionRecord {
  /** Line of the input file (1-based). */
  line: number;
  /** Field path (JSONL, e.g. `messages[2].text`) or column name (CSV); for a redaction in a key (`inKey`), the key's own path. */
  field: string;
  /** Present for personal data found in an object key (`{"carol@example.com": …}`), which is renamed. */
  inKey?: true;
  type: EntityType;
  start: number;
  end: number;
  recognizer: string;
  score: number;
}

/** What a batch redacted, by type; and each redaction when they are to be audited. */
export interface RedactionTally {
  counts: Record<EntityType, number>;
  /** null: only counted (no audit wanted), which keeps the batch's answer small. */
  redactions: RedactionRecord[] | null;
  /** Records with at least one finding: redacted ones, or for a scan the lines with spans. */
  recordsWithFindings: number;
  /**
   * Per field path chosen (in the job's order; none when every field is scanned, and for CSV,
   * whose columns are checked at the header): the records with a value there. A path no record
   * has is a misspelt one, which the job refuses rather than redact nothing and report success.
   */
  fieldsFound: number[];
}

export interface BatchResult extends RedactionTally {
  /** The batch redacted, in input order, as UTF-8 in an ArrayBuffer of its own (movable): JSON Lines (each ending in a newline) or CSV rows. */
  output: Uint8Array;
  records: number;
}

export function emptyTally(keepRedactions: boolean, chosenFields = 0): RedactionTally {
  return { counts: zeroCounts(), redactions: keepRedactions ? [] : null, recordsWithFindings: 0, fieldsFound: new Array<number>(chosenFields).fill(0) };
}

/**
 * JSON Lines, as the bytes of whole lines: each line one JSON object. With `fields`, only
 * those paths; without, the whole record (visitScanned says what is scanned). A record with
 * nothing to redact is copied back byte for byte, and a redacted one is its line with only the
 * redacted strings replaced (writtenBack); blank lines are kept, and are no records; CR LF becomes LF.
 */
export function redactJsonLines(redactor: RecordRedactor, bytes: Uint8Array, firstLine: number, fields: readonly FieldPath[] | null, tally: RedactionTally): BatchResult {
  const batch = jsonLineBatch(bytes, firstLine);
  const records: Array<Record<string, unknown>> = [];
  const recordIndex: number[] = [];
  batch.lines.forEach((_, i) => {
    const record = recordAt(batch, i);
    if (record === undefined) return;
    records.push(record);
    recordIndex.push(i);
  });
  const changes = redactRecordBatch(redactor, records, recordIndex.map((i) => firstLine + i), fields, tally, (r) => lineText(batch, recordIndex[r]!));
  const redacted = new Map<number, Buffer>();
  changes.forEach((changed, r) => {
    if (changed !== null) redacted.set(recordIndex[r]!, Buffer.from(writtenBack(lineText(batch, recordIndex[r]!), records[r]!, changed, firstLine + recordIndex[r]!)));
  });
  return { output: movableLines(batch, (i) => redacted.get(i)), records: records.length, ...tally };
}

/**
 * A redacted record's line: the input line with the redacted strings and keys replaced where
 * they stand, everything else as it was (replaceValues says why). Where paths cannot name its strings
 * apart (an empty key, or one holding `.`, `[` or `]`), the record is serialised whole instead.
 * (A key given twice never gets here: recordAt refuses the line.)
 */
function writtenBack(line: string, record: Record<string, unknown>, changes: RecordChanges, lineNumber: number): string {
  const rewritten = replaceValues(line, changes);
  if (rewritten !== undefined) return rewritten;
  const digits = inexactNumberDigits(line);
  if (digits !== undefined) {
    throw new RecordError(lineNumber, `has a key that field paths cannot name (empty, or holding ".", "[" or "]"), so it must be written back whole, and a number of ${digits} significant digits that JavaScript cannot hold exactly, which would come out rounded; rename the key or quote the number`);
  }
  return serialised(record, lineNumber);
}

/**
 * `record` as its JSON line. JSON.stringify recurses: a record nested thousands of levels deep
 * (which JSON.parse reads) overflows the stack, and is then a bad record at its line.
 */
function serialised(record: Record<string, unknown>, line: number): string {
  try {
    return JSON.stringify(record);
  } catch (err) {
    if (err instanceof RangeError) throw new RecordError(line, 'is nested too deeply to be written back with its redactions; flatten it');
    throw err;
  }
}

/**
 * Redacts `records` in place: the values at `fields`, or the whole of them (visitScanned), and
 * the keys of every object walked, all scanned in one `detectAll` call. Appends to the tally
 * what it redacted (as found at each record's line in `lines`) and which records had each field,
 * and gives, per record, what it changed (null for a record it left as it was). `sourceOf`
 * gives a record's JSON text, where it has one (a file's line), for the digits of numbers
 * JavaScript reads rounded.
 */
export function redactRecordBatch(redactor: RecordRedactor, records: ReadonlyArray<Record<string, unknown>>, lines: readonly number[], fields: readonly FieldPath[] | null, tally: RedactionTally, sourceOf?: (record: number) => string): Array<RecordChanges | null> {
  const plan = planRecordScan(records, lines, fields, tally, sourceOf);
  return applyFindings(plan, redactor, detectNamingLine(redactor.detectAll, plan.texts, (text) => plan.textLines[text]!), tally);
}

/**
 * What redactRecordBatch scans in `records`, before it scans: the texts (each distinct key once),
 * where each stands, and the line of each. Apart from the rest, so that a caller can have the
 * texts scanned elsewhere (on a worker thread: redactRecords' `detectAll`) and then apply.
 * Counts in the tally which records had each field.
 */
export interface RecordScanPlan {
  readonly records: ReadonlyArray<Record<string, unknown>>;
  readonly lines: readonly number[];
  readonly fields: readonly FieldPath[] | null;
  readonly texts: readonly string[];
  readonly textLines: readonly number[];
  readonly slots: ReadonlyArray<{ text: number; field: string; part: ScannedPart }>;
  /** Per record, its first slot. */
  readonly firstSlot: readonly number[];
  readonly digitsOf: ((r: number) => (field: string) => string | null | undefined) | undefined;
}

export function planRecordScan(records: ReadonlyArray<Record<string, unknown>>, lines: readonly number[], fields: readonly FieldPath[] | null, tally: RedactionTally, sourceOf?: (record: number) => string): RecordScanPlan {
  // Each slot is one value or key met by the walk; keys repeat from record to record ("role",
  // "content"), so each distinct key is one text to scan per batch.
  const texts: string[] = [];
  const textLines: number[] = [];
  const slots: Array<{ text: number; field: string; part: ScannedPart }> = [];
  const keyTexts = new Map<string, number>();
  // the digits of a record's long integers as its line writes them: read once, for both walks
  const writtenIntegers = new Map<number, Map<string, string> | undefined>();
  const digitsOf = (r: number) => (field: string) => {
    if (!writtenIntegers.has(r)) writtenIntegers.set(r, longIntegerTexts(sourceOf!(r)));
    const written = writtenIntegers.get(r);
    return written === undefined ? undefined : (written.get(field) ?? null);
  };
  const firstSlot = records.map((record, r) => {
    const first = slots.length;
    const found = visitScanned(record, lines[r]!, fields, sourceOf && digitsOf(r), (text, field, part) => {
      let index = part === 'key' ? keyTexts.get(text) : undefined;
      if (index === undefined) {
        index = texts.push(text) - 1;
        textLines.push(lines[r]!);
        if (part === 'key') keyTexts.set(text, index);
      }
      slots.push({ text: index, field, part });
      return text;
    });
    found.forEach((n, f) => (tally.fieldsFound[f]! += n > 0 ? 1 : 0));
    return first;
  });
  return { records, lines, fields, texts, textLines, slots, firstSlot, digitsOf: sourceOf && digitsOf };
}

/**
 * Redacts the records of `plan` in place by `findings` (one list per text of the plan), appends
 * what it redacted to the tally, and gives, per record, what it changed (null for one left as it was).
 */
export function applyFindings(plan: RecordScanPlan, redactor: Pick<RecordRedactor, 'redact'>, findings: Finding[][], tally: RedactionTally): Array<RecordChanges | null> {
  const { records, lines, fields, texts, slots, firstSlot, digitsOf } = plan;
  const fieldNames = tally.redactions === null ? null : new AuditedFieldNames();
  return records.map((record, r) => {
    const end = firstSlot[r + 1] ?? slots.length;
    const found = slots.slice(firstSlot[r]!, end).filter((slot) => findings[slot.text]!.length > 0);
    if (found.length === 0) return null;
    if (fieldNames !== null) {
      // Keys this job redacts are masked in every audited path by what the job found in them:
      // the audit log's own masking (AuditedFieldNames) scans at the default threshold, and
      // a key redacted at a lower one would otherwise be logged as it was written.
      const redactedKeys = found.filter((slot) => slot.part === 'key').map((slot) => ({ path: slot.field, masked: `${slot.field.slice(0, slot.field.length - texts[slot.text]!.length)}<${findings[slot.text]![0]!.type}>` }));
      for (const slot of found) tallyFindings(tally, findings[slot.text]!, lines[r]!, fieldNames.of(maskedPath(slot.field, redactedKeys)), slot.part);
    } else for (const slot of found) tallyFindings(tally, findings[slot.text]!, lines[r]!, slot.field, slot.part);
    // The same walk again, in the same order, putting each redacted string back in its place. A
    // string met twice (an object shared by two fields of an in-memory record) is redacted at its
    // first visit: the second finds it changed, and the findings' offsets no longer fit it.
    const values = new Map<string, string>();
    const keys = new Map<string, string>();
    let s = firstSlot[r]!;
    visitScanned(record, lines[r]!, fields, digitsOf?.(r), (text, field, part) => {
      const slot = slots[s++]!;
      if (findings[slot.text]!.length === 0 || text !== texts[slot.text]) return text;
      const redacted = redactor.redact(text, findings[slot.text]!);
      (part === 'key' ? keys : values).set(field, redacted);
      return redacted;
    });
    // both walks meet the same texts in the same order, or the redactions would land on others
    if (s !== end) throw new Error(`the redaction walk of line ${lines[r]} met ${s - firstSlot[r]!} texts where the scan met ${end - firstSlot[r]!}; please report how the record is shaped`);
    tally.recordsWithFindings += 1;
    return { values, keys };
  });
}

/** `field` with each redacted key on its path (longest first, so inner keys go before the keys around them) replaced by its mask. */
function maskedPath(field: string, redactedKeys: ReadonlyArray<{ path: string; masked: string }>): string {
  let out = field;
  for (const key of [...redactedKeys].sort((a, b) => b.path.length - a.path.length)) {
    if (out === key.path || out.startsWith(`${key.path}.`) || out.startsWith(`${key.path}[`)) out = key.masked + out.slice(key.path.length);
  }
  return out;
}

/** What a scanned text of a record is: a value (a string, a number's digits) or an object's key. */
type ScannedPart = 'value' | 'key';

/** Gives the text to put back for a scanned text of a record (the same one to leave it). */
type ScannedReplacer = (text: string, field: string, part: ScannedPart) => string;

/**
 * The digits of the whole number at a field path as the record's line writes them; null when
 * the line writes no whole number of card length there (a fraction); undefined when there is no
 * line, or its keys do not tell paths apart.
 */
type WrittenDigits = (field: string) => string | null | undefined;

/**
 * Replaces each scanned text of `record` with what `replace` gives, in a fixed order, and gives
 * per field path how many values it had. Scanned are, at each of `fields`: a string; a
 * number, as its digits (a card number stored as a number), put back as the string `replace`
 * gives if that differs; and inside an object or array there, what the whole-record walk scans.
 * Without `fields`, the whole record: every key and string, and every whole number of
 * LONG_NUMBER_DIGITS to 19 digits (card numbers have 12 to 19; counts, ids and token ids,
 * thousands of them to a record, are shorter and would each be a text to scan). The keys of a
 * chosen path itself are the caller's and are not scanned.
 *
 * A whole number past 2^53 is read rounded by JavaScript: its digits are scanned as written in
 * the record's JSON text (`writtenDigits`, from a file's line). Without them (an in-memory
 * record, or a line whose keys paths cannot name apart), such a number of card length fails the
 * record (`line`) at or inside a chosen path, and is left as it is in a whole-record walk.
 *
 * Keys renamed by `replace` are renamed once every path is walked, so that a chosen path under
 * another (`contacts`, `contacts.mobile`) still finds the keys it was walked with; a chosen
 * path under another is only counted, as the other scans what it holds.
 */
function visitScanned(record: Record<string, unknown>, line: number, fields: readonly FieldPath[] | null, writtenDigits: WrittenDigits | undefined, replace: ScannedReplacer): number[] {
  const scanNumber = (value: number, field: string, chosen: boolean): unknown => {
    if (!isUnreadableCardLength(value)) return chosen || isLongWholeNumber(value) ? numberReplaced(String(value), value, field, replace) : value;
    const digits = writtenDigits?.(field);
    if (digits === null) return value; // written with a fraction (12345678901234567.5): no card, however JavaScript rounds it
    if (digits !== undefined) return numberReplaced(digits, value, field, replace);
    // the path is masked as the audit log has it: its keys can be data
    if (chosen) {
      const why = writtenDigits === undefined ? 'quote it as a string' : 'a key of the line holds ".", "[" or "]", so its digits cannot be found in the line: quote the number as a string or rename the key';
      throw new RecordError(line, `the field ${new AuditedFieldNames().of(field)} holds a whole number past 2^53, which JavaScript reads rounded, so it cannot be scanned (it may be a card number); ${why}`);
    }
    return value;
  };
  const scanLong = (value: unknown, field: string): unknown => {
    if (typeof value === 'string') return replace(value, field, 'value');
    return typeof value === 'number' ? scanNumber(value, field, false) : value;
  };
  const renames = new Map<Record<string, unknown>, Map<string, string>>();
  const renameKey = (key: string, field: string) => replace(key, field, 'key');
  if (!fields) {
    visitAllScalars(record, '', scanLong, renameKey, renames);
    applyRenames(renames, line);
    return [];
  }
  // inside a chosen object, numbers are scanned as in a whole-record walk, but one that cannot be read fails
  const scanChosenLong = (value: unknown, field: string): unknown => (typeof value === 'number' && isUnreadableCardLength(value) ? scanNumber(value, field, true) : scanLong(value, field));
  const found = fields.map((path, i) =>
    fields.some((other, j) => j !== i && covers(other, path) && (!covers(path, other) || j < i))
      ? transformAt(record, path, (value) => value)
      : transformAt(record, path, (value, field) => {
          if (typeof value === 'number') return scanNumber(value, field, true);
          if (value !== null && typeof value === 'object') visitAllScalars(value as Record<string, unknown> | unknown[], field, scanChosenLong, renameKey, renames);
          return scanLong(value, field);
        }),
  );
  applyRenames(renames, line);
  return found;
}

/**
 * Whether the values `outer` picks hold every value `inner` picks: its steps start `inner`'s,
 * each picking the same elements, or the last picking a whole array that `inner` goes into
 * (`items` holds `items[].ssn`; `items[]` holds `items[].ssn`).
 */
function covers(outer: FieldPath, inner: FieldPath): boolean {
  if (outer.steps.length > inner.steps.length) return false;
  return outer.steps.every((step, i) => step.key === inner.steps[i]!.key && (step.each === inner.steps[i]!.each || (i === outer.steps.length - 1 && !step.each)));
}

function applyRenames(renames: ReadonlyMap<Record<string, unknown>, ReadonlyMap<string, string>>, line: number): void {
  for (const [node, renamed] of renames) renameKeys(node, Object.keys(node), renamed, line);
}

/** Whole numbers this long are scanned anywhere in a record: card numbers are 12 to 19 digits. */
const LONG_NUMBER_DIGITS = 12;

/**
 * A whole number past 2^53 of at most 19 digits (a card number's most): read rounded, its
 * digits are not the ones written, so a card number would be scanned as another and kept.
 * Longer ones (6.02e23, 20-digit ids) are no card.
 */
function isUnreadableCardLength(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) < 1e19;
}

function isLongWholeNumber(value: number): boolean {
  return Number.isSafeInteger(value) && Math.abs(value) >= 10 ** (LONG_NUMBER_DIGITS - 1);
}

/** A number scanned as its digits (`text`): the number itself when nothing was redacted, else the redacted string. */
function numberReplaced(text: string, value: number, field: string, replace: ScannedReplacer): unknown {
  const redacted = replace(text, field, 'value');
  return redacted === text ? value : redacted;
}


/**
 * CSV rows (cells as strings), redacting the cells of `columns` (indices into the header
 * `names`). `lines` holds each row's first line in the file (a quoted cell may span lines).
 */
export function redactCsvRows(redactor: RecordRedactor, rows: readonly string[][], lines: readonly number[], columns: readonly number[], names: readonly string[], tally: RedactionTally): BatchResult {
  rows.forEach((row, i) => {
    if (row.length !== names.length) throw new RecordError(lines[i]!, `has ${row.length} cells but the header names ${names.length} columns`);
  });
  // each row with the header line before it, so that a column's name cues its values (csv-row-text.ts)
  const headerLine = csvHeaderLine(names);
  const rowTexts = rows.map((row) => csvRowText(headerLine, row));
  const findings = detectNamingLine(redactor.detectAll, rowTexts.map((row) => row.text), (i) => lines[i]!);
  const fieldNames = tally.redactions === null ? null : new AuditedFieldNames();
  const out = rows.map((row, i) => {
    const redacted = [...row];
    let changed = false;
    const inCells = cellFindings(rowTexts[i]!, findings[i]!);
    columns.forEach((c) => {
      const found = inCells[c]!;
      if (found.length === 0) return;
      changed = true;
      tallyFindings(tally, found, lines[i]!, fieldNames === null ? names[c]! : fieldNames.of(names[c]!), 'value');
      redacted[c] = redactor.redact(row[c]!, found);
    });
    if (changed) tally.recordsWithFindings += 1;
    return redacted;
  });
  return { output: movableUtf8(stringifyCsv(out)), records: rows.length, ...tally };
}

/**
 * `detectAll(texts)`, with a recognizer's failure on one text (TextScanError) made the bad record
 * of that text's line (`lineOf`): the job then fails naming it and writes nothing, as for a
 * record that is not JSON.
 */
export function detectNamingLine(detectAll: (texts: readonly string[]) => Finding[][], texts: readonly string[], lineOf: (textIndex: number) => number): Finding[][] {
  try {
    return detectAll(texts);
  } catch (err) {
    if (err instanceof TextScanError) throw new RecordError(lineOf(err.textIndex), `could not be scanned: ${err.message}`);
    throw err;
  }
}

/** Counts `findings`, and keeps each for the audit log (when wanted) under `auditedField`, the field's path as the audit log may hold it. */
function tallyFindings(tally: RedactionTally, findings: readonly Finding[], line: number, auditedField: string, part: ScannedPart): void {
  for (const f of findings) {
    tally.counts[f.type] += 1;
    if (tally.redactions !== null) tally.redactions.push({ line, field: auditedField, type: f.type, start: f.start, end: f.end, recognizer: f.recognizer, score: f.score, ...(part === 'key' ? { inKey: true as const } : {}) });
  }
}

/**
 * `replace` applied to every string and number anywhere under `root` (it returns the value to
 * put back), and `renameKey` to every key of its objects (it returns the key's name to put
 * back), depth first in key order, each named by its path. Renamed keys are added to
 * `renames` by object, for the caller to apply once every walk of the record is done (paths
 * below a key are named by the key as written). Walked with a stack of its own rather than by
 * recursion: a record nested 10,000 deep (a line of 20 KB) overflowed the call stack.
 */
function visitAllScalars(root: Record<string, unknown> | unknown[], trail: string, replace: (value: unknown, field: string) => unknown, renameKey: (key: string, field: string) => string, renames: Map<Record<string, unknown>, Map<string, string>>): void {
  type Frame = { node: Record<string, unknown> | unknown[]; keys: string[] | null; next: number; trail: string };
  const frameOf = (node: Record<string, unknown> | unknown[], at: string): Frame => ({ node, keys: Array.isArray(node) ? null : Object.keys(node), next: 0, trail: at });
  const stack: Frame[] = [frameOf(root, trail)];
  // the nodes on the stack: an in-memory record that contains itself would be walked forever
  const open = new Set<object>([root]);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.keys === null ? (frame.node as unknown[]).length : frame.keys.length;
    if (frame.next === length) {
      open.delete(stack.pop()!.node);
      continue;
    }
    const index = frame.next++;
    const key = frame.keys === null ? index : frame.keys[index]!;
    const at = frame.keys === null ? `${frame.trail}[${index}]` : frame.trail === '' ? (key as string) : `${frame.trail}.${key as string}`;
    if (typeof key === 'string') {
      const name = renameKey(key, at);
      if (name !== key) {
        const node = frame.node as Record<string, unknown>;
        let renamed = renames.get(node);
        if (renamed === undefined) renames.set(node, (renamed = new Map()));
        renamed.set(key, name);
      }
    }
    const container = frame.node as Record<string | number, unknown>;
    const value = container[key];
    if (typeof value === 'string' || typeof value === 'number') container[key] = replace(value, at);
    else if (value !== null && typeof value === 'object') {
      // named as the audit log names paths: its keys can be data
      if (open.has(value)) throw invalidInput(`a record must not contain itself (at ${new AuditedFieldNames().of(at)})`);
      open.add(value);
      stack.push(frameOf(value as Record<string, unknown> | unknown[], at));
    }
  }
}

/**
 * Renames keys of `node` in place, keeping their order: each key is taken out and put back,
 * defined rather than assigned, so that an own `__proto__` key (JSON.parse makes one) stays a
 * key rather than set the prototype. The record's line is named, not the keys, which are data.
 */
function renameKeys(node: Record<string, unknown>, keys: readonly string[], renamed: ReadonlyMap<string, string>, line: number): void {
  const names = keys.map((key) => renamed.get(key) ?? key);
  if (new Set(names).size !== names.length) {
    throw new RecordError(line, 'has two keys in one object that would be written as the same key once redacted (keys holding personal data are redacted like values); redact with method hash or synthetic, which keep different values apart, or reshape the data so that personal data is not a key');
  }
  const values = keys.map((key) => node[key]);
  for (const key of keys) delete node[key];
  names.forEach((name, i) => Object.defineProperty(node, name, { value: values[i], writable: true, enumerable: true, configurable: true }));
}

/** CSV columns to redact: the named ones (each must exist), or every column. */
export function csvColumns(header: readonly string[], fields: readonly string[] | undefined): number[] {
  if (!fields) return header.map((_, i) => i);
  // every column of a name: a header may repeat one ("email,name,email"), and each holds its values
  const chosen = fields.map((name) => {
    const indexes = header.flatMap((column, i) => (column === name ? [i] : []));
    if (indexes.length === 0) {
      const columns = namesFitForAnError(header) ? `columns: ${header.join(', ')}` : `its first row has ${header.length} cells, which look like data rather than column names, so are not shown: the file may have no header row`;
      throw invalidInput(`the CSV has no column ${JSON.stringify(name)} (${columns})`, { columnCount: header.length });
    }
    return indexes;
  });
  return [...new Set(chosen.flat())].sort((a, b) => a - b);
}
