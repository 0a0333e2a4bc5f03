import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';
import { endsPart, extendHead, extendTail, type Tail } from './address-parts.js';
import {
  CHINESE_ADDRESS,
  CHINESE_NUMBER_SIGN,
  chineseStart,
  CYRILLIC_PRESENT,
  CYRILLIC_STREET,
  cyrillicStart,
  firstOtherScript,
  HANGUL_PRESENT,
  JAPANESE_ADDRESS,
  JAPANESE_POSTCODE_LENGTH,
  JAPANESE_PREFECTURE_PRESENT,
  JAPANESE_WARD_ADDRESS,
  JAPANESE_WARD_PRESENT,
  KOREAN_ADDRESS,
} from './address-scripts.js';
import { ADDRESS_SCAN, STREET_MAY_FOLLOW_GROUP, STREET_MAY_PRECEDE_GROUP } from './address-scan.js';
import { firstAddress, type Street } from './address-streets.js';
import { windowStart } from './address-window.js';
import { LETTER, WORD } from './address-words.js';

/**
 * Street addresses of many countries, by pattern. No installed package parses addresses offline
 * (libpostal needs a 2 GB model), so the layouts are written here, from the postal authorities'
 * formats and Google's libaddressinput region data (street types in address-words.ts, the scan
 * for candidates in address-scan.ts, layouts in address-streets.ts, the parts around a street in
 * address-parts.ts):
 *
 * 1. Every number that may be a house number is tried against the street layouts: number
 *    first ("4500 N. Lincoln Avenue", "12 rue de la Paix"), number after a typed street ("Via
 *    Roma 12", "Hauptstraße 5", "Andrássy út 12", "Jl. Sudirman No. 5"), an untyped street
 *    with a postcode after it ("Damrak 1, 1012 LG Amsterdam"), a building or plot first
 *    ("Flat 12B, …", "House No. 7, …"), a PO box, a Colombian grid address ("Calle 93 # 11-26").
 * 2. The units and buildings before the street and the units, localities, postcodes, states and
 *    countries after it are taken in, over commas, dashes and line breaks, so the span is the
 *    whole address.
 * 3. A typed street without a number counts only with a locality after it ("Kimathi Street, Nairobi").
 * 4. Cyrillic, Chinese, Japanese and Korean addresses have their own patterns (address-scripts.ts).
 *
 * Anchoring on numbers keeps the scan to one pass over the text's digits. The earlier design, one
 * regex scan per layout with lookbehinds anchored on spaces, was measured three times slower on
 * prose (NIST SP 800-53, MITRE ATLAS, the deepset prompts) and as fast on PII-dense text.
 */

const SCORE_WITH_POSTCODE = 0.95;
const SCORE_WITH_LOCALITY_OR_UNIT = 0.9;
const SCORE_STREET_LINE = 0.85;
const SCORE_STREET_WITHOUT_NUMBER = 0.7;
const RECOGNIZER = 'address.pattern';

/** Words that name a street in the parts after a building ("Flat 12B, Green Park Apartments, 5th Cross Road, …"). */
const STREET_WORD = /(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Boulevard|Blvd|Crescent|Close|Way|Marg|Cross|Main|Jalan|Jl|Calle|Rua|Via)\b/;

function push(out: Finding[], start: number, end: number, score: number): void {
  out.push({ start, end, type: 'address', score, recognizer: RECOGNIZER });
}

/** The whole address around a street, or null when the layout needs more than was written. */
function complete(text: string, street: Street): { start: number; end: number; score: number } | null {
  const tail: Tail = extendTail(text, street.end);
  const hasTail = tail.parts > 0;
  if (street.needsTail && !hasTail) return null;
  if (street.layout === 'building-first') {
    // A building number alone, or with a list after it ("Unit 3, Unit 4"), is not an address.
    if (tail.parts < 2 || !(tail.postcode || STREET_WORD.test(text.slice(street.end, tail.end)))) return null;
  }
  // Without a type word only the postcode and city, or a district, make it an address.
  if (street.layout === 'postcode-anchored' && !tail.postcode) return null;
  if (street.layout === 'untyped-number-first' && !tail.district) return null;
  if (street.needsPartEnd === true && !endsPart(text, tail.end)) return null;
  const start = extendHead(text, street.start, street.layout === 'number-first' || street.layout === 'untyped-number-first' || street.layout === 'lower-case');
  const score = tail.postcode ? SCORE_WITH_POSTCODE : hasTail || start < street.start ? SCORE_WITH_LOCALITY_OR_UNIT : SCORE_STREET_LINE;
  return { start, end: tail.end, score };
}

const COMMA = 44;
/** Code units from here up are the other scripts' (address-scripts.ts); digits and commas lie below. */
const FIRST_OTHER_SCRIPT = 0x400;

interface ScanResult {
  /** The commas after typed streets without a number, looked at once all numbered addresses are known. */
  typeCommas: number[] | null;
  /** Where the text's first Cyrillic, CJK or Hangul character is, or -1. */
  otherScriptAt: number;
}

/** The numbered addresses, in order, from the address scan (address-scan.ts), and what else the scan met. */
function findNumbered(text: string, out: Finding[]): ScanResult {
  const result: ScanResult = { typeCommas: null, otherScriptAt: -1 };
  ADDRESS_SCAN.lastIndex = 0;
  for (let match = ADDRESS_SCAN.exec(text); match !== null; match = ADDRESS_SCAN.exec(text)) {
    const index = match.index;
    const code = text.charCodeAt(index);
    if (code >= FIRST_OTHER_SCRIPT) {
      if (result.otherScriptAt < 0) result.otherScriptAt = index;
      continue;
    }
    if (code === COMMA) {
      (result.typeCommas ??= []).push(index);
      continue;
    }
    let end = index + 1;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    ADDRESS_SCAN.lastIndex = end;
    const streetMayFollow = match[STREET_MAY_FOLLOW_GROUP] !== undefined;
    const streetMayPrecede = match[STREET_MAY_PRECEDE_GROUP] !== undefined;
    const address = firstAddress(text, index, end, streetMayFollow, streetMayPrecede, complete);
    if (address === null) continue;
    push(out, address.start, address.end, address.score);
    // Numbers inside the address (unit, postcode) are not tried again; nor are its commas, which it covers.
    if (result.otherScriptAt < 0) result.otherScriptAt = firstOtherScript(text, end, address.end);
    ADDRESS_SCAN.lastIndex = Math.max(end, address.end);
  }
  return result;
}

/** Its name: up to three capitalised words before the type ("Adetokunbo Ademola Crescent", "King Fahd Road"). */
const UNNUMBERED_NAME = new RegExp(`(?:^|[^${LETTER}\\d'’.-])(${WORD}(?:[ \\t]+${WORD}){0,2})[ \\t]+\\S+$`);
/** Runs of spaces in UNNUMBERED_NAME after its boundary: two between the name words, one before the type. */
const UNNUMBERED_NAME_RUNS = 3;
const UNNUMBERED_LOOKBACK = 64;

/** A typed street without a number, with the locality after it ("Kimathi Street, Kilimani, Nairobi"), ending at each of `typeCommas`. */
function findStreetWithoutNumber(text: string, typeCommas: number[], out: Finding[]): void {
  // The numbered addresses are found first, in order: a street inside one of them is not looked at again.
  let covered = 0;
  for (const typeEnd of typeCommas) {
    while (covered < out.length && out[covered]!.end <= typeEnd) covered++;
    if (covered < out.length && out[covered]!.start <= typeEnd) continue;
    const name = UNNUMBERED_NAME.exec(text.slice(windowStart(text, typeEnd, UNNUMBERED_NAME_RUNS, UNNUMBERED_LOOKBACK), typeEnd));
    if (name === null) continue;
    const nameStart = typeEnd - name[0].length + name[0].indexOf(name[1]!);
    // A number before the name is the number-first layout, which declined it ("top 10 Park Avenue, …").
    if (/\d[ \t,]*$/.test(text.slice(Math.max(0, nameStart - 3), nameStart))) continue;
    const tail = extendTail(text, typeEnd);
    if (tail.parts === 0) continue;
    const start = extendHead(text, nameStart, false);
    push(out, start, tail.end, tail.postcode ? SCORE_WITH_LOCALITY_OR_UNIT : SCORE_STREET_WITHOUT_NUMBER);
  }
}

/** The first character of `script` (a global pattern of one character) at or after `from`, or -1. */
function firstOf(script: RegExp, text: string, from: number): number {
  script.lastIndex = from;
  return script.test(text) ? script.lastIndex - 1 : -1;
}

/**
 * The addresses in other scripts, none of which starts before `from`, the text's first Cyrillic,
 * CJK or Hangul character, nor a Cyrillic or Korean one before its script's first character (a
 * Japanese one no more than a postcode before `from`): each pattern and test starts there, where
 * searching the whole text took 8% of the recognizer's time on prose.
 */
function findOtherScripts(text: string, from: number, out: Finding[]): void {
  const cyrillic = firstOf(CYRILLIC_PRESENT, text, from);
  if (cyrillic >= 0) {
    CYRILLIC_STREET.lastIndex = cyrillic;
    for (let match = CYRILLIC_STREET.exec(text); match !== null; match = CYRILLIC_STREET.exec(text)) {
      const tail = extendTail(text, match.index + match[0].length);
      const start = cyrillicStart(text, extendHead(text, match.index, false));
      push(out, start, tail.end, tail.postcode ? SCORE_WITH_POSTCODE : SCORE_WITH_LOCALITY_OR_UNIT);
    }
  }
  if (firstOf(CHINESE_NUMBER_SIGN, text, from) >= 0) {
    CHINESE_ADDRESS.lastIndex = from;
    for (let match = CHINESE_ADDRESS.exec(text); match !== null; match = CHINESE_ADDRESS.exec(text)) {
      push(out, chineseStart(match[0], match.index), match.index + match[0].length, SCORE_WITH_POSTCODE);
    }
  }
  if (firstOf(JAPANESE_PREFECTURE_PRESENT, text, from) >= 0) {
    JAPANESE_ADDRESS.lastIndex = Math.max(0, from - JAPANESE_POSTCODE_LENGTH);
    for (let match = JAPANESE_ADDRESS.exec(text); match !== null; match = JAPANESE_ADDRESS.exec(text)) {
      push(out, match.index, match.index + match[0].length, SCORE_WITH_POSTCODE);
    }
  }
  if (firstOf(JAPANESE_WARD_PRESENT, text, from) >= 0) {
    JAPANESE_WARD_ADDRESS.lastIndex = from;
    for (let match = JAPANESE_WARD_ADDRESS.exec(text); match !== null; match = JAPANESE_WARD_ADDRESS.exec(text)) {
      push(out, match.index, match.index + match[0].length, SCORE_WITH_LOCALITY_OR_UNIT);
    }
  }
  const hangul = firstOf(HANGUL_PRESENT, text, from);
  if (hangul >= 0) {
    KOREAN_ADDRESS.lastIndex = hangul;
    for (let match = KOREAN_ADDRESS.exec(text); match !== null; match = KOREAN_ADDRESS.exec(text)) {
      push(out, match.index, match.index + match[0].length, SCORE_WITH_POSTCODE);
    }
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

export const addressRecognizer: Recognizer = {
  name: RECOGNIZER,
  type: 'address',
  contextWords: ['address', 'street', 'lives', 'live', 'located', 'ship', 'deliver', 'mail', 'adresse', 'dirección', 'indirizzo', 'endereço', 'adres', '住所'],
  negativeContextWords: ['chapter', 'version', 'page', 'episode', 'price', 'order'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    const { typeCommas, otherScriptAt } = findNumbered(text, findings);
    if (typeCommas !== null) findStreetWithoutNumber(text, typeCommas, findings);
    if (otherScriptAt >= 0) findOtherScripts(text, otherScriptAt, findings);
    return findings.length > 1 ? longestFirst(findings) : findings;
  },
};
