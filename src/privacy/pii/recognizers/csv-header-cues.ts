/** The value of one field of a data row, quotes and surrounding blanks excluded. */
export interface FieldSpan {
  readonly start: number;
  readonly end: number;
}

/** The types a column header can name; the others are found by their shape alone. */
export type HeaderCuedType = 'date_of_birth' | 'passport' | 'ssn' | 'phone' | 'credit_card';

/**
 * Header names, lower-cased and split into `_`-joined words (`passportNo` → `passport_no`),
 * that make the column's values a cued candidate of a type; `unless` refuses columns about
 * the thing rather than the value (`birth_place`, `passport_expiry`, `card_holder`).
 */
const HEADER_CUES: readonly { readonly type: HeaderCuedType; readonly names: RegExp; readonly unless?: RegExp }[] = [
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
    names: /(?:^|_)(?:phone|tel|telephone|mobile|cell|cellphone|fax|whatsapp|msisdn|telefon|telefono|telefone|téléphone|teléfono|telemóvel|handy|portable)(?:_|$)/,
  },
  {
    type: 'credit_card',
    names: /(?:^|_)(?:card|cc|pan|card_number|credit_card|creditcard|kreditkarte)(?:_|$)/,
    unless: /(?:^|_)(?:holder|name|type|brand|expiry|exp|expires|expiration|cvv|cvc|last4|last_4|issuer|id)(?:_|$)/,
  },
];

/** Any cue's stem, tested on the raw header line first: most first lines hold none of them. */
const ANY_HEADER_CUE = /dob|d_o_b|birth|naiss|geburt|geboorte|nacim|nascim|nascit|urodz|do[gğ]um|pass|pasa|pasz|pasp|reisepass|ssn|social|soc_sec|phone|tel|mobile|cell|fax|whatsapp|msisdn|handy|portable|card|cc|pan|kreditkarte/i;

// A header is a short line of short names; prose with commas ("Hi Anna, thanks, see you") has
// longer fields and more spaces.
const MAX_HEADER_LENGTH = 512;
const HEADER_FIELD = /^[\p{L}_#][\p{L}\p{N}_ .#/()-]{0,39}$/u;
const MAX_SPACES_PER_FIELD = 2;

function headerWords(name: string): string {
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

/** The delimiter the header line is split by, or undefined when the line is not a header. */
function headerDelimiter(header: string): string | undefined {
  for (const delimiter of [',', ';', '\t']) if (header.includes(delimiter)) return delimiter;
  return undefined;
}

/** Column index → cued type, or undefined when the first line is not a CSV header naming any. */
function cuedColumns(header: string, delimiter: string): Map<number, HeaderCuedType> | undefined {
  const names = header.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  // every name must look like one before any is looked up: prose fails on its first long field
  for (const name of names) if (!HEADER_FIELD.test(name) || countSpaces(name) > MAX_SPACES_PER_FIELD) return undefined;
  const columns = new Map<number, HeaderCuedType>();
  for (let column = 0; column < names.length; column++) {
    const words = headerWords(names[column] ?? '');
    const cue = HEADER_CUES.find(({ names: cueNames, unless }) => cueNames.test(words) && !unless?.test(words));
    if (cue !== undefined) columns.set(column, cue.type);
  }
  return columns.size > 0 ? columns : undefined;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d;
}

/**
 * Adds the spans of the cued fields of the row `text[start, end)`. Quoted fields (RFC 4180) may
 * hold the delimiter; a quoted field spanning lines is cut at the line end, which only loses
 * that field.
 */
function addRowFields(
  text: string,
  start: number,
  end: number,
  delimiter: number,
  columns: ReadonlyMap<number, HeaderCuedType>,
  fields: Map<HeaderCuedType, FieldSpan[]>,
): void {
  let column = 0;
  let position = start;
  while (position <= end) {
    let fieldEnd: number;
    let valueStart = position;
    let valueEnd: number;
    while (valueStart < end && isBlank(text.charCodeAt(valueStart))) valueStart++;
    if (text.charCodeAt(valueStart) === 0x22) {
      valueStart++;
      let quote = text.indexOf('"', valueStart);
      while (quote !== -1 && quote < end && text.charCodeAt(quote + 1) === 0x22) quote = text.indexOf('"', quote + 2);
      valueEnd = quote === -1 || quote > end ? end : quote;
      fieldEnd = text.indexOf(String.fromCharCode(delimiter), valueEnd);
      if (fieldEnd === -1 || fieldEnd > end) fieldEnd = end;
    } else {
      fieldEnd = text.indexOf(String.fromCharCode(delimiter), position);
      if (fieldEnd === -1 || fieldEnd > end) fieldEnd = end;
      valueEnd = fieldEnd;
      while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    }
    const type = columns.get(column);
    if (type !== undefined && valueEnd > valueStart) fields.get(type)?.push({ start: valueStart, end: valueEnd });
    column++;
    position = fieldEnd + 1;
  }
}

function computeCuedFields(text: string): ReadonlyMap<HeaderCuedType, FieldSpan[]> | undefined {
  const headerEnd = text.indexOf('\n');
  if (headerEnd === -1 || headerEnd > MAX_HEADER_LENGTH) return undefined;
  const header = text.slice(0, headerEnd).replace(/\r$/, '');
  const delimiter = headerDelimiter(header);
  if (delimiter === undefined || !ANY_HEADER_CUE.test(header)) return undefined;
  const columns = cuedColumns(header, delimiter);
  if (columns === undefined) return undefined;
  const fields = new Map<HeaderCuedType, FieldSpan[]>([...new Set(columns.values())].map((type) => [type, []]));
  for (let lineStart = headerEnd + 1; lineStart < text.length; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    addRowFields(text, lineStart, lineEnd, delimiter.charCodeAt(0), columns, fields);
    lineStart = lineEnd + 1;
  }
  return fields;
}

const NONE: readonly FieldSpan[] = [];
// The scanner runs every recognizer over the same text in turn: remembering the last text
// parses a CSV once instead of once per recognizer.
let lastText: string | undefined;
let lastFields: ReadonlyMap<HeaderCuedType, FieldSpan[]> | undefined;

/**
 * The values, in rows after a CSV header line, of the columns whose header names `type`
 * (`dob`, `passport_no`, `phone`, …): a header is as good a cue as a word before the value,
 * but it sits lines away. Empty unless the first line looks like a header (short names split
 * by `,`, `;` or tab), so ordinary text costs one `indexOf` and a short test.
 */
export function csvCuedFields(text: string, type: HeaderCuedType): readonly FieldSpan[] {
  if (text !== lastText) {
    lastFields = computeCuedFields(text);
    lastText = text;
  }
  return lastFields?.get(type) ?? NONE;
}

/** Whether `[start, end)` lies inside one of `fields`. */
export function isInField(fields: readonly FieldSpan[], start: number, end: number): boolean {
  for (const field of fields) if (field.start <= start && end <= field.end) return true;
  return false;
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
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  const delimiterBefore = isFieldDelimiter(before);
  const delimiterAfter = isFieldDelimiter(after);
  if (!delimiterBefore && !delimiterAfter) return false;
  return (delimiterBefore || isLineEdge(text, start - 1)) && (delimiterAfter || isLineEdge(text, end));
}
