import { codeAt } from './char-code.js';

/** One cell's value, its blanks excluded. */
export interface CellSpan {
  readonly start: number;
  readonly end: number;
}

/** A pipe table of GitHub Flavored Markdown: its header cells' names, and the cells of each row below it. */
export interface MarkdownTable {
  readonly names: readonly string[];
  readonly rows: ReadonlyArray<readonly CellSpan[]>;
}

/**
 * A table's delimiter row (GFM spec 0.29, "Tables"): cells of hyphens with an optional colon at
 * either end, split by pipes, at least two cells or one between pipes ("|---|:--:|",
 * "--- | ---", "| --- |"). The header row is the line above it.
 */
const DELIMITER_ROW = /^[ \t]*(?:\|[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?|:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?)[ \t]*\r?$/gm;

const PIPE = 0x7c;
const BACKSLASH = 0x5c;

/**
 * The pipe tables in `text`: Markdown that language-model data is full of (chat answers, READMEs,
 * exported tickets), where a column's header says what its values are as a CSV header does. No
 * Markdown library is used: they parse a whole document into a tree to render it, where only the
 * cell offsets of tables are needed here, on every text of a corpus that holds a pipe.
 */
export function markdownTables(text: string): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  DELIMITER_ROW.lastIndex = 0;
  for (let match = DELIMITER_ROW.exec(text); match !== null; match = DELIMITER_ROW.exec(text)) {
    const delimiterStart = match.index;
    const delimiterEnd = delimiterStart + match[0].length;
    if (delimiterStart === 0) continue;
    const headerEnd = delimiterStart - 1;
    const headerStart = text.lastIndexOf('\n', headerEnd - 1) + 1;
    if (!hasPipe(text, headerStart, headerEnd)) continue;
    const header = cellsOf(text, headerStart, lineEndBefore(text, headerStart, headerEnd));
    // "The header row must match the delimiter row in the number of cells. If not, a table will not be recognized."
    if (header.length !== cellsOf(text, delimiterStart, lineEndBefore(text, delimiterStart, delimiterEnd)).length) continue;
    const rows: CellSpan[][] = [];
    let lineStart = delimiterEnd + 1;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      // The table ends at a blank line or a line without a pipe (GFM would still read a line of
      // text right after it as a row of one cell: rare in data, and left out here).
      if (!hasPipe(text, lineStart, lineEnd)) break;
      rows.push(cellsOf(text, lineStart, lineEndBefore(text, lineStart, lineEnd)));
      lineStart = lineEnd + 1;
    }
    tables.push({ names: header.map(({ start, end }) => text.slice(start, end)), rows });
    DELIMITER_ROW.lastIndex = Math.max(DELIMITER_ROW.lastIndex, lineStart);
  }
  return tables;
}

/** The end of the line `[start, end)` without its CR. */
function lineEndBefore(text: string, start: number, end: number): number {
  return end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
}

function hasPipe(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === PIPE) return true;
  return false;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The cells of the row `text[start, end)`: split at pipes that are not escaped (`\|`), the leading and trailing pipe optional. */
function cellsOf(text: string, start: number, end: number): CellSpan[] {
  let from = start;
  let to = end;
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  if (from < to && text.charCodeAt(from) === PIPE) from++;
  if (to > from && text.charCodeAt(to - 1) === PIPE && codeAt(text, to - 2) !== BACKSLASH) to--;
  const cells: CellSpan[] = [];
  let cellStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && (text.charCodeAt(i) !== PIPE || codeAt(text, i - 1) === BACKSLASH)) continue;
    let valueStart = cellStart;
    let valueEnd = i;
    while (valueStart < valueEnd && isBlank(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    cells.push({ start: valueStart, end: valueEnd });
    cellStart = i + 1;
  }
  return cells;
}
