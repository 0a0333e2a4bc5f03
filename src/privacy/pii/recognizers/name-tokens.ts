import { addWordEnds, endBits, wordEndTable } from './name-word-ends.js';
import { HEADING_WORDS, SURNAME_HEADING_WORDS } from './name-common-words.js';
import { NameFlag, type NameLexicon } from './name-lexicon.js';

/**
 * What one capitalised token of a cased script is, as bits: the lexicon's NameFlag bits, what its
 * shape says (a surname suffix, a romanised Korean or pinyin given name) and which of the
 * scanner's word sets it is in, so the scan tests a bit instead of looking words up again.
 */

const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/** Capitalised particles that join a name but do not count as one of its words ("Maricel Dela Cruz", "Khaled El Masri"). */
const NAME_PARTICLES = words(`
  dela delos de del della da di dal dalla dos das du des van von der den ter ten le la lo los las ó ní nic mac bin binti ibn
  abu ben al el bint ould
`);

/** Leading run tokens that are cues, not part of the name: honorifics, titles and greetings ("Dear John Smith", "Pak Hartono"). */
const CUE_TOKENS = words(`
  mr mrs ms miss mx mister dr prof professor doctor herr frau m mme mlle madame monsieur mademoiselle sr sra srta sig dott
  pan pani sayın г-н г-жа господин госпожа пан пані dear hi hello hey hola hallo bonjour ciao olá merhaba hej namaste shalom
  señor señora doña signor signora dhr mevr bay bayan shri smt ông bà chị cô sir dame lady madam rev revd fr capt col gen lt
  sgt maj cmdr hon dra profa ing mgr dipl avv arch engr atty pak bu ibu bapak mbak encik puan tuan datuk dato khun bwana ato
  alhaji alhaja sheikh shaikh imam rabbi pastor fru herra rouva doktor docteur dottore dottoressa doutor doutora profesor
  profesora professeur professore professora ingeniero ingeniera licenciado licenciada lic abogado abogada
`);

/** Capitalised words inside a run, before a name, that make it a person ("Customer Ana Lima", "CEO Satya Nadella"). */
const PERSON_CUE_TOKENS = words(`
  customer client cliente kunde kundin klient klientka mteja holder owner lead met visited thanks i'm i’m applicant employee
  patient paciente patientin tenant passenger recipient sender visitor guest attendee speaker contact assignee reporter
  requester subscriber member user colleague kollege kollegin mitarbeiter mitarbeiterin ansprechpartner ansprechpartnerin
  agent driver courier technician nurse student teacher candidate interviewer witness beneficiary payee cardholder signatory
  landlord landlady spouse husband wife mother father brother sister daughter friend neighbour neighbor ceo cto cfo coo cio
  ciso founder cofounder co-founder chairman chairwoman director president minister senator governor mayor coach captain
  officer detective inspector sergeant
`);

/** Words inside a run that make it an organisation, a place, an event or a product. */
const NON_PERSON_TOKENS = words(`
  inc corp corporation ltd llc llp plc gmbh ag sa sas sarl srl spa bv nv ab oy co company group holdings bank banco banque
  university universität université universidad universidade università uniwersytet üniversitesi universiteit hochschule
  college institute instituto istituto institut foundation stiftung association verein verband gesellschaft society motors
  airlines airways technologies technology systems labs software pharmaceuticals partners capital ventures media studios
  records press hotel hospital krankenhaus klinik clinic church school academy museum library station airport stadium arena
  centre center street st road rd avenue ave boulevard blvd drive court square terrace highway hwy parkway pkwy crescent
  gardens straße strasse platz allee gasse rue calle via city county province district region state republic kingdom beach
  lake island islands valley mountain mountains heights bridge river ocean sea bay cup league award awards prize festival
  day act law pro plus edition series model cloud azure windows office studio santa san saint sankt fort mount cape pier
  garden tower towers plaza mall castle palace temple zoo services service web house hills residency apartments enclave
  nagar kunj vihar colony puram ganj bagh marg chowk layout sector limited pty pvt incorporated kg ohg gbr ug kk asa oyj sl
  ltda tbk bhd sdn pte jsc ooo pjsc team teams department dept ministry agency authority commission council committee
  federation union club fc fund insurance assurance mutual energy electric petroleum mining steel chemicals pharma
  healthcare medical dental laboratories therapeutics biotech robotics communications telecom interactive games
  entertainment pictures films productions publishing magazine journal gazette tribune herald radio television broadcasting
  army navy police bureau tribunal parliament senate congress government municipality township borough pharmacy bakery
  restaurant cafe café pub inn motel resort salon shop store market supermarket mart foods brewery winery farm farms realty
  properties estate estates consulting consultants logistics industries enterprises international worldwide investments
  securities airline railway railways bahn metro transit automotive electronics semiconductor analytics ai rua avenida
  travessa praça largo estrada rodovia alameda carrera calzada paseo camino carretera viale corso piazza vicolo strada
  chemin impasse allée quai straat laan weg gracht plein ulica aleja plac caddesi sokak sokağı bulvarı mahallesi ulitsa
  prospekt jalan lorong thanon đường phố
`);
/**
 * Street-type words, in any case, right before a run: the run is a street named after a person
 * ("rue Victor Hugo", "Calle Juan de Garay"), left to the address recognizer.
 */
export const STREET_WORDS_BEFORE = words(`
  rue calle via rua avenida avenue av straße strasse viale corso piazza vicolo largo travessa praça plaza boulevard bd jalan
  jl ulica ul ulitsa caddesi quai chemin allée paseo carrera calzada camino estrada rodovia alameda platz
`);

/** Words after a salutation that address a role, not a person ("Dear Sir", "Hi Team", "Hola Mundo"). */
const SALUTATION_NOUNS = words(`
  sir sirs madam madame customer customers team all colleague colleagues friend friends member members valued hiring manager
  support user users everyone there folks guys reader readers client applicant candidate editor board world mundo monde welt
  speaker president chair chairman chairwoman ambassador minister secretary honour honor excellency majesty highness
  recruiter partners shareholder shareholders parent parents student students patient patients guest guests esteemed
  respected subscriber subscribers community developer developers admin administrator owner holder cardholder sender
  recipient stakeholders organisers organizers committee panel sales billing accounts security legal finance marketing
  cliente kunde kundin señores messieurs mesdames damen herren kollegen compañeros amigos todos tous alle equipo équipe
`);

/** Abbreviated given names written with a dot, like an initial ("Ma. Cristina", "Md. Rafiqul", "Wm. Turner"). */
const GIVEN_ABBREVIATIONS = words('ma md wm jas chas thos geo robt benj edw');
/** The words before which a dot does not end a run (CUE_TOKENS, GIVEN_ABBREVIATIONS: "Dr.", "Ma."), by first and last letters and length. */
const DOT_LEADERS = wordEndTable();
addWordEnds(DOT_LEADERS, CUE_TOKENS, 1);
addWordEnds(DOT_LEADERS, GIVEN_ABBREVIATIONS, 1);

/** Whether the word `text[start, end)` may be an honorific or an abbreviated given name before a dot: false rules it out without a lookup. */
export function mayLeadDot(text: string, start: number, end: number): boolean {
  return endBits(DOT_LEADERS, text, start, end) !== 0;
}

/** Generational suffixes after a surname ("Martin Luther King Jr."). */
const NAME_SUFFIXES = words('jr jnr snr ii iii iv');

/**
 * English combining prefixes, which begin compounds and no one's name: a hyphenated word that
 * starts with one is an everyday compound of a title or a changelog ("Multi-Arch",
 * "Auto-Scaling", "Non-Blocking"), however unknown its other part, not a double-barrelled name
 * ("Drop Multi-Arch: …" read as a chat speaker before these were known).
 */
const COMBINING_PREFIXES = words(`
  multi auto non anti pre post inter intra sub super semi self cross counter over under out
  hyper micro macro mini mega meta pseudo quasi ultra trans bi tri uni mono poly
`);

/**
 * Surname shapes that need no list: O'Connor, McAdams, Al-Farsi, Abdel-Rahman, Ivanova,
 * Kowalska, Johansson, Petrenko, Popescu, Yılmazoğlu, Hovhannisyan, Rezapour, Alizadeh,
 * Papadopoulos, Georgiadis, Beridze, Wongsawat, Panyawong, Ramanathan, Murugesan, Kuppuswamy,
 * Gebremariam, Woldemichael.
 */
const SURNAME_SHAPE =
  /^(?:(?:O['’]|Mc|Mac|Fitz)[A-Z\u00C0-\u00DE]|(?:Al|El|Ben|Bin|Abu|Ibn|Abd|Abdel|Abdul|Abou|Ould|Aït|Ait)-[A-Z\u00C0-\u00DE]|(?:Gebre|Wolde|Tekle|Habte|Kidane|Tesfa)[a-z]{3,}|.{2,}(?:ov|ova|ev|eva|ski|ska|sky|cki|cka|wicz|enko|escu|sson|poulos|opoulou|idis|iadis|akis|ović|ovic|ić|yan|dze|shvili|oğlu|oglu|pour|zadeh|nejad|sawat|sakul|nathan|esan|swamy|aiah|murthy)$|.{3,}wong(?:se)?$)/;
/** Russian and Ukrainian patronymics as English text writes them ("Sergeyevich", "Ivanovna"): a middle name. */
const PATRONYMIC_SHAPE = /^.{2,}(?:ovich|evich|ovych|evych|ovna|evna|ivna|ichna)$/;
/** A capital after three lower-case letters inside a word: a code identifier. */
const CAMEL_CASE = /[a-z]{3}[A-Z]/;
/**
 * A capital inside a word after a lower-case letter, then at most one lower-case letter before
 * the word ends or another capital: a chemical formula or a coined term ("NaCl", "NaOH", "LoRA",
 * "PhD", "MySQL"), not a name's inner capital ("McDonald", "DiCaprio", "LeAnn").
 */
const SHORT_INNER_CAPITAL = /[a-z][A-Z](?:[A-Z]|[a-z]?$|[a-z][A-Z])/;
/**
 * Suffixes of abstract nouns ("Recognition", "Management", "Awareness", "Security", "Biology"):
 * an unlisted word of seven letters or more ending in one is no surname (NOUN_SHAPED).
 */
const NOUN_SUFFIX = /(?:tion|sion|ment|ness|ity|ism|ology|ography|ics)$/;
/** HEADING_WORDS -> the bits they add: Common, and Surname for those that are surnames too. */
const HEADING_WORD_FLAGS = new Map<string, number>(
  HEADING_WORDS.map((word) => [word, SURNAME_HEADING_WORDS.has(word) ? NameFlag.Common | NameFlag.Surname : NameFlag.Common]),
);

/** Romanised Korean given names are two syllables joined by a hyphen ("Min-jun", "Hyun-woo"). */
const KOREAN_GIVEN_SHAPE = /^[A-Z][a-z]{1,4}-[a-z]{2,4}$/;
/** One or two Hanyu Pinyin syllables without tone marks ("Wei", "Xiaoling", "Haoran"). */
const PINYIN_SYLLABLE = '(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|a|o|e|i|u|v)';
const PINYIN_GIVEN_SHAPE = new RegExp(`^(?:${PINYIN_SYLLABLE}){1,2}$`);

export const NAME_BITS = NameFlag.First | NameFlag.Surname;
/** Synthetic bits for what a token's shape says; kept apart from the lexicon's bits. */
export const SURNAME_SHAPED = 1 << 8;
export const KOREAN_GIVEN_SHAPED = 1 << 9;
export const PINYIN_SHAPED = 1 << 10;
export const PATRONYMIC_SHAPED = 1 << 11;
/** Bits for the word sets above. */
export const CUE_TOKEN = 1 << 12;
export const PERSON_CUE_TOKEN = 1 << 13;
export const NON_PERSON_TOKEN = 1 << 14;
export const NAME_PARTICLE = 1 << 15;
export const SALUTATION_NOUN = 1 << 16;
export const GIVEN_ABBREVIATION = 1 << 17;
export const NAME_SUFFIX = 1 << 18;
/**
 * Set when the flags let a word count as a name in a run (isNameShaped, not an everyday word
 * alone): a run where no word has it or CUE_TOKEN names no one, and the scan drops it unscored.
 */
export const MAY_NAME = 1 << 19;
/**
 * An unlisted word shaped like an abstract noun (NOUN_SUFFIX): no name, but not an everyday
 * word either, which after a name would make the run a thing ("Joanna Krawczyk Paiement …",
 * "Thanks, Shira Dahan Escalation: …" keep their names).
 */
export const NOUN_SHAPED = 1 << 20;
/** Any bit that says a token is a name: listed, or shaped like a surname or a patronymic. */
const NAME_TOKEN_BITS = NAME_BITS | SURNAME_SHAPED | PATRONYMIC_SHAPED;

export interface TokenInfo {
  readonly lower: string;
  /** NameFlag bits, plus the synthetic bits above. */
  readonly flags: number;
  /** Two or more capitals and no lower-case letter ("XML", "NASA", "SMITH"). */
  readonly acronym: boolean;
}

/** One token of one run; `acronym` is read again for the run as a whole (name-scoring.ts). */
export interface Token {
  readonly start: number;
  readonly end: number;
  /** An initial with its dot ("F."), or a given name abbreviated like one ("Ma."). */
  readonly initial: boolean;
  readonly lower: string;
  readonly flags: number;
  acronym: boolean;
}

/**
 * Token text -> what it is. Names repeat across records, so a token's lower-casing, list lookup
 * and shape tests run once per distinct spelling; cleared when large, as corpora are unbounded.
 * (A hash table probed in place, without the slice, measured 15% slower: V8 slices and hashes
 * a short string faster than a JS loop can hash and compare it.)
 */
const tokenInfoCache = new Map<string, TokenInfo>();
const TOKEN_CACHE_LIMIT = 100_000;
/** The lexicon the cache was filled from: another one starts it afresh. */
let tokenInfoLexicon: NameLexicon | undefined;

/** What the token `text[start, end)` is. */
export function infoAt(text: string, start: number, end: number, lexicon: NameLexicon): TokenInfo {
  if (lexicon !== tokenInfoLexicon) {
    tokenInfoCache.clear();
    tokenInfoLexicon = lexicon;
  }
  const value = text.slice(start, end);
  let info = tokenInfoCache.get(value);
  if (info === undefined) {
    info = infoOf(value, lexicon);
    if (tokenInfoCache.size >= TOKEN_CACHE_LIMIT) tokenInfoCache.clear();
    tokenInfoCache.set(value, info);
  }
  return info;
}

function infoOf(value: string, lexicon: NameLexicon): TokenInfo {
  const lower = value.toLowerCase();
  let flags = (lexicon.flags.get(lower) ?? 0) | (HEADING_WORD_FLAGS.get(lower) ?? 0);
  if ((flags & ~NameFlag.EnglishWord) === 0 && lower.length >= 7 && NOUN_SUFFIX.test(lower)) flags |= NOUN_SHAPED;
  if (SHORT_INNER_CAPITAL.test(value)) flags |= NameFlag.Common;
  // "LastName", "AssertionError": an identifier in camel case, not "McDonald" or "DiCaprio".
  if ((flags & NAME_BITS) === 0 && CAMEL_CASE.test(value)) flags |= NameFlag.Common;
  const korean = KOREAN_GIVEN_SHAPE.test(value);
  if ((flags & NAME_BITS) === 0 && !korean && lower.includes('-')) flags |= hyphenatedNameFlags(lower, lexicon);
  if ((flags & NameFlag.Surname) === 0 && lower.length >= 5 && SURNAME_SHAPE.test(value)) flags |= SURNAME_SHAPED;
  if ((flags & NAME_BITS) === 0 && lower.length >= 8 && PATRONYMIC_SHAPE.test(lower)) flags |= PATRONYMIC_SHAPED;
  if (korean) flags |= KOREAN_GIVEN_SHAPED;
  if (lower.length <= 8 && PINYIN_GIVEN_SHAPE.test(lower)) flags |= PINYIN_SHAPED;
  if (CUE_TOKENS.has(lower)) flags |= CUE_TOKEN;
  if (PERSON_CUE_TOKENS.has(lower)) flags |= PERSON_CUE_TOKEN;
  if (NON_PERSON_TOKENS.has(lower)) flags |= NON_PERSON_TOKEN;
  if (NAME_PARTICLES.has(lower)) flags |= NAME_PARTICLE;
  if (SALUTATION_NOUNS.has(lower)) flags |= SALUTATION_NOUN;
  if (GIVEN_ABBREVIATIONS.has(lower)) flags |= GIVEN_ABBREVIATION;
  if (NAME_SUFFIXES.has(lower)) flags |= NAME_SUFFIX;
  if ((isNameToken(flags) || isUnknown(flags)) && !(isCommon(flags) && (flags & NAME_BITS) === 0)) flags |= MAY_NAME;
  return { lower, flags, acronym: value.length > 1 && value === value.toUpperCase() };
}

/**
 * A hyphenated word whose parts are all names is a name ("Anne-Sophie", "Lefebvre-Durand",
 * "Wiśniewska-Nowak", "Okonjo-Iweala"); at least one part must be a name that is not an
 * everyday word, so "Rolls-Royce" stays unknown. One with an everyday word that is no name
 * among its parts, or that starts with a combining prefix, is an everyday compound
 * ("Computer-Use", "Fine-tuning", "Public-Facing", "Multi-Arch").
 */
function hyphenatedNameFlags(lower: string, lexicon: NameLexicon): number {
  const parts = lower.split('-');
  if (COMBINING_PREFIXES.has(parts[0]!)) return NameFlag.Common;
  let union = 0;
  let distinctive = false;
  let names = true;
  for (const part of parts) {
    const flags = lexicon.flags.get(part) ?? 0;
    if ((flags & (NameFlag.Common | NAME_BITS)) === NameFlag.Common) return part === parts[0] || !isDistinctiveSurname(parts[0]!, lexicon) ? NameFlag.Common : SURNAME_SHAPED;
    const shaped = part.length >= 5 && SURNAME_SHAPE.test(part[0]!.toUpperCase() + part.slice(1));
    if (part.length < 2 || ((flags & NAME_BITS) === 0 && !shaped)) names = false;
    union |= flags & NAME_BITS;
    if (shaped) union |= NameFlag.Surname;
    if ((flags & NameFlag.Common) === 0) distinctive = true;
  }
  return names && distinctive ? union : 0;
}

/**
 * A surname no everyday word shares: the first part of a double-barrelled surname whose later
 * part is an everyday word that no list has as a surname ("Adebayo-Cross", "Okafor-Lane").
 * Such a word is only surname-shaped: a name on its own with a given name or cue, as an unlisted
 * "-ova" or "-escu" is.
 */
function isDistinctiveSurname(part: string, lexicon: NameLexicon): boolean {
  const flags = lexicon.flags.get(part) ?? 0;
  return part.length >= 3 && (flags & NameFlag.Surname) !== 0 && (flags & NameFlag.Common) === 0;
}

export function isNameToken(flags: number): boolean {
  return (flags & NAME_TOKEN_BITS) !== 0;
}

export function isCommon(flags: number): boolean {
  return (flags & NameFlag.Common) !== 0;
}

export function isUnknown(flags: number): boolean {
  return (flags & (NAME_TOKEN_BITS | NameFlag.Common | NameFlag.Place | NameFlag.Street | NOUN_SHAPED)) === 0;
}

/** A word that can be part of a name with no list behind it: listed as a name, or in no list at all. */
export function isNameShaped(token: Token): boolean {
  if (token.acronym || token.initial || token.end - token.start < 2) return false;
  const flags = token.flags;
  if ((flags & NAME_TOKEN_BITS) !== 0) return true;
  return isUnknown(flags);
}

export function isPlaceOnly(token: Token): boolean {
  return !token.acronym && (token.flags & (NameFlag.Place | NameFlag.Common)) === NameFlag.Place;
}

/** A listed name or name shape that is not an everyday word: evidence on its own that a run names a person. */
export function isDistinctiveName(token: Token): boolean {
  return isNameToken(token.flags) && !isCommon(token.flags) && token.lower.length >= 3;
}
