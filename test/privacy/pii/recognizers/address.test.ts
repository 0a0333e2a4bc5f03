import { describe, expect, it } from 'vitest';
import { addressRecognizer } from '../../../../src/privacy/pii/recognizers/address.js';

function spans(text: string): string[] {
  return addressRecognizer.find(text).map((f) => text.slice(f.start, f.end));
}

/** Runs the recognizer on `before + address + after` and checks the exact offsets of the one finding. */
function expectAddress(before: string, address: string, after: string, minScore: number): void {
  const text = before + address + after;
  const findings = addressRecognizer.find(text);
  expect(findings.map((f) => [f.start, f.end])).toEqual([[before.length, before.length + address.length]]);
  expect(findings[0]!.type).toBe('address');
  expect(findings[0]!.score).toBeGreaterThanOrEqual(minScore);
}

describe('addressRecognizer: formats', () => {
  const full: [format: string, address: string][] = [
    ['US with unit, city, state, ZIP', '4500 N. Lincoln Avenue, Apt 5B, Chicago, IL 60625'],
    ['US with ZIP+4 and directional', '1600 Pennsylvania Avenue NW, Washington, DC 20500-0003'],
    ['CA with postal code', '24 Sussex Drive, Ottawa, ON K1M 1M4'],
    ['UK with postcode', '10 Downing Street, London SW1A 2AA'],
    ['AU with state and postcode', '1 Macquarie Street, Sydney NSW 2000'],
    ['DE', 'Hauptstraße 5, 10115 Berlin'],
    ['DE hyphenated, country prefix', 'Konrad-Adenauer-Straße 1, D-53113 Bonn'],
    ['DE street without type word', 'Unter den Linden 77, 10117 Berlin'],
    ['AT', 'Stephansplatz 3, 1010 Wien'],
    ['CH', 'Bahnhofstrasse 21, 8001 Zürich'],
    ['FR', '12 rue de la Paix, 75002 Paris'],
    ['FR boulevard', '55 boulevard Saint-Germain, 75005 Paris'],
    ['IT', 'Via Roma 12, 00184 Roma'],
    ['ES with floor and door', 'Calle de Alcalá, 45, 3º B, 28014 Madrid'],
    ['PT', 'Av. da Liberdade 110, 1269-046 Lisboa'],
    ['BR', 'Avenida Paulista 1578, 01310-200 São Paulo'],
    ['PL', 'ul. Marszałkowska 10, 00-590 Warszawa'],
    ['NL with type suffix', 'Keizersgracht 123, 1015 CJ Amsterdam'],
    ['NL without type word', 'Damrak 1, 1012 LG Amsterdam'],
    ['JP', '東京都千代田区千代田1-1'],
    ['JP with postcode and chōme', '〒150-0002 東京都渋谷区渋谷2丁目21-1'],
  ];
  it.each(full)('%s: %s', (_format, address) => {
    expectAddress('Please ship to ', address, '. Thanks!', 0.95);
  });

  const streetLines: [format: string, address: string][] = [
    ['US', '123 Main St'],
    ['UK', '221B Baker Street'],
    ['DE', 'Berliner Straße 12'],
    ['DE abbreviated', 'Gerhard-Domagk-Str. 73c'],
    ['SE', 'Storgatan 12'],
    ['ES', 'Calle Mayor 10'],
    ['PT', 'Rua Augusta 100'],
    ['FR', '8 avenue des Champs-Élysées'],
  ];
  it.each(streetLines)('street line %s: %s', (_format, address) => {
    const text = `She lives at ${address} now.`;
    const findings = addressRecognizer.find(text);
    expect(spans(text)).toEqual([address]);
    expect(findings[0]!.score).toBeGreaterThanOrEqual(0.85);
    expect(findings[0]!.score).toBeLessThan(0.95);
  });

  it('finds several addresses in one text', () => {
    expect(spans('From 10 Downing Street, London SW1A 2AA to Hauptstraße 5, 10115 Berlin.')).toEqual([
      '10 Downing Street, London SW1A 2AA',
      'Hauptstraße 5, 10115 Berlin',
    ]);
  });
});

describe('addressRecognizer: hard negatives', () => {
  const negatives = [
    'Chapter 5 Street Fighter is a classic.',
    'Version 2 Road map is published.',
    'It costs $5 Main St pricing.',
    'There are 3 main reasons for this.',
    'The meeting is on 12 May 2023 at 10:30.',
    'We sold 500 units in March.',
    'Order 123456 shipped on 2024-01-05.',
    'Departure Gate 5 is closed.',
    'Straße 5 alone is not an address.',
    'Send it via email 5 times.',
    'See the top 10 Park Avenue hotels.',
    'Room 101 Floor 3',
    'Die Temperatur war 25 Grad.',
  ];
  it.each(negatives)('%s', (text) => {
    expect(spans(text)).toEqual([]);
  });
});

describe('addressRecognizer: labelled sample', () => {
  const sample: [text: string, addresses: string[]][] = [
    ['Deliver to 350 Fifth Avenue, New York, NY 10118 before noon.', ['350 Fifth Avenue, New York, NY 10118']],
    ['Office: 1 Infinite Loop, Cupertino, CA 95014', ['1 Infinite Loop, Cupertino, CA 95014']],
    ['Our shop is at 27 Old Gloucester Street, London WC1N 3AX.', ['27 Old Gloucester Street, London WC1N 3AX']],
    ['Rechnungsadresse: Friedrichstraße 43, 10117 Berlin', ['Friedrichstraße 43, 10117 Berlin']],
    ['Adresse : 5 place de la Bourse, 33000 Bordeaux', ['5 place de la Bourse, 33000 Bordeaux']],
    ['Indirizzo: Piazza del Duomo 1, 20122 Milano', ['Piazza del Duomo 1, 20122 Milano']],
    ['Dirección: Paseo de la Castellana 89, 28046 Madrid', ['Paseo de la Castellana 89, 28046 Madrid']],
    ['Adres: Prinsengracht 263, 1016 GV Amsterdam', ['Prinsengracht 263, 1016 GV Amsterdam']],
    ['He moved to 742 Evergreen Terrace last year.', ['742 Evergreen Terrace']],
    ['Ring me at 555 0199 about the 2 Broad Street offer.', ['2 Broad Street']],
    ['Released in 2021, version 3 Road Runner edition.', []],
    ['We had 12 Green Apples and 4 Bananas.', []],
    ['The invoice total was 1,250 EUR for 3 items.', []],
    ['Page 12 Section 4 Paragraph 2', []],
    ['In 1999 Prince released a song.', []],
  ];

  it('has precision >= 0.9 and recall >= 0.9', () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    for (const [text, addresses] of sample) {
      const found = spans(text);
      for (const value of found) (addresses.includes(value) ? truePositives++ : falsePositives++);
      for (const address of addresses) if (!found.includes(address)) falseNegatives++;
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    console.log(`address sample: precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} (tp ${truePositives}, fp ${falsePositives}, fn ${falseNegatives})`);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe('addressRecognizer: units, localities and postcodes after the street', () => {
  const full: [format: string, address: string][] = [
    ['PT floor and side', 'Rua das Flores, 12, 2.º Esq., 4050-262 Porto'],
    ['BR flat, city - state, CEP', 'Rua Oscar Freire, 900, apto 12, São Paulo - SP, 01426-001'],
    ['IT house number with letter, province', 'Via Garibaldi 7/B, 10122 Torino (TO)'],
    ['DE "Am …" street, number with letter', 'Am Markt 3a, 28195 Bremen'],
    ['IN flat first, society, road, area, PIN', 'Flat 12B, Green Park Apartments, 5th Cross Road, Jayanagar, Bengaluru 560041'],
    ['IN house number first', 'House No. 7, MG Road, Indore 452001'],
    ['JP romanised chōme-banchi-gō, ward, postcode', '1-2-3 Ginza, Chuo-ku, Tokyo 104-0061'],
  ];
  it.each(full)('%s: %s', (_format, address) => {
    expectAddress('Please ship to ', address, '. Thanks!', 0.95);
  });

  it('takes a typed street without a number only with the locality after it, at a lower score', () => {
    expectAddress('I am near ', 'Harambee Avenue, Nairobi', '.', 0.7);
    expect(addressRecognizer.find('I am near Harambee Avenue, Nairobi.')[0]!.score).toBeLessThan(0.85);
    expect(spans('We met on Oak Street, and then left.')).toEqual([]);
  });

  it('stops the locality where a sentence goes on', () => {
    expect(spans('Ship to 12 Main Street, John will sign.')).toEqual(['12 Main Street']);
  });

  const negatives = ['Flat 5, the price is good.', 'Unit 3, Unit 4, Unit 5 passed.', '1-2-3 Testing, Mic-check.'];
  it.each(negatives)('no address in: %s', (text) => {
    expect(spans(text)).toEqual([]);
  });
});
