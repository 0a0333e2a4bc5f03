import type { CountryCode } from 'libphonenumber-js/core';
import { CONTEXT_WINDOW } from '../recognizer.js';
import { columnCuedFields, type FieldSpan, isInField } from './column-cues.js';
import { codeAt } from './char-code.js';
import { countriesNamedIn } from './phone-countries.js';
import { isWordChar } from './phone-neighbours.js';
import { isDigit } from './char-code.js';
import { isSpace } from './phone-shapes.js';

/**
 * The words before a run of digits that say what it is: a phone cue, an id's label, an ISBN.
 */

/**
 * Cues for unformatted national numbers and for the national numbers of plans too plain to
 * be taken on their formatting alone, in the window before them: the words for phone, mobile,
 * call and number in the languages of the national regions. Latin cues are prefixes (`telefon`
 * also covers telefono, telefone, telefonu; `mobil` mobile, Mobilnummer, mobiel) that may follow
 * an underscore (`SUPPORT_PHONE`); the other scripts' stand without `\b`, which only knows ASCII
 * words.
 */
const NON_LATIN_CUES = '☎|☏|📞|📱|đt|số|điện thoại|телефон|тел\\.|тел:|моб|звон|номер|τηλ|κιν|هاتف|جوال|موبايل|رقم|اتصل|טל|נייד|電話|电话|手机|手機|携帯|联系|連絡|전화|휴대폰|핸드폰|연락|โทร|मोबाइल|फ़ोन|फोन';
const CUE = new RegExp(
  [
    '(?<![a-z0-9])(?:phone|tel(?!l)|call|mobil(?!i[tsz])|cell|fax|whatsapp|contact|kontakt|handy|sms|hotline|helpline|landline|switchboard|gsm|reach|téléphone|tél|appel|teléfono|llam|telefon|telefoo|telemóvel|ligue|ligar|numéro|número|numero|nummer|numer|nomor|numara|anruf|rufnummer|chiama|zadzwo|volej|puhelin|matkapuhelin|portable|erreich(?!t)|celular|telp|hubungi)',
    '\\b(?:(?:my|our|your|his|her|their|mera|meri)(?: new| main| direct| private| personal| work| home| office)? number|(?:best|direct|callback) number|(?:direct|main|office|private|home) line|direct dial|text me|mob|ph|dial|ring|ruf|rufen|tlf|puh|fon|fono|fone|hp|cel|bel|ara|arayın|móvil|movil|sdt|viber|simu)\\b',
    NON_LATIN_CUES,
  ].join('|'),
  'i',
);

/**
 * The cues that still speak of a number further back in its sentence: whole words, as a prefix
 * there is as often an English word's ("tells", "mobility", "numerous", "portable", "handy").
 */
const SENTENCE_CUE = new RegExp(
  [
    '(?<![a-z0-9])(?:phone|phones|telephone|tel|call|calls|called|calling|mobile|cell|cellphone|whatsapp|contact|contacts|reach|reached|fax|sms|hotline|helpline|landline|dial|telefon|telefono|telefone|teléfono|téléphone|telemóvel|celular|móvil|movil|llamar|llámame|llame|appelez|appeler|chiama|chiamami|anrufen|erreichen|erreichbar)(?![a-z])',
    NON_LATIN_CUES,
  ].join('|'),
  'i',
);

/**
 * Labels that name a phone number only right before it, as signatures and contact blocks write
 * them ("T: 5123 4567", "M 40 61 23 45", "O: … | M: …"): a letter or a word that elsewhere in a
 * sentence means anything.
 */
const ADJACENT_LABELS = new Set(['t', 'm', 'f', 'p', 'o', 'c', 'h', 'w', 'mob', 'office', 'home', 'work', 'direct', 'main']);
// How far back such a label is looked for: "office: " and a little more.
const ADJACENT_LABEL_REACH = 10;
const LONGEST_ADJACENT_LABEL = 6;

/** A label of ADJACENT_LABELS right before `start`, starting its line or after a blank or a `|`. */
function hasAdjacentLabel(text: string, start: number): boolean {
  const limit = Math.max(0, start - ADJACENT_LABEL_REACH);
  let i = start;
  while (i > limit && isLabelPunctuation(codeAt(text, i - 1))) i--;
  const wordEnd = i;
  while (i > limit && isAsciiLetter(codeAt(text, i - 1))) i--;
  if (wordEnd === i || wordEnd === start || wordEnd - i > LONGEST_ADJACENT_LABEL) return false;
  const before = codeAt(text, i - 1);
  if (before !== -1 && before !== 0x0a && before !== 0x7c && !isSpace(before)) return false; // line start, "|", a blank
  // mid-line, only a label closed by ":" or "." ("T: ", "Mob. "): there "o", "w" and "main" are words of prose
  if (isSpace(before) && !hasLabelStop(text, wordEnd, start)) return false;
  return ADJACENT_LABELS.has(text.slice(i, wordEnd).toLowerCase());
}

function hasLabelStop(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x3a || text.charCodeAt(i) === 0x2e) return true;
  return false;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

// How far back in its sentence a cue may stand: "reach our logistics coordinator Anna Berg directly on …".
const SENTENCE_CUE_REACH = 120;
// The longest text CUE matches: "their personal number".
const LONGEST_CUE = 24;

/** How far a cue window reaches back from the number, and what stops it besides a sentence's end. */
interface WindowBounds {
  readonly reach: number;
  /** Across the line breaks of a block ("Phone number\n…", "agent: your number?\nuser: …"), but not a blank line, which ends a paragraph. */
  readonly acrossLines: boolean;
  /** Not past a CSV or TSV delimiter, as the number is a table's field and the row's other fields are not about it. */
  readonly withinField: boolean;
  /** Not past another number's digits, which a cue before them speaks of ("sms.send to=06 12 … epoch 1543368879"). */
  readonly sinceNumber: boolean;
}

/**
 * Where the text before `start` that a cue speaks of the number from begins: within `bounds`,
 * and not before the end of an earlier sentence (". ", "! ", "? ", "; "), whose cue speaks of
 * something else ("…unter 01511 9341796. epoch 1759877147"). The word that full stop ends is
 * kept: it may be an abbreviated cue ("Tel. ", "Mob. "). Found by stepping back, as `lastIndexOf`
 * would scan a long line to its start.
 */
function cueWindowStart(text: string, start: number, bounds: WindowBounds): number {
  const limit = Math.max(0, start - bounds.reach);
  let windowStart = start;
  while (windowStart > limit) {
    const code = text.charCodeAt(windowStart - 1);
    // letters, most of any window, neither stop it nor end a sentence
    if (code > 0x3b && code < 0x7c) {
      windowStart--;
      continue;
    }
    if (code === 0x0a) {
      if (!bounds.acrossLines || isBlankLineEnd(text, windowStart - 1)) break;
      // a line above that ends a statement ("We will contact you.") speaks of something else, as ". " does
      const stop = statementEndBefore(text, windowStart - 1);
      if (stop >= 0 && !isLabelOf(text, windowStart, start)) {
        windowStart = stop;
        while (windowStart > limit && isWordChar(text, windowStart - 1)) windowStart--;
        break;
      }
    } else if (isSpace(code)) {
      if (isSentenceEnd(codeAt(text, windowStart - 2)) && !isLabelOf(text, windowStart, start)) {
        windowStart -= 2;
        while (windowStart > limit && isWordChar(text, windowStart - 1)) windowStart--;
        break;
      }
    } else if (isDigit(code) ? bounds.sinceNumber : bounds.withinField && isGluedDelimiter(code)) break;
    windowStart--;
  }
  return windowStart;
}

/** Only blanks and colons from `from` to the number: a full stop there ends an abbreviated label ("Contact no. ", "Tel. : "), not a sentence. */
function isLabelOf(text: string, from: number, start: number): boolean {
  for (let i = from; i < start; i++) if (!isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3a) return false;
  return true;
}

/** The lines of the number's block. */
const BLOCK: WindowBounds = { reach: CONTEXT_WINDOW, acrossLines: true, withinField: false, sinceNumber: false };
/** The number's field of a table row. */
const FIELD: WindowBounds = { reach: CONTEXT_WINDOW, acrossLines: false, withinField: true, sinceNumber: true };
/** The number's sentence, on its line and since any other number: a cue further back than CONTEXT_WINDOW still speaks of it. */
const SENTENCE: WindowBounds = { reach: SENTENCE_CUE_REACH, acrossLines: false, withinField: false, sinceNumber: true };

function hasDigit(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isDigit(value.charCodeAt(i))) return true;
  return false;
}

/** The `.`, `!` or `;` ending the line that ends at the line break `newline`, or -1 (a `?` may ask for the number below it). */
function statementEndBefore(text: string, newline: number): number {
  let i = newline - 1;
  while (i >= 0 && (text.charCodeAt(i) === 0x0d || isSpace(text.charCodeAt(i)))) i--;
  const code = codeAt(text, i);
  return code === 0x2e || code === 0x21 || code === 0x3b ? i : -1;
}

function isSentenceEnd(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f || code === 0x3b; // . ! ? ;
}

/** CSV's and TSV's delimiters, touching their fields (prose puts a blank after its commas): `,` `;` tab. */
function isGluedDelimiter(code: number): boolean {
  return code === 0x2c || code === 0x3b || code === 0x09;
}
const MARKDOWN_CELL_EDGE = 0x7c; // |

/**
 * A field of a table row (CSV, TSV, Markdown): the lines above it are a header, whose cue names
 * one column only, or other rows.
 */
function isTableField(text: string, start: number, end: number): boolean {
  if (isGluedDelimiter(codeAt(text, start - 1)) || isGluedDelimiter(codeAt(text, end))) return true;
  let before = start - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
  let after = end;
  while (after < text.length && isSpace(text.charCodeAt(after))) after++;
  return codeAt(text, before) === MARKDOWN_CELL_EDGE || codeAt(text, after) === MARKDOWN_CELL_EDGE;
}

/** Whether the line that ends at the line break `newline` holds nothing but blanks. */
function isBlankLineEnd(text: string, newline: number): boolean {
  for (let i = newline - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return true;
    if (!isSpace(code) && code !== 0x0d && code !== 0x09) return false;
  }
  return true;
}

/** A phone cue before the number (or a phone column), and the countries named near it, looked up only when a test needs them. */
export interface Cue {
  readonly cued: boolean;
  readonly countries: readonly CountryCode[];
}

/**
 * A phone cue before a run of digits in its block of lines, a label right before it, or a CSV
 * or Markdown table column headed as phone numbers:
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
  #countries: readonly CountryCode[] | undefined;
  #inTable: boolean | undefined;
  #cueWindow: string | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** Now about the run at `[start, end)`: one object per text, not per run. */
  moveTo(start: number, end: number): void {
    this.#start = start;
    this.#end = end;
    this.#cued = undefined;
    this.#countries = undefined;
    this.#inTable = undefined;
    this.#cueWindow = undefined;
  }

  /** In a column headed as phone numbers: never on the first line, the header itself, or in a text of one line. */
  #inHeaderCuedField(): boolean {
    this.#firstLineEnd ??= this.#text.indexOf('\n');
    if (this.#firstLineEnd === -1 || this.#start < this.#firstLineEnd) return false;
    this.#headerCued ??= columnCuedFields(this.#text, 'phone');
    return isInField(this.#headerCued, this.#start, this.#end);
  }

  get cued(): boolean {
    this.#cued ??= this.#isCued();
    return this.#cued;
  }

  /** The countries named in the cue window: asked only of numbers no cue or trunk prefix marks. */
  get countries(): readonly CountryCode[] {
    this.#countries ??= countriesNamedIn(this.#window());
    return this.#countries;
  }

  /** The CONTEXT_WINDOW characters before the run, across the lines of its block unless it is a table's field. */
  #window(): string {
    if (this.#cueWindow === undefined) {
      this.#inTable = isTableField(this.#text, this.#start, this.#end);
      this.#cueWindow = this.#text.slice(cueWindowStart(this.#text, this.#start, this.#inTable ? FIELD : BLOCK), this.#start);
    }
    return this.#cueWindow;
  }

  #isCued(): boolean {
    const text = this.#text;
    const start = this.#start;
    const window = this.#window();
    if (CUE.test(window) || hasAdjacentLabel(text, start) || this.#inHeaderCuedField()) return true;
    if (this.#inTable === true) return false;
    // The sentence reaches further only where the window stopped at its reach, not at the
    // sentence's or the line's start or after another number; only that further part is
    // searched, with the longest cue's length of the window, where a cue it cuts may start.
    if (window.length < CONTEXT_WINDOW || hasDigit(window)) return false;
    const sentenceStart = cueWindowStart(text, start, SENTENCE);
    const windowStart = start - CONTEXT_WINDOW;
    return sentenceStart < windowStart && SENTENCE_CUE.test(text.slice(sentenceStart, windowStart + LONGEST_CUE));
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
  'txn', 'loan', 'contract', 'bestellung', 'bestellnummer', 'rechnung', 'rechnungsnummer', 'auftrag',
  'auftragsnummer', 'kundennummer', 'artikel', 'artikelnummer', 'commande', 'facture', 'pedido', 'factura', 'ordine', 'fattura',
  'zamówienie', 'паспорт', 'паспорта', 'заказ', 'заказа', 'seguimiento', 'rastreo', 'rastreio', 'rastreamento', 'suivi', 'sendungsnummer',
  'spedizione', 'epoch', 'timestamp', 'unix',
]);
/**
 * Words for the person a number belongs to: "customer no. 4481 2290 17" is an id, but
 * "customer: 415-555-0134" is the customer's phone as often, so they label an id only before a
 * number word (or "id", a label itself).
 */
const HOLDER_LABELS = new Set(['customer', 'member', 'client', 'patient']);
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

/** The label right before the number: `id` for a word naming an id, alone or before "no." ("order no.", "customer no."), `number` for a bare "no.". */
export function idLabelBefore(text: string, start: number): 'id' | 'number' | undefined {
  const limit = Math.max(0, start - ID_LABEL_REACH);
  const last = wordBefore(text, start, limit);
  if (last.word === '') return undefined;
  if (ID_LABELS.has(last.word)) return 'id';
  if (NUMBER_WORDS.has(last.word)) {
    const labelled = wordBefore(text, last.start, limit).word;
    if (ID_LABELS.has(labelled) || HOLDER_LABELS.has(labelled)) return 'id';
  }
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
