import { isMap, isScalar, type Document, type LineCounter, type Node } from 'yaml';

/**
 * Where things are in a parsed YAML (or JSON) policy file, so an error names a line and column
 * rather than a path the reader has to count out.
 */

export interface FilePosition {
  line: number;
  column: number;
}

/**
 * The position of `path` (`['policies', 2, 'effect']`): the value's node, or for a key the
 * object does not know (`key`), that key; for a missing field, the nearest enclosing node.
 */
export function positionOfPath(doc: Document, lines: LineCounter, path: readonly PropertyKey[], key?: string): FilePosition | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(doc, path.slice(0, n));
    if (node?.range == null) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      const keyRange = (pair?.key as Node | undefined)?.range;
      if (keyRange != null) return at(lines, keyRange[0]);
    }
    return at(lines, node.range[0]);
  }
  return undefined;
}

/**
 * The file position of `offset` inside the string scalar at `path`, when the scalar's source
 * holds the value as written (plain, quoted without escapes, or a `|` block); undefined for
 * folded or escaped text, where offsets in the value do not map back to one place.
 */
export function positionInScalar(doc: Document, lines: LineCounter, text: string, path: readonly PropertyKey[], offset: number): FilePosition | undefined {
  const node = nodeAt(doc, path);
  if (!isScalar(node) || typeof node.value !== 'string' || node.range == null) return undefined;
  const value = node.value;
  const [start, end] = node.range;
  const source = text.slice(start, end);
  switch (node.type) {
    case 'PLAIN':
      return source === value ? at(lines, start + offset) : undefined;
    case 'QUOTE_DOUBLE':
    case 'QUOTE_SINGLE':
      return source.slice(1, -1) === value ? at(lines, start + 1 + offset) : undefined;
    case 'BLOCK_LITERAL':
      return inBlockLiteral(lines, source, start, value, offset);
    default:
      return undefined;
  }
}

/** A `|` block: value line k is source line k after the header, behind the block's indentation. */
function inBlockLiteral(lines: LineCounter, source: string, start: number, value: string, offset: number): FilePosition | undefined {
  const before = value.slice(0, offset);
  const k = before.split('\n').length - 1;
  const column = offset - (before.lastIndexOf('\n') + 1);
  const valueLine = value.split('\n')[k] ?? '';
  const sourceLines = source.split('\n');
  const sourceLine = sourceLines[k + 1];
  if (sourceLine === undefined || !sourceLine.endsWith(valueLine)) return undefined;
  const indent = sourceLine.length - valueLine.length;
  const lineStart = start + sourceLines.slice(0, k + 1).reduce((n, l) => n + l.length + 1, 0);
  return at(lines, lineStart + indent + column);
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  if (path.length === 0) return (doc.contents as Node | null) ?? undefined;
  const node = doc.getIn(path as unknown[], true);
  return node !== null && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
}

function at(lines: LineCounter, offset: number): FilePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
