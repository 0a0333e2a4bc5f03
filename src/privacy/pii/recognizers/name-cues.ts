import { isBlank, isLetterCode } from './name-chars.js';
import type { NameLexicon } from './name-lexicon.js';

/**
 * The text around a run of capitalised words that says whether it names a person: cue words
 * before it ("my name is", "Customer", "Thanks,", "Attendees:"), a closing line above a
 * signature, a speech verb or an e-mail address after it, its place in a list of names, a CSV
 * column or a delimited field. Looked up by the one or two words right before the run and the
 * punctuation between: a few Set lookups per run instead of a phrase regex tried at every
 * position of the text.
 */

/** How strongly the text around a run says it names a person. */
export const enum Cue {
  None = 0,
  /** "Customer", "Thanks,", "I'm", a chat speaker: two or more name-shaped words are a name. */
  Person = 1,
  /** "My name is", "Mr", "Dear", "Name:": even one capitalised word is a name. */
  Naming = 2,
}

/** What the scan of one text knows beyond a run's tokens. */
export interface RunContext {
  readonly text: string;
  readonly lexicon: NameLexicon;
  /** Field starts of CSV name columns -> their cue (name-columns.ts). */
  readonly columnCues: ReadonlyMap<number, Cue> | undefined;
  /** End of the last name found in the text, for lists of names; -1 before the first. */
  previousNameEnd: number;
}

const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/** Words right before a name, with nothing between ("named Ana", "me llamo Ana"). */
const NAMING_WORDS = words(`
  named heiße heisse llamo chiamo chamo зовут m'appelle m’appelle adım heter naam name's name’s namens nommé nommée pan pani pane
  paní panie pana panu panią sig.ra sig.na dott.ssa prof.ssa señor señora señorita monsieur madame mademoiselle signor signora
  signore senhor senhora doña dona bapak ibu pak
`);
/** Honorifics written in lower case with a dot before a name ("el sr. Gómez", "la sra. López"). */
const HONORIFICS_BEFORE_DOT = words('sr sra srta dr prof dott avv ing sig');
/** Two words right before a name ("my name is Ana", "ako si Juan"). */
const NAMING_PAIRS = new Set([
  'name is', 'nombre es', 'nome é', 'naam is', 'name ist', 'na imię', 'nazywam się', 'tên là', 'tôi là', 'mera naam', 'nama saya', 'ako si',
  'langu ni', 'ko ay', 'name was',
]);
/**
 * Labels before a colon, "=" or a JSON key whose value is a person's name ("Name:", "Patient:",
 * "Vorname:", `"customer_name": "…"`). Role labels that may hold an organisation ("Customer:",
 * "From:") are person cues below instead.
 */
const NAMING_LABELS = words(`
  name names patient contact author nom nombre nome naam имя фио person fullname full_name surname lastname firstname
  forename imię nazwisko isim adı adi soyadı soyad ad_soyad nama jina tên họ pangalan vorname nachname prénom prenom
  apellido apellidos cognome sobrenome achternaam voornaam attn attention c/o kontaktperson ansprechpartner
  ansprechpartnerin contacto referente ответственный responsable holder
`);
/** Label keys that end in "name" and name a person ("customer_name", "fullName", "billing_name"), not a file or a host. */
const PERSON_NAME_KEY = /^(?:customer|client|contact|employee|patient|account|card|guest|passenger|student|member|person|applicant|owner|full|first|last|given|family|middle|legal|billing|shipping|parent|guardian|spouse|holder|beneficiary|payee|sender|recipient|driver|tenant|author|requester|reporter|assignee|display|sur)[_-]?name$/;
/** Log and config keys before "=" ("subject=\"Ana Lima\"", "user='Ana Lima'"). */
const NAMING_KEYS_BEFORE_EQUALS = words('customer subject user');
const NAMING_WORDS_BEFORE_COMMA = words(`
  signed regards sincerely thanks cheers best cordialement saludos atentamente atenciosamente grüße gruß pozdrawiam
  saygılarımla groet groeten salutations obrigado obrigada gracias merci danke уважением thx
`);
/** Words right before a name, or before a colon, comma or dash and then a name, that make two name-shaped words a person. */
const PERSON_WORDS = words(`
  customer client cliente kunde kundin klient klientka mteja müşteri клиент pelanggan holder owner lead assignee reporter
  requester for by met visited father mother husband wife son daughter brother sister applicant employee tenant passenger
  recipient sender attn soy sono ben sou jestem thanks cheers best i'm i’m para c/o name contact call ask ping email cc tell
  thank invite invited welcome congratulate introducing hired meet attendees participants reviewer approver organizer
  organiser host presenter moderator interviewer candidate agent technician driver courier nurse teacher student witness
  beneficiary payee cardholder signatory spouse landlord guardian kin par por von door przez
`);
/** E-mail and form header labels before a colon: a person or an organisation, so two name-shaped words ("From: Ana Lima"). */
const PERSON_LABELS = words(`
  from to cc bcc von an de para à a da van aan od do kimden kime от кому dari kepada mula kwa kutoka reply-to sender
  recipient attendees participants present absent apologies invitees guests speakers panelists members owner assignee
  reporter requester reviewer reviewers approver approvers approved author authors organizer organiser host chair
  facilitator moderator presenter speaker interviewer interviewee candidate manager supervisor agent technician driver
  courier doctor physician nurse pharmacist teacher student employee customer client user buyer seller landlord tenant
  witness notary signatory signer cardholder payee payer beneficiary guarantor spouse father mother parent guardian child
  son daughter kin referee referrer sponsor mentor coach trainer instructor lecturer professor advisor adviser counsel
  lawyer attorney solicitor accountant auditor inspector officer representative rep delegate liaison coordinator lead caller
  visitor guest passenger traveller traveler occupant resident applicant claimant insured policyholder member subscriber
  kunde kundin empfänger absender mitarbeiter sachbearbeiter inhaber kontoinhaber antragsteller teilnehmer destinataire
  expéditeur remitente destinatario titular solicitante paciente mittente intestatario richiedente klant contactpersoon
  afzender ontvanger klient nadawca odbiorca alıcı gönderen ilgili получатель отправитель заявитель penerima pengirim
  prepared reviewed signed
`);
const PERSON_PAIRS = new Set([
  'i am', 'this is', 'ik ben', 'ich bin', 'je suis', 'thank you', 'maker is', 'nombre de', 'nom de', 'nome de', 'behalf of', 'note that', 'ticket from',
  'message from', 'email from', 'e-mail from', 'call from', 'note from', 'letter from', 'request from', 'reply from', 'assigned to', 'escalated to',
  'forwarded to', 'handed to', 'reassigned to', 'spoke with', 'spoke to', 'talked to', 'talked with', 'speak to', 'speak with', 'met with', 'according to',
  'attention of', 'care of', 'married to', 'son of', 'daughter of', 'wife of', 'husband of', 'intestato a', 'au nom', 'em nome', 'im namen', 'mimi ni',
]);
/** Second words of the pairs: the word before a run is compared with a pair only when it is one of these. */
const NAMING_PAIR_ENDS = new Set([...NAMING_PAIRS].map((pair) => pair.slice(pair.indexOf(' ') + 1)));
const PERSON_PAIR_ENDS = new Set([...PERSON_PAIRS].map((pair) => pair.slice(pair.indexOf(' ') + 1)));
/** Last words of a closing line above a signature ("Best regards,", "Cordialement,", "-- "). */
const CLOSING_WORDS = words(`
  regards wishes thanks cheers sincerely best yours faithfully truly respectfully warmly cordialement salutations amitiés
  saludos atentamente abrazos atenciosamente abraços cumprimentos grazie saluti grüße grüßen gruß groet groeten pozdrawiam
  pozdrowienia saygılarımla уважением merci gracias danke obrigado obrigada tack hälsningar mvh thx -- — you
`);

function isCueWordCode(c: number): boolean {
  return isLetterCode(c) || c === 39 || c === 0x2019 || c === 45 || c === 95 || c === 47;
}

/** Quotes, brackets and blanks between a label and its value ("name": "…", name='…'), skipped when reading punctuation. */
function isQuoteOrBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 34 || c === 39 || c === 0x201c || c === 0x201d || c === 0x2018 || c === 0x2019;
}

/** No punctuation between a cue word and the name, or more than one mark. */
const NO_MARK = 0;
const MARKS = -1;

interface WordBefore {
  readonly word: string;
  readonly start: number;
  /** The one punctuation mark between the word and what follows it (":", ",", "=", "-"), NO_MARK, or MARKS. */
  readonly mark: number;
}

/** The word before `end` on the same line, lower-cased, and the punctuation between, quotes and blanks left out. */
function wordBefore(text: string, end: number): WordBefore | undefined {
  let at = end;
  let mark = NO_MARK;
  if (at > 1 && text.charCodeAt(at - 1) === 32 && isLetterCode(text.charCodeAt(at - 2))) {
    // Most runs follow a word and one space: no punctuation to read.
    at--;
  } else {
    for (let steps = 0; at > 0 && steps < 6; steps++) {
      const c = text.charCodeAt(at - 1);
      if (c === 10 || c === 13) break;
      if (!isQuoteOrBlank(c)) {
        if (isCueWordCode(c) || (c >= 48 && c <= 57)) break;
        mark = mark === NO_MARK ? c : MARKS;
      }
      at--;
    }
  }
  const wordEndAt = at;
  while (at > 0 && wordEndAt - at < 24 && isInCueWord(text, at - 1, wordEndAt)) at--;
  if (at === wordEndAt) return undefined;
  return { word: text.slice(at, wordEndAt).toLowerCase(), start: at, mark };
}

/** A dot inside a word belongs to it ("Sig.ra", "Dott.ssa"); one after a word is punctuation, read before. */
function isInCueWord(text: string, at: number, wordEndAt: number): boolean {
  const c = text.charCodeAt(at);
  return isCueWordCode(c) || (c === 46 && at + 1 < wordEndAt && at > 0 && isLetterCode(text.charCodeAt(at - 1)));
}

/** A dot at `at` after a short lower-case word ("sr.", "dott."), not after a sentence. */
function endsAbbreviation(text: string, at: number): boolean {
  let begin = at;
  while (begin > 0 && at - begin < 5 && text.charCodeAt(begin - 1) >= 97 && text.charCodeAt(begin - 1) <= 122) begin--;
  return begin < at && at - begin <= 4 && (begin === 0 || !isLetterCode(text.charCodeAt(begin - 1)));
}

function isNamingLabel(word: string): boolean {
  return NAMING_LABELS.has(word) || PERSON_NAME_KEY.test(word);
}

/**
 * The cue in the words before `start`. `namingOnly` is for a single capitalised word, which only
 * a naming cue makes a name.
 */
function cueBefore(text: string, start: number, namingOnly: boolean): Cue {
  // Cue words end in a letter or in ":", ",", "=", ".", quotes or a dash: anything else (a digit, a bracket) cannot be one.
  const at = start > 1 && isBlank(text.charCodeAt(start - 1)) ? start - 2 : start - 1;
  const c = at >= 0 ? text.charCodeAt(at) : 0;
  if (!isCueWordCode(c) && !isQuoteOrBlank(c) && c !== 58 && c !== 44 && c !== 61 && c !== 45 && c !== 0x2014 && !(c === 46 && endsAbbreviation(text, at))) return Cue.None;
  const last = wordBefore(text, start);
  if (last === undefined) return Cue.None;
  const { word, mark } = last;
  if (mark === NO_MARK) {
    if (NAMING_WORDS.has(word)) return Cue.Naming;
  } else if (mark === 58) {
    if (isNamingLabel(word)) return Cue.Naming;
  } else if (mark === 61) {
    if (isNamingLabel(word) || NAMING_KEYS_BEFORE_EQUALS.has(word)) return Cue.Naming;
  } else if (mark === 44) {
    if (NAMING_WORDS_BEFORE_COMMA.has(word)) return Cue.Naming;
  } else if (mark === 46) {
    if (HONORIFICS_BEFORE_DOT.has(word)) return Cue.Naming;
  }
  if (namingOnly && mark !== NO_MARK) return Cue.None;
  if (mark === 58 && PERSON_LABELS.has(word)) return Cue.Person;
  // ":", ",", "-", "—" after a person word ("Customer: Ana Lima", "Thanks, Ana Lima").
  const person = PERSON_WORDS.has(word) && (mark === NO_MARK || mark === 58 || mark === 44 || mark === 45 || mark === 0x2014);
  if (mark !== NO_MARK) return person ? Cue.Person : Cue.None;
  if (!NAMING_PAIR_ENDS.has(word) && (namingOnly || !PERSON_PAIR_ENDS.has(word))) return person && !namingOnly ? Cue.Person : Cue.None;
  const previous = wordBefore(text, last.start);
  if (previous !== undefined && previous.mark === NO_MARK) {
    const pair = `${previous.word} ${word}`;
    if (NAMING_PAIRS.has(pair)) return Cue.Naming;
    if (PERSON_PAIRS.has(pair) && !namingOnly) return Cue.Person;
  }
  return person && !namingOnly ? Cue.Person : Cue.None;
}

/**
 * A run alone at the start of the line after a closing ("Best regards,\nAna Lima",
 * "Cordialement,\nFrançois-Xavier Delacroix", "-- \nAna"): a signature. A run that fills its line
 * is named by it even as one word; one with more after it is a person cue.
 */
function signatureCue(text: string, start: number, end: number): Cue {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  if (at === 0 || text.charCodeAt(at - 1) !== 10) return Cue.None;
  let lineEnd = at - 1;
  if (lineEnd > 0 && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
  if (lineEnd - lineStart > 40 || lineEnd === lineStart) return Cue.None;
  const line = text.slice(lineStart, lineEnd).trim().toLowerCase().replace(/[,.!]+$/, '');
  const lastSpace = line.lastIndexOf(' ');
  const last = line.slice(lastSpace + 1);
  if (!CLOSING_WORDS.has(last) || (last === 'you' && !line.startsWith('thank'))) return Cue.None;
  let after = end;
  while (after < text.length && isBlank(text.charCodeAt(after))) after++;
  const next = text.charCodeAt(after);
  return after >= text.length || next === 10 || next === 13 ? Cue.Naming : Cue.Person;
}

/** What follows a run that makes it a person: a verb of speech or action, a chat speaker's colon, an e-mail address, an age. */
const PERSON_CUE_AFTER =
  /(?:[ \t]+(?:joined|says|said|wrote|writes|asked|asks|replied|replies|changed|will collect|reported|called|emailed|phoned|texted|mentioned|confirmed|approved|signed|submitted|requested|noted|added|explained|agreed|responded|commented|stated|told|thanked|sent|left the|resigned|apologi[sz]ed|complained|has joined|is typing|was born|passed away)(?![a-z])|:[ \t]|[ \t]*<[^\s<>@]+@|[ \t]*\([^\s()@]+@|,[ \t]+\d{1,3}(?:[ \t]*(?:y\/?o|years?)\b)?,|[ \t]+\((?:she|he|they)\/)/y;

/** The cue after a run, where a sentence or line starts ("[10:04] Ana Lima: hi", "Ana Lima reported the outage"). */
function cueAfter(text: string, start: number, end: number): Cue {
  // After "from Acme Corp" a colon or a verb says nothing: only a run that starts a clause is its subject.
  if (!startsClause(text, start)) return Cue.None;
  PERSON_CUE_AFTER.lastIndex = end;
  if (!PERSON_CUE_AFTER.test(text)) return Cue.None;
  // "- Format Preserving: …" defines a term: a bulleted line with a colon is no chat speaker.
  return text.charCodeAt(end) === 58 && isBulleted(text, start) ? Cue.None : Cue.Person;
}

const LIST_JOINERS = words('and or und et y e i ve og och en и és a oraz ja na');

/**
 * A run that continues a list after a name found just before ("Sarah Connor, Kyle Reese and
 * Miles Dyson"): a comma, a semicolon, an ampersand or a conjunction between them.
 */
function continuesList(text: string, previousNameEnd: number, start: number): boolean {
  const gap = start - previousNameEnd;
  if (previousNameEnd < 0 || gap < 2 || gap > 8) return false;
  const between = text.slice(previousNameEnd, start);
  if (between.includes('\n')) return false;
  const trimmed = between.trim();
  if (trimmed === ',' || trimmed === ';' || trimmed === '&' || trimmed === '/' || trimmed === ', &') return true;
  return LIST_JOINERS.has(trimmed.startsWith(',') ? trimmed.slice(1).trim() : trimmed);
}

function startsClause(text: string, start: number): boolean {
  if (startsLine(text, start)) return true;
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = text.charCodeAt(at - 1);
  return c === 58 || c === 46 || c === 33 || c === 63;
}

function isBulleted(text: string, start: number): boolean {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = text.charCodeAt(at - 1);
  return c === 45 || c === 42 || c === 0x2022;
}

/** Only blanks, a list bullet, or a bracketed time or channel ("[10:04]", "[support]") between the line start and `start`. */
function startsLine(text: string, start: number): boolean {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = text.charCodeAt(at - 1);
  if (at > 0 && (c === 45 || c === 42 || c === 0x2022) && (at === 1 || isBlank(text.charCodeAt(at - 2)) || text.charCodeAt(at - 2) === 10)) {
    at--;
    while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  } else if (at > 0 && c === 93) {
    const open = text.lastIndexOf('[', at - 1);
    if (open < 0 || at - open > 22) return false;
    at = open;
    while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  }
  return at === 0 || text.charCodeAt(at - 1) === 10;
}

function isSeparator(c: number): boolean {
  return c === 59 || c === 9 || c === 124;
}

/** A run that is a whole field of a `;`, tab or `|` separated line, or a quoted CSV field. */
function isDelimitedField(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 10;
  const after = end < text.length ? text.charCodeAt(end) : 10;
  if (isSeparator(before) && (isSeparator(after) || after === 10 || after === 13)) return true;
  if (before !== 34 || after !== 34) return false;
  const outer = start > 1 ? text.charCodeAt(start - 2) : 10;
  return outer === 10 || outer === 44 || outer === 58 || isSeparator(outer);
}

/**
 * The cue around a multi-word run: words before it, its CSV column, a closing line above it,
 * a name just before it in a list, a speech verb or a chat speaker's colon after it, or a
 * delimited field around it.
 */
export function cueAround(context: RunContext, start: number, end: number): Cue {
  const { text } = context;
  const before = cueBefore(text, start, false);
  if (before !== Cue.None) return before;
  const column = context.columnCues?.get(start);
  if (column !== undefined) return column;
  const signature = signatureCue(text, start, end);
  if (signature !== Cue.None) return signature;
  if (continuesList(text, context.previousNameEnd, start)) return Cue.Person;
  if (cueAfter(text, start, end) !== Cue.None) return Cue.Person;
  return isDelimitedField(text, start, end) ? Cue.Person : Cue.None;
}

/**
 * The cue for a single capitalised word: only a naming cue, a given-name column or a signature
 * line make it a name; a signature only for a listed given name (`givenName`), as "Thanks,\nAcme"
 * or "Regards,\nSigned" sign for no one.
 */
export function cueOfSingle(context: RunContext, start: number, end: number, givenName: boolean): Cue {
  const before = cueBefore(context.text, start, true);
  if (before !== Cue.None) return before;
  if (context.columnCues?.get(start) === Cue.Naming) return Cue.Naming;
  return givenName && signatureCue(context.text, start, end) === Cue.Naming ? Cue.Naming : Cue.None;
}
