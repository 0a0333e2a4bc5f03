/**
 * Capitalised words that are not names on their own: a run of them is a sentence start, a
 * heading, a job title or a product, and a word of these lists counts as a name only beside a
 * listed name that is not one ("Heather Ashby", not "Rose Garden"; "Thomas Mann", not "Mein
 * Mann"). faker's English word lists (~3,500 content words) miss the function words that start
 * sentences in every language and the vocabulary of workplace and technical text, where most
 * capitalised pairs are job titles, departments and products ("Success Manager", "Claude Code").
 */

const words = (list: string): readonly string[] => list.trim().split(/\s+/);

/**
 * First names that are also everyday English words. faker's English word lists miss most of
 * them and no installed package marks the overlap (compromise tags "mark"/"grant" as first
 * names only, and costs 0.7 s to load per worker).
 */
export const NAMES_THAT_ARE_WORDS = words(`
  will may mark grant bill rose april june august hope faith joy grace art guy pat sue don ray herb bob penny carol cliff
  dawn summer autumn iris ivy jack jean lane hall wood page price park chase dean case rich king young white black brown
  green gray grey long short little street house love star sky river stone rock field hill bay forest lake general major
  justice noble royal sterling sunny honey angel baby crystal amber ruby pearl jade misty storm rain ocean sage basil olive
  cherry ginger daisy holly heather violet lily melody harmony destiny trinity china india jordan israel paris london berlin
  sydney victoria georgia virginia carolina florida dakota montana nevada austin dallas houston phoenix denver orlando
  chelsea florence regina christian muslim jewish nat gene sandy rusty buck duke earl baron prince princess queen bishop
  marshal marshall sheriff judge miles norm frank sol an le la de do da van von ha to in on so no man son new old north
  south east west central united national global digital
`);

/**
 * English function and sentence-start words, heading words of technical text, form labels and
 * nationality adjectives ("German Economy"). faker's word lists are content words; these are the
 * words that start sentences and title-case headings.
 */
export const ENGLISH_FUNCTION_WORDS = words(`
  the a an and or but if then so as at by for from in into of on onto to with without about after before during since until
  while when where why how what which who whom whose this that these those there here it its i we you he she they me us him
  her them my our your his their is are was were be been being am do does did have has had can could shall should would must
  might not no yes all any each every some many much more most other such only also just very too please thanks thank hello
  hi hey dear however therefore meanwhile yesterday today tomorrow tonight now later first second third last next see note
  chapter section page figure table version release step part item total summary introduction conclusion server client error
  data file user admin api app default example usage install options config license docs test tests build debug node type
  types call ask tell send ping meet invite forward remind notify welcome name names full middle given family surname email
  address phone mobile number date birth signature title gender age nationality occupation german french english british
  american russian chinese japanese indian italian spanish dutch swiss swedish polish turkish arabic persian african asian
  european canadian mexican brazilian australian korean irish scottish welsh
`);

/**
 * Sentence-start words of the other languages the detector reads (articles, pronouns,
 * possessives, prepositions, greetings and closings), where a capitalised noun follows that
 * may be a listed surname ("Mein Mann", "Die Bauer-Bestellung", "Bonjour Madame").
 */
export const FOREIGN_FUNCTION_WORDS = words(`
  der die das den dem des ein eine einen einem einer und oder aber mein meine meinen meinem meiner dein deine sein seine ihr
  ihre ihren ihrem unser unsere euer wir sie er es ich du bitte danke sehr geehrte geehrter liebe lieber hallo guten tag
  morgen abend herzliche grüße gruß viele mit freundlichen vom zum zur im am bei für auf aus nach über unter vor wenn dass
  weil wie was wer wo nicht kein keine auch noch schon heute gestern leider vielen dank betreff anbei hier les un une du et
  ou mais mon ma mes ton ta tes son sa ses notre votre nos vos leur leurs je tu il elle nous vous ils elles ce cette ces
  bonjour bonsoir merci cordialement madame monsieur mademoiselle cher chère salut avec pour par sur dans chez sans sous
  entre après avant depuis pendant quand comment pourquoi oui non demain hier voici voilà objet el los las unos unas pero mi
  mis tu su sus nuestro nuestra yo él nosotros ustedes usted hola buenos buenas días tardes noches gracias saludos estimado
  estimada querido querida atentamente cordiales con para por sin sobre desde hasta según cuando donde como porque sí hoy
  mañana ayer adjunto asunto os as um uma meu minha seu sua nosso nossa eu ele ela nós você vocês olá oi bom boa dia tarde
  noite obrigado obrigada atenciosamente prezado prezada caro com sem até onde não hoje amanhã ontem anexo assunto il lo gli
  uno mio tuo suo nostro io lui noi voi loro ciao buongiorno buonasera grazie saluti cordiali gentile egregio su tra fra
  quando dove perché oggi domani ieri allegato oggetto het een en maar mijn jouw zijn haar ons onze hun ik jij hij zij wij
  jullie goedemorgen goedemiddag bedankt groeten groet vriendelijke beste geachte voor op aan naar uit wanneer waar hoe
  waarom ja nee vandaag gisteren bijlage onderwerp bir ve veya benim senin onun bizim sizin sen biz siz onlar merhaba
  teşekkürler teşekkür ederim saygılarımla değerli sevgili ile için gibi kadar göre nasıl neden evet hayır bugün yarın dün
  konu lub ale mój moja twój jego jej nasz nasza ja ty on ona wy oni dzień dobry cześć dziękuję pozdrawiam szanowny szanowna
  droga drogi dla przez przy kiedy gdzie jak dlaczego tak nie dzisiaj dziś jutro wczoraj temat saya kami kita anda dia
  mereka atau tetapi dengan untuk dari ke pada yang ini itu terima kasih selamat pagi siang sore malam halo hormat habari
  asante sana karibu wewe yeye sisi wao kwa ako ikaw siya tayo sila ang mga salamat magandang umaga hapon kumusta
`);

/** Job titles, departments, documents, products and technology: the capitalised pairs of workplace text. */
export const WORKPLACE_WORDS = words(`
  account accounts accounting administrator agent agency analytics analyst application applications architect architecture
  assistant associate audit authentication authorization automation backend backup billing blog board browser budget bug
  business cache calendar campaign certificate channel chat chief checkout cloud cluster code community compliance component
  computer configuration console consultant contract control coordinator core corporate customer customers dashboard
  database deployment design designer desktop developer developers development device director directory document documents
  domain drive editor email engine engineer engineering enterprise environment executive experience extension feature
  feedback finance financial firewall form forms framework frontend gateway governance guide hardware head health help
  helpdesk hub human identity incident industry info information infrastructure insights integration intelligence interface
  internal internet inventory invoice issue kit knowledge language learning legal licence logistics machine mail maintenance
  management manager marketing master media message messaging mobile model module monitor monitoring network networks news
  notes notice notification officer online operations order organization organisation owner package partner payment payments
  payroll people performance personal phone pipeline plan platform player plugin policy portal premium president privacy
  process procurement product production products professional program programme project protection protocol public quality
  query recovery regulation remote report reports request requests research reset resource resources response retail review
  risk router runtime safety sales schedule science search secure security senior server servers service session settings
  setup shop site social software solution solutions source specialist staff standard standards storage strategy studio
  success suite supervisor supply support system systems team teams tech technical technology terminal testing ticket
  tickets tool tools trading training transfer travel trust update updates upgrade users vendor verification video virtual
  vision website wireless workflow workspace workshop meeting meetings minutes agenda attendees action items notes overview
  background scope purpose requirements objective objectives roadmap milestone milestones deliverables budget forecast
  quarterly annual monthly weekly daily report minutes memo draft final internal external confidential apache kafka
  kubernetes docker linux ubuntu debian python java javascript typescript react angular vue spring boot django flask rails
  ruby golang rust kotlin scala perl php postgres postgresql mysql mongodb redis elasticsearch kibana grafana prometheus
  jenkins github gitlab bitbucket jira confluence slack zoom outlook gmail excel powerpoint sharepoint onedrive dropbox
  salesforce hubspot zendesk shopify stripe paypal mastercard amex google chrome android iphone ipad macbook azure aws alexa
  cortana copilot chatgpt openai anthropic gemini llama mistral facebook instagram whatsapp telegram twitter tiktok youtube
  linkedin netflix spotify uber airbnb samsung galaxy huawei xiaomi sony nintendo xbox playstation intel nvidia cisco oracle
  ibm sap adobe photoshop acrobat figma notion trello asana canva toyota corolla camry prius honda civic hyundai nissan
  mustang bmw audi volkswagen benz porsche ferrari volvo skoda peugeot fiat mazda subaru lexus jeep chevrolet tesla meta
  microsoft amazon copyright trademark value values int integer float double string boolean array object map token tokens
  header headers errors algorithm pattern matching format formats replace slash explicit implicit parameter parameters
  argument arguments option return returns function method interface module package import export null undefined true false
  async await promise callback event events handler listener query body route middleware plugin cookie buffer stream folder
  url uri http https json xml yaml csv html css dom root element elements attribute attributes property properties column
  columns row rows schema instance constructor prototype library runtime compiler parser syntax length size count limit
  width height index key keys christmas easter thanksgiving halloween hanukkah diwali ramadan eid valentine valentines
  independence memorial labor labour boxing new year holiday holidays birthday anniversary
`);

/**
 * Companies and brands named after their founders, written as a first name and a surname but
 * meaning the organisation ("Goldman Sachs", "Louis Vuitton"): the words of a person name that
 * is, as a whole, one of these.
 */
export const EPONYMOUS_BRANDS = new Set([
  'goldman sachs', 'morgan stanley', 'wells fargo', 'charles schwab', 'dow jones', 'louis vuitton', 'calvin klein', 'tommy hilfiger',
  'estée lauder', 'estee lauder', 'hugo boss', 'procter gamble', 'philip morris', 'harley davidson', 'jack daniels', 'john deere',
  'aston martin', 'alfa romeo', 'rolls royce', 'mercedes benz', 'dolce gabbana', 'michael kors', 'kate spade', 'jimmy choo',
  'thomson reuters', 'booz allen', 'johnson controls', 'smith wesson', 'ernst young', 'marks spencer', 'tim hortons',
  'anheuser busch', 'baker mckenzie', 'clifford chance', 'allen overy', 'ralph lauren', 'giorgio armani', 'christian dior',
  'yves saint', 'hewlett packard', 'johnson johnson', 'lockheed martin', 'pratt whitney', 'sherwin williams', 'bristol myers',
  'eli lilly', 'charles river', 'william hill', 'thomas cook',
]);

/**
 * Large cities and regions of two or more words that faker's locales do not list, whose words
 * are also names ("Belo Horizonte", "Santa Cruz", "San José"): each word is marked a place word
 * and the whole a place, never a person.
 */
export const WORLD_PLACES = [
  'belo horizonte', 'porto alegre', 'rio de janeiro', 'são paulo', 'sao paulo', 'buenos aires', 'kuala lumpur', 'ho chi minh', 'addis ababa',
  'dar es salaam', 'abu dhabi', 'tel aviv', 'new delhi', 'cape town', 'hong kong', 'san francisco', 'los angeles', 'las vegas', 'new york',
  'mexico city', 'santo domingo', 'san juan', 'san josé', 'san jose', 'santa cruz', 'la paz', 'santiago de chile', 'campo grande', 'rio branco',
  'port louis', 'port moresby', 'port elizabeth', 'st petersburg', 'saint petersburg', 'nizhny novgorod', 'rostov on don', 'phnom penh',
  'ulan bator', 'bandar seri begawan', 'sri jayawardenepura', 'colombo fort', 'salt lake', 'baton rouge', 'des moines', 'santa fe',
  'san antonio', 'san diego', 'santa monica', 'santa clara', 'santa catarina', 'rio grande', 'mato grosso', 'minas gerais', 'espírito santo',
  'new south wales', 'gold coast', 'costa rica', 'sri lanka', 'saudi arabia', 'el salvador', 'sierra leone', 'burkina faso',
  'new zealand', 'south africa', 'north macedonia', 'bosnia herzegovina', 'puerto rico', 'trinidad tobago', 'papua new guinea',
];


/**
 * Everyday words that faker's word lists miss and that title-case headings, changelogs and
 * technical text are full of ("Image Recognition", "DAN Mode", "One Input", "[Dev Deps]",
 * "Washington Post", "Summer Winter"): read as common words at run time (name-tokens.ts), not
 * compiled into the lexicon. A listed name that is one of them still pairs with a listed name
 * that is not ("Dev Patel", "George Washington").
 */
export const HEADING_WORDS = words(`
  image images mode modes input inputs output outputs power speech audio energy winter spring autumn season seasons
  dev devs deps chore feat refactor perf bump bumps readme changelog one two three four five six seven eight ten hundred
  million billion neural transformer transformers embedding embeddings encoder decoder layer layers signal signals sensor
  sensors robot robots graph graphs tensor kernel loss gradient optimizer dataset datasets benchmark benchmarks baseline
  prompt prompts tuning adapter adapters scaling large small tiny mini micro nano base ultra lite open closed free wide
  fast slow quick simple easy hard soft smart safe tutorial tutorials tips tricks faq intro basics advanced beginner
  beginners acid sodium chloride protein proteins cell cells tissue blood strength peace war life death truth freedom
  liberty glory pride fear magic dream dreams globe observer telegraph post times washington retrieval
`);
/** Those of HEADING_WORDS that are surnames as well ("Samantha Power", "Emily Post", "Johnny Winter"). */
export const SURNAME_HEADING_WORDS = new Set(['power', 'post', 'winter', 'spring', 'peace']);
