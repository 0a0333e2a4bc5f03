import { type CountryCode, Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import { compileFormat, mayPrintInGroups, type NationalFormat } from './phone-layout.js';

/**
 * Validity of a number against libphonenumber's full ("max") metadata, as its `isValid()`
 * decides it: the national significant number matches the country's general pattern and the
 * pattern of one number type (fixed line, mobile, toll free, …).
 *
 * Why not `parsePhoneNumberFromString(…).isValid()` itself: it builds a `new RegExp` from the
 * metadata strings on every check (`helpers/matchesEntirely.js`), measured at 60–180 µs per call
 * and ~93% of the recognizer's time, i.e. ~3 MB/s on PII-dense text. Compiling each country's
 * patterns once gives the same answers (test/…/phone.test.ts compares them with
 * `isValidPhoneNumber`) at the cost of one precompiled regex test each.
 */
export interface CompiledPlan {
  /** `national_prefix_for_parsing`, anchored: the trunk prefix (and carrier codes) to strip. */
  readonly nationalPrefix: RegExp | undefined;
  readonly nationalPrefixTransform: string | undefined;
  readonly general: RegExp;
  readonly anyType: RegExp;
  /** Lengths of the national significant number. */
  readonly lengths: ReadonlySet<number>;
  /** The trunk prefix dialled before national numbers (`0`, Russia's `8`, NANP's `1`), if any. */
  readonly trunkPrefix: string | undefined;
  readonly formats: readonly NationalFormat[];
}

/** Accessors the core `Metadata` numbering plans have at run time but its .d.ts leaves out. */
interface NumberingPlanPatterns {
  nationalNumberPattern(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  possibleLengths(): number[];
  type(type: string): { pattern(): string | undefined } | undefined;
  formats(): {
    pattern(): string;
    format(): string;
    leadingDigitsPatterns(): string[];
    nationalPrefixFormattingRule(): string | 0 | undefined;
    nationalPrefixIsMandatoryWhenFormattingInNationalFormat(): boolean;
  }[];
}

const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOICEMAIL', 'UAN', 'PAGER', 'VOIP', 'SHARED_COST'];
const metadata = new Metadata(metadataJson);
const compiledPlans = new Map<string, CompiledPlan | null>();

function compiledPlan(country: string): CompiledPlan | null {
  let plan = compiledPlans.get(country);
  if (plan !== undefined) return plan;
  plan = null;
  if (country !== '001' && (metadataJson.countries as Record<string, unknown>)[country] !== undefined) {
    metadata.selectNumberingPlan(country as CountryCode);
    const patterns = metadata.numberingPlan as unknown as NumberingPlanPatterns;
    const typePatterns = NUMBER_TYPES.map((type) => patterns.type(type)?.pattern()).filter((p): p is string => p !== undefined);
    if (typePatterns.length > 0) {
      const prefix = patterns.nationalPrefixForParsing();
      plan = {
        nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
        nationalPrefixTransform: patterns.nationalPrefixTransformRule() || undefined,
        general: new RegExp(`^(?:${patterns.nationalNumberPattern()})$`),
        anyType: new RegExp(`^(?:${typePatterns.join('|')})$`),
        lengths: new Set(patterns.possibleLengths()),
        trunkPrefix: patterns.nationalPrefix() || undefined,
        formats: patterns.formats().map((format) => {
          const rule = format.nationalPrefixFormattingRule();
          return compileFormat({
            pattern: format.pattern(),
            format: format.format(),
            leadingDigits: format.leadingDigitsPatterns().at(-1), // the last one is the most precise
            rule: typeof rule === 'string' ? rule : undefined,
            trunkMandatory: format.nationalPrefixIsMandatoryWhenFormattingInNationalFormat(),
          });
        }),
      };
    }
  }
  compiledPlans.set(country, plan);
  return plan;
}

function isValidNationalSignificantNumber(plan: CompiledPlan, nsn: string): boolean {
  return plan.general.test(nsn) && plan.anyType.test(nsn);
}

/** The national significant number after the trunk prefix (and carrier code) that `digits` start with, if valid. */
function afterTrunkPrefix(plan: CompiledPlan, digits: string): string | undefined {
  const prefix = plan.nationalPrefix?.exec(digits);
  if (!prefix) return undefined;
  const stripped =
    plan.nationalPrefixTransform !== undefined && prefix[1] !== undefined
      ? digits.replace(plan.nationalPrefix as RegExp, plan.nationalPrefixTransform)
      : digits.slice(prefix[0].length);
  return isValidNationalSignificantNumber(plan, stripped) ? stripped : undefined;
}

/** The national significant number inside `digits` as dialled inside the country, or undefined when not valid there. */
function nationalSignificantNumber(plan: CompiledPlan, digits: string): string | undefined {
  return afterTrunkPrefix(plan, digits) ?? (isValidNationalSignificantNumber(plan, digits) ? digits : undefined);
}

/** Digits read as a national number of one country. */
export interface NationalReading {
  readonly plan: CompiledPlan;
  readonly nsn: string;
  /** Digits written before the national significant number: the trunk prefix (`0`, `8`, NANP `1`). */
  readonly trunkDigits: number;
}

/** `digits` as a valid national number of `country` (trunk prefix written or not), or undefined. */
export function readNational(digits: string, country: CountryCode): NationalReading | undefined {
  const plan = compiledPlan(country);
  return plan === null ? undefined : readWithPlan(plan, digits);
}

/** `digits` as a valid national number of the plan's country, or undefined. */
function readWithPlan(plan: CompiledPlan, digits: string): NationalReading | undefined {
  const nsn = nationalSignificantNumber(plan, digits);
  return nsn === undefined ? undefined : { plan, nsn, trunkDigits: Math.max(0, digits.length - nsn.length) };
}

/** `digits` as a valid national number written with the plan's trunk prefix, or undefined. */
export function readAfterTrunk(plan: CompiledPlan, digits: string): NationalReading | undefined {
  const nsn = afterTrunkPrefix(plan, digits);
  return nsn === undefined ? undefined : { plan, nsn, trunkDigits: Math.max(1, digits.length - nsn.length) };
}

/** `digits` as a valid national significant number of the plan's country (no trunk prefix), or undefined. */
export function readBare(plan: CompiledPlan, digits: string): NationalReading | undefined {
  return isValidNationalSignificantNumber(plan, digits) ? { plan, nsn: digits, trunkDigits: 0 } : undefined;
}

/** The regions a national number of one length may belong to, by how it would be written. */
export interface PlansOfLength {
  /** By the first digit of their trunk prefix: numbers written with it. */
  readonly byTrunkStart: ReadonlyMap<string, readonly CompiledPlan[]>;
  /** Plans whose national significant numbers have this length: numbers written without a trunk prefix. */
  readonly bare: readonly CompiledPlan[];
}

/**
 * The plans of a list of regions by the lengths their written national numbers can have (a
 * trunk prefix of up to two digits included), so that a candidate is validated only against
 * the regions where its length and first digit are possible: most candidates meet no regular
 * expression at all.
 */
export class RegionIndex {
  readonly #regions: readonly CountryCode[];
  readonly #byLength = new Map<number, PlansOfLength>();
  readonly #byGroups = new Map<number, readonly CompiledPlan[]>();

  constructor(regions: readonly CountryCode[]) {
    this.#regions = regions;
  }

  plansFor(length: number): PlansOfLength {
    let plans = this.#byLength.get(length);
    if (plans === undefined) {
      const byTrunkStart = new Map<string, CompiledPlan[]>();
      const bare: CompiledPlan[] = [];
      for (const region of this.#regions) {
        const plan = compiledPlan(region);
        if (plan === null) continue;
        if (plan.lengths.has(length)) bare.push(plan);
        const trunk = plan.trunkPrefix;
        if (trunk !== undefined && [1, 2, 3].some((trunkLength) => plan.lengths.has(length - trunkLength))) {
          const start = trunk[0] as string;
          byTrunkStart.set(start, [...(byTrunkStart.get(start) ?? []), plan]);
        }
      }
      plans = { byTrunkStart, bare };
      this.#byLength.set(length, plans);
    }
    return plans;
  }

  /**
   * The plans one of whose national formats may print a number without its trunk prefix in
   * digit groups of these lengths: known from the formats' patterns, once per grouping, so that
   * a number's layout is checked against a few plans rather than every plan of its length.
   */
  plansPrinting(groups: readonly number[]): readonly CompiledPlan[] {
    // a number per grouping (groups of up to 15 digits, base 16): no string built per candidate
    let key = groups.length;
    for (const group of groups) key = key * 16 + group;
    let plans = this.#byGroups.get(key);
    if (plans === undefined) {
      const length = groups.reduce((sum, group) => sum + group, 0);
      plans = this.plansFor(length).bare.filter((plan) => plan.formats.some((format) => mayPrintInGroups(format, groups)));
      this.#byGroups.set(key, plans);
    }
    return plans;
  }
}

const countriesByCallingCode = new Map<number, readonly CountryCode[]>(
  Object.entries(metadataJson.country_calling_codes).map(([code, countries]) => [Number(code), countries as CountryCode[]]),
);
/** The plans of a calling code's countries, compiled on first use. */
const plansByCallingCode = new Map<number, readonly CompiledPlan[]>();

/**
 * The plans of the countries sharing `callingCode`, or undefined when no country has it. Keyed
 * by number: a candidate's first digits are looked up without slicing them, and numeric-looking
 * keys of a plain object ("44") would deoptimize the lookup.
 */
function plansOfCallingCode(callingCode: number): readonly CompiledPlan[] | undefined {
  let plans = plansByCallingCode.get(callingCode);
  if (plans === undefined) {
    const countries = countriesByCallingCode.get(callingCode);
    if (countries === undefined) return undefined;
    plans = countries.map(compiledPlan).filter((plan): plan is CompiledPlan => plan !== null);
    plansByCallingCode.set(callingCode, plans);
  }
  return plans;
}

/**
 * `digits` after the `+`: a calling code (prefix-free, 1–3 digits), then a number valid in one
 * of its countries. Like libphonenumber, a trunk prefix written after the code (`+43 0664 …`)
 * is tolerated.
 */
export function isValidInternationalNumber(digits: string): boolean {
  if (digits.charCodeAt(0) === 0x30) return false; // no calling code starts with 0
  let callingCode = 0;
  for (let length = 1; length <= 3 && length < digits.length; length++) {
    callingCode = callingCode * 10 + digits.charCodeAt(length - 1) - 0x30;
    const plans = plansOfCallingCode(callingCode);
    if (plans === undefined) continue;
    const nsn = digits.slice(length);
    for (const plan of plans) if (nationalSignificantNumber(plan, nsn) !== undefined) return true;
    return false;
  }
  return false;
}
