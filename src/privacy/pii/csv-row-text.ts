import type { Finding } from './entity-types.js';

/**
 * A CSV row as the recognizers read it: the header line, then the row, as a file of one record
 * has them. A cell scanned alone loses its column's name, which is what makes `1985-03-12` a
 * date of birth, `078051121` an SSN or `X1234567` a passport number (column-cues.ts,
 * name-columns.ts): a data set's DOB, SSN and passport columns came out in clear, though
 * `detect()` on the file's text found every value. Findings come back to each cell's own
 * offsets (cellFindings).
 */
export interface CsvRowText {
  readonly text: string;
  /** Each column's value in `text`. */
  readonly cells: readonly CellSpan[];
}

interface CellSpan {
  readonly start: number;
  readonly end: number;
  /** Where in `text` the second quote of each doubled `""` of a quoted value stands; empty for most values. */
  readonly doubledQuotes: readonly number[];
}

/**
 * `names` as a CSV header line, one name a column. A comma, quote or line break in a name is
 * read as a space rather than quoted: the header cues split their line at commas without
 * reading quotes (column-cues.ts), and `"Last, First"` quoted made two columns of one, which
 * moved every later column's cue onto its neighbour. Findings in the header line are no cell's,
 * so its text need not be the file's.
 */
export function csvHeaderLine(names: readonly string[]): string {
  return names.map((name) => name.replace(/[",\r\n]/g, ' ')).join(',');
}

/** `row` after `headerLine` (csvHeaderLine), each value quoted where CSV needs it. */
export function csvRowText(headerLine: string, row: readonly string[]): CsvRowText {
  let text = `${headerLine}\n`;
  const cells: CellSpan[] = [];
  row.forEach((value, column) => {
    if (column > 0) text += ',';
    const field = quoted(value);
    const start = text.length + (field.quoted ? 1 : 0);
    cells.push({ start, end: start + field.text.length - (field.quoted ? 2 : 0), doubledQuotes: field.doubledQuotes.map((at) => start + at) });
    text += field.text;
  });
  return { text, cells };
}

/**
 * The findings of a row's text that fall in each column's value, at the value's own offsets; one
 * that runs on into the next column ("12 Main St,Springfield" read as one address) keeps its
 * part in each. Findings of the header line are no cell's. One walk of the row's findings and
 * cells (both in order), not one per column: a row of 40,000 columns took 8.7 s that way.
 */
export function cellFindings(row: CsvRowText, findings: readonly Finding[]): Finding[][] {
  const out = row.cells.map((): Finding[] => []);
  let column = 0;
  for (const finding of findings) {
    while (column < row.cells.length && row.cells[column]!.end <= finding.start) column++;
    for (let c = column; c < row.cells.length && row.cells[c]!.start < finding.end; c++) {
      const cell = row.cells[c]!;
      const start = Math.max(finding.start, cell.start);
      const end = Math.min(finding.end, cell.end);
      if (end > start) out[c]!.push({ ...finding, start: valueOffset(cell, start), end: valueOffset(cell, end) });
    }
  }
  return out;
}

/** The value's offset of `at`, an offset of the row's text within the cell: a doubled quote is one character of the value. */
function valueOffset(cell: CellSpan, at: number): number {
  let doubled = 0;
  while (doubled < cell.doubledQuotes.length && cell.doubledQuotes[doubled]! < at) doubled++;
  return at - cell.start - doubled;
}

/**
 * A value as a CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, its
 * quotes doubled. By hand rather than with csv-stringify, which writes the same field but not
 * where each doubled quote stands, which cellFindings needs to map offsets back.
 */
function quoted(value: string): { text: string; quoted: boolean; doubledQuotes: number[] } {
  if (!/[",\r\n]/.test(value)) return { text: value, quoted: false, doubledQuotes: [] };
  const doubledQuotes: number[] = [];
  let text = '"';
  for (const char of value) {
    text += char;
    if (char === '"') {
      doubledQuotes.push(text.length - 1); // offset within the value's text, the opening quote excluded
      text += '"';
    }
  }
  return { text: `${text}"`, quoted: true, doubledQuotes };
}
