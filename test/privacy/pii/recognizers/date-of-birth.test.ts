import { describe, expect, it } from 'vitest';
import { dateOfBirthRecognizer } from '../../../../src/privacy/pii/recognizers/date-of-birth.js';

const values = (text: string): string[] => dateOfBirthRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe('dateOfBirthRecognizer', () => {
  it('finds a cued ISO date with exact offsets', () => {
    const text = 'Date of birth: 1985-03-12.';
    const [finding] = dateOfBirthRecognizer.find(text);
    expect(finding).toMatchObject({ start: 15, end: 25, type: 'date_of_birth', recognizer: 'date_of_birth.cued' });
    expect(finding?.score).toBeGreaterThanOrEqual(0.95);
  });

  it('finds numeric US and European formats', () => {
    expect(values('DOB: 03/12/1985')).toEqual(['03/12/1985']);
    expect(values('D.O.B. 12.03.1985')).toEqual(['12.03.1985']);
    expect(values('birthday 25/12/1990')).toEqual(['25/12/1990']); // only valid as d/m
    expect(values('dob 12-31-1979')).toEqual(['12-31-1979']); // only valid as m/d
    expect(values('DOB 03/12/85')).toEqual(['03/12/85']);
  });

  it('finds day-month-year with an abbreviated month between dashes, slashes or dots, as records write it', () => {
    expect(values('DOB 14-Mar-1985; admitted 02-APR-2024')).toEqual(['14-Mar-1985']);
    expect(values('dob: 14/MAR/85, d.o.b. 1.Sep.1971')).toEqual(['14/MAR/85', '1.Sep.1971']);
    expect(values('DOB 31-Feb-1985')).toEqual([]); // no such day
    expect(values('DOB 14-Mar/1985')).toEqual([]); // mixed separators
  });

  it('takes field names as cues: birth_date, date_of_birth, dateOfBirth', () => {
    expect(values('{"birth_date": "1985-03-14", "created": "2024-01-02"}')).toEqual(['1985-03-14']);
    expect(values('date_of_birth=14.03.1985 dateOfBirth: 03/14/1985 birthDate 1985-03-14')).toEqual(['14.03.1985', '03/14/1985', '1985-03-14']);
  });

  it('finds written dates in several languages', () => {
    expect(values('She was born on March 12, 1985 in Ohio')).toEqual(['March 12, 1985']);
    expect(values('born 12 March 1985')).toEqual(['12 March 1985']);
    expect(values('born on the 3rd of Sept. 1971')).toEqual(['3rd of Sept. 1971']);
    expect(values('Er ist am 12. März 1985 geboren. Geboren am 4. Juli 1976')).toEqual(['12. März 1985', '4. Juli 1976']);
    expect(values('Elle est née le 1er août 1990 à Lyon')).toEqual(['1er août 1990']);
    expect(values('fecha de nacimiento: 12 de marzo de 1985')).toEqual(['12 de marzo de 1985']);
    expect(values('data di nascita 12/03/1985')).toEqual(['12/03/1985']);
  });

  it('finds first-person birth phrasing', () => {
    expect(values('I was born on 12/03/1985.')).toEqual(['12/03/1985']);
    expect(values('Je suis né le 12/03/1985 à Lyon')).toEqual(['12/03/1985']);
    expect(values('Ich bin am 12.03.1985 geboren.')).toEqual(['12.03.1985']);
    expect(values('Ich bin am 12. März 1985 in Bad Homburg geboren')).toEqual(['12. März 1985']);
    expect(values('Ik ben op 12-03-1985 geboren')).toEqual(['12-03-1985']);
    expect(values('Nací el 12/03/1985 en Sevilla')).toEqual(['12/03/1985']);
    expect(values('Naci en Madrid el 12 de marzo de 1985')).toEqual(['12 de marzo de 1985']);
    expect(values('Sono nato il 12/03/1985')).toEqual(['12/03/1985']);
    expect(values('Eu nasci em 12/03/1985')).toEqual(['12/03/1985']);
    expect(values('Urodziłam się 12.03.1985 w Krakowie')).toEqual(['12.03.1985']);
    expect(values('Jag föddes 1985-03-12')).toEqual(['1985-03-12']);
    expect(values('Tôi sinh ngày 12/03/1985')).toEqual(['12/03/1985']);
    expect(values('Saya lahir pada 12/03/1985')).toEqual(['12/03/1985']);
  });

  it('takes "am/op <date>" only when "geboren" follows the date', () => {
    expect(values('Ich bin am 12.03.1985 in Berlin angekommen')).toEqual([]);
    expect(values('Er ist am 03.04.2001 gestorben')).toEqual([]);
    expect(values('Ich bin am 12.03.2024 im Büro. Geboren wurde ich nicht hier')).toEqual([]);
    expect(values('Het is op 12-03-1985 gebeurd')).toEqual([]);
  });

  it('allows words between the cue and the date within the window', () => {
    expect(values('John Smith was born in Paris, France on 12 March 1985.')).toEqual(['12 March 1985']);
  });

  it('refuses dates without a birth cue', () => {
    expect(values('The meeting is on 2024-03-15 and the invoice dated 12/03/1985.')).toEqual([]);
    expect(values('Released March 12, 1985.')).toEqual([]);
  });

  it('refuses a cue in another sentence or line, or too far away', () => {
    expect(values('He was born in Ohio. The firm opened 12 March 1985.')).toEqual([]);
    expect(values('DOB\n12/03/1985')).toEqual([]);
    expect(values(`born ${'in a small town by the sea, far away '.repeat(2)}on 12 March 1985`)).toEqual([]);
  });

  it('refuses impossible calendar dates and implausible years', () => {
    expect(values('born 30/02/1985')).toEqual([]);
    expect(values('born 29 Feb 2001')).toEqual([]);
    expect(values('born 29 Feb 2000')).toEqual(['29 Feb 2000']);
    expect(values('born 12/03/1850')).toEqual([]);
    expect(values(`born 12/03/${new Date().getUTCFullYear() + 1}`)).toEqual([]);
    expect(values('DOB 13.13.1985')).toEqual([]);
  });

  it('finds dates after birth cues in more languages and scripts', () => {
    expect(values('Geboortedatum: 15-04-1972; paspoortnummer X')).toEqual(['15-04-1972']);
    expect(values('Doğum tarihi: 07.08.1968, pasaport')).toEqual(['07.08.1968']);
    expect(values('Data de nascimento: 26/07/1987.')).toEqual(['26/07/1987']);
    expect(values('Data urodzenia: 28.11.1958')).toEqual(['28.11.1958']);
    expect(values('Дата рождения: 14.08.1958')).toEqual(['14.08.1958']);
    expect(values('تاريخ الميلاد: 1940-04-05')).toEqual(['1940-04-05']);
    const japanese = '生年月日：1967年9月3日、旅券番号';
    expect(dateOfBirthRecognizer.find(japanese)[0]).toMatchObject({ start: 5, end: 14 });
    expect(values('出生日期：1995年7月15日，')).toEqual(['1995年7月15日']);
  });

  it('refuses CJK and other-script dates without a birth cue', () => {
    expect(values('会議は2024年3月15日です')).toEqual([]);
    expect(values('Дата заказа: 14.08.1958')).toEqual([]);
    expect(values('生年月日：2024年2月30日')).toEqual([]); // no such day
  });

  it('finds the date a dialogue turn gives after a birth-date question', () => {
    const text = 'Bot: please confirm your date of birth.\nUser: 17/11/1958\nBot: thanks';
    expect(dateOfBirthRecognizer.find(text)[0]).toMatchObject({ start: 46, end: 56 });
    expect(values('Bot: your date of birth?\nUser: 5 September 1984')).toEqual(['5 September 1984']);
    expect(values('Bot: your date of birth?\nUser: my order was on 17/11/1958')).toEqual([]); // not the whole answer
  });

  it('finds dates in a CSV column headed as a birth date', () => {
    const text = 'applicant,ssn,dob\nMichael Caldwell,168-12-8727,01/09/1945\nAnn Lee,219-09-9999,12/03/1985';
    expect(dateOfBirthRecognizer.find(text).map((f) => [f.start, f.end])).toEqual([[47, 57], [78, 88]]);
    expect(values('name,date_naissance\nInès Perrin,7 octobre 1944')).toEqual(['7 octobre 1944']);
    expect(values('name,created_at\nInès Perrin,07/10/1944')).toEqual([]); // not a birth column
    expect(values('name,birth_place\nInès Perrin,12/03/1985')).toEqual([]);
  });
});
