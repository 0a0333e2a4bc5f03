import type { CountryCode } from 'libphonenumber-js/core';

/**
 * The countries a text names near a number: in English and in their own languages, by their
 * capital or a large city. A number whose plan is too plain to be known by its grouping alone
 * ("5123 4567", "32 14 28 97", "512 345 678") is one of the named country's when its digits are
 * valid there and written as that country prints them ("Our Singapore office: 6123 4567").
 *
 * Names shared with other places, people or words are left out: Georgia, Jordan, Chad, Jersey,
 * Turkey, Guinea; Kingston, San José, Santiago, Valencia, Córdoba, Victoria, Salvador, Porto, Cork,
 * Rabat (a discount in Polish), Island (Iceland in German).
 */
const NAMES: Readonly<Partial<Record<CountryCode, string>>> = {
  SG: 'singapore|singapura|新加坡',
  HK: 'hong kong|hongkong|kowloon|香港',
  MO: 'macau|macao|澳門',
  TW: 'taiwan|taipei|台灣|台湾|臺灣',
  DK: 'denmark|danmark|dänemark|danemark|københavn|copenhagen|kopenhagen|aarhus|århus|odense|aalborg',
  NO: 'norway|norge|noreg|norwegen|norvège|oslo|bergen|trondheim|stavanger',
  SE: 'sweden|sverige|schweden|suède|stockholm|göteborg|gothenburg|malmö|uppsala',
  FI: 'finland|suomi|finnland|helsinki|helsingfors|tampere|espoo|turku',
  IS: 'iceland|ísland|reykjavík|reykjavik',
  EE: 'estonia|eesti|estland|tallinn|tartu',
  LV: 'latvia|latvija|lettland|riga|rīga',
  LT: 'lithuania|lietuva|litauen|vilnius|kaunas',
  PL: 'poland|polska|polen|pologne|warszawa|warsaw|kraków|krakow|wrocław|wroclaw|gdańsk|gdansk|poznań|poznan|łódź',
  CZ: 'czechia|czech republic|česko|česká republika|tschechien|praha|prague|prag|brno|ostrava',
  SK: 'slovakia|slovensko|slowakei|bratislava|košice',
  HU: 'hungary|magyarország|ungarn|budapest|debrecen',
  PT: 'portugal|lisboa|lisbon|lissabon|coimbra',
  ES: 'spain|españa|espanya|spanien|espagne|madrid|barcelona|sevilla|seville|bilbao|málaga|zaragoza',
  GR: 'greece|ελλάδα|griechenland|grèce|athens|athen|αθήνα|thessaloniki|θεσσαλονίκη',
  CY: 'cyprus|κύπρος|zypern|nicosia|λευκωσία|limassol|larnaca',
  MT: 'malta|valletta|sliema',
  LU: 'luxembourg|luxemburg|lëtzebuerg',
  NL: 'netherlands|nederland|niederlande|holland|amsterdam|rotterdam|den haag|utrecht|eindhoven',
  BE: 'belgium|belgië|belgique|belgien|brussels|bruxelles|brussel|antwerpen|antwerp|ghent|liège',
  CH: 'switzerland|schweiz|suisse|svizzera|zürich|zurich|genève|geneva|genf|bern|basel|lausanne',
  AT: 'austria|österreich|wien|vienna|graz|linz|salzburg|innsbruck',
  IE: 'ireland|éire|dublin|galway',
  IL: 'israel|ישראל|tel aviv|jerusalem|haifa',
  LB: 'lebanon|liban|libanon|لبنان|beirut|beyrouth|بيروت',
  TN: 'tunisia|tunisie|tunesien|تونس|tunis|sfax',
  MA: 'morocco|maroc|marokko|المغرب|casablanca|marrakech|tanger',
  DZ: 'algeria|algérie|algerien|الجزائر|alger|algiers',
  EG: 'egypt|égypte|ägypten|مصر|cairo|القاهرة|alexandria',
  QA: 'qatar|katar|قطر|doha|الدوحة',
  KW: 'kuwait|koweït|الكويت',
  BH: 'bahrain|bahreïn|البحرين|manama',
  OM: 'oman|عمان|muscat|مسقط',
  AE: 'uae|united arab emirates|emirates|الإمارات|dubai|دبي|abu dhabi|sharjah',
  SA: 'saudi arabia|saudi|السعودية|riyadh|الرياض|jeddah|جدة',
  CR: 'costa rica',
  PA: 'panama|panamá',
  GT: 'guatemala',
  SV: 'el salvador|san salvador',
  HN: 'honduras|tegucigalpa',
  NI: 'nicaragua|managua',
  BO: 'bolivia|la paz|santa cruz de la sierra|cochabamba',
  PY: 'paraguay|asunción|asuncion',
  UY: 'uruguay|montevideo',
  AR: 'argentina|buenos aires',
  CL: 'chile|valparaíso',
  PE: 'peru|perú|lima|arequipa',
  EC: 'ecuador|quito|guayaquil',
  CO: 'colombia|bogotá|bogota|medellín|medellin|cali|barranquilla',
  VE: 'venezuela|caracas|maracaibo',
  MX: 'mexico|méxico|cdmx|guadalajara|monterrey|puebla|tijuana',
  BR: 'brazil|brasil|são paulo|sao paulo|rio de janeiro|brasília|belo horizonte|curitiba',
  MY: 'malaysia|kuala lumpur|penang|johor bahru',
  TH: 'thailand|ประเทศไทย|bangkok|กรุงเทพ|chiang mai|phuket',
  VN: 'vietnam|việt nam|hanoi|hà nội|ho chi minh|saigon|sài gòn|đà nẵng',
  PH: 'philippines|pilipinas|manila|quezon city|cebu|davao',
  ID: 'indonesia|jakarta|surabaya|bandung|bali',
  NZ: 'new zealand|aotearoa|auckland|wellington|christchurch',
  KE: 'kenya|nairobi|mombasa|kisumu',
  UG: 'uganda|kampala',
  TZ: 'tanzania|dar es salaam|dodoma|arusha',
  GH: 'ghana|accra|kumasi',
  NG: 'nigeria|lagos|abuja|ibadan',
  ZA: 'south africa|johannesburg|cape town|kaapstad|durban|pretoria',
};

/** The countries NAMES names. */
export const NAMED_REGIONS = Object.keys(NAMES) as CountryCode[];

interface Name {
  readonly words: readonly string[];
  readonly region: CountryCode;
}

/** The names by their last word ("hong kong" under "kong"): a window's words are looked up one by one. */
const NAMES_BY_LAST_WORD = new Map<string, Name[]>();
/** The names in scripts written without spaces (Chinese, Japanese, Thai): looked for inside a run of them. */
const SPACELESS_NAMES: Name[] = [];
for (const [region, names] of Object.entries(NAMES)) {
  for (const name of (names as string).split('|')) {
    const entry = { words: name.split(' '), region: region as CountryCode };
    if (isSpacelessScript(name.charCodeAt(0))) SPACELESS_NAMES.push(entry);
    else {
      const last = entry.words.at(-1) as string;
      NAMES_BY_LAST_WORD.set(last, [...(NAMES_BY_LAST_WORD.get(last) ?? []), entry]);
    }
  }
}

/** The countries named in `window`, nearest (last) first. */
export function countriesNamedIn(window: string): CountryCode[] {
  const words = wordsOf(window.toLowerCase());
  const named: CountryCode[] = [];
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i] as string;
    const candidates = isSpacelessScript(word.charCodeAt(0)) ? SPACELESS_NAMES.filter((name) => word.includes(name.words[0] as string)) : NAMES_BY_LAST_WORD.get(word);
    for (const { words: nameWords, region } of candidates ?? []) {
      const first = i - nameWords.length + 1;
      if (first < 0 || named.includes(region)) continue;
      if (isSpacelessScript(word.charCodeAt(0)) || nameWords.every((nameWord, j) => words[first + j] === nameWord)) named.push(region);
    }
  }
  return named;
}

/** The runs of letters of `text` (a run of a spaceless script apart), in order. */
function wordsOf(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  let spaceless = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20;
    const letter = i < text.length && isLetter(code);
    const inSpaceless = letter && isSpacelessScript(code);
    if (start !== -1 && (!letter || inSpaceless !== spaceless)) {
      words.push(text.slice(start, i));
      start = -1;
    }
    if (letter && start === -1) {
      start = i;
      spaceless = inSpaceless;
    }
  }
  return words;
}

/**
 * A letter of a name: ASCII letters, and past Latin-1's symbols any character but the blanks and
 * punctuation of General Punctuation, CJK Symbols and Punctuation and the full-width forms (the
 * names hold no other symbols, and a symbol taken for a letter only joins two words).
 */
function isLetter(code: number): boolean {
  if (code < 0xc0) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  return !(code >= 0x2000 && code <= 0x2bff) && !(code >= 0x3000 && code <= 0x303f) && !(code >= 0xff00 && code <= 0xff20);
}

/** Han, kana, Hangul and Thai: scripts that put no spaces between words. */
function isSpacelessScript(code: number): boolean {
  return (code >= 0x0e00 && code <= 0x0e7f) || (code >= 0x3040 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff);
}
