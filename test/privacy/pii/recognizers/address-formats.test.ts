import { describe, expect, it } from 'vitest';
import { addressRecognizer } from '../../../../src/privacy/pii/recognizers/address.js';

/**
 * Street addresses of many countries as they appear in chat, tickets, CSV rows, form dumps and
 * e-mail signatures. Each case marks the expected address with [[ ]]: the whole written address
 * (unit, number, street, locality, postcode, state, country) is one span.
 *
 * The layouts (field order, postcode shapes, where the unit goes) are the postal authorities'
 * own, quoted per group. Where a group cites "libaddressinput", it is Google's i18n address
 * metadata (github.com/google/libaddressinput, cpp/src/region_data_constants.cc): the `fmt`
 * line order (%A street, %C city, %S state, %Z postcode) and the `zip` pattern of the country.
 * Street and place names are written for this file; any resemblance to a real address is the
 * format's doing.
 */
function marked(source: string): { text: string; expected: string[] } {
  const expected: string[] = [];
  const text = source.replace(/\[\[([\s\S]*?)\]\]/g, (_, address: string) => {
    expected.push(address);
    return address;
  });
  return { text, expected };
}

function spans(text: string): string[] {
  return addressRecognizer.find(text).map((f) => text.slice(f.start, f.end));
}

const POSITIVES: Record<string, string[]> = {
  // USPS Publication 28 (Postal Addressing Standards): number, predirectional, name, suffix
  // (App. C1: St, Ave, Pkwy, …), postdirectional, secondary unit (App. C2: Apt, Ste, #), then
  // "CITY ST ZIP+4"; §28 PO Box. libaddressinput US: fmt "%A%n%C, %S %Z", zip \d{5}([ -]\d{4})?.
  US: [
    'Ticket #4821: customer reports package sent to [[1420 W Fullerton Ave Apt 3R, Chicago, IL 60614]] never arrived.',
    'Send the keys to [[Apt. 7C, 301 E 57th St, New York, NY 10022]] before Friday!!',
    'USPS style: [[1234 ELM ST APT 5\nSPRINGFIELD IL 62704-1234]]',
    'Ship to [[123 1/2 Maple Ave, Dayton, OH 45402]] please.',
    '<p>Acme Corp<br>[[500 Oak Street<br>Austin, TX 78701]]</p>',
    'id,name,street,city,state\n7,Ann Lee,[[88 Pine St]],Boston,MA',
    'Campus: [[One Microsoft Way, Redmond, WA 98052]]',
    'Please send the replacement to [[1234 Elm St Apt 5, Springfield, IL 62704]] by Friday.',
    'Ship to: [[500 W Madison St Ste 1000, Chicago, IL 60661-4544]]',
    'new addr is [[10 E 21st St #4B, New York, NY 10010]] thx',
    'HQ: [[1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA]].',
    'Mail checks to [[PO Box 1234, Austin, TX 78767]].',
    'She moved to [[742 Evergreen Terrace, Springfield, Oregon 97477]] in May.',
    'Address: [[77 Massachusetts Ave Cambridge MA 02139]]',
    'John Smith\nSenior Engineer, Northwind\n[[350 Fifth Avenue, Suite 3300\nNew York, NY 10118]]\njohn.smith@example.com',
    '1042,"Garcia, Maria","[[45 Oak Street, Apt 3, Portland, OR 97205]]",503-555-0142',
    'yo send it to [[42 elm st, boston ma 02118]] pls',
    'Our office moved to [[Suite 200, 100 Pine Street, San Francisco, CA 94111]].',
    'Meet me at [[233 S. Wacker Dr., Chicago, IL 60606]] at noon.',
    '{"name":"Ann Lee","address":"[[88 Colin P Kelly Jr St, San Francisco, CA 94107]]"}',
    'billing_address: [[9 Harbor View Rd, Unit 12, Tampa, FL 33602]]\nbilling_phone: n/a',
  ],
  // Canada Post Canadian Addressing Guidelines: unit-civic with a hyphen ("10-123 Main St NW"),
  // municipality, province symbol, two spaces, postal code; French civic addresses with the
  // province in parentheses. libaddressinput CA: zip [ABCEGHJ-NPRSTVXY]\d[A-Z] ?\d[A-Z]\d.
  CA: [
    'Shipping Address: [[785 Bay Street, Unit 1204, Toronto, ON M5G 0A8]]',
    'pls ship to [[88 Queen St W, Toronto ON M5H 2N2]], thx',
    'Ship to: [[220 Yonge St\nToronto, ON M5B 2H1\nCanada]]',
    'Deliver to [[10-123 Main St NW, Montreal QC  H3Z 2Y7]] please.',
    'Adresse : [[1200 rue Sainte-Catherine Ouest, Montréal (Québec) H3B 1K9]]',
    'Send the forms to [[24 Sussex Drive, Ottawa, Ontario K1M 1M4]].',
    'Store #88: [[Unit 5, 3400 Dufferin St, Toronto, ON M6A 2T9]]',
    'Regards,\nPriya\n[[150 Elgin St\nOttawa ON  K2P 1L4]]',
  ],
  // Royal Mail, Programmer's Guide to PAF and "Addressing your mail": sub-building, building
  // name, number and thoroughfare, dependent locality, post town, postcode, one per line.
  UK: [
    'His address: [[Flat 4, 23 Elm Grove, Southsea, Hampshire PO5 1JF]]',
    '[[Apartment 12, The Maltings, Bridge Street, Cambridge CB2 1UF]]',
    'Parcel for [[Flat 2, 14 Hill Road, London N1 2AB]] was returned.',
    'Our new studio: [[14 Hill Rd, Clifton, Bristol, BS8 1AB]]',
    'Kind regards,\nTom Hughes\n[[14 Hill Road\nClifton\nBristol\nBS8 1AB]]\nTel 0117 496 0000',
    'Please post it to [[Rose Cottage, Church Lane, Little Snoring, Fakenham NR21 0AA]].',
    'Registered office: [[10 Downing Street, LONDON, SW1A 2AA]]',
    'I now live at [[Apartment 5, 2 Lockside Mews, Leeds LS10 1JE]] so update it.',
    'Invoice address: [[27 Old Gloucester St, London WC1N 3AX, United Kingdom]]',
  ],
  // An Post / Eircode: thoroughfare (with "Upper"/"Lower"), postal district, county, Eircode
  // (routing key + unique identifier, e.g. "A65 F4E2" in libaddressinput IE zipex).
  IE: [
    'The shop is at [[12 O\'Connell Street Upper, Dublin 1, D01 F5P2]] now.',
    'Send it to [[Main Street, Ballymore, Co. Westmeath, N91 X2Y5]] please.',
    'Office: [[7 Patrick Street, Cork T12 X70A]]',
  ],
  // Australia Post addressing guidelines (AS 4590): "Unit 5/12 Smith St", "Level 3, …",
  // locality, state, postcode. libaddressinput AU: fmt "%A%n%C %S %Z", zip \d{4}.
  AU: [
    'Office: [[Level 27, 1 Farrer Place, Sydney NSW 2000, Australia]]',
    'Hi, can you send it to [[5/12 Smith St, Fitzroy VIC 3065]]?',
    'Our Sydney office: [[Level 3, 100 George Street, Sydney NSW 2000]]',
    'Address: [[Unit 7, 45 Beach Road, Bondi NSW 2026]]',
    'Remit to [[PO Box 123, Brisbane QLD 4001]].',
    'Moved to [[22 Wattle Cres, PADDINGTON QLD 4064]] last week.',
    'Pick-up from [[Shop 4, 88 Hay St, Perth WA 6000]] after 3pm.',
  ],
  // NZ Post addressing guidelines: number and street, suburb, town or city with postcode.
  // libaddressinput NZ: fmt "%A%n%D%n%C %Z", zip \d{4}.
  NZ: [
    'Our warehouse: [[Unit 2, 14 Industrial Drive, Penrose, Auckland 1061]]',
    'Courier to [[12 Queen Street, Auckland Central, Auckland 1010]] please.',
    'Flat details: [[Flat 3, 25 Cuba Street, Te Aro, Wellington 6011]]',
    'Send to [[3/45 Ponsonby Road, Ponsonby, Auckland 1011, New Zealand]].',
  ],
  // South African Post Office: street, suburb, city, postal code on its own line or after a comma.
  // libaddressinput ZA: fmt "%A%n%D%n%C%n%Z", zip \d{4}.
  ZA: [
    'Our Joburg office is [[45 Jan Smuts Avenue, Parktown, Johannesburg, 2193]].',
    'Deliver to [[12 Long Street, Cape Town, 8001]] before 5.',
  ],
  // NIPOST: house number or plot, street, area, city, state; libaddressinput NG: zip \d{6}.
  NG: [
    '[[No 4 Admiralty Road, Lekki Phase 1, Lagos]], is our new shop.',
    'The office is at [[Plot 1234, Adetokunbo Ademola Crescent, Wuse II, Abuja 900288]].',
    'Please deliver to [[15 Adeola Odeku Street, Victoria Island, Lagos]].',
    'Address: [[No. 7 Awolowo Road, Ikoyi, Lagos]]',
  ],
  // Posta Kenya: "P.O. Box 30197-00100, Nairobi" (box number, postal code of the post office);
  // street addresses by name with the area and town.
  KE: [
    'Write to us at [[P.O. Box 30197-00100, Nairobi]].',
    'We are on [[Ngong Road, Kilimani, Nairobi]], next to the mall.',
  ],
  // India Post: house or flat number, building, street, locality, city - PIN, state.
  // libaddressinput IN: fmt "%A%n%T%n%F%n%L%n%C %Z%n%S", zip \d{6}.
  IN: [
    'bhai parcel [[Flat No. 302, Sai Residency, Kondapur, Hyderabad - 500084]] pe bhej do',
    'Regards,\nDr. Anika Rao\n[[Flat 5, Block B, Sunrise Towers, MG Road, Pune 411001]]\nPh: 020 2612 3456',
    'Address: [[#12, 3rd Cross, 4th Main, Indiranagar, Bangalore - 560038]]',
    'Delivery address: [[12, MG Road, Bengaluru, Karnataka 560001]]',
    'Please courier to [[No. 5, 2nd Cross, Indiranagar, Bangalore 560038]].',
    'Mera address [[H.No. 1-2-34, Banjara Hills, Hyderabad, Telangana 500034]] hai.',
    'Office: [[Flat 12B, Green Park Apartments, 5th Cross Road, Jayanagar, Bengaluru 560041]]',
    'ship to [[B-204, Sunshine Apartments, Andheri East, Mumbai - 400069]] asap',
  ],
  // SingPost: block and street, "#level-unit", building, "SINGAPORE 123456".
  // libaddressinput SG: fmt "%A%nSINGAPORE %Z", zip \d{6}.
  SG: [
    'Deliver to [[Blk 456 Jurong West St 42 #08-123 Singapore 640456]] pls',
    'Our office: [[10 Anson Road, #10-11 International Plaza, Singapore 079903]]',
    'Send to [[Blk 123 Ang Mo Kio Avenue 3, #05-67, Singapore 560123]] thanks.',
  ],
  // Pos Malaysia: number, "Jalan …", postcode and town, state. libaddressinput MY: zip \d{5}.
  MY: [
    'Alamat: [[No. 12, Jalan Ampang, 50450 Kuala Lumpur]]',
    'Deliver to [[23 Jalan Bukit Bintang, 55100 Kuala Lumpur]] please.',
  ],
  // Pos Indonesia: "Jl. <name> No. <n>", city, postcode. libaddressinput ID: zip \d{5}.
  ID: [
    'Alamat saya: [[Jl. Kebon Sirih No. 17, Menteng, Jakarta Pusat 10340]]',
    'Kantor: [[Jl. Jend. Sudirman Kav. 52-53, Jakarta Selatan 12190]]',
    'Kirim ke [[Jl. Sudirman No. 5, Jakarta Pusat 10220]] ya.',
    'Alamat kantor: [[Jalan Malioboro No. 12, Yogyakarta 55271]]',
  ],
  // PHLPost: number and street, barangay, city, ZIP (libaddressinput PH: fmt "%A%n%D, %C%n%Z %S").
  PH: [
    'Send to [[123 Rizal Ave, Brgy. San Antonio, Makati City 1203]] po.',
    'Office: [[Unit 5B, 6750 Ayala Avenue, Makati City, 1226 Metro Manila]]',
  ],
  // Thailand Post: number, road, district, province, postcode (libaddressinput TH: zip \d{5}).
  TH: ['My place: [[123 Moo 4, Sukhumvit Road, Bangna, Bangkok 10260]]', 'Hotel address: [[123 Sukhumvit Road, Khlong Toei, Bangkok 10110]]'],
  // Japan Post: 〒 postcode, prefecture, municipality, district, chōme-banchi-gō.
  JP: [
    '住所：[[大阪府大阪市北区梅田3丁目1番3号]]までお願いします。',
    '送付先 [[〒106-6108 東京都港区六本木6-10-1]]',
    '会場は[[渋谷区渋谷2-21-1]]です。',
    'Office: [[6-10-1 Roppongi, Minato-ku, Tokyo 106-6108]]',
  ],
  // China Post: province/city, district, road, number (号); libaddressinput CN: fmt "%S%C%D%n%A".
  CN: [
    '收货地址：[[浙江省杭州市西湖区文三路90号]]',
    '请寄到[[北京市朝阳区建国路88号]]，谢谢。',
    '地址：[[上海市浦东新区世纪大道100号]]',
    '公司地址是[[广东省深圳市南山区科技园南区高新南一道6号]]。',
  ],
  // Chunghwa Post: city, district, road and section (段), number (號).
  TW: ['地址：[[台北市信義區信義路五段7號]]'],
  // Chunghwa Post English addresses: number, section, road, district, city and postcode.
  TW_EN: ['Office: [[No. 7, Sec. 5, Xinyi Rd., Xinyi Dist., Taipei City 110]]'],
  // Korea Post road-name addresses (도로명주소): province/city, district, road (로/길), building number.
  KR: [
    '주소: [[서울특별시 강남구 테헤란로 152]]',
    '배송지는 [[부산광역시 해운대구 해운대로 570]]입니다.',
    'Office: [[152 Teheran-ro, Gangnam-gu, Seoul 06236]]',
  ],
  // Hongkong Post: flat, floor ("12/F"), number and street, district, area.
  HK: ['From: Li Wei\nAddress: [[Room 1801, 18/F, 88 Queensway, Admiralty, Hong Kong]]', 'Office: [[Room 1203, 12/F, Tower 1, Times Square, 1 Matheson Street, Causeway Bay, Hong Kong]]', 'Office: [[Flat A, 12/F, 123 Nathan Road, Tsim Sha Tsui, Kowloon, Hong Kong]]'],
  // Vietnam Post: number and street (the type word "đường" often left out), ward (Phường), district (Quận), city.
  VN: [
    'Giao tới [[Số 12 đường Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh]].',
    'Giao tới [[12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh]], cảm ơn.',
    'Contact: [[33 Nguyen Hue, District 1, Ho Chi Minh City]]',
  ],
  // Russian Post addressing rules: "ул. Лесная, д. 5, кв. 176", city, postcode (six digits);
  // the postcode and city may also come first. Ukrposhta: "вул. …, 22, Київ, 01001".
  RU: [
    'Адрес: [[Москва, ул. Арбат, д. 10, кв. 3]]',
    'Адрес доставки: [[ул. Тверская, д. 7, кв. 12, Москва, 125009]]',
    'Мой адрес: [[г. Москва, ул. Тверская, д. 7]]',
    'Отправьте на [[125009, г. Москва, ул. Тверская, д. 7, кв. 5]], пожалуйста.',
    'Офис: [[Невский проспект, 28, Санкт-Петербург, 191186]]',
  ],
  UA: ['Адреса: [[вул. Хрещатик, 22, Київ, 01001]]'],
  // Poczta Polska: "ul. <name> <n>/<flat>" or "m. <flat>", "00-000 City". libaddressinput PL: zip \d{2}-\d{3}.
  PL: [
    'Adres dostawy: [[ul. Nowy Świat 15/17, 00-029 Warszawa]]',
    'Adres: [[ul. Marszałkowska 10/12 m. 5, 00-590 Warszawa]]',
    'Biuro: [[al. Jerozolimskie 65/79, 00-697 Warszawa]]',
    'Proszę wysłać na [[ul. Długa 5, 80-827 Gdańsk]].',
  ],
  // Česká pošta / Slovenská pošta: street (type word often absent), conscription/orientation
  // number "832/19", "110 00 Praha 1". libaddressinput CZ/SK: zip \d{3} ?\d{2}.
  CZ: [
    'Adresa: [[Václavské náměstí 832/19, 110 00 Praha 1]]',
    'Sídlo: [[Národní 9, 110 00 Praha]]',
  ],
  SK: ['Adresa: [[Hlavná 12, 040 01 Košice]]'],
  // Magyar Posta: "1061 Budapest, Andrássy út 12." or street first; type word after the name
  // (út, utca, tér, körút). libaddressinput HU: fmt "%C%n%A%n%Z", zip \d{4}.
  HU: [
    'Cím: [[1061 Budapest, Andrássy út 12]]',
    'Küldje ide: [[Váci utca 5, 1052 Budapest]]',
  ],
  // Poșta Română: "Strada/Str. <name> nr. <n>", sector, six-digit postcode. libaddressinput RO: zip \d{6}.
  RO: [
    'Adresa: [[Strada Lipscani 12, sector 3, 030167 București]]',
    'Livrare la [[Str. Lipscani nr. 12, București 030031]].',
  ],
  // PTT (Turkey): "<name> Cad./Sok. No: <n> Daire: <n>", "34000 Beyoğlu/İstanbul" (libaddressinput TR: fmt "%Z %C/%S").
  TR: [
    'Teslimat adresi: [[Cumhuriyet Mah. Halaskargazi Cad. No: 123 D: 4, 34371 Şişli/İstanbul]]',
    'Adres: [[Atatürk Cad. No: 12 Daire: 3, 34000 Beyoğlu/İstanbul]]',
    'Teslimat: [[Bağdat Caddesi No:123, Kadıköy, İstanbul]]',
  ],
  // PostNord Sverige: "Storgatan 12", "lgh 1102", "111 22 Stockholm" or "SE-111 22"
  // (libaddressinput SE: fmt "%A%nSE-%Z %C", zip \d{3} ?\d{2}).
  SE: [
    'Adress: [[Storgatan 12, 111 22 Stockholm]]',
    'Skicka till [[Drottninggatan 5 lgh 1102, 111 51 Stockholm]] tack.',
    'Office: [[Kungsgatan 3, SE-411 19 Göteborg]]',
  ],
  // Posten Norge: "Karl Johans gate 22, 0159 Oslo" (libaddressinput NO: zip \d{4}).
  NO: ['Adresse: [[Bygdøy allé 5, 0257 Oslo]]', 'Adresse: [[Karl Johans gate 22, 0159 Oslo]]', 'Send til [[Storgata 1, 0155 Oslo]].'],
  // PostNord Danmark: "Nørregade 5, 2. th." (floor and side), "1165 København K".
  DK: ['Adresse: [[Nørregade 5, 2. th., 1165 København K]]', 'Kontor: [[Vesterbrogade 10, 1620 København V]]'],
  // Posti (Finland): "Mannerheimintie 12 A 5" (staircase and flat), "00100 Helsinki", "FI-" prefix.
  FI: ['Osoite: [[Hämeenkatu 10 B 12, 33100 Tampere]]', 'Osoite: [[Mannerheimintie 12 A 5, 00100 Helsinki]]', 'Toimisto: [[Aleksanterinkatu 52, FI-00100 Helsinki]]'],
  // Íslandspóstur: "Laugavegur 12, 101 Reykjavík" (libaddressinput IS: zip \d{3}).
  IS: ['Heimilisfang: [[Laugavegur 12, 101 Reykjavík]]'],
  // Deutsche Post / DIN 5008: street and number, then "PLZ Ort"; libaddressinput DE: zip \d{5}.
  DE: [
    'Lieferung an: [[Schillerstr. 12, 60313 Frankfurt am Main]]',
    'Die Adresse lautet [[Königsallee 60, 40212 Düsseldorf]].',
    'Postanschrift: [[Postfach 10 20 30, 10115 Berlin]]',
    'Anschrift: [[HAUPTSTRASSE 5, 10115 BERLIN]]',
    'Lieferadresse: [[Hauptstr. 5a, 80331 München]]',
    'Wir sind umgezogen: [[An der Alster 1, 20099 Hamburg]]',
    'Filiale [[Kurfürstendamm 21, 10719 Berlin]] ist geöffnet.',
    'Mit freundlichen Grüßen\nAnna Schmidt\n[[Hauptstraße 5\n10115 Berlin]]\nTel. 030 1234567',
    'Rechnung an [[Berliner Allee 5, 40212 Düsseldorf, Deutschland]].',
  ],
  // Österreichische Post: "Mariahilfer Straße 45/3/12" (house/staircase/door), "1060 Wien".
  AT: ['Adresse: [[Mariahilfer Straße 45/3/12, 1060 Wien]]'],
  // Swiss Post: street and number in the language of the place, "CH-" optional; libaddressinput CH: zip \d{4}.
  CH: [
    'deliver to [[12 Hauptstrasse, 8001 Zürich]]',
    'Adresse: [[Rue du Rhône 12, 1204 Genève]]',
    'Indirizzo: [[Via Nassa 5, 6900 Lugano]]',
    'Büro: [[Bahnhofstrasse 21, CH-8001 Zürich]]',
  ],
  // bpost: "Rue de la Loi 16, 1000 Bruxelles" / "Wetstraat 16, 1040 Brussel"; libaddressinput BE: zip \d{4}.
  BE: [
    'Adresse: [[Avenue Louise 54, 1050 Bruxelles]]',
    'Adres: [[Meir 50 bus 3, 2000 Antwerpen]]',
    'Adresse : [[Rue de la Loi 16, 1000 Bruxelles]]',
    'Adres: [[Wetstraat 16, 1040 Brussel]]',
    'Winkel: [[Meir 50, 2000 Antwerpen]]',
  ],
  // POST Luxembourg: "2, rue du Fossé", "L-1536 Luxembourg" (libaddressinput LU: fmt "%A%nL-%Z %C").
  LU: ['Adresse : [[2, rue du Fossé, L-1536 Luxembourg]]'],
  // PostNL: "Kerkstraat 12-II" (floor suffix), "1017 GB Amsterdam" (libaddressinput NL: zip \d{4} ?[A-Z]{2}).
  NL: ['Adres: [[Kerkstraat 12-II, 1017 GB Amsterdam]]', 'Kantoor: [[Coolsingel 40, 3011 AD Rotterdam]]'],
  // La Poste / AFNOR NF Z10-011: number (bis/ter), street type, name, "CP VILLE".
  FR: [
    'Retour : [[9 Rue du Faubourg Saint-Honoré, 75008 Paris]]',
    'Livraison au [[Rue d\'Alsace 5, 75010 Paris]].',
    'Envoi : [[12 RUE DE LA PAIX\n75002 PARIS]]',
    'Adresse de livraison : [[12, rue de la Paix 75002 PARIS]]',
    'Livrer au [[Bât. B, 3 allée des Lilas, 69003 Lyon]] svp.',
    'Le siège est au [[12 bis avenue Foch, 75116 Paris]].',
    'Cordialement,\nLéa Martin\n[[8 rue des Écoles\n75005 Paris]]',
    'Rendez-vous au [[3 place Bellecour, 69002 Lyon, France]].',
  ],
  // Correos: "C/ Mayor, 10, 2º B, 28013 Madrid" (type, name, number, floor and door, CP city).
  ES: [
    'Mi dirección nueva: [[Calle de Serrano 41, 4º izquierda, 28001 Madrid]]',
    'Kontakt: [[Gran Vía 32, 28013 Madrid]]',
    'Dirección: [[C/ Mayor, 10, 2º B, 28013 Madrid]]',
    'Envíalo a [[Avda. Diagonal 640, 08017 Barcelona]] por favor.',
    'Quedamos en [[Plaza Mayor, 1, 28012 Madrid]].',
    'mi dirección es [[c/ Gran Vía 28, 3º izda., 28013 Madrid]]',
  ],
  // CTT Correios de Portugal: "Rua Augusta, 100", "Av. da República, 50 - 3º Esq.", "1100-053 Lisboa".
  PT: ['Morada: [[Rua Augusta, 100, 1100-053 Lisboa]]', 'Morada: [[Av. da República, 50 - 3º Esq., 1050-196 Lisboa]]'],
  // Poste Italiane: "Via Roma 12", "00184 Roma RM" or "(RM)"; libaddressinput IT: fmt "%A%n%Z %C %S".
  IT: [
    'La sede è in [[Via Toledo 256, 80134 Napoli]].',
    'Ufficio: [[Via dell\'Orso 5, 20121 Milano]]',
    'Indirizzo: [[Via Roma 12, 00184 Roma RM]]',
    'Spedire a [[Via Garibaldi, 7 - 10122 Torino (TO)]] grazie.',
    'Sede: [[Corso Vittorio Emanuele II 15, 20122 Milano]]',
    'Ci vediamo in [[P.zza San Marco 1, 30124 Venezia]].',
  ],
  // Correios (Brazil): "Av. Paulista, 1578 - Bela Vista", "São Paulo - SP" or "Curitiba/PR", CEP 00000-000.
  BR: [
    'A loja fica na [[Rua Oscar Freire 379, São Paulo - SP, 01426-001]].',
    'Endereço: [[Av. Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200]]',
    'Entregar em [[R. das Flores, 123, Centro, Curitiba/PR, CEP 80010-000]] por favor.',
  ],
  // Correos de México: street and number, "Col." (colonia), "C.P." postcode, city, state.
  MX: [
    'Dirección: [[Av. Insurgentes Sur 1602, Col. Crédito Constructor, 03940 Ciudad de México, CDMX]]',
    'Envío a [[Calle Morelos 45, Col. Centro, C.P. 06000, Ciudad de México]].',
  ],
  // Correo Argentino: CPA postcode "C1043AAZ" (libaddressinput AR: zip ([A-HJ-NP-Z])?\d{4}([A-Z]{3})?).
  AR: ['Dirección: [[Av. Libertador 1000, Piso 3, C1001 Buenos Aires]]', 'Dirección: [[Av. Corrientes 1234, C1043AAZ CABA]]', 'Oficina: [[Av. Santa Fe 1234, piso 5 depto B, C1059ABT Buenos Aires]]'],
  // Correos de Chile: street and number, "depto", comuna, city.
  CL: ['Oficina: [[Av. Apoquindo 3000, Of. 501, Las Condes, Santiago]]', 'Dirección: [[Av. Providencia 1234, depto 56, Providencia, Santiago]]'],
  // 4-72 (Colombia): "Calle 93 # 11-26" (street number, then cross-street and distance).
  CO: ['Ship to [[Calle 72 # 10-34, Oficina 501, Bogotá]]', 'Dirección: [[Calle 93 # 11-26, Bogotá]]', 'Oficina en [[Cra. 43A #1-50, Medellín, Antioquia]]'],
  // Serpost (Peru): street and number, district, "Lima 15074".
  PE: ['Tienda: [[Jr. de la Unión 456, Cercado de Lima]]', 'Dirección: [[Av. Larco 1234, Miraflores, Lima 15074]]'],
  // Gulf states: building, road, district, city, PO box; libaddressinput SA: zip \d{5}.
  SA_AE: [
    'Our office: [[Building 12, King Fahd Road, Al Olaya, Riyadh 12211]]',
    'Correspondence: [[P.O. Box 12345, Dubai, UAE]]',
  ],
  // ELTA (Greece): street and number, "105 63 Αθήνα" (libaddressinput GR: zip \\d{3} ?\\d{2}).
  GR: ['Διεύθυνση: [[Ερμού 12, 105 63 Αθήνα]]'],
  // China Post English addresses: number and road, district, city and postcode.
  CN_EN: ['Office: [[No. 88 Jianguo Road, Chaoyang District, Beijing 100022]]'],
  // Egypt Post: number and street, district, city.
  EG: ['Office: [[15 Talaat Harb Street, Downtown, Cairo]]'],
  // Pakistan Post / Bangladesh Post: "House 12, Street 5, F-7/2, Islamabad 44000", "House 12, Road 5, Dhanmondi, Dhaka 1205".
  PK_BD: ['Address: [[House 12, Street 5, F-7/2, Islamabad 44000]]', 'Address: [[House 12, Road 5, Dhanmondi, Dhaka 1205]]'],
  // Israel Post: street and number, city, seven-digit postcode (libaddressinput IL: zip \d{5}(?:\d{2})?).
  IL: ['Office: [[Rothschild Blvd 22, Tel Aviv 6688218]]'],
};

/**
 * The same addresses in the shapes text takes in data sets: a quoted CSV cell, a CSV row with one
 * column a part (the street cell alone is the address there: a comma with no space after it is a
 * cell boundary), JSON, YAML, a form dump with one field a line, HTML line breaks, a signature.
 */
const TEXT_SHAPES = [
  '"Delgado, Rosa","[[3917 Sunset Blvd, Los Angeles, CA 90029]]","rosa.d@example.com"',
  'order_id,customer,address\n5531,Tom Baker,"[[17 Elm Road, Leeds LS6 2AB]]"',
  'id,name,street,city,state\n7,Ann Lee,[[88 Pine St]],Boston,MA',
  '1042,Maria Garcia,[[45 Oak Street, Portland, OR 97205]],503-555-0142',
  '{"street":"[[45 Oak Street]]","city":"Portland","zip":"97205"}',
  'address: |\n  [[45 Oak Street\n  Portland, OR 97205]]',
  'First Name: Maria\nLast Name: Garcia\nAddress: [[45 Oak Street]]\nCity: Portland\nZip: 97205',
  '<p>Acme Corp<br>[[500 Oak Street<br>Austin, TX 78701]]</p>',
  '[[500 Terry Francine St, San Francisco, CA 94158]] | Tel: 123-456-7890',
  'Customer address updated to [[1600 Pennsylvania Ave NW, Washington, DC 20500]] on 2024-03-01.',
  'Ship to [[12 Main Street, Springfield, IL 62704]], Order 12345 pending',
  'Ship to [[12 Main Street, Springfield, IL 62704]], 555-0142 is my cell',
  "redactor.redact('Dear David Johnson, I live at [[42 Wallaby Way]]');",
  "const user = { address: { street: '[[123 2nd St]]', city: 'New York' } };",
];

describe('addressRecognizer: formats of many countries', () => {
  const cases = Object.entries(POSITIVES).flatMap(([country, texts]) => texts.map((text) => [country, text] as const));
  it.each(cases)('%s: %s', (_country, source) => {
    const { text, expected } = marked(source);
    expect(spans(text)).toEqual(expected);
  });

  it.each(TEXT_SHAPES)('text shape: %s', (source) => {
    const { text, expected } = marked(source);
    expect(spans(text)).toEqual(expected);
  });

  it('scores an address with a postcode at least 0.95', () => {
    const text = 'Send it to 14 Hill Road, Clifton, Bristol, BS8 1AB please.';
    expect(addressRecognizer.find(text)[0]!.score).toBeGreaterThanOrEqual(0.95);
  });
});

/** Texts with numbers next to capitalised or street-like words that are not addresses. */
const NEGATIVES = [
  'Chapter 3 Section 4 covers access control.',
  'The price is $12.99 for 3 items, shipping takes 5 days.',
  'Meeting at 10:30 on 12 March 2024 in room 4B, Building 2.',
  'Upgrade to version 2.4.1 Street Edition today.',
  'We walked 5 miles down the road, then took Route 66 home.',
  'Call 555-0142 between 9 and 5, Monday to Friday.',
  'Try our 5 Main Street-style burgers, now $9.',
  'Unit 5, Chapter 3, Lesson 2: fractions.',
  'Figure 4: Route 66 map, Table 2: Park Lane sales.',
  'Apollo 11 landed on 20 July 1969.',
  'AC-2 (4), AC-3, SC-7 Boundary Protection, SI-4 System Monitoring.',
  'Windows 10 Pro, Office 365, Plan 2, Teams Essentials.',
  'Take 2 tablets daily with water, Dr. Smith said.',
  'Flight LH 400, Gate 5, Terminal 1, Frankfurt.',
  '12,5,2023,1000,Berlin,OK',
  'Invoice INV-1234, 2 Items, 40 EUR total.',
  'Paragraph 4, Clause 12, Berlin Agreement 1884.',
  'El 12 de mayo de 2024 en Madrid hubo una reunión.',
  'Le 12 mai à Paris, 3 personnes sont venues.',
  'Mix 200 g flour, 2 eggs and 100 ml milk.',
  'Wir haben 5 Straßen gesperrt, sagte die Polizei.',
  'Hotel room 1204, floor 12, checkout at 11.',
  'Platform 9 3/4, King’s Cross Station.',
  'Port 8080, Host 10.0.0.1, Route 53 Zone 2.',
  'Studio 54 Nightclub, New York, opened in 1977.',
  'No. 1 Ladies’ Detective Agency, Season 2.',
  'We had 3 Central Park concerts in 2019.',
  'Top 10 Avenue Q songs, ranked.',
  'The score was 3-1, Real Madrid won.',
  'Step 4, Section 2, Part B: submit the form.',
  'Version 3 Road Runner edition, released 2021.',
  'In 2023 Main Street Bank opened 12 branches.',
  'P.O. 4500012345, Line 2, Qty 5.',
  'Temperature 25 Grad, Luftdruck 1013 hPa.',
  '我们在2023年12月5号开会，第3章第5节。',
  'Глава 5, статья 12, пункт 3.',
  'Shipped 2 boxes to the warehouse on 5/12.',
  'She ran 42 km, finishing 3rd overall in Boston.',
  'The 2 Broad Street-facing windows were cleaned.',
  'He was born in 1980 in Springfield, IL and moved in 1999.',
  'Windows 10, 2004 Update is out.',
  'Smith et al. Nature 2019 reported it.',
  'We start in Spring 2024 with 3 String Quartets.',
  'Ship via FedEx 2 days after payment.',
  'Room 12, Building 4, Floor 2 is free.',
  'See Table 5, Road Traffic Statistics 2023.',
  'Rated 5 Stars, Main Street Coffee is great.',
  'Call me at 12, Main office is closed.',
  'The Route 66, 2021 Edition ships now.',
  'Apartment prices rose 5% in Berlin, 10% in Munich.',
  'Q3 revenue grew 12% year on year.',
  'The build failed on step 3 Deploy Stage, see logs.',
  'Room 204, Building B, Floor 2: the projector is broken.',
  'We ordered 12 Oak Barrels and 4 Pine Crates last week.',
  'Flight BA 283 departs Terminal 5 at 14:35, Gate A10.',
  'Invoice 2024-0012, Item 3, Qty 10, Unit 5.',
  'In 1492 Columbus sailed the ocean blue.',
  "SELECT * FROM users WHERE id = 12 AND street = 'Main';",
  'Our team of 25 Engineers, 3 Designers and 2 Product Managers.',
  'The meeting on 5 Main Street Plaza project was cancelled.',
  'Tesla Model 3, 2022 Edition, 15000 miles.',
  'Model X 90D, 2017 Silver, Tesla Road Trip.',
  'Rule 5, Section 2: no pets allowed in Unit 4.',
  'Warehouse 7, Aisle 12, Shelf 3, Bin 4.',
  'We need 4 Square Meters of tile for the bathroom.',
  'Apartment hunting: 3 Bedrooms, 2 Baths, 1200 Square Feet.',
  'At 10 Downing Street-style briefings, reporters ask questions.',
  'Vol 3, No 4, pp 12-19, Journal of Urban Studies.',
  'Box 5 of 12 contains the cables.',
  'Top 5 Things, 2024 Edition.',
  'Our 3 Musketeers, District 9 movie night.',
];

describe('addressRecognizer: hard negatives of many kinds', () => {
  it.each(NEGATIVES)('%s', (text) => {
    expect(spans(text)).toEqual([]);
  });
});
