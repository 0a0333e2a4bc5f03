import type { Finding } from '../entity-types.js';
import { CONTEXT_WINDOW, type Recognizer } from '../recognizer.js';
import { csvCuedFields, type FieldSpan, isDelimitedField, isInField } from './csv-header-cues.js';
import { isValidInternationalNumber } from './phone-metadata.js';
import { isNationalNumber } from './phone-national.js';
import { digitGroups, hasPhoneGrouping, isDigit, isShapeOfSomethingElse, isSpace, makeupOf } from './phone-shapes.js';

const NAME = 'phone.libphonenumber';
// A leading +CC (or 00) and a number valid for that country: rarely anything else.
const INTERNATIONAL_SCORE = 0.95;
// Valid national number printed with phone formatting: likely, but dates or ids can look the
// same, so at the default 0.95 threshold it needs a context word (+0.35).
const FORMATTED_NATIONAL_SCORE = 0.9;
// Unformatted national digits are only reported after a phone cue (checked here); the
// detector's +0.35 for the same cue lifts 0.6 to 0.95.
const CUED_NATIONAL_SCORE = 0.6;

const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
// National significant numbers stay under 13 digits; 13+ digits without +CC are cards, ISBNs, ids.
const MAX_NATIONAL_DIGITS = 12;
const MAX_SPLIT_TOKENS = 8;

/**
 * A maximal run of digits joined by phone separators (spaces of any width, dot, dash, slash,
 * parentheses), optionally opened by `+`, `(` or `(+`. It deliberately over-collects (two
 * numbers separated by a space become one run); `find` checks the whole run first and then
 * its sub-spans. libphonenumber's own `findNumbers` takes a single default country and would
 * need one full pass per region; one pass here plus validation of the few surviving
 * candidates is faster and lets us refuse the hard negatives before validating.
 */
// At least MIN_DIGITS digits: the many shorter numbers of ordinary text (prices, times, years)
// end the match attempt inside the regex engine instead of becoming candidates to refuse.
const RUN = /(?:\+|\(\+?)?\d(?:[ \u00a0\u202f\u2009\u2007.()/-]{0,4}\d){6,}/g;

/**
 * Cues for unformatted national numbers and for the national numbers of plans too plain to
 * be taken on their formatting alone, in the window before them on the same line: the words
 * for phone, mobile, call and number in the languages of the national regions. Latin cues are
 * prefixes (`telefon` also covers telefono, telefone, telefonu); the other scripts' stand
 * without `\b`, which only knows ASCII words.
 */
const CUE = new RegExp(
  [
    '\\b(?:phone|tel|call|mobile|cell|fax|whatsapp|contact|handy|sms|hotline|helpline|gsm|reach|téléphone|tél|appel|teléfono|llam|telefon|telemóvel|ligue|ligar|numéro|número|numero|nummer|numer|nomor|numara|anruf|rufnummer|chiama|zadzwo|volej|puhelin|mobiel|portable|erreichbar|celular|telp|hubungi)',
    '\\b(?:(?:my|our|your|his|her|their) number|text me|mob|mobil|ph|dial|ring|tlf|puh|fono|hp|cel|bel|ara|arayın|móvil|movil|sdt)\\b',
    'đt|số|телефон|тел\\.|тел:|моб|звон|номер|τηλ|κιν|هاتف|جوال|موبايل|رقم|اتصل|טל|נייד|電話|电话|手机|手機|携帯|联系|連絡|전화|휴대폰|핸드폰|연락|โทร|मोबाइल|फ़ोन|फोन',
  ].join('|'),
  'i',
);

/**
 * An id's label right before the digits ("Order no. 2024-558812", "part no. 06-1234-5678",
 * "zip 94103-1234"): a national number is then an id that happens to be valid somewhere,
 * unless a phone cue is there too. Only the word right before the number counts (after a
 * "no."/"nr."/"number"), so that an order mentioned earlier in the sentence does not hide the
 * phone number after it.
 */
const ID_LABELS = new Set([
  'order', 'invoice', 'inv', 'ticket', 'case', 'ref', 'reference', 'serial', 's/n', 'sn', 'part', 'model', 'sku', 'upc', 'ean', 'imei',
  'item', 'lot', 'batch', 'tracking', 'isbn', 'zip', 'postcode', 'postal', 'plz', 'cep', 'account', 'acct', 'routing', 'nhs', 'ssn',
  'passport', 'version', 'build', 'patent', 'id', 'receipt', 'confirmation', 'booking', 'reservation', 'claim', 'policy', 'transaction',
  'txn', 'customer', 'member', 'loan', 'contract', 'bestellung', 'bestellnummer', 'rechnung', 'rechnungsnummer', 'auftrag',
  'auftragsnummer', 'kundennummer', 'artikel', 'artikelnummer', 'commande', 'facture', 'pedido', 'factura', 'ordine', 'fattura',
  'zamówienie', 'no', 'nr', 'n°', 'nº',
]);
/** Words that only number what the label before them names: "order no.", "invoice number". */
const NUMBER_WORDS = new Set(['no', 'nr', 'number', 'num', 'n°', 'nº', '#']);
// How far back a label is looked for: "rechnungsnummer nr. " and a little more.
const ID_LABEL_REACH = 28;

/** Blanks and the punctuation between a label and its number: "no.: #". */
function isLabelPunctuation(code: number): boolean {
  return isSpace(code) || code === 0x3a || code === 0x23 || code === 0x2e;
}

/** The word ending at `end` (after skipping label punctuation), lower-cased, and where it starts. */
function wordBefore(text: string, end: number, limit: number): { word: string; start: number } {
  let i = end;
  while (i > limit && isLabelPunctuation(text.charCodeAt(i - 1))) i--;
  const wordEnd = i;
  while (i > limit && (isWordChar(text, i - 1) || text.charCodeAt(i - 1) === 0x2f || text[i - 1] === '°' || text[i - 1] === 'º')) i--;
  return { word: text.slice(i, wordEnd).toLowerCase(), start: i };
}

function hasIdLabel(text: string, start: number): boolean {
  const limit = Math.max(0, start - ID_LABEL_REACH);
  const last = wordBefore(text, start, limit);
  if (last.word === '') return false;
  if (ID_LABELS.has(last.word)) return true;
  return NUMBER_WORDS.has(last.word) && ID_LABELS.has(wordBefore(text, last.start, limit).word);
}

/** Extensions after a number: `x123`, `ext. 45`, `#204`, `poste 12`, RFC 3966 `;ext=1234`. */
const EXTENSION = /(?:[ \u00a0]*(?:ext\.?|extn\.?|extension|x|#|poste|durchwahl|доб\.?)[ \u00a0.:]*|;ext=)\d{1,6}(?![\p{L}\p{N}])/iuy;

const FORMATTING = /[-.()/]/;
const BRACKETED_TRUNK = /\(0\)/;
const NON_DIGITS = /\D+/g;
const ISBN_CUE = /isbn/i;

/**
 * Why a span is not a phone number. `shape`: it has the shape of something else (date, IP, SSN,
 * card, ISBN, amount), so its parts are not tried either. `invalid`: not a valid or not a
 * sufficiently marked number, but a part of it may be.
 */
type Rejection = 'none' | 'shape' | 'invalid';

interface Evaluation {
  readonly rejection: Rejection;
  readonly score: number;
}

const SHAPE: Evaluation = { rejection: 'shape', score: 0 };
const INVALID: Evaluation = { rejection: 'invalid', score: 0 };

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * CJK punctuation, Han, kana, Hangul and full-width forms: these scripts put no spaces between
 * words, so a character touching the digits (`电话+8613177646208，`) does not make them part of an id.
 */
function isSpacelessScript(code: number): boolean {
  return (code >= 0x3000 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xffef);
}

function isWordChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code > 0x7f) return !isSpacelessScript(code) && NON_ASCII_WORD_CHAR.test(text[index] ?? ''); // not NBSP, dashes, quotes
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isLetter(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code > 0x7f && isWordChar(text, index));
}

function sameLineWindow(text: string, start: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return text.slice(Math.max(lineStart, start - CONTEXT_WINDOW), start);
}

/**
 * Characters just before/after that make the digits part of something else: an id glued to
 * letters (`AB1234567`, `v2.14.3`), an order number (`#4839201745`), an amount (`$`, `€`),
 * the continuation of a dotted/dashed/decimal number, a time (`10:30`), a percentage. A dot
 * after a word is an abbreviation's (`Tel.+49 …`, `Tél.06 …`), not a decimal point.
 */
function hasForeignNeighbour(text: string, start: number, end: number): boolean {
  if (isDelimitedField(text, start, end)) return false; // "…,(801) 465-8138,US": a CSV field
  if (start > 0 && isWordChar(text, start - 1)) return true;
  const before = text[start - 1] ?? '';
  if ('#$€£¥〒,/-_'.includes(before) && before !== '') return true;
  if (before === '.' && !isLetter(text, start - 2)) return true;
  if (end < text.length && (isWordChar(text, end) || text.charCodeAt(end) === 0x25)) return true; // letters, digits, %
  const afterNext = text.charCodeAt(end + 1);
  return '.,/:-'.includes(text[end] ?? ' ') && isDigit(afterNext);
}

/**
 * A phone cue before a run of digits on its line, or a CSV column headed as phone numbers:
 * looked up once per run, and only when one of its numbers needs it (the parts of a run share
 * the run's cue, the digits between them hold no words).
 */
class RunCue {
  readonly #text: string;
  readonly #headerCued: readonly FieldSpan[];
  #start = 0;
  #end = 0;
  #cued: boolean | undefined;

  constructor(text: string, headerCued: readonly FieldSpan[]) {
    this.#text = text;
    this.#headerCued = headerCued;
  }

  /** Now about the run at `[start, end)`: one object per text, not per run. */
  moveTo(start: number, end: number): void {
    this.#start = start;
    this.#end = end;
    this.#cued = undefined;
  }

  get cued(): boolean {
    this.#cued ??= CUE.test(sameLineWindow(this.#text, this.#start)) || isInField(this.#headerCued, this.#start, this.#end);
    return this.#cued;
  }
}

function evaluate(text: string, start: number, end: number, requireSeparators: boolean, cue: RunCue): Evaluation {
  const value = text.slice(start, end);
  const makeup = makeupOf(value);
  if (makeup.digits < MIN_DIGITS || makeup.digits > MAX_DIGITS) return INVALID;
  const first = value.charCodeAt(0);
  const international = first === 0x2b || (first === 0x28 && value.charCodeAt(1) === 0x2b) || value.startsWith('00'); // + (+ 00
  if (isShapeOfSomethingElse(value, makeup, international, MAX_NATIONAL_DIGITS)) return SHAPE;
  if (!hasPhoneGrouping(value, international)) return INVALID;

  let score = 0;
  if (international) {
    const afterIdd = value.startsWith('00') ? 2 : 0;
    const dialled = value.replace(NON_DIGITS, '').slice(afterIdd);
    // "+44 (0)20 …": the bracketed trunk prefix is written but not dialled, unless (Italy) it belongs to the number
    const withoutTrunk = value.replace(BRACKETED_TRUNK, '').replace(NON_DIGITS, '').slice(afterIdd);
    if (!isValidInternationalNumber(withoutTrunk) && (withoutTrunk === dialled || !isValidInternationalNumber(dialled))) return INVALID;
    if (first === 0x30 && hasIdLabel(text, start)) return SHAPE; // "Bestellnummer 0049 …"
    score = INTERNATIONAL_SCORE;
  } else {
    const formatted = FORMATTING.test(value) || (!requireSeparators && makeup.spaces > 0);
    if (!formatted && (requireSeparators || !cue.cued)) return INVALID;
    if (!isNationalNumber(value.replace(NON_DIGITS, ''), digitGroups(value), cue)) return INVALID;
    if (hasIdLabel(text, start) && !cue.cued) return SHAPE;
    score = formatted ? FORMATTED_NATIONAL_SCORE : CUED_NATIONAL_SCORE;
  }
  // checked last: few candidates get this far, and a window slice per digit run is not free
  if (ISBN_CUE.test(sameLineWindow(text, start))) return SHAPE;
  return { rejection: 'none', score };
}

/** Start/end offsets of the whitespace-separated tokens of `text[start, end)`. */
function tokenBounds(text: string, start: number, end: number): [number, number][] {
  const bounds: [number, number][] = [];
  let tokenStart = -1;
  for (let i = start; i <= end; i++) {
    const space = i === end || isSpace(text.charCodeAt(i));
    if (space && tokenStart !== -1) {
      bounds.push([tokenStart, i]);
      tokenStart = -1;
    } else if (!space && tokenStart === -1) tokenStart = i;
  }
  return bounds;
}

/** "Room 12 555-123-4567", "555-0100 555-0199": the numbers inside a refused run, longest first. */
function findPartsOfRun(text: string, start: number, end: number, cue: RunCue, findings: Finding[]): void {
  const tokens = tokenBounds(text, start, end);
  if (tokens.length < 2 || tokens.length > MAX_SPLIT_TOKENS) return;
  for (let i = 0; i < tokens.length; i++) {
    for (let j = tokens.length - 1; j >= i; j--) {
      if (i === 0 && j === tokens.length - 1) continue; // the whole run, already refused
      const subStart = tokens[i]?.[0] ?? 0;
      const subEnd = tokens[j]?.[1] ?? 0;
      const part = evaluate(text, subStart, subEnd, true, cue);
      if (part.rejection === 'none') {
        findings.push({ start: subStart, end: subEnd, type: 'phone', score: part.score, recognizer: NAME });
        i = j;
        break;
      }
    }
  }
}

/** As many closing as opening brackets. */
function isBalanced(value: string): boolean {
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x28) depth++;
    else if (code === 0x29) depth--;
  }
  return depth === 0;
}

/** The extension marks EXTENSION knows, as they start: most words after a number are none of them. */
const EXTENSION_MARKS = ['x', '#', 'ext', ';ext=', 'poste', 'durchwahl', 'доб'];

function mayStartExtension(text: string, at: number): boolean {
  const ahead = text.slice(at, at + 9).toLowerCase();
  return EXTENSION_MARKS.some((mark) => ahead.startsWith(mark));
}

/** Where an extension written after the number ends, or `end` when there is none. */
function extensionEnd(text: string, end: number): number {
  let next = end;
  while (next < end + 2 && isSpace(text.charCodeAt(next))) next++;
  if (!mayStartExtension(text, next)) return end;
  EXTENSION.lastIndex = end;
  return EXTENSION.test(text) ? EXTENSION.lastIndex : end;
}

/**
 * Phone numbers validated by libphonenumber's metadata: international (+CC, 00CC, with a
 * bracketed trunk `(0)`), and national numbers of ~80 regions written as their country writes
 * them (see phone-national.ts), with an extension when one follows.
 */
export const phoneRecognizer: Recognizer = {
  name: NAME,
  type: 'phone',
  contextWords: [
    'phone', 'tel', 'telephone', 'call', 'mobile', 'cell', 'fax', 'whatsapp', 'contact', 'ph', 'mob', 'gsm',
    'telefon', 'téléphone', 'tél', 'teléfono', 'telefono', 'telefone', 'telefonu', 'telemóvel', 'handy', 'portable', 'móvil', 'movil',
    'celular', 'cel', 'tlf', 'puh', 'fono', 'telp', 'rufnummer', 'телефон', 'тел', 'моб', 'τηλ', 'هاتف', 'جوال', 'טלפון', '電話', '电话', '전화',
  ],
  negativeContextWords: ['order', 'invoice', 'tracking', 'isbn', 'version', 'serial', 'account', 'ref', 'id', 'passport', 'паспорт', 'паспорта'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    const cue = new RunCue(text, csvCuedFields(text, 'phone'));
    RUN.lastIndex = 0;
    for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
      let start = match.index;
      // "(+44 (0)20 7946 0958)", "(call 555-0100": an opening bracket closed after the run is the sentence's
      if (text.charCodeAt(start) === 0x28 && !isBalanced(match[0])) start++;
      const runEnd = match.index + match[0].length;
      // an extension glued to the digits ("555-0123x12") is looked for before the neighbour test refuses them
      const gluedEnd = isWordChar(text, runEnd) ? extensionEnd(text, runEnd) : runEnd;
      if (hasForeignNeighbour(text, start, gluedEnd)) continue;
      cue.moveTo(start, runEnd);
      const whole = evaluate(text, start, runEnd, false, cue);
      if (whole.rejection === 'none') {
        const end = gluedEnd === runEnd ? extensionEnd(text, runEnd) : gluedEnd;
        findings.push({ start, end, type: 'phone', score: whole.score, recognizer: NAME });
        continue;
      }
      if (whole.rejection === 'shape') continue;
      findPartsOfRun(text, start, runEnd, cue, findings);
    }
    return findings;
  },
};
