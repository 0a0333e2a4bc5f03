import { type CountryCode, Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';

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

/** One of libphonenumber's `numberFormat`s: how numbers starting with `leadingDigits` are printed. */
interface NationalFormat {
  readonly leadingDigits: RegExp | undefined;
  readonly pattern: RegExp;
  /** The pattern's captured groups printed together, per printed digit group: `$1 $2-$3` → [[1], [2], [3]]. */
  readonly printedGroups: readonly (readonly number[])[];
  /**
   * `national_prefix_formatting_rule` glues the trunk prefix to the first group (`0$1`), rather
   * than printing it apart (`8 ($1)`) or not at all (`($1)`, no rule).
   */
  readonly trunkGlued: boolean;
  /** The national form shows the trunk prefix and may not leave it out. */
  readonly trunkMandatory: boolean;
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
          const leading = format.leadingDigitsPatterns().at(-1); // the last one is the most precise
          const rule = format.nationalPrefixFormattingRule();
          return {
            leadingDigits: leading === undefined ? undefined : new RegExp(`^(?:${leading})`),
            pattern: new RegExp(`^(?:${format.pattern()})$`),
            printedGroups: printedGroupsOf(format.format()),
            trunkGlued: typeof rule === 'string' && /\d\$1/.test(rule),
            trunkMandatory: format.nationalPrefixIsMandatoryWhenFormattingInNationalFormat(),
          };
        }),
      };
    }
  }
  compiledPlans.set(country, plan);
  return plan;
}

/** `$1 $2-$3` → [[1], [2], [3]]; `$1$2 $3` → [[1, 2], [3]]. */
function printedGroupsOf(layout: string): number[][] {
  return layout.split(/[^$\d]+/).filter(Boolean).map((group) => [...group.matchAll(/\$(\d)/g)].map((reference) => Number(reference[1])));
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

/** `digits` as dialled inside `country` (trunk prefix included or not). */
function isValidNationalNumber(digits: string, country: CountryCode): boolean {
  const plan = compiledPlan(country);
  return plan !== null && nationalSignificantNumber(plan, digits) !== undefined;
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
}

/** How a national number is printed in its country, as libphonenumber's national format. */
export interface PrintedLayout {
  /** Lengths of the digit groups, trunk prefix included when it was written. */
  readonly groups: readonly number[];
  /** The national format shows the trunk prefix and may not leave it out. */
  readonly trunkMandatory: boolean;
}

/** The digit groups libphonenumber's national format prints the number in. */
export function printedLayout({ plan, nsn, trunkDigits }: NationalReading): PrintedLayout {
  const format = plan.formats.find((f) => (f.leadingDigits === undefined || f.leadingDigits.test(nsn)) && f.pattern.test(nsn));
  if (format === undefined) return { groups: [trunkDigits + nsn.length], trunkMandatory: false };
  const captured = format.pattern.exec(nsn) as RegExpExecArray;
  const groups = format.printedGroups.map((references) => references.reduce((sum, reference) => sum + (captured[reference]?.length ?? 0), 0));
  // A number written without its (optional) trunk prefix is printed without it.
  if (trunkDigits > 0 && format.trunkGlued) groups[0] = (groups[0] ?? 0) + trunkDigits;
  else if (trunkDigits > 0) groups.unshift(trunkDigits);
  return { groups, trunkMandatory: format.trunkMandatory };
}

/**
 * `digits` after the `+`: a calling code (prefix-free, 1–3 digits), then a number valid in one
 * of its countries. Like libphonenumber, a trunk prefix written after the code (`+43 0664 …`)
 * is tolerated.
 */
export function isValidInternationalNumber(digits: string): boolean {
  const callingCodes = metadataJson.country_calling_codes as Record<string, readonly string[] | undefined>;
  for (let length = 1; length <= 3; length++) {
    const countries = callingCodes[digits.slice(0, length)];
    if (countries === undefined) continue;
    const nsn = digits.slice(length);
    for (const country of countries) if (isValidNationalNumber(nsn, country as CountryCode)) return true;
    return false;
  }
  return false;
}
