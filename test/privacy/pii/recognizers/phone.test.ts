import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountries, getExampleNumber, isValidPhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { phoneRecognizer } from '../../../../src/privacy/pii/recognizers/phone.js';

const values = (text: string): string[] => phoneRecognizer.find(text).map((f) => text.slice(f.start, f.end));

// UK numbers from Ofcom's ranges for drama (020 7946 0xxx, 0161 496 0xxx); the others follow
// libphonenumber's example numbers (e.g. US 201-555-0123).
describe('phoneRecognizer', () => {
  it('finds an international number with exact offsets and a strong score', () => {
    const text = 'Call +44 20 7946 0958 today';
    const [finding] = phoneRecognizer.find(text);
    expect(finding).toMatchObject({ start: 5, end: 21, type: 'phone', recognizer: 'phone.libphonenumber', score: 0.95 });
  });

  it('finds international numbers in common printed forms', () => {
    expect(values('US: +1-202-555-0173, DE: +49 (0)30 1234567, FR: +33 6 12 34 56 78')).toEqual([
      '+1-202-555-0173',
      '+49 (0)30 1234567',
      '+33 6 12 34 56 78',
    ]);
    expect(values('IN +91 98765 43210 / UK 0044 20 7946 0958')).toEqual(['+91 98765 43210', '0044 20 7946 0958']);
    expect(values('+14155552671')).toEqual(['+14155552671']);
    // international numbers written end to end, as a list stripped of its separators leaves them
    expect(values('+14155550134+14155550135 and +442079460958+14155550134')).toEqual(['+14155550134', '+14155550135', '+442079460958', '+14155550134']);
    expect(values('id 123+14155550135 and A1234567+14155550135')).toEqual([]);
    expect(values('Tel:\u00a0+44 20 7946 0958')).toEqual(['+44 20 7946 0958']); // after a no-break space
  });

  it('finds formatted national numbers of the default regions with a lower score', () => {
    const text = 'office (201) 555-0123, London 020 7946 0958, Berlin 030/12345678, Paris 01 42 68 53 00';
    expect(values(text)).toEqual(['(201) 555-0123', '020 7946 0958', '030/12345678', '01 42 68 53 00']);
    for (const finding of phoneRecognizer.find(text)) expect(finding.score).toBe(0.9);
  });

  it('finds unformatted national numbers only after a phone cue', () => {
    expect(values('mobile: 2025550173')).toEqual(['2025550173']);
    expect(values('Telefon 03012345678')).toEqual(['03012345678']);
    const [cued] = phoneRecognizer.find('phone 2025550173');
    expect(cued?.score).toBeLessThan(0.95); // the detector adds the same cue's +0.35
    expect(values('id 2025550173')).toEqual([]);
    expect(values('2025550173')).toEqual([]);
  });

  it('finds the numbers inside a run that also holds other digits', () => {
    expect(values('Room 12 202-555-0173')).toEqual(['202-555-0173']);
    expect(values('call 020 7946 0958 or 0161 496 0000')).toEqual(['020 7946 0958', '0161 496 0000']);
  });

  it('refuses order numbers and bare ids', () => {
    expect(values('Order #4839201745 shipped')).toEqual([]);
    expect(values('Order 4839201745 shipped')).toEqual([]);
    expect(values('user_id=2025550173')).toEqual([]);
    expect(values('ts 1700000000')).toEqual([]);
  });

  it('refuses versions, dates, times and timestamps', () => {
    expect(values('upgrade to v2.14.3 or 10.2.0.1')).toEqual([]);
    expect(values('on 2024-03-15, 15/03/2024, 03.15.2024 and 15-03-2024')).toEqual([]);
    expect(values('at 2024-03-15 10:30:00 and 2024-03-15T10:30:00Z')).toEqual([]);
    expect(values('epoch 1700000000123')).toEqual([]);
  });

  it('refuses ISBNs, cards, SSNs, IPs and amounts', () => {
    expect(values('ISBN 978-3-16-148410-0 and 0-306-40615-2')).toEqual([]);
    expect(values('978-3-16-148410-0')).toEqual([]);
    expect(values('card 4111 1111 1111 1111 or 3782 822463 10005')).toEqual([]);
    expect(values('SSN 536-22-1234')).toEqual([]);
    expect(values('from 192.168.100.200 and 203.0.113.254')).toEqual([]);
    expect(values('total $1,234,567.89 or 1.234.567,89 € or 12 345 678')).toEqual([]);
  });

  it('refuses numbers a default region accepts only without its trunk prefix', () => {
    expect(values('12 34 56 78 90')).toEqual([]);
  });

  describe('validity agrees with libphonenumber', () => {
    // The recognizer compiles libphonenumber's metadata itself (its isValid() is too slow per
    // call); these check that the answers are the library's, for every country it knows.
    const found = (text: string): boolean => phoneRecognizer.find(text).length === 1;
    const countries = getCountries().filter((country) => getExampleNumber(country, examples) !== undefined);

    it('finds the example mobile number of every country in international format', () => {
      const missed = countries.filter((country) => !found(getExampleNumber(country, examples)?.formatInternational() ?? ''));
      expect(missed).toEqual([]);
    });

    it('agrees with isValidPhoneNumber on mutated example numbers', () => {
      let seed = 7;
      const random = (below: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return Math.floor((seed / 2147483648) * below);
      };
      let compared = 0;
      const disagreements: string[] = [];
      for (const country of countries) {
        const example = getExampleNumber(country, examples);
        if (example === undefined) continue;
        for (let round = 0; round < 20; round++) {
          const digits = example.nationalNumber.split('');
          for (let change = 0; change <= random(3); change++) digits[random(digits.length)] = String(random(10));
          if (round % 5 === 4) digits.pop();
          if (round % 7 === 6) digits.push(String(random(10)));
          const text = `+${example.countryCallingCode} ${digits.join('')}`;
          compared++;
          if (found(text) !== isValidPhoneNumber(text)) disagreements.push(text);
        }
      }
      expect(compared).toBeGreaterThan(4000);
      expect(disagreements.length).toBeLessThanOrEqual(compared * 0.002); // measured: 1 in ~4,900
    });
  });

  it('finds numbers in CSV fields, whatever the commas around them', () => {
    const text = 'id,name,phone,country\n5839,Ann,(201) 555-0123,US';
    expect(phoneRecognizer.find(text)[0]).toMatchObject({ start: 31, end: 45 });
    expect(values('Ann,ann@example.com,+33 6 12 34 56 78,23 mars 1986')).toEqual(['+33 6 12 34 56 78']);
    expect(values('total 1,202-555-0173.5')).toEqual([]); // glued to other digits, not a field
  });

  it('finds numbers touching CJK text, and Canadian, Chinese, Japanese numbers', () => {
    expect(values('电话+8613177646208，邮箱')).toEqual(['+8613177646208']);
    expect(values('電話番号は090-1235-3270、メール')).toEqual(['090-1235-3270']);
    expect(values('my mobile is 131 0048 6433.')).toEqual(['131 0048 6433']);
    expect(values('Phone on file 416-595-7204.')).toEqual(['416-595-7204']);
  });

  it('finds Polish and Brazilian national numbers after a cue, or without one as their national format prints them', () => {
    expect(values('Mój numer telefonu to 512 770 580.')).toEqual(['512 770 580']);
    expect(values('meu telefone é (11) 94034-3508.')).toEqual(['(11) 94034-3508']);
    // libphonenumber's Brazilian national format "(AA) NNNNN-NNNN"
    const [brazilian] = phoneRecognizer.find('Marta: (11) 94034-3508.');
    expect(brazilian).toMatchObject({ start: 7, end: 22 });
    expect(brazilian?.score).toBeLessThan(0.9); // layout alone: a negative context word (-0.4) refuses it
    expect(values('Marta: 11 94034-3508 or 11-94034-3508.')).toEqual([]); // not as printed
    // Polish mobiles print 3-3-3, as evenly as ids are chunked: a cue is needed
    expect(values('Marta: 512 770 580.')).toEqual([]);
    expect(values('lot 512 770 580 shipped')).toEqual([]);
    expect(values('ref (11) 94034-3508')).toEqual([]);
  });

  it('refuses an id labelled right before the digits even after a cue word', () => {
    // "номер паспорта": "passport number"; "номер" is also a phone cue
    expect(values('Дата рождения: 03/12/1973, номер паспорта 28 8685248.')).toEqual([]);
    expect(values('Phone order no. 0151 2345678')).toEqual([]);
    expect(values('Telefon Nr. 030 1234567')).toEqual(['030 1234567']); // a bare "Nr." numbers the phone
    expect(values('Tel. 0612.345678 or tel: 623.451234')).toEqual(['0612.345678', '623.451234']); // one dot, but cued
  });

  it('reads a holder word (customer, member, client, patient) as an id label only before a number word', () => {
    expect(values('customer: 415-555-0134')).toEqual(['415-555-0134']);
    expect(values('customer: 020 7946 0958')).toEqual(['020 7946 0958']);
    expect(values('Member 0151 2345678 called back')).toEqual(['0151 2345678']);
    expect(values('customer no. 415-555-0134')).toEqual([]);
    expect(values('Member Nr. 0151 2345678')).toEqual([]);
    expect(values('client number 020 7946 0958')).toEqual([]);
    expect(values('customer id 415-555-0134')).toEqual([]);
  });
});
