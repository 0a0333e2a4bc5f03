import { indexOfCode } from './char-code.js';
import { markdownTables } from './markdown-tables.js';

/** The value of one field of a data row, quotes and surrounding blanks excluded. */
export interface FieldSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * The types a column header can name; the others are found by their shape alone. Cards are
 * asked about only for short unbroken numbers (13–15 digits), which score below the seed's
 * threshold without a cue.
 */
export type HeaderCuedType = 'date_of_birth' | 'passport' | 'ssn' | 'phone' | 'credit_card';

/**
 * Header names, lower-cased and split into `_`-joined words (`passportNo` → `passport_no`),
 * that make the column's values a cued candidate of a type; `unless` refuses columns about
 * the thing rather than the value (`birth_place`, `passport_expiry`).
 */
const HEADER_CUES: readonly { readonly type: HeaderCuedType; readonly names: RegExp; readonly unless?: RegExp; readonly unlessBeside?: RegExp }[] = [
  {
    type: 'date_of_birth',
    names: /(?:^|_)(?:dob|d_o_b|birth\w*|date_of_birth|naissance|geburtsdatum|geboortedatum|nacimiento|nascita|nascimento|urodzenia|dogum|doğum)(?:_|$)/,
    unless: /(?:^|_)(?:place|city|country|town|lieu|ort|lugar|luogo|plaats|name)(?:_|$)/,
  },
  {
    type: 'passport',
    names: /(?:^|_)(?:passport|reisepass|reisepassnummer|passeport|pasaporte|passaporto|passaporte|paszport|paspoort|paspoortnummer|pasaport)\w*(?:_|$)/,
    unless: /(?:^|_)(?:country|nationality|expiry|expires|expiration|issued|issue|date|authority|photo|scan)(?:_|$)/,
  },
  { type: 'ssn', names: /(?:^|_)(?:ssn|social_security(?:_number|_no)?|soc_sec)(?:_|$)/ },
  {
    type: 'phone',
    names: /(?:^|_)(?:phone|tel|telephone|cellphone|fax|whatsapp|msisdn|telefon|telefono|telefone|téléphone|teléfono|telemóvel)(?:_|$)/,
  },
  {
    type: 'credit_card',
    names: /(?:^|_)(?:card|cards|cc|ccn|pan|credit|debit|visa|mastercard|amex|kreditkarte|kartennummer|carte|tarjeta|carta)(?:_|$)/,
  },
  {
    // Words that name a phone as a column of its own ("Mobile", "mobile_no", "Handy") but also a
    // device class or a kind of thing ("Mobile | Desktop", "Portable build", "cell_type"): only
    // alone or before a number word, and not beside a column of another device class.
    type: 'phone',
    names: /(?:^|_)(?:mobile|cell|handy|portable)(?:_(?:number|no|nr|num|phone|nummer|numero|número|numéro))?$/,
    unlessBeside: /(?:^|_)(?:desktop|tablet|laptop|web|pc|tv|console)(?:_|$)/,
  },
];

/** Any type's header names, as one test: most columns (`id`, `email`, `country`) name none. */
const ANY_HEADER_NAME = new RegExp(HEADER_CUES.map(({ names }) => names.source).join('|'));

/** Any cue's stem, tested on the raw header line first: most first lines hold none of them. */
const ANY_HEADER_CUE = /dob|d_o_b|birth|naiss|geburt|geboorte|nacim|nascim|nascit|urodz|do[gğ]um|pass|pasa|pasz|pasp|reisepass|ssn|social|soc_sec|phone|tel|mobile|cell|fax|whatsapp|msisdn|handy|portable|card|cc|pan|credit|debit|visa|mastercard|amex|karte|tarjeta|carta/i;

// A header is a short line of short names; prose with commas ("Hi Anna, thanks, see you") has
// longer fields and more spaces.
const MAX_HEADER_LENGTH = 512;
const MAX_NAME_LENGTH = 40;
const HEADER_FIELD = /^[\p{L}_#][\p{L}\p{N}_ .#/()-]{0,39}$/u;
const MAX_SPACES_PER_FIELD = 2;

/** Whether `name` is already lower-case words joined by single `_` (`date_of_birth`), as most headers are. */
function isSnakeCase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x5f) {
      if (i === 0 || i === name.length - 1 || name.charCodeAt(i - 1) === 0x5f) return false;
    } else if (!((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39))) {
      return false;
    }
  }
  return true;
}

function headerWords(name: string): string {
  // the four rewrites below leave such a name as it is; skipping them, with ANY_HEADER_NAME,
  // made parsing a header 2× faster
  if (isSnakeCase(name)) return name;
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_|_$/g, '');
}

function countSpaces(value: string): number {
  let spaces = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 0x20) spaces++;
  return spaces;
}

const DELIMITERS = [',', ';', '\t'];

/** The delimiter the header line is split by, or undefined when the line is not a header. */
function headerDelimiter(header: string): string | undefined {
  for (const delimiter of DELIMITERS) if (header.includes(delimiter)) return delimiter;
  return undefined;
}

/** The name inside `"…"`; a name left quoted, or holding a line break, fails HEADER_FIELD either way. */
function unquoted(name: string): string {
  return name.length >= 2 && name.charCodeAt(0) === 0x22 && name.charCodeAt(name.length - 1) === 0x22 ? name.slice(1, -1) : name;
}

/** Column index → cued type, or undefined when the first line is not a CSV header naming any. */
function cuedColumns(header: string, delimiter: string): Map<number, HeaderCuedType> | undefined {
  const names = header.split(delimiter).map((name) => unquoted(name.trim()));
  // every name must look like one before any is looked up: prose fails on its first long field
  for (const name of names) if (!HEADER_FIELD.test(name) || countSpaces(name) > MAX_SPACES_PER_FIELD) return undefined;
  return cuedColumnsNamed(names);
}

/** Column index → the type its name cues, or undefined when no name cues one. */
function cuedColumnsNamed(names: readonly string[]): Map<number, HeaderCuedType> | undefined {
  const columns = new Map<number, HeaderCuedType>();
  let allWords: string[] | undefined;
  // once per header, not per column: a table may have thousands of columns
  const besides = new Map<RegExp, boolean>();
  const isBeside = (sibling: RegExp): boolean => {
    let found = besides.get(sibling);
    if (found === undefined) {
      found = (allWords ??= names.map(headerWords)).some((other) => sibling.test(other));
      besides.set(sibling, found);
    }
    return found;
  };
  for (let column = 0; column < names.length; column++) {
    const words = headerWords(names[column] ?? '');
    if (!ANY_HEADER_NAME.test(words)) continue;
    const cue = HEADER_CUES.find(({ names: cueNames, unless, unlessBeside }) => cueNames.test(words) && !unless?.test(words) && !(unlessBeside && isBeside(unlessBeside)));
    if (cue !== undefined) columns.set(column, cue.type);
  }
  return columns.size > 0 ? columns : undefined;
}

/** The blanks around a CSV field, a line's CR among them. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d;
}

function isBlankLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isBlank(text.charCodeAt(i))) return false;
  return true;
}

/** The first `code` in `text[from, end)`, or `end`: searched within the row, as `indexOf` would run on through the rows after it (quadratic when they hold no delimiter). */
function indexWithin(text: string, code: number, from: number, end: number): number {
  const at = indexOfCode(text, code, from, end);
  return at < 0 ? end : at;
}

/** How far a quoted field is followed across lines for its closing quote: a notes or address cell; past it, the quote is taken for a stray one. */
const MAX_QUOTED_FIELD = 1024;

/** The end of the line holding `at`: its newline, or the text's end. */
function lineEndFrom(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end === -1 ? text.length : end;
}

/**
 * Adds the spans of the cued fields of the record starting at `start` and gives where the next
 * one starts. Quoted fields (RFC 4180) may hold the delimiter, doubled quotes and line breaks, a
 * blank line among them: the record then goes on past them. A quote not closed within
 * MAX_QUOTED_FIELD, or closed on a later line by a quote that does not end a field, is cut at
 * its line's end, which only loses that field.
 */
function addRecordFields(text: string, start: number, delimiter: number, columns: ReadonlyMap<number, HeaderCuedType>, fields: Map<HeaderCuedType, FieldSpan[]>): number {
  let column = 0;
  let position = start;
  let lineEnd = lineEndFrom(text, start);
  for (;;) {
    let fieldEnd: number;
    let valueStart = position;
    let valueEnd: number;
    // never past the delimiter: a tab is a blank too, and the delimiter of tab-separated rows
    while (valueStart < lineEnd && text.charCodeAt(valueStart) !== delimiter && isBlank(text.charCodeAt(valueStart))) valueStart++;
    if (text.charCodeAt(valueStart) === 0x22) {
      valueStart++;
      const close = closingQuote(text, valueStart, Math.min(text.length, valueStart + MAX_QUOTED_FIELD));
      if (close === -1 || (close > lineEnd && !endsField(text, close + 1, delimiter))) {
        valueEnd = lineEnd;
        fieldEnd = lineEnd;
      } else {
        valueEnd = close;
        if (close > lineEnd) lineEnd = lineEndFrom(text, close);
        fieldEnd = indexWithin(text, delimiter, close, lineEnd);
      }
    } else {
      fieldEnd = indexWithin(text, delimiter, position, lineEnd);
      valueEnd = fieldEnd;
      while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    }
    const type = columns.get(column);
    if (type !== undefined && valueEnd > valueStart) fields.get(type)?.push({ start: valueStart, end: valueEnd });
    column++;
    if (fieldEnd >= lineEnd) return lineEnd + 1;
    position = fieldEnd + 1;
  }
}

/**
 * Whether a field may end at `at` (after blanks): at the delimiter, a line end or the text's end.
 * A quote found on a later line is taken to close a field only then: a stray quote ('1,"1990-01-02'
 * and prose quoting a word lines later) would otherwise carry the CSV over the blank line that
 * ends it.
 */
function endsField(text: string, at: number, delimiter: number): boolean {
  while (at < text.length && text.charCodeAt(at) !== delimiter && isBlank(text.charCodeAt(at))) at++;
  const code = text.charCodeAt(at);
  return at === text.length || code === delimiter || code === 0x0a;
}

/** The quote closing a quoted field whose value starts at `from` (a doubled quote is one inside it), before `limit`; -1 if none. */
function closingQuote(text: string, from: number, limit: number): number {
  for (let quote = indexOfCode(text, 0x22, from, limit); quote !== -1; quote = indexOfCode(text, 0x22, quote + 2, limit)) {
    if (text.charCodeAt(quote + 1) !== 0x22) return quote;
  }
  return -1;
}

/** How `mayBeHeader` reads an ASCII character. */
const enum HeaderChar {
  /** No name holds it: the line is not a header. */
  Refused = 0,
  /** HEADER_FIELD's class: letters, digits, `_ . # / ( ) -`. */
  Name,
  Space,
  /** Blanks that trim removes and the quotes `unquoted()` strips: allowed around a name. */
  Wrapper,
  Delimiter,
}

// a table rather than range tests: the loop runs on every text's first line
const HEADER_CHARS = new Uint8Array(128);
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.#/()-';
for (const char of NAME_CHARS) HEADER_CHARS[char.charCodeAt(0)] = HeaderChar.Name;
for (const char of '"\n\v\f\r') HEADER_CHARS[char.charCodeAt(0)] = HeaderChar.Wrapper;
for (const char of ',;\t') HEADER_CHARS[char.charCodeAt(0)] = HeaderChar.Delimiter;
HEADER_CHARS[0x20] = HeaderChar.Space;

/**
 * A cheap, exact reject of first lines `text[0, end)` that `cuedColumns` would refuse, run
 * before the line is even sliced: an ASCII character no name may hold, a name with more than
 * MAX_SPACES_PER_FIELD spaces between its characters, or one longer than HEADER_FIELD allows.
 * It splits at every possible delimiter, not only the line's, and leaves non-ASCII characters
 * to `cuedColumns`: both only let more lines through. Prose fails within its first words, and
 * no longer reaches the stem regex and the split (many prose lines hold a comma and a stem such
 * as "cc"): the header test measured 6× faster on prose.
 */
function mayBeHeader(text: string, end: number): boolean {
  let spaces = 0;
  let pendingSpaces = 0;
  let nameStart = -1;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) continue;
    switch (HEADER_CHARS[code]) {
      case HeaderChar.Name:
        if (nameStart === -1) nameStart = i;
        else if (i - nameStart >= MAX_NAME_LENGTH) return false;
        spaces += pendingSpaces;
        pendingSpaces = 0;
        if (spaces > MAX_SPACES_PER_FIELD) return false;
        break;
      case HeaderChar.Space:
        if (nameStart !== -1) pendingSpaces++;
        break;
      case HeaderChar.Delimiter:
        spaces = 0;
        pendingSpaces = 0;
        nameStart = -1;
        break;
      case HeaderChar.Refused:
        return false;
    }
  }
  return true;
}

/**
 * A first field of four or more words, as prose opens: a name with three spaces or more inside.
 * Tested before `mayBeHeader`, it rejects most prose in one native scan (measured 20% faster).
 */
const PROSE_FIRST_FIELD = /[ \t"]*(?:[^\s,;"]+ +){3}[^\s,;]/y;

/** Where the first line ends if it may be a header line (short names split by delimiters), or -1. */
function headerLineEnd(text: string): number {
  const headerEnd = text.indexOf('\n');
  if (headerEnd === -1 || headerEnd > MAX_HEADER_LENGTH) return -1;
  PROSE_FIRST_FIELD.lastIndex = 0;
  return PROSE_FIRST_FIELD.test(text) || !mayBeHeader(text, headerEnd) ? -1 : headerEnd;
}

/** The cued fields of the rows after a CSV header line `text[0, headerEnd)`, by type; undefined when the header names none. */
function csvFields(text: string, headerEnd: number): Map<HeaderCuedType, FieldSpan[]> | undefined {
  const header = text.charCodeAt(headerEnd - 1) === 0x0d ? text.slice(0, headerEnd - 1) : text.slice(0, headerEnd);
  const delimiter = headerDelimiter(header);
  if (delimiter === undefined || !ANY_HEADER_CUE.test(header)) return undefined;
  const columns = cuedColumns(header, delimiter);
  if (columns === undefined) return undefined;
  const fields = new Map<HeaderCuedType, FieldSpan[]>([...new Set(columns.values())].map((type) => [type, []]));
  for (let recordStart = headerEnd + 1; recordStart < text.length; ) {
    // A blank line between records ends the CSV: what follows is another block (prose, a
    // Markdown table), whose lines read as rows would give fields overlapping its own.
    if (isBlankLine(text, recordStart, lineEndFrom(text, recordStart))) break;
    recordStart = addRecordFields(text, recordStart, delimiter.charCodeAt(0), columns, fields);
  }
  return fields;
}

/** Adds the cells, in the columns of Markdown tables whose header names a type, to `fields`. */
function addMarkdownFields(text: string, fields: Map<HeaderCuedType, FieldSpan[]>): void {
  for (const table of markdownTables(text)) {
    const columns = cuedColumnsNamed(table.names);
    if (columns === undefined) continue;
    for (const row of table.rows) {
      for (const [column, type] of columns) {
        const cell = row[column];
        if (cell === undefined || cell.end === cell.start) continue;
        const typed = fields.get(type) ?? [];
        typed.push(cell);
        fields.set(type, typed);
      }
    }
  }
}

/**
 * Whether `text` may hold a Markdown table: a pipe and a hyphen. Most prose has no pipe, and
 * costs a native scan for one rather than the table parse.
 */
function mayHoldTable(text: string): boolean {
  return text.includes('|') && text.includes('-');
}

const NONE: readonly FieldSpan[] = [];
const NO_FIELDS: ReadonlyMap<HeaderCuedType, FieldSpan[]> = new Map();
/**
 * The fields of texts that start with a header line or may hold a table, so that the five
 * recognizers asking (phone, date of birth, passport, ssn, credit card) parse each text once: the scanner runs
 * one recognizer over a whole batch before the next, so the texts of a batch (~200) are asked
 * about in turn, four times. Bounded, as corpora are not. Only texts past the cheap tests are
 * looked up: a Map key is hashed over its whole length, which cost 1.8% of a scan of prose.
 */
const cuedTextFields = new Map<string, ReadonlyMap<HeaderCuedType, FieldSpan[]>>();
const MAX_CUED_TEXTS = 512;

/**
 * The values of the columns whose header names `type` (`dob`, `passport_no`, `phone`, …), in the
 * rows after a CSV header line that starts the text (short names split by `,`, `;` or tab) and in
 * Markdown pipe tables anywhere in it: a header is as good a cue as a word before the value, but
 * it sits lines away. In text order; ordinary text costs a search for a newline and one for a
 * pipe, and a short test of its first line.
 */
export function columnCuedFields(text: string, type: HeaderCuedType): readonly FieldSpan[] {
  const headerEnd = headerLineEnd(text);
  const table = mayHoldTable(text);
  if (headerEnd < 0 && !table) return NONE;
  let fields = cuedTextFields.get(text);
  if (fields === undefined) {
    const found = (headerEnd >= 0 ? csvFields(text, headerEnd) : undefined) ?? new Map<HeaderCuedType, FieldSpan[]>();
    if (table) {
      addMarkdownFields(text, found);
      // a text holding a CSV header and a table below it: each type's fields back in text order
      if (headerEnd >= 0) for (const spans of found.values()) spans.sort((a, b) => a.start - b.start);
    }
    fields = found.size > 0 ? found : NO_FIELDS;
    if (cuedTextFields.size >= MAX_CUED_TEXTS) cuedTextFields.clear();
    cuedTextFields.set(text, fields);
  }
  return fields.get(type) ?? NONE;
}

/** Whether `[start, end)` lies inside one of `fields` (in text order, none overlapping: a binary search, as a CSV text may hold thousands). */
export function isInField(fields: readonly FieldSpan[], start: number, end: number): boolean {
  let low = 0;
  let high = fields.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (fields[mid]!.start <= start) low = mid + 1;
    else high = mid;
  }
  const field = fields[low - 1];
  return field !== undefined && end <= field.end;
}

function isFieldDelimiter(code: number): boolean {
  return code === 0x2c || code === 0x3b || code === 0x09; // , ; tab
}

function isLineEdge(text: string, index: number): boolean {
  return index < 0 || index >= text.length || text.charCodeAt(index) === 0x0a || text.charCodeAt(index) === 0x0d;
}

/**
 * Whether `text[start, end)` is a whole field of a delimited line (`…,(801) 465-8138,US`), so
 * that a comma touching it separates fields rather than the groups or decimals of one number.
 * Both sides must be a delimiter or a line edge, and at least one a delimiter: "4,5" glued by a
 * single comma inside prose is a decimal, "a,4155550123,b" is a row.
 */
export function isDelimitedField(text: string, start: number, end: number): boolean {
  // Reads kept inside the text: a read past either end (NaN) made V8 drop its callers' optimised code.
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  const delimiterBefore = isFieldDelimiter(before);
  const delimiterAfter = isFieldDelimiter(after);
  if (!delimiterBefore && !delimiterAfter) return false;
  return (delimiterBefore || isLineEdge(text, start - 1)) && (delimiterAfter || isLineEdge(text, end));
}
