/**
 * How the phone numbers the `synthetic` operator fakes are read: which prefix comes before a
 * UK or NANP ten-digit national number, and which countries (beyond those two) have numbers
 * reserved for fiction. Shared by the fakes (synthetic-values.ts) and by what makes two
 * spellings of a number one value (value-keys.ts), which must read a number alike.
 */

/**
 * Countries whose regulator reserves numbers for fiction, beyond NANP and the UK, reached
 * from a number written with its country code (a national number alone does not say which
 * country it is in). Each fake is a whole national number (without the trunk 0).
 *
 * - Germany: the Bundesnetzagentur's drama numbers (Amtsblatt 7/2021, Mitteilung 148/2021):
 *   1,000 in each of Berlin (30) 23125, Frankfurt (69) 90009, Hamburg (40) 66969, Köln
 *   (221) 4710 and München (89) 99998; a number in one of those areas stays in it.
 * - Australia: ACMA's fictitious numbers for radio, books, film and TV: (0X) 5550 xxxx and
 *   (0X) 7010 xxxx in the four geographic areas 2, 3, 7 and 8 (its five mobile numbers are too
 *   few to keep different people apart); a number in one of those areas stays in it.
 */
export const RESERVED_PLANS: ReadonlyArray<ReservedPlan> = [
  { countryCode: '49', subscriberDigits: 3, blocks: [{ area: '30', block: '23125' }, { area: '69', block: '90009' }, { area: '40', block: '66969' }, { area: '221', block: '4710' }, { area: '89', block: '99998' }] },
  { countryCode: '61', subscriberDigits: 4, blocks: ['2', '3', '7', '8'].flatMap((area) => [{ area, block: '5550' }, { area, block: '7010' }]) },
];

export interface ReservedPlan {
  countryCode: string;
  /** The national number of a fake: an area code, a reserved block in it, then this many digits. */
  subscriberDigits: number;
  blocks: ReadonlyArray<{ area: string; block: string }>;
}

/** A number written with a country code that RESERVED_PLANS covers: `+CC`, `00CC`, with or without the trunk 0 (`+49 (0)30 …`). */
export function reservedPlanParts(value: string): { plan: ReservedPlan; exit: string; trunk: string; national: string } | undefined {
  const digits = value.replace(/\D/g, '');
  const exit = value.trimStart().startsWith('+') ? '' : digits.startsWith('00') ? '00' : undefined;
  if (exit === undefined) return undefined;
  const rest = digits.slice(exit.length);
  const plan = RESERVED_PLANS.find((p) => rest.startsWith(p.countryCode));
  if (plan === undefined) return undefined;
  const afterCode = rest.slice(plan.countryCode.length);
  const trunk = afterCode.startsWith('0') ? '0' : '';
  return { plan, exit, trunk, national: afterCode.slice(trunk.length) };
}

/**
 * The digits before a UK ten-digit national number: +44, +44 (0) or 0044. Not the trunk 0 alone:
 * eleven digits after a 0 are a national number in Japan (090-1234-5678), Germany (030
 * 12345678) and elsewhere too, and an Ofcom drama number laid out in their format (020-7946-0218)
 * is a real number where it is read. A national number that does not say its country gets a
 * NANP fictional number with its +1 (syntheticPhone), fictional wherever it is read.
 */
export function ukPrefix(digits: string, international: boolean): string | undefined {
  if (international) {
    if (digits.length === 12 && digits.startsWith('44')) return '44';
    if (digits.length === 13 && digits.startsWith('440')) return '440';
    return undefined;
  }
  if (digits.length === 14 && digits.startsWith('0044')) return '0044';
  return undefined;
}

/**
 * The digits before a NANP ten-digit number: none, the country code 1, or 001 from abroad.
 * Without `+` or 001 the number must also have NANP's shape, an area code and an exchange
 * each starting 2-9: eleven digits from 1 are a Chinese mobile too (`138 0013 8000`, exchange
 * 013), and a 555-01xx fake laid out as one (`1AA A555 01xx`) can be a live number there; such a
 * number gets the NANP fallback with its +1 instead. A ten-digit number of NANP's shape from
 * another country (an Indian mobile) cannot be told apart, and is read as NANP.
 */
export function nanpPrefix(digits: string, international: boolean): string | undefined {
  if (digits.length === 11 && digits.startsWith('1')) return international || NANP_SHAPE.test(digits.slice(1)) ? '1' : undefined;
  if (international) return undefined;
  if (digits.length === 10) return NANP_SHAPE.test(digits) ? '' : undefined;
  if (digits.length === 13 && digits.startsWith('001')) return '001';
  return undefined;
}

/** NXX-NXX-XXXX: area code and exchange both start 2-9. */
const NANP_SHAPE = /^[2-9]\d\d[2-9]/;
