import { describe, expect, it } from 'vitest';
import { personNameRecognizer } from '../../../../src/privacy/pii/recognizers/person-name.js';

/**
 * People's names of many cultures as they appear inside free text, with the exact span: the
 * whole name (given names, particles such as "van der", "bin", "de los", surnames, hyphenated
 * names), without honorifics or titles (Mr, Dr., Frau, Pak), as person-name.test.ts does.
 *
 * Name structure follows W3C Internationalization, "Personal names around the world"
 * (https://www.w3.org/International/questions/qa-personal-names: name order, multiple and
 * hyphenated surnames, particles, patronymics, Arabic nasab, single names) and Unicode UTS #35
 * Part 8 "Person Names" (given, given2, surname, surname-prefix such as "van der", surname2).
 * The names are common names of each culture; the sentences are written for this file.
 */

type Span = [value: string, start: number, end: number];

function found(text: string): Span[] {
  return personNameRecognizer.find(text).map((f) => [text.slice(f.start, f.end), f.start, f.end]);
}

/** The spans of `names` in `text`, each searched after the previous one (a name may repeat). */
function spansOf(text: string, names: readonly string[]): Span[] {
  let from = 0;
  return names.map((name) => {
    const start = text.indexOf(name, from);
    if (start < 0) throw new Error(`${name} not in ${text}`);
    from = start + name.length;
    return [name, start, start + name.length];
  });
}

type Case = [label: string, text: string, names: string[]];

function expectNames(cases: readonly Case[]): void {
  it.each(cases)('%s', (_label, text, names) => {
    expect(found(text)).toEqual(spansOf(text, names));
  });
}

describe('given name first, with particles and compound surnames', () => {
  // W3C: Spanish and Portuguese names carry two surnames and particles ("de la", "dos"); Dutch and
  // German surnames a prefix ("van der", "von der", UTS #35 surname-prefix); French, Italian and
  // Irish ones apostrophes, capitalised particles and hyphens.
  expectNames([
    ['Spanish, two surnames', 'El cliente María Fernanda Gutiérrez Salazar llamó ayer.', ['María Fernanda Gutiérrez Salazar']],
    ['Spanish, de la', 'Atendido por Juan Carlos de la Fuente.', ['Juan Carlos de la Fuente']],
    ['French, hyphenated, as a chat speaker', 'Marie Saint-Laurent: on se voit demain ?', ['Marie Saint-Laurent']],
    ['French, hyphenated with a particle', 'Antoine de Saint-Exupéry wrote it in New York.', ['Antoine de Saint-Exupéry']],
    ['Spanish, de los', 'La solicitud de Ana María de los Ángeles Pérez fue aprobada.', ['Ana María de los Ángeles Pérez']],
    ['Spanish, sentence', 'Mañana viene Alejandro Ramírez Ortega a la oficina.', ['Alejandro Ramírez Ortega']],
    ['Portuguese, dos', 'O contrato foi assinado por João Pedro dos Santos Ferreira.', ['João Pedro dos Santos Ferreira']],
    ['Portuguese, da', 'Falei com Maria da Conceição Sousa ontem.', ['Maria da Conceição Sousa']],
    ['German, von der', 'Ursula von der Leyen sprach in Brüssel.', ['Ursula von der Leyen']],
    ['German, hyphenated given name', 'Ansprechpartner: Karl-Heinz Großmann', ['Karl-Heinz Großmann']],
    ['Dutch, van der', 'Jan-Willem van der Meer heeft de offerte gestuurd.', ['Jan-Willem van der Meer']],
    ['Dutch, van den', 'Het gesprek met Pieter van den Hoogenband duurde lang.', ['Pieter van den Hoogenband']],
    ['French, hyphenated given name and surname', 'Le dossier de Marie-Claire Lefebvre-Durand est clos.', ['Marie-Claire Lefebvre-Durand']],
    ['French, capitalised particle', 'Réunion avec Anne-Sophie Le Goff à 14h.', ['Anne-Sophie Le Goff']],
    ['Italian, apostrophe', "La pratica è seguita da Gianluca D'Alessandro.", ["Gianluca D'Alessandro"]],
    ['Italian, Di', 'Ho parlato con Maria Grazia Di Stefano stamattina.', ['Maria Grazia Di Stefano']],
    ['Italian, Lo', 'Il referente è Pierluigi Lo Russo.', ['Pierluigi Lo Russo']],
    ['Irish, Ó', 'Seán Ó Faoláin wrote this.', ['Seán Ó Faoláin']],
    ['Irish, Nic', 'Customer Aisling Nic Giolla Phádraig called about her bill.', ['Aisling Nic Giolla Phádraig']],
    ['Irish, apostrophe', "Ticket escalated to Patrick O'Donnell.", ["Patrick O'Donnell"]],
    ['Scottish, Mac', 'Contact Alasdair MacLeod for details.', ['Alasdair MacLeod']],
    ['English, double-barrelled', 'Please welcome Anna Lloyd-Webber to the team.', ['Anna Lloyd-Webber']],
    ['English, possessive left out', "I spoke with Rachel Kim's manager about it.", ['Rachel Kim']],
    ['English, three names', 'Martin Luther King gave the speech.', ['Martin Luther King']],
    ['Filipino, dela', 'Juan dela Cruz is a placeholder name.', ['Juan dela Cruz']],
    ['Filipino, delos', 'Maria Clara delos Santos signed the form.', ['Maria Clara delos Santos']],
    ['Filipino, Ma. for Maria', 'Ma. Cristina Dela Cruz requested a refund.', ['Ma. Cristina Dela Cruz']],
  ]);
});

describe('European names with diacritics, patronymics and surname suffixes', () => {
  // W3C: Russian names carry a patronymic ("Sergeyevich"); Cyrillic as English text writes it is
  // close to the BGN/PCGN romanization. Polish, Czech, Turkish and Greek keep their diacritics.
  expectNames([
    ['Polish, hyphenated surname', 'Wniosek złożyła Małgorzata Wiśniewska-Nowak.', ['Małgorzata Wiśniewska-Nowak']],
    ['Polish, after Pan', 'Pan Grzegorz Brzęczyszczykiewicz prosi o kontakt.', ['Grzegorz Brzęczyszczykiewicz']],
    ['Czech, two names', 'Smlouvu podepsal Jiří Dvořák a Zdeněk Procházka.', ['Jiří Dvořák', 'Zdeněk Procházka']],
    ['Czech, vocative honorific', 'Vážený pane Novotný,', ['Novotný']],
    ['Russian, romanised patronymic', 'The poem is by Aleksandr Sergeyevich Pushkin.', ['Aleksandr Sergeyevich Pushkin']],
    ['Russian, Cyrillic patronymic', 'Заявку подала Анна Сергеевна Петрова.', ['Анна Сергеевна Петрова']],
    ['Russian, surname first', 'Ответственный: Смирнов Игорь', ['Смирнов Игорь']],
    ['Ukrainian, romanised', 'Oleksandr Shevchenko approved the transfer.', ['Oleksandr Shevchenko']],
    ['Ukrainian, Cyrillic', 'Заявник: Тарас Шевченко', ['Тарас Шевченко']],
    ['Serbian, Cyrillic signature', 'Поздрав,\nМилош Јовановић', ['Милош Јовановић']],
    ['Turkish, sentence-initial word left out', 'Toplantıyı Ayşegül Karagöz yönetti.', ['Ayşegül Karagöz']],
    ['Turkish, dotted capital I', 'Sayın İbrahim Şahin, siparişiniz kargoya verildi.', ['İbrahim Şahin']],
    ['Greek, romanised', 'Konstantinos Papadakis approved it.', ['Konstantinos Papadakis']],
    ['Greek script', 'Ο κ. Γιώργος Παπαδόπουλος τηλεφώνησε.', ['Γιώργος Παπαδόπουλος']],
    ['Georgian, -dze', 'Nino Beridze presented the results.', ['Nino Beridze']],
    ['Armenian, -yan', 'Armen Petrosyan will attend.', ['Armen Petrosyan']],
    ['Hungarian, surname first', 'Nagy Zoltán felhívott.', ['Nagy Zoltán']],
    ['Romanian', 'Doamna Ioana Popescu a sunat.', ['Ioana Popescu']],
  ]);
});

describe('Arabic, Persian and Hebrew names, in Latin letters and in their scripts', () => {
  // W3C: Arabic names chain given names with "bin"/"ibn" (son of) and carry "al-" family names;
  // "Abd al-Rahman" is one given name. Arabic-script spellings vary in hamza and taa marbuta.
  expectNames([
    ['Arabic, bin and Al-', 'The delegation was led by Abdulrahman bin Khalid Al-Saud.', ['Abdulrahman bin Khalid Al-Saud']],
    ['Arabic, Abdel-', 'Omar Abdel-Rahman submitted the claim.', ['Omar Abdel-Rahman']],
    ['Arabic, capitalised El', 'Please contact Khaled El Masri for access.', ['Khaled El Masri']],
    ['Arabic script, Abd compound', 'تم التواصل مع خالد عبد الرحمن بخصوص الطلب.', ['خالد عبد الرحمن']],
    ['Arabic script, al- name', 'أرسلت فاطمة الزهراء الملف أمس.', ['فاطمة الزهراء']],
    ['Arabic script, after the customer cue', 'العميل عبد الله القحطاني طلب استرداد المبلغ.', ['عبد الله القحطاني']],
    ['Persian, romanised', 'Reviewer: Farnaz Ghasemi (Tehran office)', ['Farnaz Ghasemi']],
    ['Persian, Seyed', 'Seyed Ali Mousavi joined the call late.', ['Seyed Ali Mousavi']],
    ['Persian script', 'نامه توسط مریم احمدی ارسال شد.', ['مریم احمدی']],
    ['Persian script, after Mr', 'آقای علی رضایی درخواست داد.', ['علی رضایی']],
    ['Urdu script', 'محترم جناب عمران خان', ['عمران خان']],
    ['Hebrew, romanised', 'Thanks to Yitzhak Rosenberg for the review.', ['Yitzhak Rosenberg']],
    ['Hebrew, Ben-', 'Noa Ben-Ami will present on Sunday.', ['Noa Ben-Ami']],
    ['Hebrew script', 'הפגישה עם שירה לוי נדחתה.', ['שירה לוי']],
    ['Hebrew script, after the customer cue', 'הלקוח אבי כהן התקשר.', ['אבי כהן']],
  ]);
});

describe('South Asian names, in Latin letters and in Devanagari, Bengali and Tamil', () => {
  // W3C: South Indian names may be an initial (a father's or village name) and a given name;
  // Sikh names carry Singh or Kaur; Bangladeshi names often start with "Md." (Mohammad).
  expectNames([
    ['Tamil, romanised', 'Venkatesh Subramanian raised the purchase order.', ['Venkatesh Subramanian']],
    ['initial and name', 'Approved: A. Kumar (Finance)', ['A. Kumar']],
    ['initial and surname', 'The report by R. Srinivasan is attached.', ['R. Srinivasan']],
    ['two initials', 'Prepared by M. S. Swaminathan', ['M. S. Swaminathan']],
    ['Sikh names', 'Harpreet Singh Dhillon and Gurpreet Kaur attended.', ['Harpreet Singh Dhillon', 'Gurpreet Kaur']],
    ['Telugu, romanised', 'Call Srinivas Reddy about the lease.', ['Srinivas Reddy']],
    ['Bangladeshi, Md.', 'Md. Rafiqul Islam submitted the form.', ['Md. Rafiqul Islam']],
    ['Bengali, romanised', 'Tanvir Hasan and Nusrat Jahan wrote the proposal.', ['Tanvir Hasan', 'Nusrat Jahan']],
    ['Pakistani', 'Muhammad Usman Tariq called from Lahore.', ['Muhammad Usman Tariq']],
    ['Sinhala, romanised', 'Tharindu Jayasinghe will review it.', ['Tharindu Jayasinghe']],
    ['Devanagari', 'आवेदन प्रिया शर्मा ने जमा किया।', ['प्रिया शर्मा']],
    ['Devanagari, after "my name"', 'मेरा नाम राहुल गुप्ता है।', ['राहुल गुप्ता']],
    ['Devanagari, after "customer"', 'ग्राहक सुनील वर्मा ने शिकायत दर्ज की।', ['सुनील वर्मा']],
    ['Bengali script', 'গ্রাহক তানভীর হাসান ফোন করেছেন।', ['তানভীর হাসান']],
    ['Tamil script', 'வாடிக்கையாளர் அருண் குமார் அழைத்தார்.', ['அருண் குமார்']],
  ]);
});

describe('East Asian names, romanised in either order and in Han, kana and Hangul', () => {
  // Hanyu Pinyin (ISO 7098), Hepburn romanisation and the Revised Romanization of Korean (2000):
  // family name first at home, often given name first in English text; Korean given names hyphenated.
  expectNames([
    ['Chinese, family name first', 'Li Xiaoming will join the call.', ['Li Xiaoming']],
    ['Chinese, given name first', 'Xiaoming Li sent the invoice.', ['Xiaoming Li']],
    ['Chinese, pinyin given name', 'Zhang Yiming founded the company.', ['Zhang Yiming']],
    ['Chinese, attendee list', 'Attendees: Liu Yang, Chen Jie, Zhou Xin', ['Liu Yang', 'Chen Jie', 'Zhou Xin']],
    ['Chinese, three syllables', 'Mei Ling Tan: ok will check', ['Mei Ling Tan']],
    ['Han, after a contact label', '联系人：王小明，电话见附件。', ['王小明']],
    ['Han, before an honorific', '陈静怡女士已确认订单。', ['陈静怡']],
    ['Han, two names', '李娜和王芳参加了会议。', ['李娜', '王芳']],
    ['Japanese, romaji', 'Haruki Murakami signed copies.', ['Haruki Murakami']],
    ['Japanese, romaji family name first', 'Presenter: Murakami Haruki', ['Murakami Haruki']],
    ['Japanese, kanji', '担当者は山田太郎です。', ['山田太郎']],
    ['Japanese, kanji with a space', '佐藤 健さんから連絡がありました。', ['佐藤 健']],
    ['Japanese, kana given name', '山本 さくら様', ['山本 さくら']],
    ['Korean, family name first', 'Park Ji-sung scored twice.', ['Park Ji-sung']],
    ['Korean, given name first', 'Ji-sung Park scored twice.', ['Ji-sung Park']],
    ['Korean, two names', 'Lee Seung-hoon and Choi Ji-woo presented.', ['Lee Seung-hoon', 'Choi Ji-woo']],
    ['Hangul', '박지성 선수가 골을 넣었다.', ['박지성']],
    ['Hangul, with -nim', '이민호님, 주문이 완료되었습니다.', ['이민호']],
  ]);
});

describe('Southeast Asian names', () => {
  // W3C: Vietnamese names are family name, middle name (Thị, Văn) and given name; Thai names
  // (Royal Thai General System) a given name and a long family name; many Indonesians one name.
  expectNames([
    ['Vietnamese', 'Người gửi: Nguyễn Thị Mai', ['Nguyễn Thị Mai']],
    ['Vietnamese, without diacritics', 'Tran Quang Huy is our contact in Hanoi.', ['Tran Quang Huy']],
    ['Vietnamese, after "customer"', 'Khách hàng Lê Văn Tám đã thanh toán.', ['Lê Văn Tám']],
    ['Thai, romanised', 'Somchai Jaidee confirmed the booking.', ['Somchai Jaidee']],
    ['Thai, after Khun', 'Khun Suda Wongsawat will meet you.', ['Suda Wongsawat']],
    ['Thai script', 'ติดต่อ สมชาย ใจดี ได้ที่สำนักงาน', ['สมชาย ใจดี']],
    ['Indonesian, single name after "my name is"', 'Nama saya Wahyudi, saya dari Bandung.', ['Wahyudi']],
    ['Indonesian, after Pak', 'Terima kasih, Pak Hartono.', ['Hartono']],
    ['Indonesian, two names', 'Budi Santoso sudah membayar tagihan.', ['Budi Santoso']],
    ['Malay, bin', 'Encik Ahmad Faizal bin Osman telah membuat aduan.', ['Ahmad Faizal bin Osman']],
    ['Filipino, after si', 'Si Maria Santos ay tumawag kahapon.', ['Maria Santos']],
  ]);
});

describe('African names', () => {
  expectNames([
    ['Igbo', 'Chukwuemeka Okafor sent the bank details.', ['Chukwuemeka Okafor']],
    ['Yoruba', 'Oluwaseun Adeyemi will call you back.', ['Oluwaseun Adeyemi']],
    ['Nigerian, hyphenated', 'Ngozi Okonjo-Iweala spoke at the summit.', ['Ngozi Okonjo-Iweala']],
    ['passport MRZ, line 1 (ICAO 9303 specimen)', 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10', ['ERIKSSON<<ANNA<MARIA']],
    ['passport MRZ, a one-letter state', 'P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', ['MUSTERMANN<<ERIKA']],
    ['passport MRZ, a surname alone', 'P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<', ['ERIKSSON<<']],
    // a double-barrelled surname whose later part is an everyday word no list has as a surname
    ['double-barrelled, everyday word second, after a cue', 'Customer: Olumide Adebayo-Cross', ['Olumide Adebayo-Cross']],
    ['double-barrelled, everyday word second', 'Jane Okafor-Hill called about the refund.', ['Jane Okafor-Hill']],
    ['Nigerian, three names', 'Novelist Chimamanda Ngozi Adichie won the award.', ['Chimamanda Ngozi Adichie']],
    ['Hausa, after Malam', 'Malam Aminu Kano ya zo.', ['Aminu Kano']],
    ['Akan', 'The parcel was signed for by K. Osei at 14:02.', ['K. Osei']],
    ['Kenyan, after the Swahili "customer"', 'Mteja Wanjiru Kamau amelipa.', ['Wanjiru Kamau']],
    ['Kenyan, Luo', 'Otieno Odhiambo reported the outage.', ['Otieno Odhiambo']],
    ['Swahili, "my name is"', 'Jina langu ni Baraka Mwangi.', ['Baraka Mwangi']],
    ['Ethiopian', 'Abebe Bikila won the marathon barefoot.', ['Abebe Bikila']],
    ['Ethiopian, Gebre-', 'Meseret Gebremariam submitted her timesheet.', ['Meseret Gebremariam']],
    ['Somali', 'Abdirahman Warsame confirmed the transfer.', ['Abdirahman Warsame']],
    ['Nguni', 'Ticket reassigned to Bongani Dlamini (L2).', ['Bongani Dlamini']],
    ['Senegalese', 'Fatou Diop joined the channel.', ['Fatou Diop']],
  ]);
});

describe('names in messages, headers, signatures, forms and tables', () => {
  // RFC 5322 §3.4: a mailbox is a display name and an angle address; RFC 3676 §4.3: "-- " starts a
  // signature; RFC 4180 §2: the first CSV line may name the columns; ICAO Doc 9303 Part 3: names
  // printed in capitals, surname first.
  expectNames([
    ['e-mail From', 'From: Jane Whitaker <jane.whitaker@example.com>\nSubject: invoice', ['Jane Whitaker']],
    ['e-mail Cc list', 'Cc: Robert Fairbanks <rf@example.org>, Linda Danvers <l.danvers@example.org>', ['Robert Fairbanks', 'Linda Danvers']],
    ['e-mail quoted display name', 'To: "Megan Holloway" <megan@example.com>', ['Megan Holloway']],
    ['e-mail display name, surname first', 'From: "Nakamura, Aiko" <aiko.nakamura@example.jp>', ['Nakamura, Aiko']],
    ['e-mail with body and signature', 'From: Rosa Delgado <rosa.delgado@example.com>\nSubject: Refund\n\nI was charged twice.\n\nThanks,\nRosa Delgado\nSent from my iPhone', ['Rosa Delgado', 'Rosa Delgado']],
    ['signature after a closing line', 'Let me know.\n\nBest regards,\nTrevor Whitcombe\nSenior Account Manager', ['Trevor Whitcombe']],
    ['signature, one given name', 'Cheers,\nLiam', ['Liam']],
    ['signature, French', 'Cordialement,\nFrançois-Xavier Delacroix', ['François-Xavier Delacroix']],
    ['signature, German', 'Mit freundlichen Grüßen\nKlaus-Dieter Baumgartner', ['Klaus-Dieter Baumgartner']],
    ['signature, Polish', 'Z poważaniem,\nKatarzyna Wiśniewska', ['Katarzyna Wiśniewska']],
    ['signature with title line', 'Kind regards,\n\nDr. Ifeoma Nwachukwu\nConsultant Paediatrician', ['Ifeoma Nwachukwu']],
    ['signature delimiter', '--\nVikram Raghunathan\nSenior Engineer, Platform Team', ['Vikram Raghunathan']],
    ['signature with role on the line', 'Best,\nHarriet Okoye | Head of Growth | Acme Corp', ['Harriet Okoye']],
    ['chat speaker', '[14:02] Jessica Pearson: can someone reset my MFA?', ['Jessica Pearson']],
    ['chat transcript', '[10:01] Lukas Becker: deploy is done\n[10:02] Amina Yusuf: thanks!\n[10:03] Lukas Becker: none', ['Lukas Becker', 'Amina Yusuf', 'Lukas Becker']],
    ['chat mention', 'Hey @Brandon Mills, can you review PR 412?', ['Brandon Mills']],
    ['Name field', 'Name: Thomas Brennan\nDept: Finance', ['Thomas Brennan']],
    ['Name field, surname first', 'Name: Doe, Jane', ['Doe, Jane']],
    ['French form fields', 'Nom : Lefèvre\nPrénom : Amélie', ['Lefèvre', 'Amélie']],
    ['Spanish form field', 'Nombre completo: Juan Pablo Restrepo Gómez', ['Juan Pablo Restrepo Gómez']],
    ['form field in capitals', 'NAME: MICHAEL JOHNSON\nDOB: 1980-02-03', ['MICHAEL JOHNSON']],
    ['passenger name in capitals', 'Passenger name: MR ADEBAYO OGUNLESI', ['ADEBAYO OGUNLESI']],
    ['beneficiary in capitals', 'BENEFICIARY: FATIMA EZZAHRA BENNANI', ['FATIMA EZZAHRA BENNANI']],
    ['surname in capitals, French style', 'Titulaire : Jean-Baptiste LEROY', ['Jean-Baptiste LEROY']],
    ['surname in capitals first', 'KOWALSKI Jan, ur. 1980', ['KOWALSKI Jan']],
    ['emergency contact', 'Emergency contact: Beatriz Souza (sister)', ['Beatriz Souza']],
    ['CSV name column', 'id,name,email\n1042,Nguyen Van Minh,minh@example.vn\n1043,Fatima Benali,fb@example.com', ['Nguyen Van Minh', 'Fatima Benali']],
    ['CSV given and family name columns', 'first_name,last_name,city\nAyodele,Ogunbanjo,Lagos', ['Ayodele', 'Ogunbanjo']],
    ['CSV German headers', 'Vorname;Nachname;Ort\nJürgen;Weißmüller;Köln', ['Jürgen', 'Weißmüller']],
    ['CSV quoted surname first', 'name,email,city\n"García Márquez, Gabriel",ggm@example.co,Bogotá', ['García Márquez, Gabriel']],
    ['TSV', 'employee\tdepartment\nSiddharth Rao\tEngineering', ['Siddharth Rao']],
    ['JSON', '{"id": 7, "name": "Fatima Zahra Benali", "city": "Rabat"}', ['Fatima Zahra Benali']],
    ['JSON name parts', '{"customer": {"firstName": "Olusegun", "lastName": "Bankole"}}', ['Olusegun', 'Bankole']],
    ['log key=value', 'user.login ok user="Mateus Ferreira" ip=10.0.0.1', ['Mateus Ferreira']],
    ['YAML', 'owner: Henrik Sørensen\nteam: payments', ['Henrik Sørensen']],
    ['Markdown table', '| 3 | Ingrid Halvorsen | Oslo |', ['Ingrid Halvorsen']],
    ['meeting attendees', 'Attendees: Sarah Connor, Kyle Reese, Miles Dyson', ['Sarah Connor', 'Kyle Reese', 'Miles Dyson']],
    ['meeting list with apologies', 'Present: Amara Okeke, Tomás Ó Riordáin, Wei Zhang\nApologies: Ingeborg Dahl', ['Amara Okeke', 'Tomás Ó Riordáin', 'Wei Zhang', 'Ingeborg Dahl']],
    ['action items', 'Action items:\n- Tomasz Wiercioch to send the draft\n- Priya Raman to review', ['Tomasz Wiercioch', 'Priya Raman']],
    ['list in a sentence', 'Speakers include Ana Silva, Björn Lund, and Chiara Romano.', ['Ana Silva', 'Björn Lund', 'Chiara Romano']],
    ['patient with an age', 'Patient: Mrs. Olufunke Adebayo, 54, presented with chest pain.', ['Olufunke Adebayo']],
    ['medical abbreviation', 'Pt: Mohammed Al-Amin, 67M, admitted 03/02.', ['Mohammed Al-Amin']],
    ['role after a comma', 'The CEO, Satya Nadella, spoke first.', ['Satya Nadella']],
    ['role in brackets', 'Questions go to Farah Haddad (CFO).', ['Farah Haddad']],
    ['initials', 'J. R. R. Tolkien wrote The Hobbit.', ['J. R. R. Tolkien']],
    ['glued initials', 'Signed: J.K. Rowling', ['J.K. Rowling']],
    ['greeting with a given name', 'Hi Priyanka,\nthe invoice is attached.', ['Priyanka']],
    ['Italian honorific abbreviation', 'Gentile Sig.ra Ferraro, la sua pratica è chiusa.', ['Ferraro']],
    ['lower case after "my name is"', 'hi my name is john smith and i cant log in', ['john smith']],
    ['lower case, one name after "name:"', 'name: carlos mendoza', ['carlos mendoza']],
    ['lower case, a listed given name as the surname', 'hi my name is sarah connor', ['sarah connor']],
    ['lower case after "i\'m"', "hi i'm john smith, my card was declined", ['john smith']],
    ['lower case after "i am"', 'hello i am priya sharma from the sales team', ['priya sharma']],
    ['lower case after "this is … speaking"', 'this is john smith speaking, please call back', ['john smith']],
    ['lower case after "my friend is"', 'my friend is john smith and he needs access', ['john smith']],
    ['listed surname that is also an everyday word', 'The ambassador Samantha Power spoke first.', ['Samantha Power']],
    ['a name before an abstract noun', 'Z poważaniem, Joanna Krawczyk Paiement refusé pour la carte.', ['Joanna Krawczyk']],
    ['a name before a label', 'Thanks, Shira Dahan Escalation: the agent read the card back.', ['Shira Dahan']],
    ['a listed name beside a place name', 'George Washington crossed the river.', ['George Washington']],
  ]);
});

describe('honorifics, titles and greetings stay outside the name', () => {
  // W3C: titles and honorifics are not part of a name, and some cultures write them in lower
  // case ("el sr. Gómez", "madame Martin") or after the name.
  expectNames([
    ['English, Dear Mr.', 'Dear Mr. Adewale Johnson,', ['Adewale Johnson']],
    ['English, Dear Professor', 'Dear Professor Okonkwo,\nthank you for the reference letter.', ['Okonkwo']],
    ['English, office title', 'Prime Minister Jacinda Ardern announced the plan.', ['Jacinda Ardern']],
    ['English, Dr. after a phrase', 'According to Dr. Anthony Fauci, the risk is low.', ['Anthony Fauci']],
    ['German, Frau Dr.', 'Sehr geehrte Frau Dr. Hoffmeister,', ['Hoffmeister']],
    ['German, Herr', 'Herr Matthias Brenninkmeyer hat angerufen.', ['Matthias Brenninkmeyer']],
    ['German, Hallo Frau', 'Hallo Frau Schulze-Hartmann,', ['Schulze-Hartmann']],
    ['Spanish, Sr.', 'Estimado Sr. Hernández, gracias por su mensaje.', ['Hernández']],
    ['Spanish, lower-case sr.', 'Hablé con el sr. Gómez ayer.', ['Gómez']],
    ['French, Mme', 'Mme Géraldine Rousselot a validé la commande.', ['Géraldine Rousselot']],
    ['French, lower-case madame', "J'ai vu madame Martin hier.", ['Martin']],
    ['Portuguese, lower-case senhora', 'Falei com a senhora Costa.', ['Costa']],
    ['English, Lt before a name', 'Lt Dan Taylor reported for duty.', ['Dan Taylor']],
  ]);

  it("does not read a Dutch postcode's letters as an honorific where the digits open an address part", () => {
    expect(found('Keizersgracht 245A, 7745 LT Leiden')).toEqual([]);
    expect(found('Damrak 1\n1012 MR Amsterdam')).toEqual([]);
    expect(found('7745 LT Leiden')).toEqual([]);
  });

  it('keeps an honorific after a number elsewhere ("at 1430 DR Jansen", "ext 2043 DR Kowalski")', () => {
    expect(found('Appointment at 1430 DR Jansen tomorrow')).toEqual(spansOf('Appointment at 1430 DR Jansen tomorrow', ['Jansen']));
    expect(found('Call ext 2043 DR Kowalski')).toEqual(spansOf('Call ext 2043 DR Kowalski', ['Kowalski']));
  });
});

describe('capitalised words that are not names', () => {
  // Organisations, products, places, job titles, headings, weekdays and months, form labels,
  // code, German nouns (capitalised by German orthography) and eponymous brands.
  const negatives = [
    'The United Nations published a report.',
    'Machine Learning and Deep Learning are popular topics.',
    'Dear Customer, your order has shipped.',
    'See you on Monday at the Board Meeting.',
    'Open Visual Studio Code and install the Python Extension.',
    'We migrated from Jira Service Management to Google Cloud Platform.',
    'Our Customer Success Manager will reach out.',
    'Please contact Human Resources or the Data Protection Officer.',
    'Privacy Policy\nTerms of Service\nRelease Notes\nGetting Started',
    'Flights to Buenos Aires, Kuala Lumpur, Addis Ababa and São Paulo.',
    'She grew up in Rio Grande do Sul and moved to Santa Catarina.',
    'Deutsche Telekom and Banco do Brasil signed the deal.',
    'Apache Kafka, Spring Boot and React Native are used.',
    'const userName = getUserName(FirstName, LastName);',
    'First Name\tLast Name\tEmail Address\tPhone Number',
    'Full Name: ____________  Date of Birth: ________',
    'The office is closed for Christmas Eve and Easter Monday.',
    'Mein Mann und ich möchten gerne kündigen.',
    'Sehr geehrte Damen und Herren, Ihre Rechnung ist beigefügt.',
    'Frau Doktor hat gesagt, dass alles gut ist.',
    'Claude Code and Computer Use are Anthropic products.',
    'Could you blame the state of German Economy on the war?',
    'Dear Hiring Manager,',
    'Hello Everyone, Welcome Back!',
    'Thanks,\nThe Support Team',
    'From: Billing Department <billing@acme.io>',
    'The James Webb Space Telescope and Hubble Space Telescope',
    'Goldman Sachs and Morgan Stanley raised rates.',
    'Louis Vuitton, Calvin Klein and Tommy Hilfiger bags',
    'IMPORTANT NOTICE: SYSTEM MAINTENANCE TONIGHT',
    'SHIP TO: NEW YORK WAREHOUSE',
    'sku,name,price\nA-1,Wireless Mouse,19.99\nA-2,Standing Desk,299',
    'id,name,country\n1,Buenos Aires,AR\n2,Cape Town,ZA',
    'my name is not important, the issue is the login page',
    'The U.S. Army and the U.K. Treasury replied.',
    'Gen Z and Gen AI are buzzwords.',
    'Thanks,\nAcme',
    'تم إرسال الطلب إلى القسم المختص أمس.',
    'कृपया अपना पासवर्ड बदलें और फिर से लॉगिन करें।',
    '请在周一之前提交报告。',
    'Заказ будет доставлен в понедельник.',
    // Title-case headings of technical and news text, changelog tags, formulas and coined terms.
    'Deep Residual Learning for Image Recognition',
    'He wrote for the Washington Post yesterday.',
    'Summer Winter',
    'A talk on Will Power',
    'Thanks for Will Power and Image Processing.',
    '- [Dev Deps] update eslint',
    'Mix 0.5 M NaCl and 3 M Tris before use.',
    'You are going to act as ChatGPT with DAN Mode enabled.',
    'Input: One Output: One  Input: Foo Output: Foo',
    '"LoRA Fine-tuning Efficiently Undoes Safety Training"',
    // Changelog titles before a colon, which reads as a chat speaker's: compounds with a combining prefix.
    'Drop Multi-Arch: builds for armv7 are gone',
    'Add Auto-Scaling: pools grow with the queue',
    'Fix Cross-Platform: paths on Windows',
    'Enable Multi-Region: replication is on',
    // fillers, and a line that is not 44 characters, are no MRZ name
    'P<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<',
    'P<UTOERIKSSON<<ANNA<MARIA<<<',
    // a compound of a scholar's name and an everyday word, not a double-barrelled surname
    'The Nash-Equilibrium holds for both players.',
    'A Turing-Complete language needs loops.',
    'We size bets with Kelly-Criterion rules.',
    // Lower case: a person cue needs a listed given name and surname, "my name is" a given name.
    "hi i'm fine thanks, just checking in",
    'this is john calling about the invoice',
    'hi i am will power',
  ];
  it.each(negatives)('%s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('scores', () => {
  it('scores initials before a listed surname 0.85 and a lower-case name after "my name is" 0.85', () => {
    expect(personNameRecognizer.find('The report by R. Srinivasan is attached.')[0]?.score).toBe(0.85);
    expect(personNameRecognizer.find('hi my name is john smith')[0]?.score).toBe(0.85);
  });

  it('scores a name in capitals after a naming cue 0.9 and a listed pair in capitals 0.95', () => {
    expect(personNameRecognizer.find('BENEFICIARY: FATIMA EZZAHRA BENNANI')[0]?.score).toBe(0.9);
    expect(personNameRecognizer.find('MICHAEL JOHNSON')[0]?.score).toBe(0.95);
  });
});
