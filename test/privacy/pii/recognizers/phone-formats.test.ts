import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { phoneRecognizer } from '../../../../src/privacy/pii/recognizers/phone.js';

/**
 * Phone numbers of many countries written the ways people write them, with exact spans, and
 * the digit strings of running text that are not phone numbers.
 *
 * Sources of the formats:
 * - mobile numbers: libphonenumber's example numbers as shipped in `libphonenumber-js/examples.mobile.json`;
 * - fixed-line numbers: the `<fixedLine><exampleNumber>` of each territory in Google's
 *   libphonenumber `resources/PhoneNumberMetadata.xml` (copied below, Apache-2.0);
 * - the international and national layouts: libphonenumber's `numberFormat`s, through
 *   `formatInternational()` / `formatNational()` (ITU-T E.123 for the `+CC` form);
 * - `+44 (0)20 …`: the bracketed trunk prefix of ITU-T E.123 §7.4 practice in the UK and Germany;
 * - `tel:` URIs and `;ext=`: RFC 3966; extensions `x123`, `ext. 45`: ITU-T E.123 and US usage;
 * - the typographic dashes word processors put for `-` (‐ U+2010, ‑ U+2011, ‒ U+2012, – U+2013,
 *   − U+2212): the Unicode Standard, General Punctuation block.
 */

const FIXED_LINE_EXAMPLES: Record<string, string> = {
  US: '2015550123', CA: '5062345678', GB: '1212345678', DE: '30123456', FR: '123456789', ES: '810123456', IT: '0212345678',
  PT: '212345678', NL: '101234567', BE: '12345678', CH: '212345678', AT: '1234567890', PL: '123456789', CZ: '212345678',
  SE: '8123456', NO: '21234567', DK: '32123456', FI: '131234567', IE: '2212345', GR: '2123456789', TR: '2123456789',
  RU: '3011234567', UA: '311234567', RO: '211234567', HU: '12345678', BR: '1123456789', MX: '2001234567', AR: '1123456789',
  CO: '6012345678', CL: '600123456', PE: '11234567', IN: '7410410123', PK: '2123456789', BD: '27111234', CN: '1012345678',
  JP: '312345678', KR: '22123456', TW: '221234567', HK: '21234567', SG: '61234567', MY: '323856789', TH: '21234567',
  ID: '218350123', PH: '232345678', VN: '2101234567', AU: '212345678', NZ: '32345678', ZA: '101234567', NG: '2033123456',
  KE: '202012345', EG: '234567890', MA: '520123456', SA: '112345678', AE: '22345678', IL: '21234567',
};

/** How a phone number is introduced in each country's language (the word for phone, mobile or "call me"). */
const LOCAL_CUES: Record<string, string> = {
  US: 'Call me at', CA: 'Phone:', GB: 'Ring me on', DE: 'Telefon:', FR: 'Tél. :', ES: 'Móvil:', IT: 'Cell.', PT: 'Telemóvel:',
  NL: 'Bel me op', BE: 'GSM :', CH: 'Tel.', AT: 'Handy:', PL: 'tel.', CZ: 'Tel.:', SE: 'Telefon:', NO: 'Tlf.:', DK: 'Tlf.',
  FI: 'Puh.', IE: 'Phone:', GR: 'Τηλ.:', TR: 'Tel:', RU: 'тел.', UA: 'тел.:', RO: 'Telefon:', HU: 'Tel.:', BR: 'Cel:',
  MX: 'Cel.', AR: 'Celular:', CO: 'Celular:', CL: 'Fono:', PE: 'Celular:', IN: 'Mobile:', PK: 'Cell:', BD: 'Mobile:',
  CN: '电话：', JP: '電話：', KR: '전화:', TW: '電話：', HK: '電話：', SG: 'Tel:', MY: 'Tel:', TH: 'โทร.', ID: 'Telp.',
  PH: 'Cel:', VN: 'ĐT:', AU: 'Ph:', NZ: 'Ph:', ZA: 'Cell:', NG: 'Phone:', KE: 'Tel:', EG: 'هاتف:', MA: 'Tél :', SA: 'جوال:',
  AE: 'Mob:', IL: 'טלפון:',
};

const REGIONS = Object.keys(FIXED_LINE_EXAMPLES) as CountryCode[];


/** Each region's mobile and fixed-line example as libphonenumber parses them. */
const numbers: { region: CountryCode; kind: string; number: PhoneNumber }[] = REGIONS.flatMap((region) =>
  [
    ['mobile', (examples as Record<string, string>)[region]],
    ['fixed line', FIXED_LINE_EXAMPLES[region]],
  ].flatMap(([kind, nsn]) => {
    const number = parsePhoneNumberFromString(nsn ?? '', region);
    return number ? [{ region, kind: kind ?? '', number }] : [];
  }),
);

/** The values found in `text`, each as its exact slice. */
const values = (text: string): string[] => phoneRecognizer.find(text).map((f) => text.slice(f.start, f.end));

/** The written forms that were not found alone with their exact span in their sentence. */
function missed(cases: readonly { text: string; value: string }[]): string[] {
  return cases.filter(({ text, value }) => values(text).join(' | ') !== value).map(({ text }) => text);
}

function internationalForms(number: PhoneNumber): string[] {
  const international = number.formatInternational();
  const code = `+${number.countryCallingCode}`;
  const rest = international.slice(code.length + 1);
  const forms = [
    number.number, // E.164
    international,
    `${code}-${rest.replace(/ /g, '-')}`,
    `(${code}) ${rest}`,
    `00${number.countryCallingCode} ${rest}`,
    international.replace(/ /g, '\u00a0'), // no-break spaces
    international.replace(/ /g, '\u202f'), // narrow no-break spaces, French typography
  ];
  // "+44 (0)20 7946 0958": the trunk prefix 0 a caller from inside the country dials, in brackets
  const national = number.formatNational();
  if (national.startsWith('0') && national.slice(1).replace(/\D/g, '') === number.nationalNumber) forms.push(`${code} (0)${national.slice(1)}`);
  return forms;
}

describe('phone numbers of 55 countries', () => {
  it('has a valid mobile and fixed-line example for every region', () => {
    expect(REGIONS.length).toBeGreaterThanOrEqual(40);
    const invalid = numbers.filter(({ number }) => !number.isValid()).map(({ region, kind }) => `${region} ${kind}`);
    expect(invalid).toEqual([]);
    expect(numbers.length).toBe(REGIONS.length * 2);
  });

  it('finds every international form with its exact span, with or without a cue', () => {
    const cases = numbers.flatMap(({ region, number }) =>
      internationalForms(number).flatMap((value) => [
        { text: `${LOCAL_CUES[region]} ${value}.`, value },
        { text: `Our office in town is ${value}, open daily`, value },
        { text: `(${value})`, value },
        { text: `<a href="tel:${number.number}">`, value: number.number },
      ]),
    );
    expect(cases.length).toBeGreaterThan(1500);
    expect(missed(cases)).toEqual([]);
  });

  it('finds the national format of every region after its local cue', () => {
    const cases = numbers.map((entry) => {
      const value = entry.number.formatNational();
      return { text: `${LOCAL_CUES[entry.region]} ${value}`, value };
    });
    expect(cases.length).toBe(numbers.length);
    expect(missed(cases)).toEqual([]);
  });

  it('finds national numbers written as one block of digits after a local cue', () => {
    const cases = numbers.map((entry) => {
      const value = entry.number.formatNational().replace(/\D/g, '');
      return { text: `${LOCAL_CUES[entry.region]} ${value}`, value };
    });
    expect(missed(cases)).toEqual([]);
  });

  it('finds national numbers with their groups joined by dashes or dots after a cue', () => {
    // Not the dotted forms that read as an amount ("512.345.678") or an IPv4 address ("32.12.34.56"): refused as those.
    const amountOrAddress = /^\d{1,3}(?:\.\d{3})+$|^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
    const cases = numbers.flatMap((entry) => {
      const national = entry.number.formatNational();
      return [national.replace(/ /g, '-'), national.replace(/[ -]/g, '.')]
        .filter((value) => value !== '' && !/[()]/.test(value) && !amountOrAddress.test(value))
        .map((value) => ({ text: `${LOCAL_CUES[entry.region]} ${value}`, value }));
    });
    expect(missed(cases)).toEqual([]);
  });

  it('finds national numbers without a trunk prefix or a cue when written exactly as their country prints them', () => {
    // libphonenumber's national format of numbers written without a trunk prefix (Mexico
    // "222 123 4567", Greece "691 234 5678", Chile "(2) 2123 4567", Brazil "(11) 96123-4567",
    // NANP "(506) 234-5678"), in three groups or more of more than one length
    const cases = numbers.flatMap((entry) => {
      const value = entry.number.formatNational();
      if (value.replace(/\D/g, '') !== entry.number.nationalNumber) return [];
      const groups = value.match(/\d+/g) ?? [];
      const layoutOnly = groups.length >= 3 && groups.some((group) => group.length !== groups[0]?.length) && !value.includes('.');
      return layoutOnly ? [{ text: `Our office in town is ${value}, open daily`, value }] : [];
    });
    expect(cases.length).toBeGreaterThan(15);
    expect(missed(cases)).toEqual([]);
  });

  it('needs a cue for national numbers in two groups or in groups of one length', () => {
    // Hong Kong and Singapore "5123 4567", Denmark and Norway "40 61 23 45", Polish mobiles and
    // Czech fixed lines "512 345 678": two numbers side by side ("1920 1080"), scores
    // ("23 34 45 56") and evenly chunked ids ("934 077 146") are grouped the same. (Spanish
    // numbers, a core region's, are taken in 3-3-3: "612 345 678", and so are the Czech and
    // Portuguese mobiles that are also valid Spanish numbers.)
    const cases = numbers.filter(({ region, kind }) => ['HK', 'SG', 'DK', 'NO'].includes(region) || `${region} ${kind}` === 'PL mobile' || `${region} ${kind}` === 'CZ fixed line');
    expect(cases).toHaveLength(10);
    for (const { region, number } of cases) {
      const value = number.formatNational();
      expect(values(`Our office in town is ${value}, open daily`)).toEqual([]);
      expect(values(`${LOCAL_CUES[region]} ${value}`)).toEqual([value]);
    }
  });

  it('finds national numbers without a cue when they start with their trunk prefix', () => {
    // A leading trunk prefix (0, Russia's 8) is a phone number's mark; plans without one
    // (Scandinavia, Hong Kong, Singapore, Portugal, Greece, Czechia, Poland, Brazil, Mexico)
    // need a cue: their eight to ten plain digits are as often ids and amounts.
    const cases = numbers.flatMap((entry) => {
      const value = entry.number.formatNational();
      const prefixed = value.replace(/\D/g, '') !== entry.number.nationalNumber;
      return prefixed ? [{ text: `Our office in town is ${value}, open daily`, value }] : [];
    });
    expect(cases.length).toBeGreaterThan(60);
    expect(missed(cases)).toEqual([]);
  });
});

describe('phone numbers as people write them', () => {
  it('finds US and Canadian styles', () => {
    // NANP layouts (NANPA): (NPA) NXX-XXXX, dashes, dots, the trunk 1 in front, E.164
    expect(values('Call (415) 555-2671 or 415.555.2671 or 415-555-2671 or 1-415-555-2671.')).toEqual([
      '(415) 555-2671',
      '415.555.2671',
      '415-555-2671',
      '1-415-555-2671',
    ]);
    expect(values('Toll-free 1 (800) 555-0199, cell +1 (416) 555-0143')).toEqual(['1 (800) 555-0199', '+1 (416) 555-0143']);
  });

  it('finds European national layouts', () => {
    // Ofcom's drama range 020 7946 0xxx; German Vorwahl with slash, dash and brackets (DIN 5008)
    expect(values('London 020 7946 0958, also 0207 946 0958')).toEqual(['020 7946 0958', '0207 946 0958']);
    expect(values('Büro (030) 123456, mobil 0151-23456789, Fax 030/1234 5678')).toEqual(['(030) 123456', '0151-23456789', '030/1234 5678']);
    expect(values('Appelez le 06 12 34 56 78 ou le 01.42.68.53.00')).toEqual(['06 12 34 56 78', '01.42.68.53.00']);
    expect(values('Bel me op 06-12345678 of 020 123 4567')).toEqual(['06-12345678', '020 123 4567']);
    expect(values('Позвоните: 8 (912) 345-67-89 или 8-800-555-35-35')).toEqual(['8 (912) 345-67-89', '8-800-555-35-35']);
    expect(values('Beni ara: 0532 123 45 67')).toEqual(['0532 123 45 67']);
  });

  it('finds extensions as part of the number', () => {
    expect(values('Reach me at +1 415-555-2671 ext. 45 today')).toEqual(['+1 415-555-2671 ext. 45']);
    expect(values('Desk: (415) 555-2671 x123.')).toEqual(['(415) 555-2671 x123']);
    expect(values('Desk: (415) 555-2671x123.')).toEqual(['(415) 555-2671x123']);
    expect(values('Front desk 020 7946 0958 #204')).toEqual(['020 7946 0958 #204']);
    expect(values('tel:+1-415-555-2671;ext=1234')).toEqual(['+1-415-555-2671;ext=1234']); // RFC 3966
  });

  it('finds numbers after cues in many languages and scripts', () => {
    expect(values('Tél.06 12 34 56 78')).toEqual(['06 12 34 56 78']);
    expect(values('Tel.+49 30 1234567')).toEqual(['+49 30 1234567']);
    expect(values('Handy 01512345678')).toEqual(['01512345678']);
    expect(values('Móvil 612345678')).toEqual(['612345678']);
    expect(values('Cel: (11) 96123-4567')).toEqual(['(11) 96123-4567']);
    expect(values('電話：03-1234-5678')).toEqual(['03-1234-5678']);
    expect(values('тел. +7 912 345-67-89')).toEqual(['+7 912 345-67-89']);
    expect(values('전화 010-1234-5678')).toEqual(['010-1234-5678']);
    expect(values('رقم هاتفي 0501234567')).toEqual(['0501234567']);
  });

  it('finds the national numbers of the other NANP countries without a cue', () => {
    // libphonenumber's example mobiles of the Caribbean and Pacific NANP members, "(268) 464-1234"
    const nanp = getCountries().filter((region) => !['US', 'CA'].includes(region) && getCountryCallingCode(region) === '1');
    const cases = nanp.flatMap((region) => {
      const value = getExampleNumber(region, examples)?.formatNational();
      return value === undefined ? [] : [{ text: `Our office in town is ${value}, open daily`, value }];
    });
    expect(cases.length).toBeGreaterThan(20);
    expect(missed(cases)).toEqual([]);
  });

  it('finds numbers grouped like thousands only after a cue', () => {
    // libphonenumber's example mobiles of Latvia, Lebanon and Tunisia print as "21 234 567",
    // "71 123 456", "20 123 456": without a cue, an amount ("12 345 678", French "12 345 678")
    for (const region of ['LV', 'LB', 'TN'] as CountryCode[]) {
      const value = getExampleNumber(region, examples)?.formatNational() ?? '';
      expect(values(`Tel. ${value}`)).toEqual([value]);
      expect(values(`Our office in town is ${value}, open daily`)).toEqual([]);
    }
    expect(values('prix 12\u202f345\u202f678 €, total 12 345 678')).toEqual([]);
  });

  it('finds a trunk prefix printed apart and glued at once', () => {
    // Belarus: national prefix 8, formatting rule "8 0$1" (libphonenumber's example 294911911)
    expect(values('Our office in town is 8 029 491-19-11, open daily')).toEqual(['8 029 491-19-11']);
  });

  it('finds numbers written with typographic dashes', () => {
    expect(values('Call 020–7946–0958 now')).toEqual(['020–7946–0958']); // en dash
    expect(values('Call 415‑555‑2671 now')).toEqual(['415‑555‑2671']); // non-breaking hyphen
    expect(values('Call 415−555−2671 or +1‐415‐555‐2671')).toEqual(['415−555−2671', '+1‐415‐555‐2671']); // minus, hyphen
  });

  it('finds an extension after a comma, and each number of a list', () => {
    expect(values('Desk 020 7946 0958, ext. 204.')).toEqual(['020 7946 0958, ext. 204']);
    expect(values('Call 020 7946 0958, then write')).toEqual(['020 7946 0958']);
    expect(values('Tel 020 7946 0958 / 0161 496 0000')).toEqual(['020 7946 0958', '0161 496 0000']);
  });

  it('takes phone emoji as cues', () => {
    expect(values('📞 2025550173')).toEqual(['2025550173']);
    expect(values('☎ 03012345678')).toEqual(['03012345678']);
    expect(values('Fon: 03012345678')).toEqual(['03012345678']);
  });

  // Numbers below are libphonenumber's example numbers (examples.mobile.json and the fixed-line
  // <exampleNumber>s above) in their national format: Norway 40 61 23 45, Denmark 32 12 34 56,
  // Hong Kong 5123 4567, Singapore 8123 4567 and 6123 4567, Poland 512 345 678, Slovakia
  // 0912 123 456, Austria 0664 123456, Argentina 011 15-2345-6789.

  it('finds numbers after cues phrased otherwise', () => {
    expect(values('Mobilnummer 40 61 23 45')).toEqual(['40 61 23 45']); // Danish and German compounds of "mobil"
    expect(values('Kontakt: 5123 4567')).toEqual(['5123 4567']);
    expect(values('Landline: 6123 4567, direct line 8123 4567')).toEqual(['6123 4567', '8123 4567']);
    expect(values('Bei Fragen erreichen Sie uns unter 40 61 23 45.')).toEqual(['40 61 23 45']);
    expect(values('mera number 512 345 678 hai')).toEqual(['512 345 678']); // Hinglish "my number"
    expect(values('Here is my new number: 8123 4567.')).toEqual(['8123 4567']);
    expect(values('SUPPORT_PHONE = "0912123456"')).toEqual(['0912123456']); // a cue in an identifier
    expect(values('Matkapuhelin 0412345678')).toEqual(['0412345678']); // Finnish "mobile phone"
  });

  it('finds numbers whose cue is on the line before, but not across a blank line', () => {
    expect(values('Phone number\n40 61 23 45')).toEqual(['40 61 23 45']);
    expect(values('[10:02] agent: thanks, and a phone number?\n[10:03] user: 5123 4567')).toEqual(['5123 4567']);
    expect(values('Contacts:\n- Anna: 8123 4567\n- Lars: 40 61 23 45')).toEqual(['8123 4567', '40 61 23 45']);
    expect(values('Mobile\n\n40 61 23 45')).toEqual([]);
    expect(values('Tel.\n030 1234567')).toEqual(['030 1234567']); // an abbreviated label ends its line with a full stop
    // a line that ends a statement speaks of something else
    expect(values('We will contact you.\nScore: 40 61 23 45')).toEqual([]);
    expect(values('Please get in touch!\nTotal 5123 4567')).toEqual([]);
  });

  it('finds numbers whose cue stands further back in the same sentence, not in an earlier one', () => {
    expect(values('For anything urgent regarding the shipment, reach our logistics coordinator Anna Berg directly on 5123 4567.')).toEqual(['5123 4567']);
    expect(values('Phone numbers for the team (updated in March, please keep this list private): 40 61 23 45')).toEqual(['40 61 23 45']);
    expect(values('Bei Fragen erreichen Sie uns unter 01512 3456789. epoch 1759877147 corresponds to 2025.')).toEqual(['01512 3456789']);
    expect(values('Callback number: 305-543-0819. epoch 1730356597 corresponds to 2023')).toEqual(['305-543-0819']);
    // a CSV row's field: the cue before another number of the row is that number's
    expect(values('SUPPORT_PHONE = "+447405317670" 4880981;Sabine Vogelsang;Amselplatz 65')).toEqual(['+447405317670']);
    expect(values('DEBUG sms.send to=06 12 34 56 78 template=otp_v2 attempt=1 epoch 1543368879')).toEqual(['06 12 34 56 78']);
    expect(values('Call me when you land; the gate code is 5123 4567.')).toEqual([]);
    // further back, only whole cue words: "tells" is no "tel.", "mobility" no "mobile", "erreicht" (reached) no "erreichen"
    expect(values('This library tells when responses can be reused from a cache, taking into account HTTP RFC 7234/9111 rules')).toEqual([]);
    expect(values('The mobility study covered 31245678 trips')).toEqual([]);
    expect(values('Das Ziel wurde erreicht mit 0301234567 Schritten')).toEqual([]);
  });

  it('finds numbers after the one-letter labels of signatures and contact blocks', () => {
    expect(values('Anna Berg\nT: 6123 4567  F: 6123 4568')).toEqual(['6123 4567', '6123 4568']);
    expect(values('Best,\nLars | Aarhus office\nM 40 61 23 45')).toEqual(['40 61 23 45']);
    expect(values('O: 5123 4567 | M: 5123 4568')).toEqual(['5123 4567', '5123 4568']);
    expect(values('Contact no. 0045 32 12 34 56')).toEqual(['0045 32 12 34 56']); // "no." after a cue numbers the phone
    expect(values('Anna Berg, office: 6123 4567, mob. 9123 4567')).toEqual(['6123 4567', '9123 4567']);
    // mid-sentence, without ":" or ".", such letters and words are prose (Polish "o", "w"; "main"; a size)
    expect(values('Populacja wzrosła o 512 345 678 osób.')).toEqual([]);
    expect(values('the main 512 345 678 reason')).toEqual([]);
    expect(values('Size M 40 61 23 45')).toEqual([]);
  });

  it('finds a national number of a country named near it, as that country prints it', () => {
    expect(values('Our Singapore office: 6123 4567')).toEqual(['6123 4567']);
    expect(values('Lars Nielsen (København) 32 12 34 56')).toEqual(['32 12 34 56']);
    expect(values('Best,\nAnna | Warszawa office\n512 345 678')).toEqual(['512 345 678']);
    expect(values('香港 5123 4567')).toEqual(['5123 4567']);
    expect(values('In Singapore, ask for Anna: 6123 4567')).toEqual(['6123 4567']);
    // not valid there (Singapore's numbers start 3, 6, 8 or 9), not as it prints them, or no country at all
    expect(values('In Singapore, ask for Anna: 4123 4567')).toEqual([]);
    expect(values('In Singapore, ask for Anna: 612 345 67')).toEqual([]);
    expect(values('Ask for Anna: 6123 4567')).toEqual([]);
    // only the country's name marks it: the weaker layout score, below a cue's
    const [named] = phoneRecognizer.find('In Singapore, ask for Anna: 6123 4567');
    expect(named?.score).toBeLessThan(0.9);
  });

  it("finds Argentina's mobiles dialled inside the country, 13 digits with the mobile token 15", () => {
    // libphonenumber's national format of AR mobiles: 0 + area code + 15 + subscriber
    expect(values('hey can u call me on 011 15-2345-6789?')).toEqual(['011 15-2345-6789']);
    expect(values('Celular: 0111523456789')).toEqual(['0111523456789']);
    expect(values('EAN 0111523456789')).toEqual([]); // 13 digits without a cue
  });

  it('leaves out a bracket the sentence opens after the number', () => {
    expect(values('Hotline 0664 123456 (24/7)')).toEqual(['0664 123456']);
    expect(values('Call 020 7946 0958 (mobile 07700 900123) today')).toEqual(['020 7946 0958', '07700 900123']);
    // a bracket closed inside the number is the number's (ITU-T E.123 practice: the trunk prefix "(0)")
    expect(values('Tel: +44 (0)20 7946 0958 (24/7 line)')).toEqual(['+44 (0)20 7946 0958']);
    expect(values('Tel +49 (0)30 1234567 (9-17)')).toEqual(['+49 (0)30 1234567']);
  });

  it('refuses a quantity, a unit or a currency after the digits, not other words', () => {
    // ISO 4217 codes and units; a word after a phone number is not one ("hours" of opening, French "ils")
    expect(values('Mobile data: 2924 4131 MB, budget 20 137 400 TND, call volume 40 61 23 45 calls')).toEqual([]);
    expect(values('Call 0161 496 0000 hours 9–17, or appelez le 06 12 34 56 78 ils répondent')).toEqual(['0161 496 0000', '06 12 34 56 78']);
  });

  it('takes a grouping that happens to pass the ISBN-10 check for a phone number', () => {
    // 021-234-55-83 passes the mod-11 check (as one number in eleven does), but an ISBN-10 ends with its check digit alone
    expect(values('Tel. 021-234-55-83')).toEqual(['021-234-55-83']);
    expect(values('ISBN 0-306-40615-2')).toEqual([]);
  });

  it('leaves vanity numbers alone', () => {
    // "1-800-FLOWERS" is an organisation's advertised line spelt on the keypad (ITU E.161
    // letters), not a person's number, and its letters would make every "1-800-" word a candidate.
    expect(values('Order at 1-800-FLOWERS today')).toEqual([]);
  });
});

describe('digit strings that are not phone numbers', () => {
  const negatives = [
    // order, invoice, ticket and case numbers
    'Order no. 2024-558812 has shipped', 'Your order 112-4455987-3321190 has shipped', 'Invoice INV-2023-004512 is due',
    'Invoice 2023/004512 attached', 'Rechnung Nr. 2023 0045 12 anbei', 'Facture n° 2023-04-5512', 'Ticket ID 7734 1290 22 escalated',
    'Case 06512398 updated', 'Order #483-920-1745', 'part no. 06-1234-5678', 'Bestellnummer 0049 3012 3456',
    // dates, times, year spans
    'Meeting on 12.03.2024 at 10:30', 'dated 03/15/2024 and 15.03.24', 'from 2019-2023', 'between 2010-2015 and 1998 - 2004',
    'open 09:00 - 17:30, 2024-03-15T10:30:00Z', 'Date: 15/03/2024 10:30',
    // prices and amounts
    'price $1,299.99 or 1.299,99 €', 'EUR 12 345 678,00', 'total 1 234 567 Ft', 'Rs. 12,34,567', 'R$ 1.234.567,89',
    // versions, builds, standards
    'upgrade to v2.14.3, build 10.0.19045.3803', 'release 2023.11.15.1', 'NIST SP 800-53 rev. 5 and ISO 27001:2013',
    // ISBNs
    'ISBN 978-3-16-148410-0', 'ISBN 0-306-40615-2', 'ISBN 978 0 306 40615 7',
    // postcodes (USPS ZIP+4, Correios CEP, Poczta Polska, Japan Post)
    'zip 94103-1234', 'CEP 01310-100 São Paulo', 'Kod pocztowy 00-950 Warszawa', '〒100-0001 東京都',
    // coordinates
    'at 48.8566, 2.3522', 'lat -33.8688 lon 151.2093', 'GPS 35.6762 139.6503',
    // card-like runs, account numbers, IBAN tails
    'card 4111 1111 1111 1111', '4000 1234 5678 9010', 'acct 1234 5678 9012', 'IBAN NL69 TZDU 1261 9289 46',
    // IP addresses
    'server 192.168.100.200 and 10.0.0.1',
    // serial, model and tracking numbers
    'Serial S/N 4821-9930-1123', 'serial 0012 3456 7890', 'SN: 20231115-0042', 'model 2210-0455-01',
    'tracking 1Z999AA10123456784', 'parcel 945102838569',
    // decimals and counts; metrics with one dot in many digits fit some country's grouping
    'score 0.912 345 678', 'population 1 234 567', 'pi = 3.14159265358979',
    'step 1200 | loss 623.451234 | ppl 912.2780441 | tok/s 83049.99167', '{"train_loss": 323.987943}', 'value 312.5551234',
    // two numbers side by side, ranges, lists of small numbers: valid in some plan, grouped as none
    'between 2000-3000 users', 'between 2000 – 3000 users', 'from 2019–2023', 'Resolution 1920 1080 pixels', 'sizes 4096 8192',
    'Results: 23 34 45 56 in the draw', 'scores 88 92 79 95', 'lines 120 140 160 180',
    // an HTTP status and size, a malformed address, dates and SSNs with typographic dashes
    'GET /api/users/123?ref=abc HTTP/1.1" 200 6846', 'Firewall rejected malformed address 50.952.84.37 in config',
    'on 2024–03–15 we met', 'SSN 536‑22‑1234',
    // ids whose label comes right before them, even after a cue word ("номер паспорта": passport number)
    'Order 4829 1742 shipped', 'Invoice 2024 0001 0042', 'Дата рождения: 03/12/1973, номер паспорта 28 8685248.',
    // coordinates, card and IBAN fragments, amounts with spaces
    'coordinates 48 51 24 N 2 21 03 E', 'card ending 4111 1111 1111', 'IBAN GB29 NWBK 6016 1331 9268 19', 'price 1 299 000 Ft',
    // grouped as a country groups its numbers, but not written as it prints them ("21 234 567", "222 123 4567")
    'Reference value 48-865-884 was recorded.', 'Our office in town is 222-123-4567, open daily',
    // quantities: a unit, a currency or a counted thing after the digits, even after a cue word
    'Mobile data: 2924 4131 MB', 'telephone survey: 25 57 45 59 percent in four waves', 'dimensions 3941 268 955 mm', 'Call volume 2023: 40 61 23 45 calls',
    // malformed addresses: four dotted groups of up to three digits
    'Firewall rejected malformed address 656.283.13.67 in config', 'anyone know why 401.89.238.56 is rejected?',
    // numbers in twos are not an Italian mobile (3xx xxx xxxx)
    'lottery numbers 32 51 45 82 68',
    // a tracking number after the word for number
    'Número de seguimiento: 027602627533.',
    // a CSV row under a header naming a phone column: its id is not in that column
    'id,full_name,email,phone,country\n32001661,Johan Lindqvist,johan@example.com,,SE',
  ];

  it.each(negatives)('refuses %s', (text) => {
    expect(values(text)).toEqual([]);
  });
});
