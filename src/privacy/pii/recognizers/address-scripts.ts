/**
 * Addresses written in Cyrillic, Chinese, Japanese and Korean, each looked for only when the
 * text holds that script (one cheap scan each, from the first such character the address scan
 * met), so Latin text pays almost nothing for them.
 */

/** Cyrillic, CJK or Hangul: the characters of a text that make it worth looking for the patterns below. */
export const OTHER_SCRIPT_CHARS = String.raw`\u0400-\u04FF\u3000-\u9fff\uAC00-\uD7A3`;
const OTHER_SCRIPT = new RegExp(`[${OTHER_SCRIPT_CHARS}]`, 'g');

/** The first Cyrillic, CJK or Hangul character between `start` and `end`, or -1. */
export function firstOtherScript(text: string, start: number, end: number): number {
  OTHER_SCRIPT.lastIndex = start;
  return OTHER_SCRIPT.test(text) && OTHER_SCRIPT.lastIndex <= end ? OTHER_SCRIPT.lastIndex - 1 : -1;
}

/** Russian Post and Ukrposhta street types, abbreviated and in full, before the name ("ул. Тверская") or after it ("Невский проспект"). */
const CYRILLIC_TYPE_BEFORE = String.raw`(?:ул\.|улица|вул\.|вулиця|пр-т|пр-кт|просп\.|пр\.|пер\.|переулок|пров\.|провулок|бул\.|бульвар|б-р|ш\.|шоссе|наб\.|набережная|пл\.|площадь|мкр\.?|микрорайон|проезд|туп\.|тупик)`;
const CYRILLIC_TYPE_AFTER = String.raw`(?:проспект|улица|шоссе|бульвар|переулок|набережная|площадь|проезд|вулиця|провулок)`;
const CYRILLIC_WORD = String.raw`[\u0400-\u042F][\u0430-\u045F\u0400-\u042F'’-]*`;
const CYRILLIC_NAME = `${CYRILLIC_WORD}(?:[ \\t]+${CYRILLIC_WORD}){0,2}`;
// Repeated parts here are bounded ({0,8}): an unbounded repeat overflowed the regex engine's
// stack on a line of millions of characters (", кв. 5" repeated, "1동" repeated).
/** House ("д. 7", "буд. 22", "7/2", "7а"), then building, flat and office ("корп. 2", "кв. 12", "оф. 5"). */
const CYRILLIC_HOUSE = String.raw`,?[ \t]*(?:(?:д|дом|буд|б)\.?[ \t]*)?\d{1,4}[а-яА-Я]?(?:\/\d{1,3})?(?![\d])(?:,?[ \t]*(?:корп\.?|к\.|стр\.|кв\.|квартира|оф\.|офис|эт\.)[ \t]*\d{1,4}[а-я]?){0,8}`;
// A name before its type starts only at the first capital of its word: a later capital gives the same match, and trying each one read to the word's end, quadratic on a long run of capitals (64 KB of "Иван" unspaced: 0.47 s).
const CYRILLIC_NAME_START = String.raw`(?=[\u0400-\u042F])(?<![\u0400-\u042F][\u0430-\u045F'’-]*)`;
export const CYRILLIC_STREET = new RegExp(
  String.raw`(?:${CYRILLIC_TYPE_BEFORE}[ \t]*${CYRILLIC_NAME}|${CYRILLIC_NAME_START}${CYRILLIC_NAME}[ \t]+${CYRILLIC_TYPE_AFTER})${CYRILLIC_HOUSE}`,
  'g',
);
export const CYRILLIC_PRESENT = /[\u0400-\u04FF]/g;
/** The city (and postcode) written before the street: "Москва, ул. Арбат", "125009, г. Москва, ул. Тверская". */
const CYRILLIC_CITY_BEFORE = /(?:^|[^\u0400-\u04FF\d])((?:\d{5,6},?[ \t]*)?(?:(?:г|м|с|пос|смт)\.[ \t]*)?[\u0400-\u042F][\u0430-\u045F'’]+(?:-[\u0400-\u042F]?[\u0430-\u045F]+){0,8},[ \t]*)$/;

/** Start of a Cyrillic address whose street starts at `start`, with the city before it taken in. */
export function cyrillicStart(text: string, start: number): number {
  const city = CYRILLIC_CITY_BEFORE.exec(text.slice(Math.max(0, start - 48), start));
  return city === null ? start : start - city[1]!.length;
}

/**
 * Chinese (China Post, Chunghwa Post): province or city, district, road (路, 街, 道, 巷, 弄,
 * with a section 段), number with 号/號, then floor or room. The start is a province-level
 * name or a two- or three-character city before 市/省: a longer run would take in the words
 * before the address ("请寄到北京市…").
 */
const CHINESE_PROVINCE = '(?:北京|天津|上海|重庆|重慶|河北|山西|辽宁|遼寧|吉林|黑龙江|黑龍江|江苏|江蘇|浙江|安徽|福建|江西|山东|山東|河南|湖北|湖南|广东|廣東|海南|四川|贵州|貴州|云南|雲南|陕西|陝西|甘肃|甘肅|青海|台湾|臺灣|内蒙古|广西|廣西|西藏|宁夏|寧夏|新疆|香港|澳门|澳門|台北|臺北|新北|桃園|台中|臺中|台南|臺南|高雄)';
const HAN = '\u4e00-\u9fff';
export const CHINESE_ADDRESS = new RegExp(
  `(?:${CHINESE_PROVINCE}(?:省|市|自治区|特别行政区)?|[${HAN}]{2,3}(?:省|市))[${HAN}]{0,16}?(?:路|街|道|巷|弄|胡同)(?:[一二三四五六七八九十]+段)?[0-9０-９]{1,5}(?:[-－][0-9０-９]{1,4})?[号號](?:[0-9０-９]{1,4}(?:室|楼|樓|层|層|栋|棟)){0,8}`,
  'g',
);
/** Characters that end the words before an address ("寄到", "位于", "住在", "是"): not part of a city's name. */
const CHINESE_LEAD = /^[到在于於是址往寄送]+/;
export const CHINESE_NUMBER_SIGN = /[号號]/g;

/** Japan Post: 〒 postcode, prefecture, municipality (市区町村郡), then chōme-banchi-gō. */
const JAPANESE_PREFECTURE = `(?:東京都|北海道|(?:京都|大阪)府|[${HAN}]{2,3}県)`;
const JAPANESE_NUMBER = '(?:[0-9０-９]+|[一二三四五六七八九十]+)';
/** The postcode before the prefecture ("104-0061 東京都…") may be written in ASCII: up to this many characters before the address's first CJK one. */
export const JAPANESE_POSTCODE_LENGTH = 9;
export const JAPANESE_ADDRESS = new RegExp(
  `(?:〒?[0-9０-９]{3}[-－][0-9０-９]{4}[ \u3000]?)?${JAPANESE_PREFECTURE}[\u3005\u3040-\u30ff${HAN}]{1,20}?[市区町村郡][\u3005\u3040-\u30ff${HAN}]{0,12}?${JAPANESE_NUMBER}(?:(?:丁目|番地|番|号|[-－‐])${JAPANESE_NUMBER}?){1,4}`,
  'g',
);
export const JAPANESE_PREFECTURE_PRESENT = /[都道府県]/g;
/** Without the prefecture: a city or ward, the district, then chōme-banchi-gō with at least two parts ("渋谷区渋谷2-21-1"). */
export const JAPANESE_WARD_ADDRESS = new RegExp(
  `[${HAN}]{1,4}[市区][\u3005\u3040-\u30ff${HAN}]{0,12}?${JAPANESE_NUMBER}(?:(?:丁目|番地|番|号|[-－‐])${JAPANESE_NUMBER}){2,4}(?:号)?`,
  'g',
);
export const JAPANESE_WARD_PRESENT = /[市区]/g;

/**
 * Korea Post road-name addresses (도로명주소): province or metropolitan city, city/county/district
 * (시/군/구), optional town (읍/면), road (로/길) and building number, then dong/ho/floor.
 */
const KOREAN_REGION = '(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청북|충청남|충북|충남|전라북|전라남|전북|전남|경상북|경상남|경북|경남|제주)';
export const KOREAN_ADDRESS = new RegExp(
  String.raw`${KOREAN_REGION}[가-힣]{0,5}[ \t]+(?:[가-힣]{1,8}[시군구][ \t]+){1,2}(?:[가-힣]{1,8}[읍면][ \t]+)?[가-힣0-9]{1,12}(?:로|길)[ \t]*\d{1,4}(?:-\d{1,4})?(?![\d])(?:[ \t]*,?[ \t]*\d{1,4}(?:동|호|층)){0,8}`,
  'g',
);
export const HANGUL_PRESENT = /[\uAC00-\uD7A3]/g;

/** Start of a Chinese address once the words before it are trimmed. */
export function chineseStart(match: string, index: number): number {
  const lead = CHINESE_LEAD.exec(match);
  return lead === null ? index : index + lead[0].length;
}
