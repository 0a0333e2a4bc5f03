import { describe, expect, it } from 'vitest';
import { passportRecognizer } from '../../../../src/privacy/pii/recognizers/passport.js';

const values = (text: string): string[] => passportRecognizer.find(text).map((f) => text.slice(f.start, f.end));

// ICAO Doc 9303 part 4, appendix: the TD3 specimen passport of "ANNA MARIA ERIKSSON", Utopia.
const SPECIMEN_LINE_1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
const SPECIMEN_LINE_2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';

describe('passportRecognizer', () => {
  it('finds a number after a passport cue with exact offsets', () => {
    const text = 'Passport No.: C01X00T47 (Germany)';
    const [finding] = passportRecognizer.find(text);
    expect(finding).toMatchObject({ start: 14, end: 23, type: 'passport', recognizer: 'passport.cued' });
  });

  it('finds national number formats after cues in several languages', () => {
    expect(values('US passport number is 340020013')).toEqual(['340020013']);
    expect(values('passport: A12345678')).toEqual(['A12345678']);
    expect(values('Reisepass C01X00T47')).toEqual(['C01X00T47']);
    expect(values('numéro de passeport 12AB34567')).toEqual(['12AB34567']);
    expect(values('passeport n° 12AB34567')).toEqual(['12AB34567']);
    expect(values('pasaporte PAA123456, passaporto YA1234567')).toEqual(['PAA123456', 'YA1234567']);
    expect(values('Indian passport # J8369854')).toEqual(['J8369854']);
  });

  it('finds numbers after the word for passport in more languages and scripts', () => {
    expect(values('Nomor paspor saya A1234567.')).toEqual(['A1234567']); // Indonesian
    expect(values('Namba ya pasipoti: AB1234567')).toEqual(['AB1234567']); // Swahili
    expect(values('Αριθμός διαβατηρίου: AE1234567')).toEqual(['AE1234567']); // Greek
    expect(values('Το διαβατήριο AE7654321 λήγει το 2030')).toEqual(['AE7654321']);
    expect(values('मेरा पासपोर्ट नंबर Z1234567 है')).toEqual(['Z1234567']); // Hindi
    expect(values('আমার পাসপোর্ট নম্বর A01234567')).toEqual(['A01234567']); // Bengali
    expect(values('หมายเลขหนังสือเดินทาง AA1234567')).toEqual(['AA1234567']); // Thai
    expect(values('מספר דרכון 12345678')).toEqual(['12345678']); // Hebrew
    expect(values('شماره گذرنامه: K12345678')).toEqual(['K12345678']); // Persian
    expect(values('میرا پاسپورٹ نمبر AB1234567 ہے')).toEqual(['AB1234567']); // Urdu
  });

  it('refuses document-like numbers without a cue, or before it', () => {
    expect(values('Order 340020013 and ticket C01X00T47')).toEqual([]);
    expect(values('C01X00T47 is my passport')).toEqual([]);
  });

  it('refuses tokens that are not document numbers', () => {
    expect(values('passport expires 2030')).toEqual([]);
    expect(values('passport PASSPORTS and ABCDEF12')).toEqual([]);
    expect(values('My passport. ABC123456 is a code')).toEqual([]);
    expect(values('passport 1234567890123')).toEqual([]);
  });

  it('finds an ICAO 9303 TD3 machine-readable line with valid check digits', () => {
    const text = `${SPECIMEN_LINE_1}\n${SPECIMEN_LINE_2}\n`;
    const [finding] = passportRecognizer.find(text);
    expect(text.slice(finding?.start, finding?.end)).toBe(SPECIMEN_LINE_2);
    expect(finding?.score).toBe(1);
  });

  it('refuses an MRZ line with any wrong check digit', () => {
    const corrupt = (at: number, digit: string): string => SPECIMEN_LINE_2.slice(0, at) + digit + SPECIMEN_LINE_2.slice(at + 1);
    expect(values(corrupt(9, '7'))).toEqual([]); // document number check
    expect(values(corrupt(19, '3'))).toEqual([]); // birth date check
    expect(values(corrupt(27, '8'))).toEqual([]); // expiry check
    expect(values(corrupt(43, '1'))).toEqual([]); // composite check
    expect(values(corrupt(1, '9'))).toEqual([]); // changed document number
  });

  it('finds numbers after cues in more languages, compounds and number words', () => {
    expect(values('passport no. E99667258.')).toEqual(['E99667258']);
    expect(values('Nato il 28/07/2002, passaporto n. TL4355706.')).toEqual(['TL4355706']);
    expect(values('Reisepassnummer C6Z6C1TZR. Antrag')).toEqual(['C6Z6C1TZR']); // German: letter-heavy
    expect(values('paspoortnummer ZJVD0MTR0.')).toEqual(['ZJVD0MTR0']);
    expect(values('pasaport no: U20251580.')).toEqual(['U20251580']);
    expect(values('numer paszportu TJ1525857.')).toEqual(['TJ1525857']);
    expect(values('số hộ chiếu B9251531.')).toEqual(['B9251531']);
    expect(values('رقم جواز السفر B47342756')).toEqual(['B47342756']);
    const japanese = '生年月日：1967年9月3日、旅券番号 MZ4670776';
    expect(passportRecognizer.find(japanese)[0]).toMatchObject({ start: 20, end: 29 });
    expect(values('护照号码：G63635989。')).toEqual(['G63635989']);
    expect(values('номер паспорта 89 7824331.')).toEqual(['89 7824331']);
  });

  it('finds numbers after the German "Pass" with its number word', () => {
    expect(values('Passnummer: C01X00T47')).toEqual(['C01X00T47']);
    expect(values('Pass-Nr. C01X00T47, gültig bis 2030')).toEqual(['C01X00T47']);
    expect(values('Pass Nr.: C01X00T47')).toEqual(['C01X00T47']);
    expect(values('Reisepass-Nr. C01X00T47')).toEqual(['C01X00T47']);
  });

  it('refuses "Pass" without a number word, and identity-card cues', () => {
    expect(values('boarding pass 123456789')).toEqual([]);
    expect(values('pass 123456789 to the function')).toEqual([]);
    // an ID card or member card number is not a passport number
    expect(values('Ausweisnummer L01X00T47')).toEqual([]);
    expect(values('Mitgliedsausweis Nr. 12345678')).toEqual([]);
  });

  it('takes a letter-heavy number only right after the cue', () => {
    expect(values('passport renewal form ABCDEFGH1')).toEqual([]);
    expect(values('passport ABCDEFGHI')).toEqual([]); // no digit
    expect(values('passport holders: see the FAQ')).toEqual([]);
  });

  it('finds numbers in a CSV column headed as passports', () => {
    const text = 'guest,passport_no,nationality\nElisa Ricci,BQ0826814,IT';
    expect(passportRecognizer.find(text)[0]).toMatchObject({ start: 42, end: 51 });
    expect(values('guest,passport_country\nElisa Ricci,ITA123456')).toEqual([]);
    expect(values('guest,booking\nElisa Ricci,BQ0826814')).toEqual([]);
  });
});
