import { indexOfCode } from './char-code.js';
import { Cue } from './name-cues.js';

/**
 * Columns of people's names in CSV and TSV text whose first line is a header naming them
 * ("id,full_name,email", "first_name;last_name", "Nom,Prénom"). A field of a full-name column
 * is a person cue (two name-shaped words are a name); a field of a given-name or family-name
 * column is a naming cue (its one word is a name).
 */

/** A header line is short: a long first line is prose, and is not split. */
const MAX_HEADER_LENGTH = 400;
const MAX_FIELD_LENGTH = 40;
/** The first of these a header line holds separates its fields. */
const SEPARATORS = ['\t', ';', ',', '|'];
/** A name word somewhere in the header line; tested last, on the few lines with a name column. */
const NAME_COLUMN_PRESENT =
  /name|applicant|customer|holder|employee|patient|contact|owner|person|guest|passenger|attendee|participant|student|member|author|assignee|reporter|requester|beneficiary|payee|tenant|driver|nom|nome|naam|apellido|cognome|imię|nazwisko|isim|soyad|фио|имя|фамилия|姓名|氏名|이름/i;
/** Columns of one word of a name. */
const NAME_PART_HEADER =
  /^(?:(?:first|last|given|family|middle|sur|fore)_?name|surname|forename|vorname|nachname|prénom|prenom|apellidos?|cognome|sobrenome|voornaam|achternaam|imię|nazwisko|isim|ad|soyad|soyadı|имя|фамилия|отчество)$/;
/** Columns of whole names. */
const FULL_NAME_HEADER =
  /^(?:(?:customer|client|contact|employee|patient|account|card|guest|passenger|student|member|person|applicant|owner|full|legal|billing|shipping|parent|guardian|spouse|holder|beneficiary|payee|sender|recipient|driver|tenant|author|requester|reporter|assignee)_?name|name|applicant|customer|holder|account_holder|cardholder|employee|patient|contact|owner|person|guest|passenger|attendee|participant|student|member|author|assignee|reporter|requester|beneficiary|payee|tenant|driver|nom|nombre|nome|naam|ad_soyad|фио|姓名|氏名|이름)$/;

/**
 * Header field -> its cue: the same headers come back file after file, and normalising each field
 * was most of this module's time on CSV text. Cleared when large.
 */
const headerCueCache = new Map<string, Cue>();
const HEADER_CACHE_LIMIT = 10_000;

function cueOfHeader(field: string): Cue {
  let cue = headerCueCache.get(field);
  if (cue === undefined) {
    cue = cueOfKey(field.trim().replace(/^"|"$/g, '').trim().toLowerCase().replace(/[\s-]+/g, '_'));
    if (headerCueCache.size >= HEADER_CACHE_LIMIT) headerCueCache.clear();
    headerCueCache.set(field, cue);
  }
  return cue;
}

function cueOfKey(key: string): Cue {
  if (NAME_PART_HEADER.test(key)) return Cue.Naming;
  return FULL_NAME_HEADER.test(key) ? Cue.Person : Cue.None;
}

function separatorOf(header: string): string | undefined {
  for (const separator of SEPARATORS) if (header.includes(separator)) return separator;
  return undefined;
}

/**
 * The cue of each column of the header line, or undefined when none names a person. Fields
 * longer than a column name are prose and are not sliced: most first lines with a comma are
 * sentences.
 */
function headerCues(header: string, separator: string): Cue[] | undefined {
  const cues: Cue[] = [];
  let named = false;
  for (let start = 0; ; ) {
    const next = header.indexOf(separator, start);
    const end = next < 0 ? header.length : next;
    const cue = end - start > MAX_FIELD_LENGTH ? Cue.None : cueOfHeader(header.slice(start, end));
    if (cue !== Cue.None) named = true;
    cues.push(cue);
    if (next < 0) return named ? cues : undefined;
    start = next + 1;
  }
}

/**
 * Start offset of every field of a name column -> its cue. Quoted fields with separators inside
 * are rare in name columns and only shift the count on their own line.
 */
export function nameColumnCues(text: string): Map<number, Cue> | undefined {
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0 || headerEnd > MAX_HEADER_LENGTH) return undefined;
  const header = text.slice(0, text.charCodeAt(headerEnd - 1) === 13 ? headerEnd - 1 : headerEnd);
  const separator = separatorOf(header);
  // A first line without a separator, or with a sentence in it, is not a header.
  if (separator === undefined || header.includes('. ')) return undefined;
  // The case-insensitive test of the whole line (1.7 ms per 4 MB of prose) is slower than reading its few short fields.
  const columns = headerCues(header, separator);
  if (columns === undefined || !NAME_COLUMN_PRESENT.test(header)) return undefined;
  const cues = new Map<number, Cue>();
  let lineStart = headerEnd + 1;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let fieldStart = lineStart;
    for (let field = 0; field < columns.length && fieldStart <= lineEnd; field++) {
      const cue = columns[field]!;
      let valueStart = fieldStart;
      while (text.charCodeAt(valueStart) === 32) valueStart++;
      if (cue !== Cue.None) cues.set(text.charCodeAt(valueStart) === 34 ? valueStart + 1 : valueStart, cue);
      // within the row: `indexOf` ran on to the text's end from every row without a separator (quadratic)
      const next = indexOfCode(text, separator.charCodeAt(0), fieldStart, lineEnd);
      fieldStart = next < 0 ? lineEnd + 1 : next + 1;
    }
    lineStart = lineEnd + 1;
  }
  return cues;
}
