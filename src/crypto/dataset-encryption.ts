import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import { utf8Bytes } from '../core/strict-utf8.js';
import { stringify as stringifyCsv } from 'csv-stringify';
import { writeAtomically } from '../core/atomic-file.js';
import { CSV_RECORD_DELIMITERS, csvRecordLines, invalidCsv } from '../core/csv-problems.js';
import { inexactNumberDigits } from '../core/json-text.js';
import { replaceValues, valueTexts } from '../core/json-value-replace.js';
import { invalidInput, isLangtrainError, LangtrainError } from '../core/errors.js';
import { ENCRYPTED_PREFIX, type EncryptionService } from './encryption-service.js';
import { parseFieldPath, transformAt, type FieldPath } from './field-paths.js';
import type { Keyring } from './keyring/keyring.js';

/**
 * Encrypt or decrypt a data set record by record, streaming (constant memory on any
 * size): JSON Lines or CSV in, the same format out. The output is written to a temporary
 * file and renamed only when every record succeeded; a bad record is named by its line.
 */
export type DatasetFormat = 'jsonl' | 'csv';

export interface DatasetJob {
  input: string;
  output: string;
  /** `rewrap`: decrypt with whatever version made each value and encrypt under the primary, in memory. */
  direction: 'encrypt' | 'decrypt' | 'rewrap';
  /** The data set's name, bound into every value (default: none given is an error). */
  dataset: string;
  /** `jsonl` or `csv`; default from the input's extension. */
  format?: DatasetFormat;
  /** Called every few thousand records with the count so far and input bytes read. */
  onProgress?: (records: number, bytes: number) => void;
}

export interface DatasetResult {
  records: number;
  bytes: number;
}

/**
 * The format of `path`: `given` (the `--format` value) when there is one, else from the
 * extension. A bad `given` is named as such: the file's extension is not what is wrong then.
 */
export function datasetFormatOf(path: string, given?: string): DatasetFormat {
  const format = given === undefined ? extname(path).slice(1).toLowerCase() : given.trim().toLowerCase();
  if (format === 'jsonl' || format === 'ndjson') return 'jsonl';
  if (format === 'csv') return 'csv';
  if (given !== undefined) throw invalidInput(`--format ${given} is not supported (supported: jsonl, csv)`, { field: 'format' });
  throw invalidInput(`cannot tell the format of ${path} from its extension: give --format jsonl or --format csv`);
}

export async function transformDataset(service: EncryptionService, job: DatasetJob): Promise<DatasetResult> {
  if (service.options.encryptionScope === 'file') throw invalidInput('data sets are encrypted record by record: use scope field or record (scope file is for whole files)');
  if (!job.dataset) throw invalidInput('name the data set (--dataset): it is bound into every encrypted value');
  const format = datasetFormatOf(job.input, job.format);
  const idField = service.options.recordIdField;
  const placeOf = (record: Record<string, unknown>, position: number) => {
    if (idField === undefined) return { dataset: job.dataset, recordId: String(position) };
    const id = record[idField];
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidInput(`record has no ${idField} (the record id field)`);
    return { dataset: job.dataset, recordId: String(id) };
  };
  // Field scope encrypts the named fields and leaves the rest: a field no record has (misspelt,
  // or a CSV without a header row, whose first record then names the columns) left the whole
  // data set in clear under a successful run.
  const encryptedFields =
    job.direction === 'encrypt' && service.options.encryptionScope === 'field' ? service.options.fields.map((f) => ({ path: parseFieldPath(typeof f === 'string' ? f : f.path), found: 0 })) : [];
  const apply = async (record: Record<string, unknown>, position: number) => {
    for (const field of encryptedFields) if (transformAt(record, field.path, (value) => value) > 0) field.found += 1;
    const place = placeOf(record, position);
    if (job.direction === 'encrypt') return service.encryptRecord(record, place);
    const plain = await service.decryptRecord(record, place);
    return job.direction === 'decrypt' ? plain : service.encryptRecord(plain, place);
  };

  const result: DatasetResult = { records: 0, bytes: 0 };
  const progress = () => {
    if (result.records % 5000 === 0) job.onProgress?.(result.records, result.bytes);
  };
  await writeAtomically(
    job.output,
    async (out) => {
      // opened here, where its reader is attached at once: a counting 'data' listener starts the
      // stream flowing, and lines it read while the output was being opened were lost (0 records)
      const file = createReadStream(job.input);
      file.on('data', (chunk) => (result.bytes += chunk.length));
      // bytes that are not UTF-8 fail the job naming their line, rather than be decoded to U+FFFD and written back changed
      const input = utf8Bytes(file);
      const write = async (text: string) => {
        if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      };
      if (format === 'jsonl') {
        const fields = service.options.encryptionScope === 'field' ? service.options.fields.map((f) => parseFieldPath(typeof f === 'string' ? f : f.path)) : null;
        let line = 0;
        for await (const text of createInterface({ input, crlfDelay: Infinity })) {
          line += 1;
          if (text.trim() === '') continue;
          const record = parseRecord(text, line);
          refuseRoundedIds(text, record, [service.options.subjectField, idField], line);
          const changed = await named(line, () => apply(record, line - 1));
          await write(jsonLineOut(text, changed, fields, job.direction, line) + '\n');
          result.records += 1;
          progress();
        }
      } else {
        // Columns are the field names; the header row follows the (de)crypted records' keys.
        const csvOut = stringifyCsv({ header: true });
        csvOut.pipe(out, { end: false });
        let nextLine = 2; // after the header row
        try {
          // pipeline, not pipe: the input's failure (bytes that are not UTF-8) must reach the parser's reader
          const rows = pipeline(input, parseCsv({ columns: true, bom: true, raw: true, record_delimiter: CSV_RECORD_DELIMITERS }), () => undefined) as AsyncIterable<{ record: Record<string, unknown>; raw: string }>;
          for await (const { record: row, raw } of rows) {
            const line = nextLine;
            nextLine += csvRecordLines(raw); // a quoted cell may hold line breaks
            const position = result.records;
            const record = await named(line, () => apply(row, position));
            if (!csvOut.write(flatten(record, line))) await new Promise<void>((resolve) => csvOut.once('drain', () => resolve()));
            result.records += 1;
            progress();
          }
        } catch (err) {
          throw invalidCsv(err, nextLine) ?? err;
        }
        csvOut.end();
        await finished(csvOut);
      }
      const missing = encryptedFields.filter((field) => field.found === 0).map((field) => field.path.text);
      if (result.records > 0 && missing.length > 0) {
        const headerless = format === 'csv' ? ' (a CSV needs a header row naming its columns)' : '';
        throw invalidInput(`no record has a value at the field ${missing.map((p) => JSON.stringify(p)).join(', ')} to encrypt (${result.records} records read)${headerless}: check the encryption fields; no output was written`, { fields: missing });
      }
    },
    { scrub: job.direction === 'decrypt' && service.options.secureDeletion },
  );
  job.onProgress?.(result.records, result.bytes);
  return result;
}

/**
 * Whether every encrypted value in a data set is already under its key's primary version:
 * `langtrain keys rewrap` skips such files, so an interrupted run over many files resumes
 * where it stopped. Scans the text; decrypts nothing.
 */
export async function onPrimaryVersions(keyring: Keyring, input: string): Promise<boolean> {
  const pattern = new RegExp(`${ENCRYPTED_PREFIX}([A-Za-z0-9_-]+)`, 'g');
  for await (const text of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    for (const match of text.matchAll(pattern)) {
      if (!(await keyring.madeByPrimary(Buffer.from(match[1]!, 'base64url')))) return false;
    }
  }
  return true;
}

function parseRecord(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidInput(`line ${line}: not valid JSON; no output was written`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidInput(`line ${line}: a record must be a JSON object; no output was written`);
  return value as Record<string, unknown>;
}

/**
 * A (de)crypted record's line. With scope field, the input line with only the values at the
 * fields replaced where they stand (core/json-value-replace.ts): a 19-digit id, `1.10`, key
 * order and spacing elsewhere stay as written. A value that is encrypted is read as JSON.parse
 * read it, so one holding a number it rounds is refused, naming the field. Scope record, and a
 * line whose keys paths cannot name apart (holding `.`, `[` or `]`), are written serialised
 * whole, and refused if any number of theirs would come out rounded.
 */
function jsonLineOut(text: string, changed: Record<string, unknown>, fields: readonly FieldPath[] | null, direction: DatasetJob['direction'], line: number): string {
  if (fields !== null) {
    const values = new Map<string, unknown>();
    for (const path of fields) transformAt(changed, path, (value, at) => (values.set(at, value), value));
    const written = direction === 'encrypt' ? valueTexts(text, values.keys()) : undefined;
    for (const [at, source] of written ?? []) {
      const digits = inexactNumberDigits(source);
      if (digits !== undefined) throw inexactNumber(line, digits, `the field ${at}`);
    }
    const rewritten = replaceValues(text, { values, keys: new Map() });
    if (rewritten !== undefined) return rewritten;
  }
  const digits = inexactNumberDigits(text);
  if (digits !== undefined) throw inexactNumber(line, digits, fields === null ? 'the record' : 'the record (a key holds ".", "[" or "]", so it is written whole)');
  return JSON.stringify(changed);
}

/**
 * The subject and record id fields choose a value's key and bind it to its record: a number
 * there that JSON.parse rounds would give two subjects one key (erasing one would leave the
 * other's key, or destroy it) and two records one binding. Read as the line writes it.
 */
function refuseRoundedIds(text: string, record: Record<string, unknown>, names: ReadonlyArray<string | undefined>, line: number): void {
  for (const name of names) {
    if (name === undefined || typeof record[name] !== 'number') continue;
    const written = /[.[\]]/.test(name) ? undefined : valueTexts(text, [name])?.get(name);
    const digits = inexactNumberDigits(written ?? text);
    if (digits !== undefined) throw inexactNumber(line, digits, `the field ${name}, which chooses its key or binds it to its record,`);
  }
}

function inexactNumber(line: number, digits: number, where: string): LangtrainError {
  return invalidInput(`line ${line}: ${where} holds a number of ${digits} significant digits that JavaScript cannot hold exactly, which (de)cryption would write back rounded; quote it as a string, or use scope file; no output was written`, { line });
}

/** Name the line in any error, so a user can find the record. */
async function named<T>(line: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isLangtrainError(err)) throw new LangtrainError(err.code, `line ${line}: ${err.message}; no output was written`, { ...err.details, line });
    throw err;
  }
}

/** CSV cells are strings: values that became JSON (record scope) are written as JSON text. */
function flatten(record: Record<string, unknown>, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object') throw invalidInput(`line ${line}: column ${key} holds a nested value; CSV data sets are flat`);
    out[key] = value === null || value === undefined ? '' : String(value);
  }
  return out;
}
