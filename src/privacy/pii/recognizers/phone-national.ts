import type { CountryCode } from 'libphonenumber-js/core';
import type { Cue } from './phone-cues.js';
import { NAMED_REGIONS } from './phone-countries.js';
import { followsLayout, hasPrintedSeparators, printedLayout } from './phone-layout.js';
import { type CompiledPlan, type NationalReading, readAfterTrunk, readBare, readNational, RegionIndex } from './phone-metadata.js';

/**
 * Which countries a number written without +CC may belong to, and what it takes to believe it.
 *
 * A text rarely says which country its numbers are from, so every region below is tried and
 * the number is taken when it is valid in one of them *and written as that country writes
 * it*: libphonenumber's metadata gives each country's trunk prefix and national layout
 * (`030 1234567`, `(11) 94034-3508`, `8 (912) 345-67-89`). A number written with its trunk
 * prefix (`0…`, Russia's `8…`) has a telling start and may group the rest freely; one without
 * must break where the country's layout breaks, so that ids and references grouped
 * otherwise (`2023 0045 12`) are not taken for numbers of a permissive plan.
 *
 * `core`: the regions most common in English, European, Chinese, Japanese and Brazilian
 * training text, each with the shape its national numbers have (digits only): a cheap filter
 * that also refuses what libphonenumber leniently accepts (`12 34 56 78 90` is not a French
 * number without its trunk `0`). A formatted number of a core region needs no cue.
 *
 * The others' numbers written without their trunk prefix (Mexico, Chile, the Caribbean's
 * `(268) 464-1234`) are plans that accept most digit strings of their length: without a cue
 * they must be written exactly as the country's national format prints them, the same groups
 * and the same marks between them (`222 123 4567`, `(2) 2123 4567`, not `222-123-4567`), in a
 * writing the caller lets count (`written`: phone.ts refuses two groups and groups of one
 * length, `5123 4567`, `40 61 23 45`, `512 345 678`). That is weaker evidence (`layout`) than
 * the rest (`region`). So must the numbers of `cueOnly` core regions, whose shape is so plain
 * (any nine digits for Poland, ten or eleven for Brazil) that a grouping of their length is no
 * sign. A country named near the number (phone-countries.ts) is evidence of the same weight as
 * the layout for that country's numbers, of any region libphonenumber knows ("Our Singapore
 * office: 6123 4567").
 */
interface NationalRegion {
  readonly region: CountryCode;
  readonly shape: RegExp;
  /**
   * The lengths the first group of a number written without a trunk prefix may have: after
   * the area code or mobile prefix (libphonenumber's national layouts, and the common
   * "987-654-3210" for Indian mobiles besides "98765 43210"). A table rather than the layouts
   * looked up per number: these regions see most numbers, and their layouts' leading-digit
   * patterns are long regular expressions.
   */
  readonly firstGroups: readonly number[];
  readonly cueOnly?: boolean;
}

const CORE_REGIONS: readonly NationalRegion[] = [
  { region: 'US', shape: /^1?[2-9]\d{2}[2-9]\d{6}$/, firstGroups: [3] }, // NANP: area and exchange never start 0/1
  { region: 'CA', shape: /^1?[2-9]\d{2}[2-9]\d{6}$/, firstGroups: [3] }, // NANP too; libphonenumber keeps its area codes apart
  { region: 'GB', shape: /^0\d{9,10}$/, firstGroups: [] },
  { region: 'DE', shape: /^0[1-9]\d{5,12}$/, firstGroups: [] },
  { region: 'FR', shape: /^0[1-9]\d{8}$/, firstGroups: [] },
  { region: 'IN', shape: /^(?:0?[6-9]\d{9}|0[1-8]\d{9})$/, firstGroups: [5, 3] }, // mobiles are written without the 0
  { region: 'ES', shape: /^[6-9]\d{8}$/, firstGroups: [3] },
  { region: 'IT', shape: /^0\d{5,10}$/, firstGroups: [2, 3, 4] }, // the 0 of 02, 06, 0471 belongs to the number
  { region: 'IT', shape: /^3\d{8,9}$/, firstGroups: [3] }, // mobiles print "312 345 6789"; "32 51 45 82 68" are five numbers
  { region: 'AU', shape: /^0[2-478]\d{8}$/, firstGroups: [] },
  { region: 'CN', shape: /^(?:1[3-9]\d{9}|0[1-9]\d{8,10})$/, firstGroups: [3] }, // mobiles 1xx xxxx xxxx, fixed lines with trunk 0
  { region: 'JP', shape: /^0[1-9]\d{8,9}$/, firstGroups: [] },
  { region: 'BR', shape: /^0?[1-9]{2}(?:9\d{8}|[2-9]\d{7})$/, firstGroups: [2], cueOnly: true }, // (11) 94034-3508; also fits "12 34 56 78 90"
  { region: 'PL', shape: /^[1-9]\d{8}$/, firstGroups: [3, 2], cueOnly: true }, // 512 345 678, 12 345 67 89
];

// By population and presence in web text, Europe, the Americas, Asia and Africa, then the
// other NANP countries (their numbers have the US shape but not its area codes); the order
// only decides which is tried first.
const OTHER_REGIONS: readonly CountryCode[] = [
  'NL', 'BE', 'CH', 'AT', 'PT', 'SE', 'NO', 'DK', 'FI', 'IE', 'GR', 'CZ', 'SK', 'HU', 'RO', 'BG', 'HR', 'RS', 'SI', 'LT', 'LV', 'EE',
  'UA', 'RU', 'KZ', 'BY', 'TR', 'IL', 'SA', 'AE', 'QA', 'KW', 'JO', 'LB', 'EG', 'MA', 'DZ', 'TN', 'NG', 'GH', 'KE', 'UG', 'TZ', 'ZA',
  'MX', 'AR', 'CO', 'CL', 'PE', 'VE', 'EC', 'UY', 'KR', 'TW', 'HK', 'SG', 'MY', 'TH', 'ID', 'PH', 'VN', 'PK', 'BD', 'LK', 'NP', 'NZ', 'IR',
  'PR', 'DO', 'JM', 'TT', 'BS', 'BB', 'BM', 'KY', 'AG', 'AI', 'DM', 'GD', 'KN', 'LC', 'VC', 'VG', 'VI', 'GU', 'AS', 'MP', 'MS', 'SX', 'TC',
];

const OTHER_REGION_INDEX = new RegionIndex(OTHER_REGIONS);
const NAMED_REGION_INDEX = new RegionIndex(NAMED_REGIONS);
const MIN_NAMED_DIGITS = 8;
const NO_PLANS: readonly CompiledPlan[] = [];

/**
 * What makes digits written without +CC a phone number: `region`, valid in a region and
 * written as its numbers are (trunk prefix, area code, or a cue); `layout`, valid in a region
 * and written exactly as its national format prints them, and nothing else; `none`.
 */
export type NationalEvidence = 'region' | 'layout' | 'none';

/**
 * How `digits`, written in digit `groups` of these lengths, read as a national number of some
 * region. `written`: the number as written, when the writing could make it known by its layout
 * alone (undefined otherwise); `undotted`: written without dots, as a named country's numbers
 * must be.
 */
export function nationalEvidence(digits: string, groups: readonly number[], cue: Cue, written: string | undefined, undotted: boolean): NationalEvidence {
  let laidOut = false;
  for (const { region, shape, firstGroups, cueOnly } of CORE_REGIONS) {
    if (!shape.test(digits)) continue;
    const uncued = cueOnly === true && !cue.cued;
    if (uncued && written === undefined) continue;
    const reading = readNational(digits, region);
    if (reading === undefined) continue;
    if (uncued) {
      laidOut ||= isPrintedBare(reading, groups, written ?? '');
      continue;
    }
    // a trunk prefix glued to the area code ("0151 …") marks a number; one written apart
    // ("1-415-…") is followed by the number's own first group
    const trunkApart = reading.trunkDigits > 0 && groups[0] === reading.trunkDigits;
    if (reading.trunkDigits > 0 && !trunkApart) return 'region';
    const first = groups[trunkApart ? 1 : 0];
    if (groups.length === (trunkApart ? 2 : 1) || firstGroups.includes(first ?? 0)) return 'region';
  }
  // The other regions' numbers need their trunk prefix or a cue, or their exact layout: the
  // cue is looked for once, and only regions whose trunk prefix starts the digits are tried
  // with it.
  const { byTrunkStart, bare } = OTHER_REGION_INDEX.plansFor(digits.length);
  for (const plan of byTrunkStart.get(digits[0] ?? '') ?? NO_PLANS) {
    const reading = readAfterTrunk(plan, digits);
    if (reading === undefined) continue;
    if (groups.length === 1 || cue.cued || followsLayout(groups, printedLayout(reading).groups, false)) return 'region';
  }
  if (cue.cued) {
    for (const plan of bare) {
      const reading = readBare(plan, digits);
      if (reading === undefined) continue;
      const layout = printedLayout(reading);
      if (!layout.trunkMandatory && followsLayout(groups, layout.groups, false)) return 'region';
    }
    return namedCountryEvidence(digits, groups, cue, undotted);
  }
  if (laidOut) return 'layout';
  if (written !== undefined) {
    for (const plan of OTHER_REGION_INDEX.plansPrinting(groups)) {
      const reading = readBare(plan, digits);
      if (reading !== undefined && isPrintedBare(reading, groups, written)) return 'layout';
    }
  }
  return groups.length > 1 && undotted ? namedCountryEvidence(digits, groups, cue, undotted) : 'none';
}

/**
 * A number of a country named near it ("Our Singapore office: 6123 4567", "København: 32 14 28
 * 97"): valid there; after a cue, in any grouping (the cue already says it is a phone), or
 * without one, written without its trunk prefix in exactly the groups of its national format,
 * and without dots. The country's name alone is weaker evidence than a cue (`layout`).
 */
function namedCountryEvidence(digits: string, groups: readonly number[], cue: Cue, undotted: boolean): NationalEvidence {
  const cued = cue.cued;
  // Without a cue, eight digits or more (seven are as often a postcode or a count: "771-5821",
  // "200 1521") in a grouping some named country prints: the names are looked for near few numbers.
  if (!cued && (!undotted || digits.length < MIN_NAMED_DIGITS || NAMED_REGION_INDEX.plansPrinting(groups).length === 0)) return 'none';
  for (const region of cue.countries) {
    const reading = readNational(digits, region);
    if (reading === undefined) continue;
    const layout = printedLayout(reading);
    if (cued) {
      if (reading.trunkDigits > 0 || !layout.trunkMandatory) return 'region';
    } else if (reading.trunkDigits === 0 && !layout.trunkMandatory && followsLayout(groups, layout.groups, true)) return 'layout';
  }
  return 'none';
}

/** A number written without a trunk prefix exactly as its national format prints it: the same groups, the same marks between them. */
function isPrintedBare(reading: NationalReading, groups: readonly number[], written: string): boolean {
  if (reading.trunkDigits > 0) return false;
  const layout = printedLayout(reading);
  return !layout.trunkMandatory && followsLayout(groups, layout.groups, true) && hasPrintedSeparators(written, layout);
}
