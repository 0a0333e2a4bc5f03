import { addAnyWordEndingIn, addWordEnds, endBits, wordEndTable } from './name-word-ends.js';

/**
 * The words before a run of capitalised words that cue a name, by the punctuation between
 * ("my name is", "Customer:", "Thanks,", "sr."), and which of them a word is. The word before
 * every capitalised word that may be a name is looked up: its lists are read once per spelling,
 * as bits, instead of lower-casing it and testing it against each list in turn (~2% of the
 * recognizer's time).
 */

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

/** Bits of what a word before a run is: which of the lists above hold it (NAMING_LABEL: or PERSON_NAME_KEY matches it). */
export const NAMING_WORD = 1;
export const NAMING_LABEL = 2;
export const NAMING_KEY_BEFORE_EQUALS = 4;
export const NAMING_WORD_BEFORE_COMMA = 8;
export const HONORIFIC_BEFORE_DOT = 16;
export const PERSON_LABEL = 32;
export const PERSON_WORD = 64;
export const NAMING_PAIR_END = 128;
export const PERSON_PAIR_END = 256;

export interface CueWord {
  readonly lower: string;
  readonly bits: number;
}

function cueWordOf(lower: string): CueWord {
  let bits = 0;
  if (NAMING_WORDS.has(lower)) bits |= NAMING_WORD;
  if (NAMING_LABELS.has(lower) || PERSON_NAME_KEY.test(lower)) bits |= NAMING_LABEL;
  if (NAMING_KEYS_BEFORE_EQUALS.has(lower)) bits |= NAMING_KEY_BEFORE_EQUALS;
  if (NAMING_WORDS_BEFORE_COMMA.has(lower)) bits |= NAMING_WORD_BEFORE_COMMA;
  if (HONORIFICS_BEFORE_DOT.has(lower)) bits |= HONORIFIC_BEFORE_DOT;
  if (PERSON_LABELS.has(lower)) bits |= PERSON_LABEL;
  if (PERSON_WORDS.has(lower)) bits |= PERSON_WORD;
  if (NAMING_PAIR_ENDS.has(lower)) bits |= NAMING_PAIR_END;
  if (PERSON_PAIR_ENDS.has(lower)) bits |= PERSON_PAIR_END;
  return { lower, bits };
}

/** Word as written -> what it is; cleared when large, as corpora are unbounded. */
const cueWords = new Map<string, CueWord>();
const CUE_WORD_CACHE_LIMIT = 20_000;

/** What the word `text[start, end)` is as a cue. */
export function cueWordAt(text: string, start: number, end: number): CueWord {
  const value = text.slice(start, end);
  let word = cueWords.get(value);
  if (word === undefined) {
    word = cueWordOf(value.toLowerCase());
    if (cueWords.size >= CUE_WORD_CACHE_LIMIT) cueWords.clear();
    cueWords.set(value, word);
  }
  return word;
}

/**
 * The words right before a single capitalised word that name it, lower-cased: NAMING_WORDS and
 * the second words of NAMING_PAIRS. The scan's regex steps over lone words after any other
 * lower-case word (name-capitals.ts).
 */
export const NAMING_WORDS_BEFORE_NAME: readonly string[] = [...NAMING_WORDS, ...NAMING_PAIR_ENDS];

/** Bits of CUE_MARKS_BY_ENDS: the mark a word is a naming cue before (none, ":", "=", ",", "."), any cue at all, or a first word of a pair. */
const NAMING_BEFORE_NO_MARK = 1;
const NAMING_BEFORE_COLON = 2;
const NAMING_BEFORE_EQUALS = 4;
const NAMING_BEFORE_COMMA = 8;
const NAMING_BEFORE_DOT = 16;
const ANY_CUE = 32;
const PAIR_FIRST_WORD = 64;

/**
 * What a word may be a cue for, by its first and last letters and length. The word before every
 * run that may be a name is read, and most ("the", "of", "and") are ruled out here without
 * slicing and looking them up.
 */
const CUE_MARKS_BY_ENDS = wordEndTable();
addWordEnds(CUE_MARKS_BY_ENDS, NAMING_WORDS_BEFORE_NAME, NAMING_BEFORE_NO_MARK | ANY_CUE);
addWordEnds(CUE_MARKS_BY_ENDS, NAMING_LABELS, NAMING_BEFORE_COLON | NAMING_BEFORE_EQUALS | ANY_CUE);
addWordEnds(CUE_MARKS_BY_ENDS, NAMING_KEYS_BEFORE_EQUALS, NAMING_BEFORE_EQUALS | ANY_CUE);
addWordEnds(CUE_MARKS_BY_ENDS, NAMING_WORDS_BEFORE_COMMA, NAMING_BEFORE_COMMA | ANY_CUE);
addWordEnds(CUE_MARKS_BY_ENDS, HONORIFICS_BEFORE_DOT, NAMING_BEFORE_DOT | ANY_CUE);
for (const list of [PERSON_LABELS, PERSON_WORDS, PERSON_PAIR_ENDS]) addWordEnds(CUE_MARKS_BY_ENDS, list, ANY_CUE);
// PERSON_NAME_KEY labels end in "name", whatever they start with.
addAnyWordEndingIn(CUE_MARKS_BY_ENDS, 'e', NAMING_BEFORE_COLON | NAMING_BEFORE_EQUALS | ANY_CUE);
addWordEnds(CUE_MARKS_BY_ENDS, [...NAMING_PAIRS, ...PERSON_PAIRS].map((pair) => pair.slice(0, pair.indexOf(' '))), PAIR_FIRST_WORD);

/**
 * Whether the word `text[start, end)` may be a naming cue before `mark` (a punctuation char code,
 * 0 for none): false rules it out; true means its lists must be read.
 */
export function mayNameBefore(text: string, start: number, end: number, mark: number): boolean {
  const bit =
    mark === 0 ? NAMING_BEFORE_NO_MARK : mark === 58 ? NAMING_BEFORE_COLON : mark === 61 ? NAMING_BEFORE_EQUALS : mark === 44 ? NAMING_BEFORE_COMMA : mark === 46 ? NAMING_BEFORE_DOT : 0;
  return (endBits(CUE_MARKS_BY_ENDS, text, start, end) & bit) !== 0;
}

/** Whether the word `text[start, end)` may be in any list of this module: false rules it out without a lookup. */
export function mayCue(text: string, start: number, end: number): boolean {
  return (endBits(CUE_MARKS_BY_ENDS, text, start, end) & ANY_CUE) !== 0;
}

/** Whether the word `text[start, end)` may be the first word of a naming or person pair ("name is", "spoke with"): false rules it out without a lookup. */
export function mayStartPair(text: string, start: number, end: number): boolean {
  return (endBits(CUE_MARKS_BY_ENDS, text, start, end) & PAIR_FIRST_WORD) !== 0;
}

/** Two-word phrases by their second word, then their first: looked up without joining the two words into a new string. */
function pairsBySecondWord(pairs: ReadonlySet<string>): ReadonlyMap<string, ReadonlySet<string>> {
  const bySecond = new Map<string, Set<string>>();
  for (const pair of pairs) {
    const space = pair.indexOf(' ');
    const second = pair.slice(space + 1);
    const firsts = bySecond.get(second) ?? new Set<string>();
    firsts.add(pair.slice(0, space));
    bySecond.set(second, firsts);
  }
  return bySecond;
}
const NAMING_PAIRS_BY_SECOND_WORD = pairsBySecondWord(NAMING_PAIRS);
const PERSON_PAIRS_BY_SECOND_WORD = pairsBySecondWord(PERSON_PAIRS);

/** "my name is", "ako si": whether the two lower-cased words before a run are a naming phrase. */
export function isNamingPair(previous: string, word: string): boolean {
  return NAMING_PAIRS_BY_SECOND_WORD.get(word)?.has(previous) === true;
}

/** "this is", "assigned to": whether the two lower-cased words before a run are a person phrase. */
export function isPersonPair(previous: string, word: string): boolean {
  return PERSON_PAIRS_BY_SECOND_WORD.get(word)?.has(previous) === true;
}
