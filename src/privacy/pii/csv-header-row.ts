import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { movableUtf8 } from './jsonl-bytes.js';
import { RecordError } from './record-error.js';
import { detectNamingLine, emptyTally, type BatchResult, type RecordRedactor } from './record-redaction.js';

/**
 * A CSV data set's header row, written back as it is once its cells in the redacted `columns`
 * are found to hold nothing the job would redact. A file without a header row has its first
 * record there, which would otherwise come out in clear while the job reported success: so
 * the header is scanned as that record would be (the job's types, threshold and lists), and
 * any finding fails the job, naming the columns and types but never the values. The column
 * names data sets use ("email", "phone_number", "Date of Birth") give no finding even at
 * threshold 0 (csv-header-row.test.ts), so a real header passes.
 */
export function checkedHeaderRow(redactor: RecordRedactor, names: readonly string[], columns: readonly number[]): BatchResult {
  const findings = detectNamingLine(redactor.detectAll, columns.map((c) => names[c]!), () => HEADER_LINE);
  const holding = columns.flatMap((c, k) => (findings[k]!.length > 0 ? [{ column: c + 1, types: [...new Set(findings[k]!.map((f) => f.type))] }] : []));
  if (holding.length > 0) {
    const shown = holding.slice(0, SHOWN_COLUMNS).map(({ column, types }) => `${column} (${types.join(', ')})`);
    if (holding.length > SHOWN_COLUMNS) shown.push(`${holding.length - SHOWN_COLUMNS} more`);
    const listed = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)!}`;
    const one = holding.length === 1;
    throw new RecordError(
      HEADER_LINE,
      `the header row's column${one ? '' : 's'} ${listed} hold${one ? 's' : ''} personal data, so the file seems to have no header row (its first record would be written out unredacted): add one naming the columns as line ${HEADER_LINE}, or rename ${one ? 'that column' : 'those columns'} if line ${HEADER_LINE} is the header`,
      'no_header',
    );
  }
  return { output: movableUtf8(stringifyCsv([names])), records: 0, ...emptyTally(false) };
}

/** The header is the file's first record, which starts on its first line (a byte order mark is no line). */
const HEADER_LINE = 1;

/** Columns named in the error: a wide file without a header could have hundreds. */
const SHOWN_COLUMNS = 5;
