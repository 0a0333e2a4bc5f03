import { createHmac } from 'node:crypto';
import { Faker, ar, base, de, el, en, en_IN, es, fr, he, it, ja, ko, ne, ru, th, zh_CN, type LocaleDefinition, type Randomizer } from '@faker-js/faker';
import { invalidInput } from '../../../core/errors.js';
import type { EntityType } from '../entity-types.js';
import { typeTag, type SyntheticOperator } from './operators.js';
import { canonicalIp } from './ip-canonical.js';
import { MRZ_LINE_2, MRZ_NAME, mrzLine2, mrzName } from './mrz-line.js';
import { nanpPrefix, reservedPlanParts, ukPrefix, type ReservedPlan } from './phone-plans.js';
import { syntheticApiKey } from './synthetic-api-keys.js';
import { valueKey } from './value-keys.js';

/**
 * Realistic, format-valid fakes for the `synthetic` redaction operator, one generator per
 * entity type. Every choice is drawn from HMAC-SHA256(seed, type \0 key), where the key is the
 * value normalised ({@link valueKey}: `4111 1111 1111 1111` and `4111111111111111` are one
 * card), so under one seed the same value always gets the same fake however it is written
 * (joins and repeated mentions stay coherent), laid out as each occurrence is; another seed
 * gives other fakes, and nothing depends on Math.random. The seed is a secret: whoever holds it
 * can tabulate the fakes of every small-domain value (all SSNs, say).
 *
 * Fakes come from ranges that can never belong to anyone: reserved example domains, fictional
 * phone ranges, processors' test card ranges, documentation IP blocks, never-issued SSNs.
 */

/**
 * A deterministic stream of choices read four bytes at a time. The first block is
 * HMAC-SHA256(seed, message) itself (one HMAC covers most fakes); further blocks chain as in
 * HKDF-Expand (RFC 5869) with that block as the key: T(i) = HMAC(T(1), T(i-1) || [i]^4).
 */
export class SyntheticDraws {
  readonly #prk: Buffer;
  #block: Buffer;
  #counter = 1;
  #position = 0;

  /** `attempt` > 0 draws a fresh stream for the same value (a retry when a fake equals its input). */
  constructor(seed: Uint8Array, message: string, attempt = 0) {
    const hmac = createHmac('sha256', seed).update(message, 'utf8');
    if (attempt > 0) hmac.update(`\0${attempt}`);
    this.#prk = hmac.digest();
    this.#block = this.#prk;
  }

  /** A uniform integer in [0, n), by rejection so small ranges carry no modulo bias. */
  int(n: number): number {
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const word = this.#word();
      if (word < limit) return word % n;
    }
  }

  /** A uniform fraction in [0, 1) with 53 bits, for faker's Randomizer. */
  fraction(): number {
    return (this.#word() * 0x20_0000 + (this.#word() >>> 11)) / 2 ** 53;
  }

  pick<T>(items: ArrayLike<T>): T {
    return items[this.int(items.length)]!;
  }

  digit(): string {
    return String(this.int(10));
  }

  #word(): number {
    if (this.#position + 4 > this.#block.length) this.#refill();
    const word = this.#block.readUInt32BE(this.#position);
    this.#position += 4;
    return word;
  }

  #refill(): void {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.#counter);
    this.#block = createHmac('sha256', this.#prk).update(this.#block).update(counter).digest();
    this.#position = 0;
  }
}

export type SyntheticGenerator = (value: string, draws: SyntheticDraws) => string;

/** How often a fake equal to its input is drawn again before giving up on fakes (it practically never repeats twice). */
const MAX_ATTEMPTS = 8;

/** The `synthetic` redaction operator under `seed` (a secret of at least 128 bits, or the fakes of small domains could be tabulated). */
export function syntheticOperator(seed: Uint8Array): SyntheticOperator {
  if (seed.length < MIN_SEED_BYTES) throw invalidInput(`a synthetic seed needs at least ${MIN_SEED_BYTES} bytes`);
  return { method: 'synthetic', fake: (type, value) => syntheticValue(seed, type, value) };
}

const MIN_SEED_BYTES = 16;

/**
 * The fake for `value` of `type` under `seed`: values with the same {@link valueKey} get the
 * same fake (each in its own layout), never one equal to the value, even written another way.
 * A value whose every draw comes out as itself (a one-character secret, a domain too small)
 * gets its type tag (`<API_KEY>`, as masking writes it): it used to be returned as it was,
 * in clear, while the span was reported redacted.
 */
export function syntheticValue(seed: Uint8Array, type: EntityType, value: string): string {
  const key = valueKey(type, value);
  const message = `${type}\0${key}`;
  // The retry is decided on the key, not the text, so every spelling of a value retries alike.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const fake = SYNTHETIC_GENERATORS[type](value, new SyntheticDraws(seed, message, attempt));
    if (valueKey(type, fake) !== key) return fake;
  }
  return typeTag(type);
}

// ---------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Puts `digits` into the digit positions of `template`, so the fake keeps the input's separators. */
function fillDigits(template: string, digits: string): string {
  let k = 0;
  return template.replace(/\d/g, () => digits[k++] ?? '0');
}

/** Each letter replaced by a letter of the same case, each digit by a digit; everything else kept. */
function sameShape(value: string, draws: SyntheticDraws): string {
  return value.replace(/[A-Za-z0-9]/g, (c) => draws.pick(c <= '9' ? DIGITS : c <= 'Z' ? UPPER : LOWER));
}

function randomDigits(count: number, draws: SyntheticDraws): string {
  let out = '';
  for (let i = 0; i < count; i++) out += draws.digit();
  return out;
}

/**
 * Luhn check digit (ISO/IEC 7812-1) for a card number without it. Written here because the
 * project has no card library and the algorithm is six lines.
 */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** ISO 13616 check digits for country + BBAN: 98 - (BBAN || country || "00" as digits) mod 97. */
export function ibanCheckDigits(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`.toUpperCase();
  let remainder = 0;
  for (const c of rearranged) {
    const n = c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55;
    remainder = (n > 9 ? remainder * 100 + n : remainder * 10 + n) % 97;
  }
  return String(98 - remainder).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------
// Names and addresses: faker's locale data, chosen by the input's script
// ---------------------------------------------------------------------------------------

interface NameStyle {
  locale: LocaleDefinition;
  /** East Asian order: one family name then one given name, spaced only if the input is. */
  familyFirst: boolean;
}

const LATIN: NameStyle = { locale: en, familyFirst: false };
/**
 * First match wins: kana before Han, since Japanese names mix them. Devanagari names get
 * faker's Nepali ones (`ne`, the only faker locale with Devanagari names). Faker has no Tamil or
 * Bengali names (`ta_IN`, `bn_BD` hold no person data): those get its Indian names in Latin
 * script (`en_IN`), closer than English ones; docs/privacy.md §2 says so.
 */
const SCRIPT_STYLES: ReadonlyArray<readonly [RegExp, NameStyle]> = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, { locale: ja, familyFirst: true }],
  [/\p{Script=Hangul}/u, { locale: ko, familyFirst: true }],
  [/\p{Script=Han}/u, { locale: zh_CN, familyFirst: true }],
  [/\p{Script=Cyrillic}/u, { locale: ru, familyFirst: false }],
  [/\p{Script=Greek}/u, { locale: el, familyFirst: false }],
  [/\p{Script=Arabic}/u, { locale: ar, familyFirst: false }],
  [/\p{Script=Hebrew}/u, { locale: he, familyFirst: false }],
  [/\p{Script=Devanagari}/u, { locale: ne, familyFirst: false }],
  [/\p{Script=Thai}/u, { locale: th, familyFirst: false }],
  [/[\p{Script=Tamil}\p{Script=Bengali}]/u, { locale: en_IN, familyFirst: false }],
];

function nameStyleOf(value: string): NameStyle {
  for (const [script, style] of SCRIPT_STYLES) {
    if (!script.test(value)) continue;
    // Kanji-only names: Japanese ones are usually written family-space-given, Chinese ones unspaced.
    if (style.locale === zh_CN && value.includes(' ')) return { locale: ja, familyFirst: true };
    return style;
  }
  return LATIN;
}

/** Given and family names that go together: faker splits some locales' lists by sex (Russian family names agree with it). */
interface NamePool {
  given: readonly string[];
  family: readonly string[];
}

const namePools = new Map<LocaleDefinition, readonly NamePool[]>();

function namePoolsOf(locale: LocaleDefinition): readonly NamePool[] {
  let pools = namePools.get(locale);
  if (pools) return pools;
  const given = locale.person?.first_name;
  const family = locale.person?.last_name;
  if (!given || !family) throw new Error(`faker locale has no name lists`);
  const entry = (list: typeof given, sex: 'female' | 'male'): readonly string[] => {
    if (Array.isArray(list)) return list;
    const lists = list as { generic?: string[]; female?: string[]; male?: string[] };
    const both = [...(lists.generic ?? []), ...(lists[sex] ?? [])];
    return both.length > 0 ? both : [...(lists.female ?? []), ...(lists.male ?? [])];
  };
  pools = (['female', 'male'] as const).map((sex) => ({ given: entry(given, sex), family: entry(family, sex) }));
  namePools.set(locale, pools);
  return pools;
}

/** One token gives a family name; two or more give given names then a family name, as many tokens as the input. */
export const syntheticPersonName: SyntheticGenerator = (value, draws) => {
  if (MRZ_NAME.test(value)) {
    const pool = draws.pick(namePoolsOf(en));
    return mrzName(value, [draws.pick(pool.given)], draws.pick(pool.family));
  }
  const style = nameStyleOf(value);
  const pool = draws.pick(namePoolsOf(style.locale));
  const family = draws.pick(pool.family);
  let fake: string;
  if (style.familyFirst) {
    fake = family + (/\s/.test(value) ? ' ' : '') + draws.pick(pool.given);
  } else {
    const tokens = value.trim().split(/\s+/).length;
    const given = Array.from({ length: tokens - 1 }, () => draws.pick(pool.given));
    fake = [...given, family].join(' ');
  }
  return value === value.toUpperCase() && value !== value.toLowerCase() ? fake.toUpperCase() : fake;
};

/**
 * Faker's address patterns, driven by our draws instead of its own generator: a Randomizer
 * that reads the current SyntheticDraws. Generation is synchronous, so setting the source
 * just before each call is safe.
 */
class DrawsRandomizer implements Randomizer {
  source: SyntheticDraws | undefined;
  // Arrow properties: faker calls these detached from the object.
  readonly next = (): number => {
    if (!this.source) throw new Error('DrawsRandomizer used without a source');
    return this.source.fraction();
  };
  readonly seed = (): void => {
    // Seeding is ours to do, through the draws; faker's seed calls are ignored.
  };
}

const randomizer = new DrawsRandomizer();
const addressFakers = new Map<LocaleDefinition, Faker>();

/** Street words that tell one Latin-script country's address format from another's. */
const LATIN_ADDRESS_LOCALES: ReadonlyArray<readonly [RegExp, LocaleDefinition]> = [
  [/stra(?:ß|ss)e|str\.|\bweg\b|\bplatz\b|\ballee\b|\bgasse\b/i, de],
  [/\b(?:rue|avenue|boulevard|bd|allée|chemin|impasse|place)\b/i, fr],
  [/\b(?:calle|avenida|avda|paseo|plaza|carrera)\b/i, es],
  [/\b(?:via|viale|piazza|corso|vicolo)\b/i, it],
];

function addressLocaleOf(value: string): LocaleDefinition {
  const style = nameStyleOf(value);
  if (style !== LATIN) return style.locale;
  for (const [words, locale] of LATIN_ADDRESS_LOCALES) if (words.test(value)) return locale;
  return en;
}

/** A faker street address in the input's script and, for Latin script, its country's format; with a city when the input has more than a street. */
export const syntheticAddress: SyntheticGenerator = (value, draws) => {
  const locale = addressLocaleOf(value);
  let faker = addressFakers.get(locale);
  if (!faker) {
    faker = new Faker({ locale: [locale, en, base], randomizer });
    addressFakers.set(locale, faker);
  }
  randomizer.source = draws;
  try {
    const street = faker.location.streetAddress();
    return /[,\n]/.test(value.trim()) && !street.includes(',') ? `${street}, ${faker.location.city()}` : street;
  } finally {
    randomizer.source = undefined;
  }
};

// ---------------------------------------------------------------------------------------
// Contact details
// ---------------------------------------------------------------------------------------

/** RFC 2606 reserves these second-level domains for documentation; no mail to them reaches anyone. */
export const RESERVED_EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const;

export const syntheticEmail: SyntheticGenerator = (_value, draws) => {
  const pool = draws.pick(namePoolsOf(en));
  const clean = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '');
  const given = clean(draws.pick(pool.given));
  const family = clean(draws.pick(pool.family));
  const local = [`${given}.${family}`, `${given[0]}${family}`, `${given}${draws.int(100)}`, `${given}_${family}`][draws.int(4)]!;
  return `${local}@${draws.pick(RESERVED_EMAIL_DOMAINS)}`;
};

/** Area codes of large NANP cities; with exchange 555 and line 0100-0199 a number is fictional in any of them. */
const NANP_AREA_CODES = ['201', '202', '206', '212', '213', '303', '305', '312', '404', '415', '503', '512', '617', '702', '713', '818'];

/** NANP 555-01XX: reserved for fiction by the North American Numbering Plan Administrator. */
function nanpFictional(draws: SyntheticDraws): string {
  return `${draws.pick(NANP_AREA_CODES)}55501${draws.digit()}${draws.digit()}`;
}

/** Ofcom's drama ranges: mobile 07700 900000-900999, London 020 7946 0000-0999 (national number without the 0). */
function ukFictional(mobile: boolean, draws: SyntheticDraws): string {
  return mobile ? `7700900${randomDigits(3, draws)}` : `2079460${randomDigits(3, draws)}`;
}

/** A reserved national number for `national`: in its own area when the plan has a block there, else in one drawn; as its groups (area, block, subscriber). */
function reservedFake(plan: ReservedPlan, national: string, draws: SyntheticDraws): string[] {
  const ownArea = plan.blocks.filter((b) => national.startsWith(b.area));
  const { area, block } = draws.pick(ownArea.length > 0 ? ownArea : plan.blocks);
  return [area, block, randomDigits(plan.subscriberDigits, draws)];
}

/**
 * A fictional number in the input's layout. UK and NANP numbers both have ten-digit national
 * numbers, so the fake fits the input's digit positions whatever prefix (1, +44, 0044) came
 * before; a number after a trunk 0 alone names no country (phone-plans.ts: `090-1234-5678` is
 * Japanese) and gets the NANP fallback below. A German or Australian number with its country code gets a reserved one of its
 * country (RESERVED_PLANS), in the input's layout when it has as many digits, else in the
 * country's usual grouping. Other countries have no reserved fictional range we can rely on:
 * they get a NANP fictional number in international format, fictional wherever it is read.
 */
export const syntheticPhone: SyntheticGenerator = (value, draws) => {
  const digits = value.replace(/\D/g, '');
  const international = value.trimStart().startsWith('+');
  const uk = ukPrefix(digits, international);
  if (uk !== undefined) return fillDigits(value, uk + ukFictional(digits[uk.length] === '7', draws));
  const nanp = nanpPrefix(digits, international);
  if (nanp !== undefined) return fillDigits(value, nanp + nanpFictional(draws));
  const reserved = reservedPlanParts(value);
  if (reserved !== undefined) {
    const { plan, exit, trunk, national } = reserved;
    const groups = reservedFake(plan, national, draws);
    const all = exit + plan.countryCode + trunk + groups.join('');
    if (all.length === digits.length) return fillDigits(value, all);
    return `${exit === '' ? '+' : '00'}${plan.countryCode} ${groups.join(' ')}`;
  }
  const fake = nanpFictional(draws);
  return `+1 ${fake.slice(0, 3)}-${fake.slice(3, 6)}-${fake.slice(6)}`;
};

// ---------------------------------------------------------------------------------------
// Numbers with checksums or reserved ranges
// ---------------------------------------------------------------------------------------

interface CardIssuer {
  name: string;
  prefix: RegExp;
  /** BINs of the issuers' and processors' published test cards, e.g. Visa 4111 1111 1111 1111. */
  testBins: readonly string[];
}

/**
 * Issuer prefix ranges (ISO/IEC 7812 IINs as the networks publish them), most specific first.
 * Kept by hand: the project has no card-type library, and we only need the families of the
 * published test cards.
 */
const CARD_ISSUERS: readonly CardIssuer[] = [
  { name: 'amex', prefix: /^3[47]/, testBins: ['378282', '371449', '378734'] },
  { name: 'diners', prefix: /^3(?:0[0-5]|095|[689])/, testBins: ['305693', '385200'] },
  { name: 'jcb', prefix: /^35(?:2[89]|[3-8])/, testBins: ['353011', '356600'] },
  { name: 'visa', prefix: /^4/, testBins: ['411111', '401288', '424242'] },
  { name: 'mastercard-2', prefix: /^2(?:22[1-9]|2[3-9]|[3-6]|7[01]|720)/, testBins: ['222300'] },
  { name: 'mastercard', prefix: /^5[1-5]/, testBins: ['555555', '510510'] },
  { name: 'discover', prefix: /^6(?:011|4[4-9]|5)/, testBins: ['601111', '601100'] },
  { name: 'unionpay', prefix: /^62/, testBins: ['620000'] },
  // Worldpay's Maestro test card 6759 6498 2643 8453 and Braintree's sandbox Maestro 6304 0000 0000 0000.
  { name: 'maestro', prefix: /^(?:5018|5020|5038|5893|6304|6759|676[1-3])/, testBins: ['675964', '630400'] },
];

/**
 * For a card of an issuer without a published test BIN we can vouch for (Mir 2200-2204, a
 * deny-list number of no known issuer): a listed test BIN of a network that issues cards of that
 * length (Maestro 12, Visa 13, Diners 14, Amex 15, Visa 16, UnionPay 17-19). Never the input's own
 * BIN: a Luhn-valid number on a live BIN could be someone's card, and would carry six digits of
 * the original.
 */
function fallbackTestBin(length: number): string {
  if (length <= 12) return '675964';
  if (length === 13) return VISA_13_TEST_BIN;
  if (length === 14) return '305693';
  if (length === 15) return '378282';
  if (length === 16) return '411111';
  return '620000';
}

/** Visa's 13-digit test card is 4222 2222 2222 2. */
const VISA_13_TEST_BIN = '422222';

/**
 * A Luhn-valid number of the same issuer and length in a published test BIN, laid out like
 * the input; for an issuer we do not list, a test BIN of the same length ({@link fallbackTestBin}).
 */
export const syntheticCreditCard: SyntheticGenerator = (value, draws) => {
  const digits = value.replace(/\D/g, '');
  const issuer = CARD_ISSUERS.find((i) => i.prefix.test(digits));
  let bin = issuer ? draws.pick(issuer.testBins) : fallbackTestBin(digits.length);
  if (issuer?.name === 'visa' && digits.length === 13) bin = VISA_13_TEST_BIN;
  bin = bin.slice(0, Math.max(0, digits.length - 2));
  const payload = bin + randomDigits(digits.length - bin.length - 1, draws);
  return fillDigits(value, payload + luhnCheckDigit(payload));
};

/**
 * An SSN that can never be issued: area 900-999 is excluded from SSNs, and groups 01-49 keep
 * it out of the ITIN ranges (groups 50-65, 70-88, 90-92, 94-99) too. Serial 0001-9999. Our
 * ssn recognizer rejects area 9xx, so a redacted text does not flag its own fakes.
 */
export const syntheticSsn: SyntheticGenerator = (value, draws) => {
  const area = 900 + draws.int(100);
  const group = 1 + draws.int(49);
  const serial = 1 + draws.int(9999);
  const digits = `${area}${String(group).padStart(2, '0')}${String(serial).padStart(4, '0')}`;
  return /^\D*(?:\d\D*){9}$/.test(value) ? fillDigits(value, digits) : `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
};

/** RFC 5737 TEST-NET-1/2/3, reserved for documentation. */
const IPV4_DOCUMENTATION_NETS = ['192.0.2', '198.51.100', '203.0.113'] as const;

/**
 * IPv4 in an RFC 5737 block, IPv6 in 2001:db8::/32 (RFC 3849). An IPv4-mapped IPv6 address is
 * its IPv4 address (valueKey): it gets that address's fake, written mapped (`::ffff:192.0.2.7`).
 */
export const syntheticIpAddress: SyntheticGenerator = (value, draws) => {
  if (canonicalIp(value).includes(':')) {
    const group = () => draws.int(0x1_0000).toString(16);
    return `2001:db8:${group()}:${group()}::${(1 + draws.int(0xffff)).toString(16)}`;
  }
  const v4 = `${draws.pick(IPV4_DOCUMENTATION_NETS)}.${1 + draws.int(254)}`;
  return value.includes(':') ? `::ffff:${v4}` : v4;
};

/**
 * Same country, same length and letter/digit layout of the BBAN (so the national format
 * still fits), fresh account characters and valid ISO 13616 check digits; the input's
 * spacing and letter case are kept.
 */
export const syntheticIban: SyntheticGenerator = (value, draws) => {
  const compact = value.replace(/[^A-Za-z0-9]/g, '');
  const country = compact.slice(0, 2).toUpperCase();
  const bban = sameShape(compact.slice(4), draws);
  const fake = `${country}${ibanCheckDigits(country, bban)}${bban}`;
  let k = 0;
  // Letters keep the input's case, the country code's too (`gb82 west …` stays lower case).
  return value.replace(/[A-Za-z0-9]/g, (c) => (c >= 'a' ? fake[k++]!.toLowerCase() : fake[k++]!));
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function sameCase(template: string, word: string): string {
  if (template === template.toUpperCase()) return word.toUpperCase();
  if (template[0] === template[0]!.toUpperCase()) return word[0]!.toUpperCase() + word.slice(1);
  return word;
}

function ordinalSuffix(day: number): string {
  if (day >= 11 && day <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

/**
 * Birth years of fakes: 1940-2005, drawn whatever the input's year. A year moved a few years
 * back from the real one (as before) kept the age band: the real year lay in [fake+1, fake+10].
 */
const FAKE_BIRTH_YEAR_FROM = 1940;
const FAKE_BIRTH_YEARS = 66;

/**
 * Another valid date in the same layout: days 1-28 (valid in every month), a year from
 * {@link FAKE_BIRTH_YEAR_FROM} on, independent of the real one. When day and month cannot be
 * told apart (03/04/1985), both get values up to 12 so the fake is valid read either way.
 */
export const syntheticDateOfBirth: SyntheticGenerator = (value, draws) => {
  const tokens = [...value.matchAll(/(\d+)(st|nd|rd|th)?|(\p{L}+)/gu)];
  const numbers = tokens.filter((t) => t[1] !== undefined);
  const monthWord = tokens.find((t) => t[3] !== undefined && MONTHS.some((m) => m.startsWith(t[3]!.toLowerCase()) && t[3]!.length >= 3));
  const yearToken = numbers.find((t) => t[1]!.length === 4) ?? (numbers.length === 3 ? numbers[2] : numbers.find((t) => Number(t[1]) > 31));
  const others = numbers.filter((t) => t !== yearToken);
  if (!yearToken || others.length !== (monthWord ? 1 : 2)) {
    return `${FAKE_BIRTH_YEAR_FROM + draws.int(FAKE_BIRTH_YEARS)}-${String(1 + draws.int(12)).padStart(2, '0')}-${String(1 + draws.int(28)).padStart(2, '0')}`;
  }
  const replacements = new Map<RegExpMatchArray, string>();
  const width = (t: RegExpMatchArray) => t[1]!.length;
  const setNumber = (t: RegExpMatchArray, n: number) => replacements.set(t, String(n).padStart(width(t), '0') + (t[2] ? ordinalSuffix(n) : ''));
  const year = FAKE_BIRTH_YEAR_FROM + draws.int(FAKE_BIRTH_YEARS);
  replacements.set(yearToken, yearToken[1]!.length === 4 ? String(year) : String((year + 100) % 100).padStart(2, '0'));
  if (monthWord) {
    const original = monthWord[3]!;
    const month = draws.pick(MONTHS);
    // A full month name stays full; an abbreviation (Mar, Sept) becomes a three-letter one.
    replacements.set(monthWord, sameCase(original, MONTHS.includes(original.toLowerCase()) ? month : month.slice(0, 3)));
    setNumber(others[0]!, 1 + draws.int(28));
  } else {
    const [first, second] = others as [RegExpMatchArray, RegExpMatchArray];
    const yearFirst = numbers[0] === yearToken;
    // Year first is ISO order (Y-M-D); otherwise a part above 12 is the day.
    const dayToken = yearFirst ? second : Number(first[1]) > 12 ? first : Number(second[1]) > 12 ? second : undefined;
    const dayMax = dayToken ? 28 : 12;
    setNumber(first, 1 + draws.int(first === dayToken ? dayMax : 12));
    setNumber(second, 1 + draws.int(second === dayToken ? dayMax : 12));
  }
  let out = '';
  let cursor = 0;
  for (const t of tokens) {
    const replacement = replacements.get(t);
    if (replacement === undefined) continue;
    out += value.slice(cursor, t.index) + replacement;
    cursor = t.index! + t[0].length;
  }
  return out + value.slice(cursor);
};

/**
 * An MRZ line (ICAO 9303 TD3 line 2) stays a valid one (mrz-line.ts): a fresh document number
 * of the same shape, valid dates of birth (as syntheticDateOfBirth draws years) and expiry,
 * fresh optional data, every check digit computed; nationality and sex kept. Any other
 * passport number: the same shape, letters for letters (same case), digits for digits,
 * separators kept.
 */
export const syntheticPassport: SyntheticGenerator = (value, draws) => {
  if (!MRZ_LINE_2.test(value)) return sameShape(value, draws);
  const yymmdd = (year: number) => `${String(year % 100).padStart(2, '0')}${String(1 + draws.int(12)).padStart(2, '0')}${String(1 + draws.int(28)).padStart(2, '0')}`;
  return mrzLine2(value, {
    documentNumber: sameShape(value.slice(0, 9), draws),
    birth: yymmdd(FAKE_BIRTH_YEAR_FROM + draws.int(FAKE_BIRTH_YEARS)),
    // Expiry from a fixed range too, whatever the original's: 2030-2039.
    expiry: yymmdd(2030 + draws.int(10)),
    optional: sameShape(value.slice(28, 42), draws),
  });
};

export const SYNTHETIC_GENERATORS: Readonly<Record<EntityType, SyntheticGenerator>> = {
  email: syntheticEmail,
  phone: syntheticPhone,
  ssn: syntheticSsn,
  credit_card: syntheticCreditCard,
  ip_address: syntheticIpAddress,
  person_name: syntheticPersonName,
  address: syntheticAddress,
  iban: syntheticIban,
  date_of_birth: syntheticDateOfBirth,
  passport: syntheticPassport,
  api_key: syntheticApiKey,
};
