import { Cue } from './name-cues.js';

/**
 * Columns of people's names in CSV and TSV text whose first line is a header naming them
 * ("id,full_name,email", "first_name;last_name", "Nom,Prénom"). A field of a full-name column
 * is a person cue (two name-shaped words are a name); a field of a given-name or family-name
 * column is a naming cue (its one word is a name).
 */

/** A header line is short: a long first line is prose, and is not split. */
const MAX_HEADER_LENGTH = 400;
const SEPARATOR_PRESENT = /[,;\t|]/;
/** One test of the header line before it is split: most first lines name no person column. */
const NAME_COLUMN_PRESENT =
  /name|applicant|customer|holder|employee|patient|contact|owner|person|guest|passenger|attendee|participant|student|member|author|assignee|reporter|requester|beneficiary|payee|tenant|driver|nom|nome|naam|apellido|cognome|imię|nazwisko|isim|soyad|фио|имя|фамилия|姓名|氏名|이름/i;
/** Columns of one word of a name. */
const NAME_PART_HEADER =
  /^(?:(?:first|last|given|family|middle|sur|fore)_?name|surname|forename|vorname|nachname|prénom|prenom|apellidos?|cognome|sobrenome|voornaam|achternaam|imię|nazwisko|isim|ad|soyad|soyadı|имя|фамилия|отчество)$/;
/** Columns of whole names. */
const FULL_NAME_HEADER =
  /^(?:(?:customer|client|contact|employee|patient|account|card|guest|passenger|student|member|person|applicant|owner|full|legal|billing|shipping|parent|guardian|spouse|holder|beneficiary|payee|sender|recipient|driver|tenant|author|requester|reporter|assignee)_?name|name|applicant|customer|holder|account_holder|cardholder|employee|patient|contact|owner|person|guest|passenger|attendee|participant|student|member|author|assignee|reporter|requester|beneficiary|payee|tenant|driver|nom|nombre|nome|naam|ad_soyad|фио|姓名|氏名|이름)$/;

function cueOfHeader(field: string): Cue {
  if (field.length > 40) return Cue.None;
  const key = field.trim().replace(/^"|"$/g, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (NAME_PART_HEADER.test(key)) return Cue.Naming;
  return FULL_NAME_HEADER.test(key) ? Cue.Person : Cue.None;
}

/**
 * Start offset of every field of a name column -> its cue. Quoted fields with separators inside
 * are rare in name columns and only shift the count on their own line.
 */
export function nameColumnCues(text: string): Map<number, Cue> | undefined {
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0 || headerEnd > MAX_HEADER_LENGTH) return undefined;
  const header = text.slice(0, headerEnd).replace(/\r$/, '');
  // A first line without a separator, or with a sentence in it, is not a header.
  if (!SEPARATOR_PRESENT.test(header) || header.includes('. ') || !NAME_COLUMN_PRESENT.test(header)) return undefined;
  const separator = header.includes('\t') ? '\t' : header.includes(';') ? ';' : header.includes(',') ? ',' : header.includes('|') ? '|' : undefined;
  if (separator === undefined) return undefined;
  const columns = header.split(separator).map(cueOfHeader);
  if (columns.every((cue) => cue === Cue.None)) return undefined;
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
      const next = text.indexOf(separator, fieldStart);
      fieldStart = next < 0 || next > lineEnd ? lineEnd + 1 : next + 1;
    }
    lineStart = lineEnd + 1;
  }
  return cues;
}
