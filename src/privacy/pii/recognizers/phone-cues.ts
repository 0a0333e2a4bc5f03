import { CONTEXT_WINDOW } from '../recognizer.js';
import { csvCuedFields, type FieldSpan, isInField } from './csv-header-cues.js';
import { codeAt } from './char-code.js';
import { isWordChar } from './phone-neighbours.js';
import { isSpace } from './phone-shapes.js';

/**
 * The words before a run of digits that say what it is: a phone cue, an id's label, an ISBN.
 */

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
    '\\b(?:(?:my|our|your|his|her|their) number|text me|mob|mobil|ph|dial|ring|tlf|puh|fon|fono|hp|cel|bel|ara|arayın|móvil|movil|sdt|viber|simu)\\b',
    '☎|☏|📞|📱|đt|số|телефон|тел\\.|тел:|моб|звон|номер|τηλ|κιν|هاتف|جوال|موبايل|رقم|اتصل|טל|נייד|電話|电话|手机|手機|携帯|联系|連絡|전화|휴대폰|핸드폰|연락|โทร|मोबाइल|फ़ोन|फोन',
  ].join('|'),
  'i',
);

/** The CONTEXT_WINDOW characters before `start`, cut at the line start; found by stepping back, as `lastIndexOf` would scan a long line to its start. */
function sameLineWindow(text: string, start: number): string {
  const limit = Math.max(0, start - CONTEXT_WINDOW);
  let windowStart = start;
  while (windowStart > limit && text.charCodeAt(windowStart - 1) !== 0x0a) windowStart--;
  return text.slice(windowStart, start);
}

/** A phone cue before the number (or a phone column), looked up only when a test needs it. */
export interface Cue {
  readonly cued: boolean;
}

/**
 * A phone cue before a run of digits on its line, or a CSV column headed as phone numbers:
 * looked up once per run, and only when one of its numbers needs it (the parts of a run share
 * the run's cue, the digits between them hold no words).
 */
export class RunCue implements Cue {
  readonly #text: string;
  // parsed on first need: the header test costs as much as the rest of the search on prose
  #headerCued: readonly FieldSpan[] | undefined;
  #firstLineEnd: number | undefined;
  #start = 0;
  #end = 0;
  #cued: boolean | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** Now about the run at `[start, end)`: one object per text, not per run. */
  moveTo(start: number, end: number): void {
    this.#start = start;
    this.#end = end;
    this.#cued = undefined;
  }

  /** In a column headed as phone numbers: never on the first line, the header itself, or in a text of one line. */
  #inHeaderCuedField(): boolean {
    this.#firstLineEnd ??= this.#text.indexOf('\n');
    if (this.#firstLineEnd === -1 || this.#start < this.#firstLineEnd) return false;
    this.#headerCued ??= csvCuedFields(this.#text, 'phone');
    return isInField(this.#headerCued, this.#start, this.#end);
  }

  get cued(): boolean {
    this.#cued ??= CUE.test(sameLineWindow(this.#text, this.#start)) || this.#inHeaderCuedField();
    return this.#cued;
  }
}

/**
 * An id's label right before the digits ("Order no. 2024-558812", "part no. 06-1234-5678",
 * "zip 94103-1234", "номер паспорта 28 8685248"): a national number is then an id that happens
 * to be valid somewhere, even after a phone cue (the cue may be the label's own "number").
 * Only the word right before the number counts (after a "no."/"nr."/"number"), so that an order
 * mentioned earlier in the sentence does not hide the phone number after it.
 */
const ID_LABELS = new Set([
  'order', 'invoice', 'inv', 'ticket', 'case', 'ref', 'reference', 'serial', 's/n', 'sn', 'part', 'model', 'sku', 'upc', 'ean', 'imei',
  'item', 'lot', 'batch', 'tracking', 'isbn', 'zip', 'postcode', 'postal', 'plz', 'cep', 'account', 'acct', 'routing', 'nhs', 'ssn',
  'passport', 'version', 'build', 'patent', 'id', 'receipt', 'confirmation', 'booking', 'reservation', 'claim', 'policy', 'transaction',
  'txn', 'customer', 'member', 'loan', 'contract', 'bestellung', 'bestellnummer', 'rechnung', 'rechnungsnummer', 'auftrag',
  'auftragsnummer', 'kundennummer', 'artikel', 'artikelnummer', 'commande', 'facture', 'pedido', 'factura', 'ordine', 'fattura',
  'zamówienie', 'паспорт', 'паспорта', 'заказ', 'заказа',
]);
/** "No. 2023 0045 12" alone: an id unless a phone cue says which number ("Telefon Nr. 030 1234567"). */
const BARE_NUMBER_LABELS = new Set(['no', 'nr', 'n°', 'nº']);
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
  while (i > limit && isLabelPunctuation(codeAt(text, i - 1))) i--;
  const wordEnd = i;
  while (i > limit && (isWordChar(text, i - 1) || text.charCodeAt(i - 1) === 0x2f || text[i - 1] === '°' || text[i - 1] === 'º')) i--;
  return { word: text.slice(i, wordEnd).toLowerCase(), start: i };
}

/** The label right before the number: `id` for a word naming an id, alone or before "no." ("order no."), `number` for a bare "no.". */
export function idLabelBefore(text: string, start: number): 'id' | 'number' | undefined {
  const limit = Math.max(0, start - ID_LABEL_REACH);
  const last = wordBefore(text, start, limit);
  if (last.word === '') return undefined;
  if (ID_LABELS.has(last.word)) return 'id';
  if (NUMBER_WORDS.has(last.word) && ID_LABELS.has(wordBefore(text, last.start, limit).word)) return 'id';
  return BARE_NUMBER_LABELS.has(last.word) ? 'number' : undefined;
}

/**
 * "ISBN", in any case, in the same-line window before `start`. Read in place, in one pass
 * back to the window's start or the line's: a window slice and a regular expression for every
 * number found cost 5% of the search on PII-dense text.
 */
export function hasIsbnCue(text: string, start: number): boolean {
  const limit = Math.max(0, start - CONTEXT_WINDOW) + 3;
  for (let i = start - 1; i >= limit; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return false;
    // `| 0x20` lower-cases ASCII letters, as /isbn/i matches no other characters
    if ((code | 0x20) === 0x6e && (text.charCodeAt(i - 1) | 0x20) === 0x62 && (text.charCodeAt(i - 2) | 0x20) === 0x73 && (text.charCodeAt(i - 3) | 0x20) === 0x69) {
      return true;
    }
  }
  return false;
}
