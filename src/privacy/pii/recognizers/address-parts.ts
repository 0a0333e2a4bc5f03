import { compiledNow } from './address-compile.js';
import { isSpaceOrTab } from './address-window.js';
import { DISTRICT_PREFIX, LETTER, UPPER, WORD } from './address-words.js';

/**
 * The parts written around a street: units and buildings before it, then units, localities,
 * states, postcodes and countries after it, separated by commas, dashes, spaces or line breaks.
 * A street layout (address-streets.ts) finds the street; extendHead() and extendTail() take in
 * what belongs to the same address, so the span is the whole address.
 */

const CITY_PARTICLE = '(?:de|du|des|la|le|les|del|di|do|da|dos|das|am|an|im|der|upon|sur|bei|en)';
/** A place name of up to four words ("Cape Town City Centre", "Ciudad de México"). */
const CITY = `${WORD}(?:[ \\t]+(?:${CITY_PARTICLE}[ \\t]+)?${WORD}){0,3}`;
/**
 * What may follow a place name: a state after a slash or dash ("Curitiba/PR", "Recife - PE"),
 * a province in brackets ("Torino (TO)", "Montréal (Québec)"), a district number ("Praha 1", "Dublin 1").
 */
const PLACE_QUALIFIER = String.raw`(?:[ \t]*\/[ \t]*${WORD}|[ \t]+-[ \t]+[A-Z]{2}(?![${LETTER}])|[ \t]*\([${LETTER}. ]{2,24}\)|[ \t]+(?:\d{1,2}|[IVX]{1,4})(?![\w./-]))?`;

/** UK postcode, the format of the Royal Mail / GOV.UK data standard (outward and inward code). */
const UK_POSTCODE = String.raw`(?:GIR ?0AA|[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) ?\d[ABD-HJLNP-UW-Z]{2})`;
/**
 * Postcode shapes, from the `zip` patterns of Google's libaddressinput region data: five digits
 * with the US ZIP+4 or the Brazilian CEP suffix, PT \d{4}-\d{3}, SE/CZ/SK/GR \d{3} \d{2},
 * PL \d{2}-\d{3}, NL \d{4} AA, four digits (AT/AU/BE/CH/DK/HU/NO/NZ/PH/ZA…), six digits
 * (IN/RU/SG/CN/RO/NG), seven (IL/CL), CA A1A 1A1, IE Eircode, AR CPA; a country prefix ("D-",
 * "CH-", "SE-", "FI-", "L-") may come before the digits. JP \d{3}-\d{4} only after a place
 * ("Tokyo 104-0061"): alone it is as likely the phone number written after an address.
 */
const POSTCODE = String.raw`(?:(?:[A-Z]{1,2}-)?(?:\d{5}(?:-\d{3,4})?|\d{4}-\d{3}|\d{3}[ \t]?\d{2}|\d{2}-\d{3}|\d{4}(?:[ \t]?(?!SA|SD|SS)[A-Z]{2}(?![${LETTER}]))?|\d{6,7})|${UK_POSTCODE}|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t]?\d[ABCEGHJ-NPRSTV-Z]\d|(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[ \t]?[0-9AC-FHKNPRTV-Y]{4}|[A-HJ-NP-Z]\d{4}(?:[A-Z]{3})?)(?![\w-])`;
const POSTCODE_LABEL = String.raw`(?:CEP|C\.P\.|CP|PIN(?:[ \t]?[Cc]ode)?|Post(?:al)?[ \t]?[Cc]ode|ZIP|Zip|Eircode|PLZ|индекс)[: \t]*`;

/**
 * Where a part may end: a comma, a line end, a closing quote or bracket, a cell or column
 * separator, a sentence's end, each maybe after an abbreviation's dot ("Xinyi Rd., Taipei").
 * A part that does not end there (", John said") is not taken in.
 */
const PART_END = String.raw`(?=[ ]*(?:\.?(?:[,;)"'|<\]}\t\r\n]|$)|[.!?。](?:[\s"')\]]|$)))`;
/** A postcode is evidence enough that the address ends there even when the sentence goes on ("…, 8001 before 5"). */
const POSTCODE_END = String.raw`(?:${PART_END}|(?=[ \t]+[a-z]))`;

/** Unit designators: USPS Pub. 28 App. C2, Royal Mail sub-building, and their counterparts elsewhere. */
const UNIT_WORDS = String.raw`(?:apt|apto|apartment|apartamento|appt|flat|unit|suite|ste|fl|floor|level|lvl|room|rm|bldg|building|piso|andar|sala|bloco|depto|dpto|dept|departamento|lgh|kv|кв|оф|офис|daire|door|puerta|pta|esc|escalera|stair|shop|office|bât|bâtiment|étage|etage|porte|whg|wohnung|top|stiege|lok|lokal|blk|block|tower|torre|interior|int|casa|lote|mz|kat|bte|bus|oficina|of(?=\.)|sec(?=\.)|m(?=\.)|d(?=[.:]))`;
/** A unit's identifier holds a digit or is one letter ("5B", "3300", "A"), so "Office Hours" is not a unit. */
const UNIT_ID = String.raw`#?(?:[a-z]{0,2}\d[a-z0-9]{0,5}|[a-z](?![a-z]))(?:[-/][a-z0-9]{1,4})?`;
/**
 * A unit, flat or floor: "Apt 5B", "piso 5 depto B", "lgh 1102", "m. 5", "Daire: 3", "#05-67",
 * "3º B", "2.º Esq." (ES/PT floor and side), "2. th." (DK floor and side), "12/F" (HK), "2nd Floor".
 */
const UNIT = String.raw`(?:${UNIT_WORDS}(?![a-zà-ÿ])\.?:?[ \t]*(?:no\.?[ \t]*)?${UNIT_ID}(?:[ \t]+${UNIT_WORDS}(?![a-zà-ÿ])\.?:?[ \t]*${UNIT_ID})?|#[ \t]?[a-z0-9]{1,6}(?:-[a-z0-9]{1,5})?|\d{1,2}\.?[º°ª]\.?(?:[ \t]*(?:izquierda|derecha|centro|dto|esq|dta|izq|izda|dcha|drcha|der|[a-d])\.?)?|\d{1,2}\.[ \t]?(?:th|tv|mf|sal)\.?|\d{1,3}\/f|(?:\d{1,2}(?:st|nd|rd|th)|ground|first|second|third)[ \t]+(?:floor|fl\.?))`;
/** Case-insensitive for the unit words, so without the place-name patterns, whose capitals matter. */
const UNIT_PART = compiledNow(new RegExp(UNIT, 'iy'));
const AT_PART_END = new RegExp(PART_END, 'y');
/** A building name after a unit in the same part ("#10-11 International Plaza"). */
const BUILDING_AFTER_UNIT = new RegExp(`[ \\t]+${CITY}${PART_END}`, 'y');
const POSTCODE_PART = compiledNow(new RegExp(
  String.raw`(?:${POSTCODE_LABEL})?(${POSTCODE}|\d{3}(?=[ \t]+[${UPPER}]))(?:[ \t]+(?:${DISTRICT_PREFIX}[ \t]*)?${CITY}${PLACE_QUALIFIER})?(?:[ \t]+(?:CEDEX|Cedex)(?:[ \t]+\d{1,2})?)?${POSTCODE_END}`,
  'y',
));
/**
 * A country on its own line after the postcode line ("…\nToronto, ON M5B 2H1\nCanada"): the
 * English and native names of the countries whose layouts are recognised here.
 */
const COUNTRY_LINE = new RegExp(
  String.raw`(?:USA|U\.S\.A\.|United States(?: of America)?|Canada|UK|United Kingdom|Ireland|Éire|Australia|New Zealand|Germany|Deutschland|France|Italy|Italia|Spain|España|Portugal|Brazil|Brasil|Mexico|México|Argentina|Chile|Colombia|Peru|Perú|Netherlands|Nederland|Belgium|Belgique|België|Luxembourg|Switzerland|Schweiz|Suisse|Svizzera|Austria|Österreich|Sweden|Sverige|Norway|Norge|Denmark|Danmark|Finland|Suomi|Iceland|Ísland|Poland|Polska|Czech Republic|Czechia|Česko|Slovakia|Slovensko|Hungary|Magyarország|Romania|România|Greece|Ελλάδα|Turkey|Türkiye|Russia|Россия|Ukraine|Україна|India|Pakistan|Bangladesh|Singapore|Malaysia|Indonesia|Philippines|Thailand|Vietnam|Việt Nam|Japan|China|Hong Kong|Taiwan|South Korea|Korea|South Africa|Nigeria|Kenya|Ghana|Egypt|Morocco|Israel|UAE|United Arab Emirates|Saudi Arabia)${PART_END}`,
  'y',
);
/** Islamabad's sectors ("F-7/2", "G-9/4"). */
const SECTOR_CODE = String.raw`[A-Z]{1,2}-\d{1,2}(?:\/\d)?`;
/**
 * A locality: a place name with its qualifiers, a prefixed district ("Quận 1"), a sector, or a
 * numbered or ordinal street named after the building ("14 Hill Road", "5th Cross Road");
 * then an optional postcode ("Springfield, IL 62704", "Sydney NSW 2000", "Mumbai - 400069", PK "Lahore-54000",
 * TW "Taipei City 110").
 */
const LOCALITY = String.raw`(?:(?<district>${DISTRICT_PREFIX})[ \t]*(?:${CITY}|\d{1,3}(?![\d.]))|${SECTOR_CODE}|(?:\d{1,5}[A-Za-z]?[ \t]+|\d{1,3}(?:st|nd|rd|th)[ \t]+)?${CITY}${PLACE_QUALIFIER})`;
/** Labels that start a part after an address but are not places ("…, Order 12345", "…, Tel 0117 496 0000", not "Tel Aviv"). */
const NOT_A_PLACE = String.raw`(?!(?:Order|Invoice|Ticket|Ref|Reference|Case|Account|Acct|Tracking|Customer|Member|Item|SKU|Qty|Total|Page|Chapter|Section|Step|Version|Flight|Gate|Booking|Reservation)\b|(?:Tel|Phone|Fax|Mobile|Mob|Ph)\.?:?[ \t]*[+\d(])`;
const LOCALITY_PART = compiledNow(new RegExp(
  String.raw`${NOT_A_PLACE}${LOCALITY}(?:(?:,?[ \t]+|[ \t]*[-–][ \t]*)(?:${POSTCODE_LABEL})?(?<postcode>${POSTCODE}|\d{3}-\d{4}(?![\d-])|\d{3}(?=${PART_END}))${POSTCODE_END}|${PART_END})`,
  'y',
));

type Separator = 'none' | 'comma' | 'dash' | 'space' | 'newline';

/** An HTML line break, as in addresses pasted from web forms and e-mail ("<br>", "<br/>", "<br />"). */
const LINE_BREAK_TAG = /<br[ \t]*\/?>/iy;

/**
 * The separator at `index` and where the next part starts. A blank line, a tab or a comma
 * with no space after it (a CSV or TSV cell boundary: "88 Pine St,Boston,MA") ends the address.
 */
function separatorAt(text: string, index: number): { kind: Separator; next: number } {
  let i = index;
  // An abbreviation's dot before a comma ("Xinyi Rd., Taipei") belongs to the part before.
  if (text[i] === '.' && text[i + 1] === ',') i++;
  while (text[i] === ' ') i++;
  const c = text[i];
  if (c === ',' || c === '，') {
    i++;
    if (c === ',' && text[i] !== ' ' && text[i] !== '\n') return { kind: 'none', next: index };
    while (text[i] === ' ') i++;
    return { kind: 'comma', next: i };
  }
  if ((c === '-' || c === '–') && i > index && text[i + 1] === ' ') {
    i++;
    while (text[i] === ' ') i++;
    return { kind: 'dash', next: i };
  }
  let lineBreak = 0;
  if (c === '\n') lineBreak = 1;
  else if (c === '\r' && text[i + 1] === '\n') lineBreak = 2;
  else if (c === '<') {
    LINE_BREAK_TAG.lastIndex = i;
    if (LINE_BREAK_TAG.test(text)) lineBreak = LINE_BREAK_TAG.lastIndex - i;
  }
  if (lineBreak > 0) {
    i += lineBreak;
    while (text[i] === ' ') i++;
    return text[i] === '\n' || text[i] === '\r' ? { kind: 'none', next: index } : { kind: 'newline', next: i };
  }
  return i > index ? { kind: 'space', next: i } : { kind: 'none', next: index };
}

export interface Tail {
  end: number;
  /** A postcode was taken in. */
  postcode: boolean;
  /** Parts taken in. */
  parts: number;
  /** A part is a prefixed district ("Quận 1", "Brgy. San Antonio", "Col. Centro"). */
  district: boolean;
}

const MAX_TAIL_PARTS = 7;

function matchAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

/** End of the unit part at `index` ("Apt 5", "#10-11 International Plaza"), or -1. */
function unitAt(text: string, index: number): number {
  const unit = matchAt(UNIT_PART, text, index);
  if (unit === null) return -1;
  const end = index + unit[0].length;
  if (matchAt(AT_PART_END, text, end) !== null) return end;
  const building = matchAt(BUILDING_AFTER_UNIT, text, end);
  if (building !== null) return end + building[0].length;
  // Written without commas: "#08-123 Singapore 640456".
  let next = end;
  while (text[next] === ' ') next++;
  if (next === end) return -1;
  return matchAt(POSTCODE_PART, text, next) !== null || matchAt(LOCALITY_PART, text, next)?.groups!['postcode'] !== undefined ? end : -1;
}

/** Whether an address ending at `index` ends where a part may end, not inside a sentence going on in lower case. */
export function endsPart(text: string, index: number): boolean {
  return matchAt(AT_PART_END, text, index) !== null;
}

/**
 * Where the address that ends at `end` really ends. After a comma or a dash any part may follow;
 * after a space only a unit or a postcode ("Cambridge MA 02139", "75002 PARIS"); after a line
 * break a unit or postcode line is taken at once, a line of place names only when a postcode
 * line follows it (a signature's "Clifton\nBristol\nBS8 1AB", not the name under an address).
 */
export function extendTail(text: string, end: number): Tail {
  let committed = end;
  let postcode = false;
  let district = false;
  let parts = 0;
  let pending = 0;
  let afterNewline = false;
  for (let n = 0; n < MAX_TAIL_PARTS; n++) {
    const { kind, next } = separatorAt(text, end);
    if (kind === 'none') break;
    afterNewline ||= kind === 'newline';
    const part = partAt(text, next, kind, pending === 0);
    if (part === null) break;
    end = part.end;
    if (afterNewline && !part.strong) {
      if (++pending > 2) break;
      continue;
    }
    postcode ||= part.postcode;
    district ||= part.district;
    parts += pending + 1;
    pending = 0;
    committed = end;
  }
  return { end: committed, postcode, parts, district };
}

interface Part {
  end: number;
  /** A unit, postcode or country: confirms the lines before it. */
  strong: boolean;
  postcode: boolean;
  district: boolean;
}

/** The part at `index` after a separator of `kind`: a unit, a postcode (with its city), a country line, or a locality. */
function partAt(text: string, index: number, kind: Separator, lastLineConfirmed: boolean): Part | null {
  const unit = unitAt(text, index);
  if (unit > index) return { end: unit, strong: true, postcode: false, district: false };
  const code = matchAt(POSTCODE_PART, text, index);
  if (code !== null) return { end: index + code[0].length, strong: true, postcode: true, district: false };
  if (kind === 'newline' && lastLineConfirmed) {
    const country = matchAt(COUNTRY_LINE, text, index);
    if (country !== null) return { end: index + country[0].length, strong: true, postcode: false, district: false };
  }
  const locality = matchAt(LOCALITY_PART, text, index);
  if (locality === null) return null;
  const withPostcode = locality.groups!['postcode'] !== undefined;
  // After a bare space only a locality with its postcode goes on ("… Ave Cambridge MA 02139").
  if (kind === 'space' && !withPostcode) return null;
  return { end: index + locality[0].length, strong: withPostcode, postcode: withPostcode, district: locality.groups!['district'] !== undefined };
}

/**
 * Units and buildings written before the street: "Flat 2, ", "Level 3, ", "12/F, ", "Bât. B, ",
 * "Rose Cottage, " (a named house, Royal Mail PAF), "Times Square, " (a named building, Hongkong
 * Post), each followed by a comma or a line break.
 */
const HEAD_PART = compiledNow(new RegExp(
  String.raw`(?:^|[^${LETTER}\d#/])((?:(?:Flat|Apartment|Apt|Unit|Suite|Ste|Level|Lvl|Floor|Shop|Office|Room|Rm|Bldg|Building|Block|Blk|Bât|Bâtiment|Escalier|House|Plot|Lot|Villa|Tower)\.?[ \t]*(?:No\.?[ \t]*)?#?(?:[A-Za-z]{0,2}\d[A-Za-z0-9]{0,5}|[A-Z])(?:[-/][A-Za-z0-9]{1,4})?|\d{1,3}\/F|(?:\d{1,2}(?:st|nd|rd|th)|Ground|First|Second|Third)[ \t]+Floor|${WORD}(?:[ \t]+${WORD}){0,3}[ \t]+(?:Cottage|Cottages|House|Farm|Lodge|Barn|Hall|Villa|Mill|Bungalow|Manor|Tower|Towers|Centre|Center|Building|Plaza|Square|Court|Mansion|Mansions|Residency|Apartments|Complex|Mall)(?:[ \t]+(?:\d{1,3}|[A-Z]))?)[ \t]*(?:,[ \t]*|\r?\n[ \t]*|<br[ \t]*\/?>[ \t]*))$`,
));
/** A building or number label written right before the number: "No. 7", "Blk 123", "Số 12", "H.No. 5", Thai "99/9 Moo 5" (house, village). */
const HEAD_LABEL = compiledNow(new RegExp(String.raw`(?:^|[^${LETTER}\d])((?:No|Nr|Blk|Block|Plot|Lot|House|Số|số|Unit|Building|Bldg|Flat|Apartment|Apt|Suite|Office|Shop|Villa|Tower|Room|Level)\.?[ \t]*(?:No\.?[ \t]*)?|H\.[ \t]?No\.?[ \t]*|\d{1,4}(?:\/\d{1,3})?[ \t]+Moo\.?[ \t]*)$`));
/**
 * The postcode and city written before the street (HU "1061 Budapest, Andrássy út 12", RU
 * "125009, г. Москва, ул. Тверская"): only with a postcode or the Russian "г." (city) before it.
 */
const HEAD_LOCALITY = new RegExp(String.raw`(?:^|[^${LETTER}\d])((?:\d{4,6},?[ \t]+(?:г\.[ \t]*)?|г\.[ \t]*)${WORD}(?:[ \t]+${WORD})?,[ \t]*)$`);
/** A Turkish neighbourhood written before the street ("Cumhuriyet Mah. Halaskargazi Cad. No: 123"). */
const HEAD_NEIGHBOURHOOD = new RegExp(String.raw`(?:^|[^${LETTER}])(${WORD}(?:[ \t]+${WORD})?[ \t]+(?:Mah\.|Mahallesi|Mh\.)[ \t]*,?[ \t]*)$`);
const HEAD_WINDOW = 64;

/**
 * What the text before `index` ends with, past spaces and tabs: the head patterns above end in a
 * separator (HEAD_PART, HEAD_LOCALITY) or a neighbourhood's type. Checked before them because,
 * anchored at the end of their window, they are tried at each of its 64 positions: 1 µs a street.
 */
function endBefore(text: string, index: number): number {
  let i = index;
  while (i > 0 && isSpaceOrTab(text.charCodeAt(i - 1))) i--;
  return text.charCodeAt(i - 1);
}
const COMMA = 44;
const NEWLINE = 10;
/** The end of "<br>". */
const TAG_END = 62;

function afterSeparator(text: string, index: number): boolean {
  const end = endBefore(text, index);
  return end === COMMA || end === NEWLINE || end === TAG_END;
}

const FULL_STOP = 46;
const SMALL_I = 105;

/** Whether the text before `index` may end with "Mah.", "Mh." or "Mahallesi", maybe and a comma. */
function afterNeighbourhood(text: string, index: number): boolean {
  let i = index;
  while (i > 0 && isSpaceOrTab(text.charCodeAt(i - 1))) i--;
  if (text.charCodeAt(i - 1) === COMMA) i--;
  const end = endBefore(text, i);
  return end === FULL_STOP || end === SMALL_I;
}

/** Where the address whose street starts at `start` really starts. */
export function extendHead(text: string, start: number, numberFirst: boolean): number {
  if (numberFirst) {
    const label = HEAD_LABEL.exec(text.slice(Math.max(0, start - 12), start));
    if (label !== null) start -= label[1]!.length;
  }
  for (let n = 0; n < 4 && afterSeparator(text, start); n++) {
    const part = HEAD_PART.exec(text.slice(Math.max(0, start - HEAD_WINDOW), start));
    if (part === null) break;
    start -= part[1]!.length;
  }
  if (afterNeighbourhood(text, start)) {
    const neighbourhood = HEAD_NEIGHBOURHOOD.exec(text.slice(Math.max(0, start - HEAD_WINDOW), start));
    if (neighbourhood !== null) start -= neighbourhood[1]!.length;
  }
  if (endBefore(text, start) === COMMA) {
    const locality = HEAD_LOCALITY.exec(text.slice(Math.max(0, start - HEAD_WINDOW), start));
    if (locality !== null) start -= locality[1]!.length;
  }
  return start;
}
