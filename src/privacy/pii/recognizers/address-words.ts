import { alternation } from './word-alternation.js';

/**
 * The words of addresses: character classes for the scripts read here, and street types per
 * language. USPS Publication 28 App. C1 and the Royal Mail / Australia Post / Canada Post types for
 * English; the postal authorities' abbreviation lists for the others (La Poste, Correos, Poste
 * Italiane, Correios, Poczta Polska, Poșta Română, PTT, Pos Indonesia / Pos Malaysia, Deutsche
 * Post, PostNL, PostNord, Posten Norge, Posti, Íslandspóstur, Magyar Posta, Česká pošta).
 *
 * Character classes are BMP ranges without the `u` flag: `\p{…}` classes made the scan 5–10x slower.
 */

/** Capital letters: Latin (with Latin Extended-A, which mixes cases), Greek, Cyrillic. */
export const UPPER = String.raw`A-Z\u00C0-\u00D6\u00D8-\u00DE\u0100-\u017F\u0391-\u03A9\u0400-\u042F`;
export const LETTER = String.raw`A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0370-\u03FF\u0400-\u04FF`;
/** A capitalised word, hyphens, apostrophes and dots only inside ("Saint-Honoré", "O'Connell"): a sentence's full stop is not part of it. */
// At most eight joined parts: an unbounded repeat overflowed the regex engine's stack on a word
// of millions of characters ("A-a-a-…"); no street name has more parts.
export const WORD = `[${UPPER}][${LETTER}]*(?:['’.-][${LETTER}]+){0,7}`;
/** Lower-case words inside place and street names ("Rio de Janeiro", "Frankfurt am Main", "rue de la Paix"). */
export const PARTICLE = "(?:de|du|des|la|le|les|l'|d'|l’|d’|aux|au|et|sur|en|del|della|delle|dello|dei|degli|dell'|dell’|dall'|dall’|all'|all’|di|do|da|dos|das|e|y|los|las|el|der|den|dem|am|an|im|zum|zur|van|von|upon|bei|lès)";

/** Each word as written and in capitals: USPS Publication 28 and La Poste (NF Z10-011) write the address in capitals. */
export function asWrittenAndCapitals(words: readonly string[]): string {
  return alternation(words.flatMap((word) => [word, word.toUpperCase()]));
}

/** Each word in lower case, capitalised and in capitals ("rue", "Rue", "RUE"). */
function inAnyCase(words: readonly string[]): string[] {
  return words.flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()]);
}

export const DIRECTION = String.raw`(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|NORTH|SOUTH|EAST|WEST)\.?`;
/** Types that name a street and little else. */
export const ENGLISH_TYPES = asWrittenAndCapitals([
  'Street', 'St', 'Avenue', 'Ave', 'Av', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Ln', 'Drive', 'Dr', 'Court', 'Ct',
  'Way', 'Place', 'Pl', 'Terrace', 'Ter', 'Tce', 'Parkway', 'Pkwy', 'Highway', 'Hwy', 'Circle', 'Cir', 'Crescent',
  'Cres', 'Close', 'Mews', 'Alley', 'Aly', 'Expressway', 'Expy', 'Freeway', 'Fwy', 'Causeway', 'Turnpike', 'Tpke',
  'Esplanade', 'Parade', 'Pde', 'Circuit', 'Cct', 'Broadway', 'Marg',
]);
/** Types that are also common nouns ("3 Central Park concerts"): an address only with more after the street. */
export const ENGLISH_WEAK_TYPES = asWrittenAndCapitals([
  'Square', 'Sq', 'Trail', 'Trl', 'Grove', 'Gardens', 'Gdns', 'Row', 'Walk', 'Loop', 'Pike', 'Plaza', 'Plz', 'Ridge',
  'Path', 'Crossing', 'Xing', 'Hill', 'Heights', 'Hts', 'Park', 'Green', 'Rise', 'Vale', 'View', 'Hollow', 'Bend',
  'Cove', 'Creek', 'Landing', 'Meadow', 'Meadows', 'Estates', 'Junction', 'Jct', 'Manor', 'Route', 'Rte', 'Quay',
  'Wharf', 'Chase',
]);
/** Types written before the name, the number first: FR/BE/LU/CA "12 rue de la Paix", VN "12 đường Lê Lợi", MY "23 Jalan Bukit Bintang". */
const NUMBER_FIRST_TYPE_WORDS = ['rue', 'av.', 'bd', 'chemin', 'allée', 'impasse', 'quai', 'rond-point', 'faubourg', 'voie', 'parvis', 'cité', 'sentier', 'montée', 'đường', 'phố'];
export const NUMBER_FIRST_TYPES = alternation(inAnyCase(NUMBER_FIRST_TYPE_WORDS));
/** French types that are English words too ("3 Place Holders"): they need a particle after them or more after the street. */
export const FRENCH_AMBIGUOUS_TYPES = ['Avenue', 'Boulevard', 'Place', 'Route', 'Cours', 'Passage', 'Square', 'Esplanade', 'Promenade'];
/** The number-first types as they may be written in lower case ("12 rue de la Paix", "8 avenue Foch"). */
export const LOWER_CASE_NUMBER_FIRST_TYPES = [...NUMBER_FIRST_TYPE_WORDS, ...FRENCH_AMBIGUOUS_TYPES.map((type) => type.toLowerCase())];
/** US street types as written in lower-case chat ("42 elm st, boston ma 02118"). */
export const LOWER_CASE_ENGLISH_TYPES = 'st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|boulevard|ct|court|way|pl|place|ter|terrace|pkwy|hwy';
export const FRENCH_PARTICLE_START = /^(?:de|du|des|la|le|les|d'|d’|l'|l’)[ \t']/;

/** Type before the name, number after: ES, IT, PT/BR, PL, CZ/SK, RO. */
const TYPE_FIRST_WORDS = inAnyCase([
  'calle', 'c/', 'avenida', 'avda.', 'avda', 'av.', 'avd.', 'paseo', 'pº', 'plaza', 'pza.', 'carrer', 'camino', 'carretera',
  'ctra.', 'ronda', 'travesía', 'rambla', 'glorieta', 'calzada', 'prolongación', 'jr.', 'jirón', 'vía', 'via', 'viale',
  'v.le', 'piazza', 'p.zza', 'p.za', 'piazzale', 'corso', 'c.so', 'largo', 'vicolo', 'strada', 'lungomare', 'lungarno',
  'contrada', 'salita', 'borgo', 'rua', 'r.', 'travessa', 'tv.', 'alameda', 'praça', 'estrada', 'rodovia', 'ladeira', 'ul.',
  'ulica', 'aleja', 'al.', 'plac', 'pl.', 'osiedle', 'os.', 'ulice', 'náměstí', 'nám.', 'třída', 'tř.', 'str.', 'bulevardul',
  'bd.', 'b-dul', 'calea', 'șoseaua', 'şos.', 'aleea', 'piața', 'splaiul', 'intrarea',
]);
/** ID/MY types as written ("Jalan", "Jln.", "Jl."). */
const MALAY_TYPE_FIRST_WORDS = ['Jalan', 'JALAN', 'Jln.', 'Jln', 'Jl.', 'JL.', 'Lorong', 'Lrg.', 'Persiaran', 'Lebuh', 'Gang', 'Gg.'];
/** FR/BE/CH types, first with a particle after them ("Rue de la Loi 16"), then capitalised without one. */
const FRENCH_TYPE_FIRST_WORDS = ['Rue', 'Avenue', 'Boulevard', 'Chemin', 'Place', 'Quai', 'Allée', 'Impasse', 'Chaussée', 'Route'];
const FRENCH_TYPE_FIRST_CAPITALISED = ['Rue', 'Avenue', 'Boulevard', 'Chaussée', 'Chemin', 'Quai', 'Allée', 'Impasse', 'Place'];
/** Types written before the name, the number after it ("Calle Mayor 5", "Jl. Sudirman No. 5", "Rue de la Loi 16"). */
export const TYPE_FIRST_TYPES = [
  alternation(TYPE_FIRST_WORDS),
  alternation(MALAY_TYPE_FIRST_WORDS),
  `(?:${alternation(FRENCH_TYPE_FIRST_WORDS.flatMap((type) => [type, type.toLowerCase()]))})(?=[ \\t]+(?:de|du|des|d'|d’|la|le|les)[ \\t])`,
  alternation(FRENCH_TYPE_FIRST_CAPITALISED),
].join('|');
/** Every spelling of the types above, for a test of a word's first letters before the patterns are tried. */
export const TYPE_FIRST_SPELLINGS: readonly string[] = [
  ...TYPE_FIRST_WORDS,
  ...MALAY_TYPE_FIRST_WORDS,
  ...FRENCH_TYPE_FIRST_WORDS.flatMap((type) => [type, type.toLowerCase()]),
];
/**
 * Type words that are English words too ("via FedEx 2 days", "Gang 5", "Avenue Q 5"): an address
 * only with more after the number, or for the French ones with a particle after them ("Rue de la Loi 16").
 */
export const WEAK_TYPE_FIRST = /^(?:(?:via|Gang|Plaza|Largo|Borgo|Lebuh)[ \t]|(?:Rue|Avenue|Boulevard|Chaussée|Chemin|Quai|Allée|Impasse|Place)[ \t]+(?!(?:de|du|des|la|le|les)[ \t]|d['’]))/;
/** What may stand between the street and its number: "No. 5", "nr. 12", "No:123", "nº 7", "# 5". */
export const NUMBER_MARK = String.raw`(?:No\.?:?|NO\.?:?|no\.?:?|Nr\.?|nr\.?|Nº|N°|nº|n°|n\.º|Núm\.|núm\.|Kav\.|#|№)`;
/** DE/AT/CH, NL/BE and Nordic street types are suffixes of the name ("Hauptstraße", "Keizersgracht", "Storgatan", "Laugavegur"). */
export const JOINED_SUFFIX_WORDS = inAnyCase([
  'straße', 'strasse', 'str.', 'weg', 'platz', 'allee', 'gasse', 'ring', 'damm', 'ufer', 'chaussee', 'steig', 'pfad', 'markt',
  'graben', 'straat', 'laan', 'gracht', 'plein', 'kade', 'singel', 'dijk', 'dreef', 'steeg', 'gatan', 'vägen', 'gränd',
  'torget', 'gata', 'veien', 'vej', 'gade', 'allé', 'plads', 'torv', 'stræde', 'katu', 'kuja', 'tie', 'vegur',
]);
export const JOINED_SUFFIXES = alternation(JOINED_SUFFIX_WORDS);
/** Suffixes that end common words too ("Spring", "Supermarkt", "Bowtie"): an address only with more after it. */
export const WEAK_SUFFIX = /(?:ring|markt|graben|tie)$/i;
/**
 * A type written as its own word after the name: "Berliner Straße", "Karl Johans gate",
 * "Andrássy út", "Václavské náměstí", "Atatürk Cad.", "Bağdat Caddesi", "Rothschild Blvd".
 */
export const SEPARATE_TYPES_CAPITALISED = asWrittenAndCapitals(['Straße', 'Strasse', 'Str.', 'Allee', 'Weg', 'Platz', 'Gasse', 'Damm', 'Ufer', 'Chaussee', 'Ring', 'Markt']);
export const SEPARATE_TYPE_OTHER_WORDS = [
  'gate', 'gata', 'vei', 'veien', 'veg', 'vej', 'gade', 'gatan', 'vägen', 'väg', 'allé', 'plass', 'plads', 'torv', 'torg', 'stræde', 'út', 'utca', 'u.',
  'tér', 'körút', 'krt.', 'sétány', 'náměstí', 'nám.', 'třída', 'nábřeží', 'námestie', 'Cad.', 'Caddesi', 'Cd.', 'Sok.', 'Sokak', 'Sokağı', 'Sk.',
  'Bulvarı', 'Blv.',
];
export const SEPARATE_TYPES_OTHER = alternation(SEPARATE_TYPE_OTHER_WORDS);
/** English types after the name ("Rothschild Blvd 22", Israel) are taken only with a locality or postcode after the number. */
export const SEPARATE_TYPE_ENGLISH_WORDS = ['Blvd', 'Boulevard', 'Avenue', 'Ave', 'Street', 'St', 'Road', 'Rd'];
export const SEPARATE_TYPES_ENGLISH = alternation(SEPARATE_TYPE_ENGLISH_WORDS);
/** Words that introduce a district, county or neighbourhood ("Col. Centro", "Brgy. San Antonio", "Co. Cork", "Quận 1", "sector 3"). */
export const DISTRICT_PREFIX = String.raw`(?:Col\.|Colonia|Fracc\.|Brgy\.|Bgy\.|Barangay|Co\.|County|Kec\.|Kel\.|Kab\.|Mah\.|Mahallesi|Quận|Phường|Huyện|Xã|TP\.|Tp\.|Thành phố|Tỉnh|Sector|sector|Sektor|District|Dist\.|Distrito|Alcaldía|Delegación|Bairro|Ward|г\.|обл\.|р-н|район|пос\.|с\.|смт)`;

/** Words that may open the name of a street without a type word ("Unter den Linden", "Gran Vía"). */
export const PREPOSITION = 'Am|An|Auf|Im|In|Unter|Zum|Zur|Hinter|Vor|Bei|Über|Op|Aan|Bij|Achter|Over|Sankt|St\\.|Sint|Santa|San|São|Saint|Alte|Alter|Altes|Neue|Neuer|Lange|Hohe|Old|New|Gran|Grand|Great|Little|Upper|Lower|Nueva|Nuevo|Vieja|Viejo';

/** Whether a UTF-16 code unit is a capital letter of the classes above (Latin Extended-A counted whole). */
export const isUpperCase = (code: number) =>
  (code >= 65 && code <= 90) || (code >= 0xc0 && code <= 0xde && code !== 0xd7) || (code >= 0x100 && code <= 0x17f) || (code >= 0x391 && code <= 0x3a9) || (code >= 0x400 && code <= 0x42f);
