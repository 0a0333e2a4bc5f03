import { describe, expect, it } from 'vitest';
import { personNameRecognizer } from '../../../../src/privacy/pii/recognizers/person-name.js';

/** The spans the recognizer returns, as [value, start, end]. */
function spans(text: string): [string, number, number][] {
  return personNameRecognizer.find(text).map((f) => [text.slice(f.start, f.end), f.start, f.end]);
}

/** The expected span of `name` inside `text`, computed from the text, not from the recognizer. */
function spanOf(text: string, name: string): [string, number, number] {
  const start = text.indexOf(name);
  if (start < 0) throw new Error(`${name} not in ${text}`);
  return [name, start, start + name.length];
}

describe('personNameRecognizer: names of many cultures, exact offsets', () => {
  const cases: [culture: string, sentence: string, name: string][] = [
    ['Arabic (romanised)', 'The contract was signed by Mohammed Al-Farsi yesterday.', 'Mohammed Al-Farsi'],
    ['Arabic', 'وقع العقد محمد الشريف أمس', 'محمد الشريف'],
    ['Vietnamese', 'Người liên hệ: ông Nguyễn Văn An, phòng 3.', 'Nguyễn Văn An'],
    ['Irish', 'Please call Siobhán O\'Connor before noon.', "Siobhán O'Connor"],
    ['Spanish', 'La paciente José María García López ingresó ayer.', 'José María García López'],
    ['Chinese (pinyin)', 'Our reviewer Zhang Wei approved the change.', 'Zhang Wei'],
    ['Chinese', '昨天张伟先生来了。', '张伟'],
    ['Indian', 'Invoice approved by Priya Sharma on behalf of the team.', 'Priya Sharma'],
    ['Swedish', 'Kontakta Ingrid Johansson för mer information.', 'Ingrid Johansson'],
    ['Polish', 'Umowę podpisał Łukasz Kowalski w Krakowie.', 'Łukasz Kowalski'],
    ['Japanese (romaji)', 'The speaker, Yuki Tanaka, joined late.', 'Yuki Tanaka'],
    ['Russian (transliterated)', 'The report by Dmitri Ivanov was late.', 'Dmitri Ivanov'],
    ['Russian', 'Отчёт подготовил Дмитрий Иванов вчера.', 'Дмитрий Иванов'],
    ['Yoruba', 'The award went to Abimbola Adebisi this year.', 'Abimbola Adebisi'],
    ['Zulu', 'Sawubona, ngingu Sipho Buthelezi.', 'Sipho Buthelezi'],
    ['Korean', '담당자는 김민준 씨입니다.', '김민준'],
    ['German', 'Der Antrag von Hans Müller liegt vor.', 'Hans Müller'],
    ['Dutch', 'Het dossier van Jan de Vries is compleet.', 'Jan de Vries'],
    ['Turkish', 'Toplantıya Mehmet Yılmaz katıldı.', 'Mehmet Yılmaz'],
    ['Finnish', 'Yhteyshenkilö on Mikko Virtanen.', 'Mikko Virtanen'],
    ['Ghanaian', 'Kwame Mensah sent the files.', 'Kwame Mensah'],
    ['Romanian', 'Dosarul doamnei Ana Popescu este gata.', 'Ana Popescu'],
    ['French', 'Le dossier de Jean-Pierre Dubois est complet.', 'Jean-Pierre Dubois'],
    ['Italian', 'Abbiamo incontrato Giulia Bianchi a Milano.', 'Giulia Bianchi'],
  ];
  it.each(cases)('%s: %s', (_culture, sentence, name) => {
    expect(spans(sentence)).toEqual([spanOf(sentence, name)]);
  });

  it('scores a listed first name and listed surname 0.95, and a listed first name with an unknown surname 0.85', () => {
    expect(personNameRecognizer.find('Priya Sharma')[0]?.score).toBe(0.95);
    expect(personNameRecognizer.find('Mohammed Al-Farsi')[0]?.score).toBe(0.85);
  });

  it('keeps initials and particles inside the name', () => {
    const text = 'A speech by John F. Kennedy and a sonata by Ludwig van Beethoven.';
    expect(spans(text)).toEqual([spanOf(text, 'John F. Kennedy'), spanOf(text, 'Ludwig van Beethoven')]);
  });
});

describe('personNameRecognizer: cues make a single name', () => {
  const cases: [sentence: string, name: string][] = [
    ['Please ask Mr. Grant about it.', 'Grant'],
    ['Dear Rose, thank you for your order.', 'Rose'],
    ['Hi, my name is Bill and I need help.', 'Bill'],
    ['Bonjour, M. Dupont est arrivé.', 'Dupont'],
    ['Sehr geehrte Frau Schneider, vielen Dank.', 'Schneider'],
    ['Kind regards,\nSigned, Olga', 'Olga'],
    ['Patient: Okonkwo was admitted.', 'Okonkwo'],
  ];
  it.each(cases)('%s', (sentence, name) => {
    const findings = personNameRecognizer.find(sentence);
    expect(spans(sentence)).toEqual([spanOf(sentence, name)]);
    expect(findings[0]?.score).toBeGreaterThanOrEqual(0.9);
  });

  it('does not strip an honorific that follows other capitalised words into the name', () => {
    const text = 'Total 126.49 EUR Pan Konstanty Adamczyk';
    expect(spans(text)).toEqual([spanOf(text, 'Konstanty Adamczyk')]);
  });
});

describe('personNameRecognizer: hard negatives', () => {
  const negatives = [
    'The Monday meeting is cancelled.',
    'We flew from New York to Paris in April.',
    'Paris is lovely in May.',
    'Apple Inc. and General Motors both use Microsoft Azure.',
    'Will you come? May I help? Mark the date and Grant access to the Bill of Rights.',
    'Rose Garden tickets are sold out.',
    'She lives on Elizabeth Street near the station.',
    'Dear Sir or Madam, Hi Team, Dear Valued Customer,',
    'The Lord of the Rings is a long book.',
    'Visit Santa Monica Pier and Amazon Web Services re:Invent.',
    'Monday Morning Meeting Notes',
    'He lives in Paris. John said nothing.',
    'The iPhone Pro Max ships in June.',
    'San Francisco and Los Angeles are in California.',
  ];
  it.each(negatives)('%s', (text) => {
    expect(spans(text)).toEqual([]);
  });

  it('reports a word that is also a name only next to another name', () => {
    expect(spans('Will Smith and April Jones arrived.')).toEqual([
      ['Will Smith', 0, 10],
      ['April Jones', 15, 26],
    ]);
  });

  it('does not report a lone listed name without a cue', () => {
    expect(spans('Thanks again, Maria.')).toEqual([]);
    expect(spans('Ingrid arrived late.')).toEqual([]);
  });
});

describe('personNameRecognizer: labelled sample', () => {
  // Each record lists the names it contains; everything else in it is a hard negative.
  const sample: [text: string, names: string[]][] = [
    ['Contact Olivia Martin at the front desk.', ['Olivia Martin']],
    ['Ticket 4521 was closed by Ahmed Hassan on Friday.', ['Ahmed Hassan']],
    ['Meeting with Lucas Silva and Giulia Bianchi at 10.', ['Lucas Silva', 'Giulia Bianchi']],
    ['Sven Eriksson moved to Stockholm last year.', ['Sven Eriksson']],
    ['The board thanked Rahul Gupta for his work.', ['Rahul Gupta']],
    ['Sakura Yamamoto will present the results.', ['Sakura Yamamoto']],
    ['Dear Mrs. Kowalska, your parcel is ready.', ['Kowalska']],
    ['Chen Jing and Kim Min-jun joined the call.', ['Chen Jing', 'Kim Min-jun']],
    ['Petr Novák signed the lease.', ['Petr Novák']],
    ['Søren Nielsen lives in Aarhus.', ['Søren Nielsen']],
    ['Olga Petrenko approved the budget.', ['Olga Petrenko']],
    ['Amit Patel and Fatima Zahra wrote the report.', ['Amit Patel', 'Fatima Zahra']],
    ['Ms. Ayşe Kaya called about the refund.', ['Ayşe Kaya']],
    ['Bill Gates founded Microsoft.', ['Bill Gates']],
    ['The new Google Pixel launches in October.', []],
    ['Our Berlin office opens on Tuesday.', []],
    ['United Nations General Assembly, New York.', []],
    ['Version 2.1 of the Acme Cloud Platform is out.', []],
    ['Customer Support Team, Help Center.', []],
    ['The Great Wall of China is long.', []],
    ['Read Chapter 5 of Harry Potter tonight.', ['Harry Potter']],
    ['Happy New Year from the Marketing Department!', []],
  ];

  it('has precision >= 0.9 and recall >= 0.8', () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    for (const [text, names] of sample) {
      const found = spans(text).map(([value]) => value);
      for (const value of found) (names.includes(value) ? truePositives++ : falsePositives++);
      for (const name of names) if (!found.includes(name)) falseNegatives++;
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    console.log(`person_name sample: precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} (tp ${truePositives}, fp ${falsePositives}, fn ${falseNegatives})`);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });
});

describe('personNameRecognizer: names beside a listed name or a name shape', () => {
  it('takes an unlisted given name before a listed surname, but not a sentence-start word before a full name', () => {
    const text = 'Zorabel Schneider arrived.';
    expect(spans(text)).toEqual([spanOf(text, 'Zorabel Schneider')]);
    expect(personNameRecognizer.find(text)[0]?.score).toBe(0.85);
    const turkish = 'Toplantıya Mehmet Yılmaz katıldı.';
    expect(spans(turkish)).toEqual([spanOf(turkish, 'Mehmet Yılmaz')]);
  });

  it('pairs a romanised East Asian surname with a pinyin or hyphenated Korean given name', () => {
    const chinese = 'Wang Xiaoyu approved it.';
    expect(spans(chinese)).toEqual([spanOf(chinese, 'Wang Xiaoyu')]);
    const korean = 'Jae-won Baek called.';
    expect(spans(korean)).toEqual([spanOf(korean, 'Jae-won Baek')]);
    expect(spans('Sun Microsystems shipped it.')).toEqual([]);
  });

  it('keeps capitalised particles inside and honorifics outside Vietnamese and Filipino names', () => {
    const filipino = 'Rowena Dela Paz signed.';
    expect(spans(filipino)).toEqual([spanOf(filipino, 'Rowena Dela Paz')]);
    const vietnamese = 'Chị Bùi Thị Lan đã đến.';
    expect(spans(vietnamese)).toEqual([spanOf(vietnamese, 'Bùi Thị Lan')]);
  });

  it('reads faker\'s Greek-script surnames in Latin letters (Παπανικολάου -> Papanikolaou)', () => {
    // "Papanikolaou" has no surname suffix the shape rule knows and is in no Latin-script list.
    const text = 'Report by Eleni Papanikolaou.';
    expect(spans(text)).toEqual([spanOf(text, 'Eleni Papanikolaou')]);
    expect(personNameRecognizer.find(text)[0]?.score).toBe(0.95);
  });

  it('takes an Arabic family name with al- after the cue "my name is"', () => {
    const text = 'اسمي زكريا الحربي';
    expect(spans(text)).toEqual([spanOf(text, 'زكريا الحربي')]);
  });

  it('does not take an acronym and a country code for a name', () => {
    expect(spans('Wire to IBAN DE89370400440532013000 today, or to IBAN DE via SEPA.')).toEqual([]);
  });
});

describe('personNameRecognizer: person cues make two unlisted words a name', () => {
  const cases: [cue: string, text: string, name: string][] = [
    ['a closing', 'Thanks, Zorabel Quintavalle', 'Zorabel Quintavalle'],
    ['a chat speaker at a line start', 'ok\n[09:12] Tendai Mukamuri: hello', 'Tendai Mukamuri'],
    ['an e-mail display name', 'From: Tendai Mukamuri <t.m@example.com>', 'Tendai Mukamuri'],
    ['a speech verb after a label', 'Escalation: Tendai Mukamuri says hi', 'Tendai Mukamuri'],
    ['a role word', 'Account holder Tendai Mukamuri, amount 5.', 'Tendai Mukamuri'],
    ['a self-introduction', 'Hola, soy Zorabel Quintavalle y vivo aquí.', 'Zorabel Quintavalle'],
    ['a CSV name column', 'id,full_name,city\n1,Tendai Mukamuri,Harare', 'Tendai Mukamuri'],
    ['a semicolon-separated field', '17;Tendai Mukamuri;Harare 12', 'Tendai Mukamuri'],
  ];
  it.each(cases)('%s', (_cue, text, name) => {
    expect(spans(text)).toEqual([spanOf(text, name)]);
  });

  const negatives = [
    'Thanks for the Quarterly Report',
    'Talks with Acme Zorbex: ok',
    'A partner from Acme Zorbex asked for a demo.',
    'id,product,city\n1,Velvet Zorbex,Harare',
    'Thanks again, Maria.',
  ];
  it.each(negatives)('no name in: %s', (text) => {
    expect(spans(text)).toEqual([]);
  });
});
