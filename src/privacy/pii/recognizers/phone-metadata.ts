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
interface CompiledPlan {
  /** `national_prefix_for_parsing`, anchored: the trunk prefix (and carrier codes) to strip. */
  readonly nationalPrefix: RegExp | undefined;
  readonly nationalPrefixTransform: string | undefined;
  readonly general: RegExp;
  readonly anyType: RegExp;
}

/** Accessors the core `Metadata` numbering plans have at run time but its .d.ts leaves out. */
interface NumberingPlanPatterns {
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  type(type: string): { pattern(): string | undefined } | undefined;
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
      };
    }
  }
  compiledPlans.set(country, plan);
  return plan;
}

function isValidNationalSignificantNumber(plan: CompiledPlan, nsn: string): boolean {
  return plan.general.test(nsn) && plan.anyType.test(nsn);
}

/** `digits` as dialled inside `country` (trunk prefix included or not). */
export function isValidNationalNumber(digits: string, country: CountryCode): boolean {
  const plan = compiledPlan(country);
  if (plan === null) return false;
  const prefix = plan.nationalPrefix?.exec(digits);
  if (prefix) {
    const stripped =
      plan.nationalPrefixTransform !== undefined && prefix[1] !== undefined
        ? digits.replace(plan.nationalPrefix as RegExp, plan.nationalPrefixTransform)
        : digits.slice(prefix[0].length);
    if (isValidNationalSignificantNumber(plan, stripped)) return true;
  }
  return isValidNationalSignificantNumber(plan, digits);
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
