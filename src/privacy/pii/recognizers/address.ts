import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';

/**
 * Street addresses in the layouts of several countries, by pattern: a house number next to a
 * street name that carries a street-type word, then optionally a unit, a postcode and a city.
 * The span is the whole address. No installed package parses addresses offline (libpostal
 * needs a 2 GB model), so the patterns are written here, one regex per layout:
 *
 * - number first, English street type: US/CA/UK/IE/AU ("4500 N. Lincoln Avenue, Apt 5B, Chicago, IL 60625");
 * - number first, French street type: FR/BE/LU ("12 rue de la Paix, 75002 Paris");
 * - street type first, number after: ES/IT/PT/BR/PL ("Via Roma 12, 00184 Roma", "Rua Augusta 100");
 * - street type joined to the name, number after: DE/AT/CH/NL/Nordic ("Hauptstraße 5, 10115 Berlin");
 * - name, number, then a postcode with city, for streets without a type word ("Damrak 1, 1012 LG Amsterdam");
 * - Japanese: prefecture, municipality, then chōme-banchi ("東京都千代田区千代田1-1"), or romanised
 *   ("4-28-6 Tenjin, Chuo-ku, Fukuoka 810-0001");
 * - building first: "Flat 31A, Gulmohar Heights, 16th Cross Road, Aliganj, Mumbai 400076" (India), "Flat 10, 180 Quay Street, …";
 * - a typed street without a number, only with a locality after it ("Kimathi Street, Nairobi"), at a lower score.
 *
 * After any street, extendTail() takes in the comma-separated unit, locality, state and postcode
 * parts that follow ("apto 65", "1.º Dto.", "Recife - PE", "96243-583", "Palermo (PA)").
 *
 * Character classes are BMP ranges without the `u` flag: `\p{…}` classes made the scan 5–10x slower.
 */

const SCORE_WITH_POSTCODE = 0.95;
const SCORE_WITH_LOCALITY_OR_UNIT = 0.9;
const SCORE_STREET_LINE = 0.85;
const RECOGNIZER = 'address.pattern';

const UPPER = String.raw`A-Z\u00C0-\u00D6\u00D8-\u00DE\u0100-\u017F`;
const LETTER = String.raw`A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF`;
/** A capitalised word, hyphens, apostrophes and dots only inside ("Saint-Honoré", "O'Connell"): a sentence's full stop is not part of it. */
const WORD = `[${UPPER}][${LETTER}]*(?:['’.-][${LETTER}]+)*`;
const CITY = `${WORD}(?:[ \\t]+(?:am|an|der|de|sur|la|le|im|bei|upon|on|${WORD})){0,2}`;
const HOUSE_NUMBER = String.raw`\d{1,5}[A-Za-z]?(?:[-/](?:\d{1,4}[A-Za-z]?|[A-Za-z](?![A-Za-z])))?`;

/** USPS Publication 28 street suffixes (common subset, full word and abbreviation) and UK/AU/IE types. */
const ENGLISH_STREET_TYPES = [
  'Street', 'St', 'Avenue', 'Ave', 'Av', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Ln', 'Drive', 'Dr', 'Court', 'Ct',
  'Way', 'Place', 'Pl', 'Terrace', 'Ter', 'Parkway', 'Pkwy', 'Highway', 'Hwy', 'Circle', 'Cir', 'Square', 'Sq',
  'Trail', 'Trl', 'Crescent', 'Cres', 'Close', 'Grove', 'Gardens', 'Mews', 'Row', 'Walk', 'Loop', 'Pike', 'Alley',
  'Aly', 'Expressway', 'Expy', 'Freeway', 'Fwy', 'Plaza', 'Plz', 'Ridge', 'Path', 'Crossing', 'Xing', 'Hill',
  'Heights', 'Hts', 'Park', 'Green', 'Rise', 'Vale', 'View', 'Hollow', 'Bend', 'Cove', 'Creek', 'Landing',
  'Meadow', 'Meadows', 'Estates', 'Junction', 'Jct', 'Manor', 'Route', 'Rte', 'Causeway', 'Turnpike', 'Tpke',
  'Quay', 'Wharf', 'Parade', 'Esplanade', 'Broadway',
].join('|');
const DIRECTION = String.raw`(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?`;
const UNIT = String.raw`(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|Bldg|Building|Flat)\.?[ \t]*#?[A-Za-z0-9-]{1,6}|,?[ \t]+#[A-Za-z0-9-]{1,6})`;
const US_STATES = 'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI';
const CA_PROVINCES = 'AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT';
const AU_STATES = 'NSW|VIC|QLD|WA|SA|TAS|ACT|NT';
/** UK postcode, the format of the Royal Mail / GOV.UK data standard (outward and inward code). */
const UK_POSTCODE = String.raw`(?:GIR ?0AA|[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) ?\d[ABD-HJLNP-UW-Z]{2})`;
const ENGLISH_LOCALITY = [
  `,?[ \\t]*${CITY},?[ \\t]+(?:${US_STATES})[ \\t]+\\d{5}(?:-\\d{4})?`,
  `,?[ \\t]*${CITY},?[ \\t]+(?:${CA_PROVINCES})[ \\t]+[A-Z]\\d[A-Z][ \\t]?\\d[A-Z]\\d`,
  `,?[ \\t]*${CITY},?[ \\t]+(?:${AU_STATES})[ \\t]+\\d{4}`,
  `,[ \\t]*(?:${CITY},?[ \\t]+)?${UK_POSTCODE}`,
].join('|');
/** Street name words: capitalised, or an ordinal ("5th"). */
const ENGLISH_NAME_WORD = `(?:${WORD}|\\d{1,3}(?:st|nd|rd|th))`;
const NUMBER_FIRST_ENGLISH = new RegExp(
  String.raw`\b\d{1,6}[A-Z]?(?:-\d{1,4})?[ \t]+(?:${DIRECTION}[ \t]+)?${ENGLISH_NAME_WORD}(?:[ \t]+${ENGLISH_NAME_WORD}){0,3}[ \t]+(?:${ENGLISH_STREET_TYPES})\b\.?(?:[ \t]+${DIRECTION}(?![${LETTER}]))?(${UNIT})?(${ENGLISH_LOCALITY})?`,
  'g',
);

const FRENCH_STREET_TYPES = "[Rr]ue|[Aa]venue|[Aa]v\\.|[Bb]oulevard|[Bb]d|[Pp]lace|[Cc]hemin|[Aa]llée|[Ii]mpasse|[Qq]uai|[Rr]oute|[Cc]ours|[Pp]assage|[Ss]quare|[Rr]ond-point|[Ff]aubourg|[Vv]oie|[Ee]splanade|[Pp]romenade|[Pp]arvis";
const NAME_PARTICLE = "(?:de|du|des|la|le|les|l'|d'|l’|d’|aux|au|et|sur|en|del|della|di|dei|delle|do|da|dos|das|e|y|los|las|el|der|den|dem|am|an|im|zum|zur|van|von)";
/** Street name words after a type word: capitalised words with particles between ("de la Paix"). */
const TYPED_STREET_NAME = `(?:${NAME_PARTICLE}[ \\t]*)*${WORD}(?:[ \\t]+(?:${NAME_PARTICLE}[ \\t]*)*${WORD}){0,4}`;
/** Five-digit postcode (FR, ES, IT, DE), four digits then three (PT), five then three (BR), two then three (PL). */
const CONTINENTAL_POSTCODE = String.raw`(?:\d{5}(?:-\d{3})?|\d{4}-\d{3}|\d{2}-\d{3}|(?:D|A|CH|F|I|E|L|B)-\d{4,5})`;
const CONTINENTAL_LOCALITY = `,?[ \\t]+${CONTINENTAL_POSTCODE}[ \\t]+${CITY}`;
const NUMBER_FIRST_FRENCH = new RegExp(
  String.raw`\b\d{1,4}(?:[ \t]?(?:bis|ter|quater|[A-D])\b)?,?[ \t]+(?:${FRENCH_STREET_TYPES})[ \t]+${TYPED_STREET_NAME}((?:${CONTINENTAL_LOCALITY})(?:[ \t]+CEDEX)?)?`,
  'g',
);

const TYPE_FIRST_STREET_TYPES = [
  '[Cc]alle', 'C/', '[Aa]venida', '[Aa]vda\\.?', '[Aa]v\\.', '[Pp]aseo', '[Pp]laza', '[Cc]arrer', '[Cc]amino', '[Cc]arretera', '[Rr]onda',
  '[Tt]ravesía', '[Vv]ía', '[Vv]ia', '[Vv]iale', '[Pp]iazza', '[Pp]iazzale', '[Cc]orso', '[Ll]argo', '[Vv]icolo', '[Ss]trada',
  '[Ll]ungomare', '[Rr]ua', '[Tt]ravessa', '[Aa]lameda', '[Pp]raça', '[Ee]strada', '[Rr]odovia', '[Uu]l\\.', '[Uu]lica',
  '[Aa]leja', '[Aa]l\\.', '[Pp]lac', '[Oo]siedle', '[Uu]lice', '[Nn]áměstí', '[Tt]ř\\.',
].join('|');
/**
 * Anchored on the space before the house number, with a lookbehind for the type word and
 * street name before it: trying the type-word alternation at every position cost 3x more.
 */
const TYPE_FIRST_NUMBER = new RegExp(
  String.raw`[ \t](?=\d|n[º°o])(?<=(?:${TYPE_FIRST_STREET_TYPES})[ \t]+${TYPED_STREET_NAME},?[ \t])(?:n[º°o]\.?[ \t]*)?${HOUSE_NUMBER}(?![\d${LETTER}])(?:,[ \t]*\d{1,2}[º°ª]?(?:[ \t]?[A-Za-z])?(?![\d${LETTER}.-]))?(${CONTINENTAL_LOCALITY})?`,
  'g',
);
/** The street part that ends where TYPE_FIRST_NUMBER matched; the leftmost match is the whole street. */
const TYPE_FIRST_STREET = new RegExp(`(?:${TYPE_FIRST_STREET_TYPES})[ \\t]+${TYPED_STREET_NAME},?$`);
const TYPE_FIRST_LOOKBACK = 80;

/** German, Dutch and Nordic street types are suffixes of the name ("Hauptstraße", "Keizersgracht", "Storgatan"). */
const JOINED_STREET_SUFFIXES = [
  'stra(?:ß|ss)e', 'str\\.', 'weg', 'platz', 'allee', 'gasse', 'ring', 'damm', 'ufer', 'chaussee', 'steig', 'pfad',
  'markt', 'graben', 'straat', 'laan', 'gracht', 'plein', 'kade', 'singel', 'dijk', 'dreef', 'gatan', 'vägen',
  'gränd', 'veien', 'vej', 'gade', 'katu',
]
  .map((suffix) => `[${suffix[0]!.toUpperCase()}${suffix[0]}]${suffix.slice(1)}`)
  .join('|');
const NL_POSTCODE = String.raw`\d{4}[ \t]?(?!SA|SD|SS)[A-Z]{2}`;
const JOINED_LOCALITY = `,?[ \\t]+(?:${NL_POSTCODE}|(?:(?:D|A|CH)-)?\\d{4,5})[ \\t]+${CITY}`;
/**
 * Anchored on the space before the house number, then a lookbehind checks the street type
 * before it; the street name is then read backwards in code. Reading every capitalised word
 * forwards and testing its ending cost 3x more on mixed text.
 */
const JOINED_SUFFIX_NUMBER = new RegExp(
  String.raw`[ \t](?=\d)(?<=(?:${JOINED_STREET_SUFFIXES})[ \t])${HOUSE_NUMBER}(?![\d${LETTER}])(${JOINED_LOCALITY})?`,
  'g',
);
/** A street type written as its own word ("Berliner Straße 5") needs the capitalised word before it. */
const SEPARATE_STREET_TYPE = /^(?:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|markt|graben|straat|laan|gracht|plein|kade|singel|dijk)$/i;
const STREET_NAME_CHAR = new RegExp(`[${LETTER}'’.-]`);

/** A street without a type word is an address only when a postcode and city follow ("Damrak 1, 1012 LG Amsterdam"). */
const POSTCODE_ANCHORED = new RegExp(
  String.raw`${WORD}(?:[ \t]+(?:${NAME_PARTICLE}[ \t]+)*${WORD}){0,3}[ \t]+${HOUSE_NUMBER},[ \t]*(?:${NL_POSTCODE}|(?:(?:D|A|CH)-)?\d{4,5})[ \t]+${CITY}(?![${LETTER}])`,
  'g',
);
/** Only texts with "<number>, <4–5 digits>" can hold a postcode-anchored address. */
const POSTCODE_AFTER_NUMBER = /,[ \t]*(?:[A-Z]{1,2}-)?\d{4}/;

const JAPANESE_PREFECTURE = '(?:東京都|北海道|(?:京都|大阪)府|[\u4e00-\u9fff]{2,3}県)';
const JAPANESE_NUMBER = '(?:[0-9０-９]+|[一二三四五六七八九十]+)';
const JAPANESE_ADDRESS = new RegExp(
  `(?:〒?[0-9０-９]{3}[-－][0-9０-９]{4}[ \u3000]?)?${JAPANESE_PREFECTURE}[\u3005\u3040-\u30ff\u4e00-\u9fff]{1,20}?[市区町村郡][\u3005\u3040-\u30ff\u4e00-\u9fff]{0,12}?${JAPANESE_NUMBER}(?:(?:丁目|番地|番|号|[-－‐])${JAPANESE_NUMBER}?){1,4}`,
  'g',
);
const JAPANESE_PREFECTURE_PRESENT = /[都道府県]/;

/**
 * Words before a number that make it a count, a rank or an identifier, not a house number
 * ("Chapter 5 Street Fighter", "top 10 Park Avenue hotels", "version 2 Road Map").
 */
const NOT_A_HOUSE_NUMBER_BEFORE = /(?:^|[^A-Za-z])(?:chapter|version|v|page|section|step|part|volume|vol|episode|season|level|figure|fig|table|item|top|than|over|under|about|only|no|number|nr|issue|rule|article|art|grade|year|years|day|days)\.?[ \t]*$/i;
/** A currency sign, a digit or a decimal point before the number: a price or a longer number. */
const NUMBER_CONTINUES_BEFORE = /[$€£¥\d.,:/-]/;

/**
 * What may follow a street, one comma-separated part at a time: a flat or floor ("apto 65",
 * "1.º Dto.", "Flat 3"), a locality of capitalised words with an optional state ("Kilimani",
 * "Recife - PE", "Palermo (PA)", "Chuo-ku"), a postcode with an optional city ("600075",
 * "1601-095 Setúbal", "K2Y 1R5"). A locality part must end at a delimiter, so a sentence that
 * goes on after a comma ("…, John said") is not taken in.
 */
const UNIT_PART = new RegExp(
  String.raw`,?[ \t]*(?:(?:apto|apt|ap|apartamento|flat|unit|suite|ste|piso|andar|sala|bloco|fl|floor|room|rm|bldg|building)\.?[ \t]*(?:no\.?[ \t]*)?#?[A-Za-z0-9-]{1,6}|\d{1,2}\.?[º°ª]\.?(?:[ \t]*(?:dto|esq|dta|izq|izda|dcha|[A-D])\.?)?)(?=[ \t]*(?:[,;)\n]|$))`,
  'iy',
);
const TAIL_POSTCODE = String.raw`(?:\d{5}-\d{3}|\d{4}-\d{3}|\d{3}-\d{4}|\d{6}|\d{4,5}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|${UK_POSTCODE})(?![\d-])`;
const POSTCODE_PART = new RegExp(String.raw`,?[ \t]*(?:-[ \t]*)?${TAIL_POSTCODE}(?:[ \t]+${CITY})?(?=[ \t]*(?:[,;.)\n]|$))`, 'y');
const LOCALITY_PART = new RegExp(
  String.raw`,[ \t]*(?:\d{1,5}[A-Za-z]?[ \t]+|\d{1,3}(?:st|nd|rd|th)[ \t]+)?${CITY}(?:[ \t]*-[ \t]*[A-Z]{2}(?![A-Za-z])|[ \t]+\([A-Z]{2}\))?(?:,?[ \t]+${TAIL_POSTCODE})?(?=[ \t]*(?:[,;.)\n]|$))`,
  'y',
);
/** An Italian or Spanish province code after the city ("Torino (TO)"). */
const PROVINCE_PART = /[ \t]+\([A-Z]{2}\)/y;
const MAX_TAIL_PARTS = 5;

const TAIL_PARTS = [UNIT_PART, POSTCODE_PART, LOCALITY_PART, PROVINCE_PART];

/** Where the address that ends at `end` really ends, and whether a postcode was taken in. */
function extendTail(text: string, end: number): { end: number; postcode: boolean; parts: number } {
  let postcode = false;
  let parts = 0;
  for (; parts < MAX_TAIL_PARTS; parts++) {
    let next = -1;
    for (const part of TAIL_PARTS) {
      part.lastIndex = end;
      if (part.test(text)) {
        next = part.lastIndex;
        if ((part === POSTCODE_PART || part === LOCALITY_PART) && /\d{3}/.test(text.slice(end, next))) postcode = true;
        break;
      }
    }
    if (next <= end) break;
    end = next;
  }
  return { end, postcode, parts };
}

/**
 * Addresses that start with the building, not the street: "Flat 31A, Gulmohar Heights, 16th
 * Cross Road, Aliganj, Mumbai 400076" (India: house, society, road, area, city, PIN), "House
 * No. 53, …", "Plot 2, …", "Flat 10, 180 Quayside Crescent, Manchester".
 */
const BUILDING_FIRST = /(?:House|H\.)[ \t]?No\.?[ \t]*\d{1,5}[A-Za-z]?|(?:Flat|Plot|Door|Shop|Apartment|Apt\.?|Unit|Suite)(?:[ \t]+No\.?)?[ \t]*#?\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?(?=,)/g;
/** Romanised Japanese: chōme-banchi-gō, then the district and the ward ("4-28-6 Tenjin, Chuo-ku, Fukuoka 106-9998"). */
const JAPANESE_ROMANISED = new RegExp(String.raw`\d{1,2}-\d{1,2}(?:-\d{1,3})?[ \t]+${WORD},[ \t]*${WORD}-(?:ku|shi|cho|machi|gun|mura)(?![A-Za-z])`, 'g');
const JAPANESE_WARD_PRESENT = /-(?:ku|shi|cho|machi|gun|mura)\b/;
/** A typed street without a house number is an address only with the locality after it ("Kimathi Street, Kilimani, Nairobi"). */
const STREET_WITHOUT_NUMBER = new RegExp(String.raw`[ \t](?:Street|Avenue|Road|Lane|Drive|Boulevard|Way|Close|Crescent|Terrace)(?=,[ \t]*[${UPPER}])`, 'g');
const SCORE_STREET_WITHOUT_NUMBER = 0.7;
const TAIL_WORD = new RegExp(`(?:${ENGLISH_STREET_TYPES})\\b`);

function findBuildingFirst(text: string, out: Finding[]): void {
  BUILDING_FIRST.lastIndex = 0;
  for (let match = BUILDING_FIRST.exec(text); match !== null; match = BUILDING_FIRST.exec(text)) {
    if (!startsWord(text, match.index)) continue;
    const tail = extendTail(text, match.index + match[0].length);
    // The parts after the building must hold a street or a postcode, or it is a list of things.
    if (!tail.postcode && !TAIL_WORD.test(text.slice(match.index, tail.end))) continue;
    if (tail.parts < 2) continue;
    push(out, match.index, tail.end, tail.postcode ? SCORE_WITH_POSTCODE : SCORE_WITH_LOCALITY_OR_UNIT);
  }
  if (JAPANESE_WARD_PRESENT.test(text)) {
    JAPANESE_ROMANISED.lastIndex = 0;
    for (let match = JAPANESE_ROMANISED.exec(text); match !== null; match = JAPANESE_ROMANISED.exec(text)) {
      if (!numberIsHouseNumber(text, match.index)) continue;
      const tail = extendTail(text, match.index + match[0].length);
      push(out, match.index, tail.end, tail.postcode ? SCORE_WITH_POSTCODE : SCORE_WITH_LOCALITY_OR_UNIT);
    }
  }
}

function findStreetWithoutNumber(text: string, out: Finding[]): void {
  STREET_WITHOUT_NUMBER.lastIndex = 0;
  for (let match = STREET_WITHOUT_NUMBER.exec(text); match !== null; match = STREET_WITHOUT_NUMBER.exec(text)) {
    // The street's name is the one capitalised word before the type word; a number before it is the other layout.
    const start = capitalisedWordStart(text, match.index);
    if (start < 0 || !startsWord(text, start) || /\d[ \t]*$/.test(text.slice(Math.max(0, start - 3), start))) continue;
    const tail = extendTail(text, match.index + match[0].length);
    if (tail.parts === 0) continue;
    push(out, start, tail.end, SCORE_STREET_WITHOUT_NUMBER);
  }
}

function push(out: Finding[], start: number, end: number, score: number): void {
  out.push({ start, end, type: 'address', score, recognizer: RECOGNIZER });
}

/** A street match with the unit, locality and postcode parts after it taken in. */
function pushWithTail(text: string, out: Finding[], start: number, end: number, score: number): void {
  const tail = extendTail(text, end);
  push(out, start, tail.end, tail.postcode ? SCORE_WITH_POSTCODE : tail.parts > 0 ? Math.max(score, SCORE_WITH_LOCALITY_OR_UNIT) : score);
}

function numberIsHouseNumber(text: string, start: number): boolean {
  if (start > 0 && NUMBER_CONTINUES_BEFORE.test(text[start - 1]!)) return false;
  return !NOT_A_HOUSE_NUMBER_BEFORE.test(text.slice(Math.max(0, start - 12), start));
}

function findNumberFirst(text: string, out: Finding[]): void {
  NUMBER_FIRST_ENGLISH.lastIndex = 0;
  for (let match = NUMBER_FIRST_ENGLISH.exec(text); match !== null; match = NUMBER_FIRST_ENGLISH.exec(text)) {
    if (!numberIsHouseNumber(text, match.index)) continue;
    const [whole, unit, locality] = match;
    const score = locality !== undefined ? SCORE_WITH_POSTCODE : unit !== undefined ? SCORE_WITH_LOCALITY_OR_UNIT : SCORE_STREET_LINE;
    pushWithTail(text, out, match.index, match.index + whole.length, score);
  }
  NUMBER_FIRST_FRENCH.lastIndex = 0;
  for (let match = NUMBER_FIRST_FRENCH.exec(text); match !== null; match = NUMBER_FIRST_FRENCH.exec(text)) {
    if (!numberIsHouseNumber(text, match.index)) continue;
    pushWithTail(text, out, match.index, match.index + match[0].length, match[1] !== undefined ? SCORE_WITH_POSTCODE : SCORE_STREET_LINE);
  }
}

/** Start of the word that ends at `end`, or -1 when it is not capitalised. */
function capitalisedWordStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && STREET_NAME_CHAR.test(text[start - 1]!)) start--;
  const head = text[start];
  return start < end && head !== undefined && head !== head.toLowerCase() ? start : -1;
}

/** Lookbehinds at a regex's start cost a check at every position; word starts are checked here instead. */
function startsWord(text: string, index: number): boolean {
  return index === 0 || !STREET_NAME_CHAR.test(text[index - 1]!);
}

function findNumberAfter(text: string, out: Finding[]): void {
  TYPE_FIRST_NUMBER.lastIndex = 0;
  for (let match = TYPE_FIRST_NUMBER.exec(text); match !== null; match = TYPE_FIRST_NUMBER.exec(text)) {
    const windowStart = Math.max(0, match.index - TYPE_FIRST_LOOKBACK);
    const street = TYPE_FIRST_STREET.exec(text.slice(windowStart, match.index));
    if (street === null) continue;
    const start = windowStart + street.index;
    if (!startsWord(text, start)) continue;
    pushWithTail(text, out, start, match.index + match[0].length, match[1] !== undefined ? SCORE_WITH_POSTCODE : SCORE_STREET_LINE);
  }
  JOINED_SUFFIX_NUMBER.lastIndex = 0;
  for (let match = JOINED_SUFFIX_NUMBER.exec(text); match !== null; match = JOINED_SUFFIX_NUMBER.exec(text)) {
    let start = capitalisedWordStart(text, match.index);
    if (start < 0) continue;
    if (SEPARATE_STREET_TYPE.test(text.slice(start, match.index))) {
      start = text[start - 1] === ' ' ? capitalisedWordStart(text, start - 1) : -1;
      if (start < 0) continue;
    }
    pushWithTail(text, out, start, match.index + match[0].length, match[1] !== undefined ? SCORE_WITH_POSTCODE : SCORE_STREET_LINE);
  }
  if (!POSTCODE_AFTER_NUMBER.test(text)) return;
  POSTCODE_ANCHORED.lastIndex = 0;
  for (let match = POSTCODE_ANCHORED.exec(text); match !== null; match = POSTCODE_ANCHORED.exec(text)) {
    if (!startsWord(text, match.index)) continue;
    push(out, match.index, match.index + match[0].length, SCORE_WITH_POSTCODE);
  }
}

function findJapanese(text: string, out: Finding[]): void {
  JAPANESE_ADDRESS.lastIndex = 0;
  for (let match = JAPANESE_ADDRESS.exec(text); match !== null; match = JAPANESE_ADDRESS.exec(text)) {
    push(out, match.index, match.index + match[0].length, SCORE_WITH_POSTCODE);
  }
}

/** Layouts overlap ("Via Roma 12, 00184 Roma" is also postcode-anchored): keep the longest, then the best scored. */
function longestFirst(findings: Finding[]): Finding[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end || b.score - a.score);
  const kept: Finding[] = [];
  for (const finding of findings) {
    const previous = kept[kept.length - 1];
    if (previous === undefined || finding.start >= previous.end) {
      kept.push(finding);
    } else if (finding.end - finding.start > previous.end - previous.start) {
      kept[kept.length - 1] = finding;
    }
  }
  return kept;
}

const DIGIT = /\d/;

export const addressRecognizer: Recognizer = {
  name: RECOGNIZER,
  type: 'address',
  contextWords: ['address', 'street', 'lives', 'live', 'located', 'ship', 'deliver', 'mail', 'adresse', 'dirección', 'indirizzo', 'endereço', 'adres', '住所'],
  negativeContextWords: ['chapter', 'version', 'page', 'episode', 'price', 'order'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    if (DIGIT.test(text)) {
      findNumberFirst(text, findings);
      findNumberAfter(text, findings);
      findBuildingFirst(text, findings);
    }
    findStreetWithoutNumber(text, findings);
    if (JAPANESE_PREFECTURE_PRESENT.test(text)) findJapanese(text, findings);
    return findings.length > 1 ? longestFirst(findings) : findings;
  },
};
