import { CsvError } from 'csv-parse';
import { invalidInput, type LangtrainError } from './errors.js';

/**
 * What csv-parse's errors mean, in words a user can act on. Its messages are not shown: some
 * quote the field's value ("Invalid Opening Quote: … value is "…""), and a data set's fields
 * are personal data.
 */
const PROBLEMS: Readonly<Record<string, string>> = {
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one (quote the whole field and double the quote: "say ""hi""")',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field goes on after its closing quote (a quote inside a quoted field is written twice: "")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted field goes on after its closing quote (a quote inside a quoted field is written twice: "")',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the row has another number of cells than the rows before it',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'the row has another number of cells than the header',
  CSV_MAX_RECORD_SIZE: 'the row is longer than the parser allows',
};

/**
 * What ends a CSV record outside quotes, for csv-parse's `record_delimiter`: any line ending. By
 * default it keeps to the first one it meets, so in a file of mixed endings (rows appended by
 * another tool) a later LF was taken into a cell, merging rows, and a CR was glued to the cell
 * before it.
 */
export const CSV_RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

/**
 * `err` as a bad-input error naming the line and the problem, if it is a CSV parse error;
 * undefined otherwise (to be rethrown as it was). `recordLine` is where the record being parsed
 * starts. Counted as the records are `read` from the parser, it is current only at the end of
 * the input; counted as they are `parsed` (in csv-parse's on_record hook, with its `raw` option)
 * it is current for every error.
 */
export function invalidCsv(err: unknown, recordLine?: number, counted: 'read' | 'parsed' = 'read'): LangtrainError | undefined {
  if (!(err instanceof CsvError)) return undefined;
  // a quote never closed is found at the end of the file: the record it opened in is the place to look
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' && recordLine !== undefined) {
    return invalidInput(`line ${recordLine}: not valid CSV: a quoted field of the record starting on this line is never closed; no output was written`, { line: recordLine });
  }
  // csv-parse's other errors come mid-chunk, before the records parsed ahead of them are read.
  // Its own count is one too far for each CR LF inside a quoted cell before the error, so where
  // the caller's count is current, the error's line is counted from it, through the record's raw
  // text up to the error.
  const { lines, raw } = err as CsvError & { lines?: unknown; raw?: unknown };
  const at =
    counted === 'parsed' && recordLine !== undefined && typeof raw === 'string' ? recordLine + csvRecordLines(raw) - 1
    : typeof lines === 'number' ? lines
    : undefined;
  return invalidInput(`${at !== undefined ? `line ${at}: ` : ''}not valid CSV: ${PROBLEMS[err.code] ?? `the CSV parser's ${err.code}`}; no output was written`, at !== undefined ? { line: at } : {});
}

/**
 * The lines a CSV record spans, from its raw text (csv-parse's `raw` option). Counted here
 * because csv-parse's `info.lines` counts a CRLF inside a quoted cell as two lines, so every
 * later record was named a line too far. The raw text may end in its record delimiter, or in
 * the CR of a CRLF one: that ending is no line of its own.
 */
export function csvRecordLines(raw: string): number {
  const body = raw.replace(/(?:\r\n|\r|\n)$/, '');
  let lines = 1;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === LF || (c === CR && body.charCodeAt(i + 1) !== LF)) lines++; // CR LF is one break
  }
  return lines;
}
const CR = 0x0d;
const LF = 0x0a;
