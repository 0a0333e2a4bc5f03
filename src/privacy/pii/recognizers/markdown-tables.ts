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

const PIPE = 0x7c;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const HYPHEN = 0x2d;

/**
 * The pipe tables in `text`: Markdown that language-model data is full of (chat answers, READMEs,
 * exported tickets), where a column's header says what its values are as a CSV header does. No
 * Markdown library is used: they parse a whole document into a tree to render it, where only the
 * cell offsets of tables are needed here, on every text of a corpus that holds a pipe. Lines are
 * read by hand, not by a regex: a backtracking pattern over a delimiter row of a few million
 * characters overflowed the regex engine's stack.
 */
export function markdownTables(text: string): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  let headerStart = -1;
  let headerEnd = -1;
  for (let lineStart = 0; lineStart < text.length; ) {
    const next = nextLineStart(text, lineStart);
    const lineEnd = lineEndBefore(text, lineStart, next);
    const columns = headerStart >= 0 ? delimiterCells(text, lineStart, lineEnd) : 0;
    // "The header row must match the delimiter row in the number of cells. If not, a table will not be recognized."
    const header = columns > 0 ? cellsOf(text, headerStart, headerEnd) : [];
    if (columns === 0 || header.length !== columns) {
      const hasPipeHere = hasPipe(text, lineStart, lineEnd);
      headerStart = hasPipeHere ? lineStart : -1;
      headerEnd = hasPipeHere ? lineEnd : -1;
      lineStart = next;
      continue;
    }
    const rows: CellSpan[][] = [];
    let rowStart = next;
    while (rowStart < text.length) {
      const rowNext = nextLineStart(text, rowStart);
      const rowEnd = lineEndBefore(text, rowStart, rowNext);
      // The table ends at a blank line or a line without a pipe (GFM would still read a line of
      // text right after it as a row of one cell: rare in data, and left out here).
      if (!hasPipe(text, rowStart, rowEnd)) break;
      rows.push(cellsOf(text, rowStart, rowEnd));
      rowStart = rowNext;
    }
    tables.push({ names: header.map(({ start, end }) => text.slice(start, end)), rows });
    headerStart = -1;
    headerEnd = -1;
    lineStart = rowStart;
  }
  return tables;
}

/** Where the line after the one starting at `start` starts (past its LF), or the text's length. */
function nextLineStart(text: string, start: number): number {
  const newline = text.indexOf('\n', start);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * The number of cells of `text[start, end)` if it is a table's delimiter row (GFM spec 0.29,
 * "Tables"), else 0: cells of hyphens with an optional colon at either end, split by pipes, with
 * at least one pipe ("|---|:--:|", "--- | ---", "| --- |", "|-"); a row of hyphens alone is a
 * thematic break or a heading's underline.
 */
function delimiterCells(text: string, start: number, end: number): number {
  let i = skipSpaceOrTab(text, start, end);
  let pipes = 0;
  let cells = 0;
  if (i < end && text.charCodeAt(i) === PIPE) {
    pipes++;
    i = skipSpaceOrTab(text, i + 1, end);
  }
  while (i < end) {
    if (text.charCodeAt(i) === COLON) i++;
    const dashesStart = i;
    while (i < end && text.charCodeAt(i) === HYPHEN) i++;
    if (i === dashesStart) return 0;
    if (i < end && text.charCodeAt(i) === COLON) i++;
    i = skipSpaceOrTab(text, i, end);
    cells++;
    if (i === end) break;
    if (text.charCodeAt(i) !== PIPE) return 0;
    pipes++;
    i = skipSpaceOrTab(text, i + 1, end);
  }
  return pipes > 0 ? cells : 0;
}

function skipSpaceOrTab(text: string, at: number, end: number): number {
  let i = at;
  while (i < end && isSpaceOrTab(text.charCodeAt(i))) i++;
  return i;
}

/** The end of the line from `start` to the next line's start `next`, without its LF or CR LF. */
function lineEndBefore(text: string, start: number, next: number): number {
  let end = next;
  if (end > start && text.charCodeAt(end - 1) === 0x0a) end--;
  if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
  return end;
}

function hasPipe(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === PIPE) return true;
  return false;
}

/** The blanks around a cell: a CR is gone with its line end, unlike in a CSV field. */
function isSpaceOrTab(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The cells of the row `text[start, end)`: split at pipes that are not escaped (`\|`), the leading and trailing pipe optional. */
function cellsOf(text: string, start: number, end: number): CellSpan[] {
  let from = start;
  let to = end;
  while (from < to && isSpaceOrTab(text.charCodeAt(from))) from++;
  while (to > from && isSpaceOrTab(text.charCodeAt(to - 1))) to--;
  if (from < to && text.charCodeAt(from) === PIPE) from++;
  if (to > from && text.charCodeAt(to - 1) === PIPE && codeAt(text, to - 2) !== BACKSLASH) to--;
  const cells: CellSpan[] = [];
  let cellStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && (text.charCodeAt(i) !== PIPE || codeAt(text, i - 1) === BACKSLASH)) continue;
    let valueStart = cellStart;
    let valueEnd = i;
    while (valueStart < valueEnd && isSpaceOrTab(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isSpaceOrTab(text.charCodeAt(valueEnd - 1))) valueEnd--;
    cells.push({ start: valueStart, end: valueEnd });
    cellStart = i + 1;
  }
  return cells;
}
