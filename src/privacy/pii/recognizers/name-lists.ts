/**
 * Romanised names of cultures that faker's locales leave out or write only in their own script
 * (faker has no Arabic, Persian, Hebrew, Hindi, Tamil, Bengali, Thai, Swahili, Amharic, Igbo or
 * Filipino names in Latin letters), as English-language text writes them. Each list holds the
 * most frequent names of national name statistics and birth registers (facts, not creative
 * work), with the usual spelling variants (Mohammed/Muhammad/Mohamed, Khalid/Khaled).
 * Lower case; one word per entry (the scanner joins particles such as "bin", "dela", "van").
 */

const words = (list: string): readonly string[] => list.trim().split(/\s+/);

/** Chinese (Hanyu Pinyin, Cantonese and Taiwanese spellings), Japanese (Hepburn) and Korean surnames. */
export const ROMANISED_EAST_ASIAN_SURNAMES = words(`
  wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng liang xie song tang deng feng han
  cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao zhong jin cui tan fan fang shi
  qian chan wong cheung leung lau ng ho chow tsang kwok yip chiu tsai hsu sato suzuki takahashi tanaka watanabe ito yamamoto
  nakamura kobayashi kato yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda
  hashimoto yamashita ishikawa nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto endo aoki
  fujii nishimura fukuda ota miura fujiwara okamoto matsuda nakagawa nomura ishida hirano kikuchi kudo kubo matsui miyamoto
  miyazaki morita nagai nakano nakayama noguchi ono otsuka sakai sakurai sano shibata sugiyama takada takagi takeda takeuchi
  tamura uchida ueda ueno wada yasuda yokoyama yoshikawa arai chiba fujimoto harada hirata iwasaki kaneko kawaguchi kawakami
  kinoshita kojima koyama kurosawa maruyama masuda matsumura matsuo miyake mochizuki nishida oda ogata okazaki sakamoto
  sawada shimada sugawara tachibana taniguchi tsuchiya tsuji yano yoshimura tanabe hoshino kitamura nakata onishi tsukamoto
  hirose akiyama oshima hattori hosokawa ichikawa imai koike kubota mizuno morimoto nagata nishikawa ozawa sugimoto takano
  honda yan yin xue bai kong hao qin dai meng duan gu mao hou shao wan lai qi niu qiu xi jia xia fu tong zou chang kang ge
  zhan jiao kim lee park choi jung jeong kang cho yoon yun jang lim oh seo shin kwon hwang ahn yoo hong jeon ko moon son bae
  baek heo nam
`);

export const ROMANISED_EAST_ASIAN_GIVEN_NAMES = words(`
  wei fang min jing qiang lei jun yong yan jie tao ming chao xiuying xia hui hong ping gang bo hao xin ying lan na ting yi
  yun jian xiaoming xiaoyan li lili jingjing zhiwei haoran yuxuan zihan wen qing yiming xiaohong xiaoli jianguo guoqiang
  zhiqiang mei ling meiling hua xiu yu yuting yuki haruto yuto sota hiroshi takashi akira kenji yui aoi sakura hina yuna
  hana keiko yoko naoko kenta daiki ren riku haruka ayumi kaori makoto satoshi shota taro ichiro naomi emi mai yumi tomoko
  kazuki haruki kaito takumi naoki tatsuya tomoya yusuke ryota shun takuya daisuke kosuke keisuke yuya yuji koji shinji
  masaki masato tetsuya hideo hideki hiroki hiroto kazuo kenichi koichi manabu minoru osamu ryo ryuji shigeru shinichi
  takeshi jiro tadashi yoshio yasuo yuichi akiko ayaka ayako chieko eri hiromi hitomi junko kazuko kumiko kyoko mami mariko
  masako mayumi megumi michiko mika miki misaki mio miyuki momoko nanami noriko reiko rie rika sachiko sayaka shiori yoshiko
  yuka yukiko yumiko asuka hanako honoka kanako kasumi madoka manami nozomi saki satomi tomomi aiko minjun min-jun seojun
  seo-jun jiwoo ji-woo seoyeon seo-yeon jimin ji-min jiho ji-ho hyun soo-jin soojin eunji eun-ji minseo min-seo jisoo
  ji-hoon jihoon sung-min young-ho dong-hyun jisung ji-sung minho min-ho
`);

/**
 * Vietnamese surnames: a dozen family names cover about nine in ten Vietnamese people (Nguyễn
 * alone about 38%), so the list is short and closed. With and without diacritics, as English
 * text often drops them.
 */
export const VIETNAMESE_SURNAMES = words(`
  nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý nguyen tran pham hoang huynh phan vu vo dang bui do
  ngo duong ly trinh dinh truong mai
`);
/** Vietnamese middle names that mark sex ("Thị" for women, "Văn" for men), in most full names. */
export const VIETNAMESE_MIDDLE_NAMES = words('thị văn hữu đức thi huu duc');
export const VIETNAMESE_GIVEN_NAMES = words(`
  anh binh chau cuong dung dat duy giang hai hanh hieu hoa hoai hung huong huy khanh khoa linh loan mai minh nga ngan ngoc
  nhung nhi phong phuc phuong quan quang quoc quynh tam thanh thao thu thuy tien trang trinh trung tuan tuyet uyen viet vinh
  xuan yen hien hang diep duong kiet thang nhat vuong thien tri trong toan tung khoa luan nghia nhan phat sang tai thinh
  tuong
`);

/** Given names in Latin letters, by culture. */
export const ROMANISED_GIVEN_NAMES: readonly string[] = [
  // Arabic (Levant, Gulf, Egypt, Maghreb)
  ...words(`
    mohammed muhammad mohamed mohammad mohamad muhammed ahmad ahmed ali omar umar hassan hasan hussein husain hussain hossam
    khalid khaled abdullah abdallah abdulaziz abdulrahman abdelrahman abdurrahman abdul abdel abdou yousef youssef yusuf
    yousif ibrahim ismail mustafa mostafa moustafa mahmoud mahmud tariq tarek tareq karim kareem samir sami nabil walid
    waleed faisal fahad fahd saad saeed sultan nasser naser majid rashid rashed salem salim saleh adel adil amir amr ayman
    bilal hamza hamid hamad hamdan jamal jamil kamal marwan mazen murad nader osama usama qasim rami riad riyad sharif tamer
    wael yasser yasir zaid zayed ziad anas imad issa jabir jassim mansour mounir mourad nizar rachid hicham hisham younes
    yassine driss abdelkader noureddine soufiane ayoub othman fatima fatma aisha aysha ayesha khadija khadidja maryam mariam
    zainab zaynab noor nour nura noura layla leila laila salma huda hoda amina aminah hanan rania randa reem rana dina lina
    yasmin yasmine samira samar nadia mona muna ghada hiba heba asma asmaa iman eman abeer amal basma dalia doaa duaa farah
    ghadeer haifa hala hind jamila karima latifa lubna maha malak manal marwa najla nawal nisreen rasha rawan razan safa
    safaa sahar salwa siham suha wafa widad yara zahra zeinab zineb naima malika souad meriem soukaina ikram
  `),
  // Persian
  ...words(`
    reza hossein mehdi behrouz babak dariush kourosh cyrus arash farhad farshid kaveh omid payam ramin shahram siavash hamed
    navid pouya behnam bijan ehsan farzad hooman kamran keyvan masoud mehran mohsen morteza nima parviz peyman pejman sina
    soroush vahid ardalan shirin parisa nasrin mahsa fatemeh narges neda niloufar nilufar roya sepideh shabnam shadi simin
    soheila tahereh yasaman azadeh bahar golnaz farnaz fereshteh haleh homa ladan mahnaz mitra nazanin negar parastoo
    parvaneh pegah setareh shiva taraneh ziba elnaz ghazal mahtab mojgan nahid nasim sanaz soraya seyed seyyed sayed sayyid
  `),
  // Hebrew
  ...words(`
    avraham yitzhak itzhak yaakov yosef moshe shlomo eliyahu avi ariel amit asaf assaf boaz dov ehud eitan etan eyal gideon
    ido idan ilan itai itay lior matan meir menachem moti nadav natan nir noam ofer omer omri oren ori raz ron roni shai
    shay shaul shimon tal tomer uri yair yoav yonatan yuval zeev ziv avital ayelet chana dafna efrat einat galit hadas hila
    inbal keren liat limor meital michal miriam moran naama noa noga orly osnat rivka ronit sarit shira shani sigal tali
    tamar yael yafa yarden yifat zohar batya tzipora adi
  `),
  // South Asian: Hindi, Marathi, Gujarati, Punjabi, Bengali, Tamil, Telugu, Kannada, Malayalam, Urdu
  ...words(`
    aarav aditya ajay akash amit amitabh anand anil ankit anup arjun arun arvind ashok ashish deepak dinesh gaurav girish
    gopal harish hemant jagdish jatin karan karthik kartik kiran krishna kunal lalit mahesh manish manoj mohan mukesh naresh
    naveen nikhil nitin pankaj pradeep prakash pranav prashant praveen rahul rajesh rajiv rakesh ramesh ravi rohit sachin
    sandeep sanjay sanjeev santosh satish shankar siddharth sudhir sunil suresh tarun uday varun vijay vikas vikram vinay
    vinod vishal vivek yash yogesh abhishek saurabh aishwarya ananya anita anjali ankita anuradha aparna archana aruna
    bhavna deepa deepika divya gayatri geeta gita hema isha jyoti kajal kavita kavya lakshmi madhuri manisha meena meera
    megha neha nisha pooja puja poonam preeti priti priya priyanka radha rekha ritu sangeeta sarita shalini shreya shruti
    shweta smita sneha sunita swati tanvi usha vandana vidya vaishali sakshi venkatesh venkat srinivas srinivasan
    subramanian subramaniam balaji murugan senthil selvam selvan saravanan karthikeyan kumaran ganesh ganesan ramanathan
    rajendran natarajan narayanan krishnan gopalakrishnan sundar arul anbu thiru thirumalai vijayalakshmi lakshmanan muthu
    murali prabhu raghavan ramya revathi saranya sathya sathish sivakumar siva shiva suganya tamilselvi padma padmini kamala
    vasanthi jayanthi selvi anitha kavitha sumathi geetha latha nirmala pushpa chitra bhuvana sudha nagaraj manjunath
    ravindra srikanth sreenivas venu chandrasekhar sekhar shekar haritha swapna madhavi sirisha sravani anusha lavanya
    bhavani sowmya keerthi mahalakshmi rajalakshmi unnikrishnan sreekumar anoop jithin vishnu nithin akhil aswathy athira
    lekshmi reshma sreeja gurpreet harpreet manpreet jaspreet simran simranjit amarjit amandeep arshdeep baljit balwinder
    gurdeep gurmeet harjit harjeet harinder jagjit jasbir jaswinder kuldeep kulwinder lakhwinder navjot navdeep paramjit
    rajinder ranjit sukhwinder sukhdev tejinder inderjit davinder parminder rupinder abhijit amitava anirban arindam arnab
    biswajit debashish debasish dipankar indranil kaushik partha pritam sabyasachi sourav subhash subrata sudipto sujoy
    tanmoy soumya rituparna sayantani moumita paromita sharmistha susmita tanushree madhumita ipsita debjani tanvir tanveer
    nusrat farhana farzana sadia rafiq rafiqul shafiqul aminul anisur mizanur habibur mahbub mahmudul nazmul rezaul saiful
    shahidul zahid zakir arif asif imran irfan nadeem naeem rizwan sajid shahid shoaib waqar waqas usman haris junaid faraz
    fawad mubashir nabeel salman shahzad tahir umair zeeshan bushra hina mahnoor noreen rabia saima samina sana shazia sidra
    uzma nazia fariha iqra mehwish
  `),
  // East, West and Southern African: Swahili and Kenyan, Ugandan, Rwandan, Ethiopian and Eritrean, Igbo, Yoruba, Hausa, Akan, Senegalese, Nguni and Sotho
  ...words(`
    wanjiru wanjiku wambui njeri nyambura muthoni wairimu wangari wanjala achieng akinyi atieno adhiambo awino anyango auma
    chebet jepchirchir jeptoo cherono chepkoech kiprono kipchoge kiprotich kibet kipkemboi kiptoo otieno omondi odhiambo
    ochieng onyango owino ouma okoth kamau mwangi njoroge kariuki kimani maina githinji gitau karanja kinyua macharia mugo
    muriuki mutua musyoka mutiso kioko wafula wekesa barasa wanyama simiyu juma hamisi baraka amani neema rehema zawadi
    imani furaha upendo tumaini bahati saida mwanaisha mwajuma halima mariamu rukia zuberi jabari jelani nakato tumusiime
    mugisha mbabazi mutesi uwimana niyonzima habimana abebe abel alemayehu almaz amanuel aster ayele belay bekele berhane
    berhanu biniam bisrat dawit desta fikre genet girma haile hailu kebede kidist lemlem lidya mekdes meseret mesfin
    mulugeta nardos negash rahel samrawit selam selamawit solomon tadesse tamrat tesfaye tewodros tigist tsegaye tsion
    wondimu worku yared yohannes yonas zewdu meron hiwot betelhem mahlet saron tsehay yeshi abiy getachew gebre kidane
    mengistu tekle asfaw assefa chukwuemeka chinedu chidi chidinma chiamaka chinonso chioma chinwe chukwudi emeka ifeanyi
    ikechukwu kelechi nnamdi nkechi ngozi obinna uchenna uche chibuike chisom chizoba adaeze adaora amarachi ebuka ekene
    ikenna izuchukwu nneka obiageli onyeka somtochukwu tochukwu udoka uzoma ugochukwu ogechi nkem ifeoma amaka obioma
    abimbola adebayo adekunle ademola adewale adeola adetokunbo ayodele babajide babatunde bolaji damilola folake folasade
    funmilayo funke ibukun kayode kehinde taiwo olamide olumide oluwafemi oluwaseun oluwatobi oluwatosin olufunke segun seun
    temitope tolulope tunde wale yemi yetunde bisi bukola dayo femi gbenga jide kunle lanre niyi remi tayo titilayo toyin
    aliyu aminu bashir danjuma garba haruna idris isa lawal musa mustapha nasir sani shehu suleiman yakubu zakari hadiza
    hauwa rukayya kwame kwabena kwaku kwadwo kojo kofi kwasi ama akosua abena adwoa afua efua akua yaa esi ekua kwesi kobina
    mamadou moussa ousmane abdoulaye ibrahima cheikh aliou amadou boubacar modou fatou aminata awa aissatou mariama ndeye
    rokhaya thabo sipho themba mandla bongani lwazi sibusiso siyabonga thandiwe nomvula zanele lindiwe nokuthula ayanda
    lerato palesa mpho tshepo kagiso karabo naledi refilwe
  `),
  // Thai (Royal Thai General System spellings)
  ...words(`
    somchai somsak somporn sompong somboon surachai sakchai prasert prasit wichai wichit anan anong arunee boonmee chaiwat
    chalerm chanchai chatchai kittisak kriangsak manee malee narong niran nattapong nattawut pichai pornthip pranee ratana
    rattana siriporn somying sunee supaporn suda sudarat sunisa thanawat thanakorn tanawat wanchai wannee wipawee yupin
    kanya kanokwan lamai araya apinya chayanan jiraporn natthida patcharee prapaporn sasithorn supattra thitima waraporn
  `),
  // Indonesian, Malay
  ...words(`
    budi agus andi arif bambang dedi dewi dian eko fajar hadi hendra heru indra iwan joko kurniawan lestari nyoman ketut
    wayan putu gede komang putri rina rudi sari siti slamet sri sugeng susanto suharto sukarno sutrisno taufik teguh wahyu
    wahyudi wati widodo yanti yudi yulia ayu bayu citra dimas endang fitri galih gilang hartono ilham intan irwan kartika
    lukman nanda nur nurul pratiwi rahmat ratna rizki rizky setiawan suryadi susilo utami wibowo winarno hidayat nugroho
    purnomo rahmawati handayani wulandari mohd muhd azman azlan faizal hafiz haziq khairul rosli roslan shahrul syafiq
    zulkifli fatimah hazirah izzati nabila nurhaliza syafiqah zarina zubaidah
  `),
  // Filipino
  ...words(`
    maricel marites maribel marilou marivic rowena jomar jocelyn rodel rogelio romeo ronaldo ruel arnel dindo edgardo efren
    ernesto ferdinand florante gerardo jericho joselito juanito lito manny nestor noel ramil reynaldo rolando renato rommel
    virgilio wilfredo analyn angelica arlene charmaine cristina divina editha elvira erlinda evelyn gemma imelda jennylyn
    jhoanna leonora liza lorna lourdes luzviminda marilyn marjorie mylene nenita perla rosalinda teresita thelma zenaida
  `),
  // Turkish names faker's list lacks
  ...words(`
    ayşegül gülşen çağla ebru gizem hülya özlem pınar sibel tuğba yasemin şule dilek derya tolga volkan erdem ufuk uğur
    oğuzhan barış alper ilker onur sinan kaan berk arda efe kerem koray levent murat ozan selim tarık umut yiğit gökhan
    fatih halil kadir recep ramazan hüseyin ahmet ömer aysegul gulsen caglar ozlem pinar tugba baris ugur yigit
  `),
  // Somali, Sinhala, Mongolian, Māori, Andean and Mexican given names
  ...words(`
    abdi abdirahman abdullahi abdirizak abdikadir abdiaziz mohamud mukhtar warsame aden adan egal elmi hodan fadumo faduma
    hawa ayan asha ikran sagal sahra ubah ifrah nasra deeqa fartun tharindu chamara nuwan kasun lahiru sanduni nadeeka
    dilrukshi chathurika ishara malith dasun buddhika thilini nimal ruwan saman chamari dilani sandamali tharushi batbayar
    enkhbayar enkhtuya gantulga tsetseg oyuntsetseg bayarmaa altantsetseg batjargal aroha wiremu hemi rawiri tamati ngaire
    itzel xochitl citlali nayeli yaretzi xiomara anahí devendra anirudh kalaivani
  `),
  // Irish, Scottish and Welsh (faker's en_IE and en_GB locales have no names of their own)
  ...words(`
    aisling aoife siobhan siobhán niamh caoimhe saoirse róisín roisin orla orlaith sinéad sinead gráinne grainne clodagh
    deirdre eimear ciara ciarán ciaran cian oisín oisin darragh eoin seán sean pádraig padraig cathal colm diarmuid donal
    dónal fergal fionn niall ruairí ruairi tadhg cormac eamon éamon aidan alasdair hamish ailsa catriona eilidh iain lachlan
    mhairi morag ruaridh torquil dafydd rhys gareth gethin ieuan owain emrys bethan cerys ffion gwen gwyneth seren siân sian
    angharad eleri nia rhiannon
  `),
  // Portuguese and Brazilian names faker's short pt lists lack
  ...words(`
    joão antônio francisco luiz marcos marcelo eduardo rodrigo gustavo matheus thiago tiago leonardo fábio vinícius vinicius
    guilherme henrique caio murilo otávio renato ricardo sérgio antônia adriana juliana márcia fernanda patrícia aline
    camila bruna jéssica letícia júlia luciana mariana gabriela larissa beatriz rafaela débora tatiane priscila renata
    cláudia raquel thaís vitória isabela manuela heloísa lívia conceição graça fátima
  `),
];

/** Family names in Latin letters, by culture. */
export const ROMANISED_SURNAMES: readonly string[] = [
  // Arabic
  ...words(`
    al-sayed el-sayed khalil haddad khoury mansour nasser saleh salem hamdan darwish aziz qasim kassem farouk habib jaber
    karam nassar shaheen shahin suleiman sulaiman zaki masri almasri tamimi harbi otaibi ghamdi zahrani shammari dosari
    mutairi qahtani anazi shehri maliki hashemi hashimi bakri khatib najjar hakim halabi shami baghdadi jaziri abdelaziz
    benali bennani alaoui amrani idrissi tazi berrada chraibi fassi benjelloun boukhari bouzid belkacem benaissa benmoussa
    brahimi cherif djebbar haddadi hamidi kaci laroui mansouri meziane saidi slimani zerrouki ouali benyahia trabelsi jebali
    gharbi hammami sassi ayari chaabane dridi mahjoub saud
  `),
  // Persian
  ...words(`
    ahmadi hosseini husseini mohammadi rezaei rezai moradi karimi jafari rahimi mousavi musavi ghasemi qasemi sadeghi
    ebrahimi najafi akbari amini bagheri heidari kazemi mahmoudi mirzaei nazari rahmani salehi shahbazi soltani tehrani
    yazdani zamani abbasi alavi ansari asadi azizi davoodi esmaeili faraji farahani ghorbani habibi jalali kamali khalili
    khorasani mohseni nouri rostami sharifi shirazi tabrizi taheri vahidi yousefi zarei kashani esfahani isfahani pahlavi
  `),
  // Hebrew
  ...words(`
    cohen kohen levi levy mizrahi peretz biton dahan avraham friedman katz shapiro shapira goldberg rosenberg rosen weiss
    schwartz azoulay ohayon gabay gabbai malka levin kaplan segal elbaz hadad ashkenazi sasson vaknin golan shamir barak
    peres rabin avrahami greenberg goldstein rubin horowitz bernstein feldman adler harel dayan navon lapid herzog liberman
    kahana
  `),
  // South Asian
  ...words(`
    sharma verma gupta agarwal aggarwal agrawal bansal goel goyal jain mittal singhal garg mehta shah patel desai joshi
    kulkarni deshpande deshmukh patil pawar jadhav shinde chavan gaikwad naik nair menon pillai iyer iyengar rao reddy naidu
    chowdary choudhary chaudhary chaudhry chopra kapoor khanna malhotra arora bhatia sethi suri tandon ahuja kohli grover
    saxena srivastava shrivastava mishra tiwari tripathi pandey dubey dwivedi trivedi chaturvedi upadhyay pathak shukla
    bajpai awasthi dixit yadav singh kaur sandhu sidhu grewal dhillon brar bains bhullar randhawa virk chahal thakur rathore
    rajput chauhan bhatt kaul raina dutta dutt bose basu ghosh mukherjee banerjee chatterjee bhattacharya bhattacharjee
    chakraborty sengupta dasgupta sarkar majumdar mazumdar biswas mondal mandal haldar saha kundu nandi subramanian krishnan
    raman ramachandran venkataraman srinivasan narayanan rajan ganesan natarajan sundaram balasubramanian chandrasekaran
    swaminathan viswanathan ramaswamy gopalan murthy murty hegde shetty kamath prabhu bhandari acharya hussain qureshi
    siddiqui sheikh shaikh syed rizvi zaidi naqvi jafri mirza baig akhtar anwar aslam ashraf hanif javed latif mahmood
    masood nawaz saleem yousaf zafar islam hossain rahman uddin haque hoque chowdhury talukder sarker miah bhuiyan akter
    begum khatun sultana kabir molla
  `),
  // African
  ...words(`
    kamau mwangi otieno odhiambo ochieng onyango omondi owino wanjiku kariuki njoroge kimani maina mutua kiprop koech rotich
    cheruiyot kipchumba langat ruto kosgei wafula wekesa barasa wambua mutiso nyaga ngugi waweru macharia mbugua chege
    wambugu kinuthia mburu muriithi msuya massawe mushi lyimo kimaro temba mrema swai mollel okello opio ocen ssemakula
    mukasa musoke nsubuga kizza lubega bikila gebrselassie dibaba defar tola tulu mekonnen teshome tefera demissie negussie
    alemu legesse shiferaw wolde zerihun mamo ashenafi gebremedhin gebreyesus woldemariam kebede tesfaye girma haile bekele
    okafor okonkwo okeke okoro okoye nwosu nwachukwu obi obiora onuoha ugwu uzor anyanwu chukwu nnadi nwankwo nwafor nwogu
    ogbonna okonjo okpara onwuka orji ezeh ezeugo mbah nweke okolie oguejiofor iweala adeyemi adeleke adeyinka afolabi ajayi
    akinola akinyemi alabi aluko babalola balogun fashola ogunleye ogunbanjo ogunlesi olaniyan olawale oyelaran oyewole
    sanwo soyinka obasanjo oyediran adeniyi adesina ogundipe olatunji abubakar aliyu danjuma garba haruna lawal yakubu
    dangote tanko mensah boateng owusu asante agyeman darko appiah ofori amoah frimpong osei addo acheampong adjei amponsah
    annan antwi asamoah bonsu danquah gyamfi kufuor nkrumah ansah sarpong tetteh quaye quartey lamptey aryee nartey ofosu
    opoku sarfo yeboah diallo ndiaye diop faye gueye diouf sarr ndour cisse toure traore keita kone coulibaly diarra sanogo
    camara sylla kante konate ouattara bamba kouassi kouame nguessan dlamini nkosi ndlovu khumalo mthembu ngcobo buthelezi
    mahlangu mokoena molefe mabaso mkhize shabalala radebe zwane sithole nxumalo gumede baloyi maluleke mathebula mbeki
    mandela sisulu
  `),
  // Thai
  ...words(`
    jaidee saetang saelim srisuk srisawat boonmee thongdee suksawat rattanakul chaiyasit wongsawat sombat kaewmanee
    thongchai phromma sukprasert siriwat sirisombat pattanakul wongsuwan khongsuk nakprasert yodsuwan
  `),
  // Indonesian, Malay
  ...words(`
    santoso saputra saputri setiawan kusuma permana siregar nasution lubis harahap simanjuntak sitompul hutapea panjaitan
    sinaga situmorang tambunan pardede ginting tarigan sembiring manurung halim gunawan wijaya hidayat nugroho pratama
    purnomo wibowo kurniawan rahim yusof yaacob razak salleh hashim hussin mansor mokhtar nordin zainal
  `),
  // Filipino
  ...words(`
    bautista ocampo villanueva aquino manalo tolentino macaraeg dimaculangan dimagiba dimaano mangubat magsaysay macapagal
    pacquiao lacson soriano pangilinan gatchalian sison agbayani panganiban pascual dizon lacsamana sarmiento salonga
    buenaventura corpuz custodio espiritu esguerra evangelista guevarra lualhati magbanua maglaya malabanan manalastas
    natividad quizon samonte yambao
  `),
  // Turkish surnames faker's list lacks
  ...words(`
    yılmaz kaya demir şahin çelik yıldız yıldırım öztürk aydın özdemir arslan doğan kılıç aslan çetin koç kurt özkan şimşek
    polat özcan korkmaz çakır erdoğan yavuz acar aktaş güler yalçın güneş bozkurt bulut keskin ünal turan özer işık kaplan
    avcı tekin köse yüksel ateş karagöz karaca akın uçar durmaz tunç ekinci başaran bayram sezer toprak uysal altun aksoy
    akgün yilmaz sahin celik yildiz ozturk aydin ozdemir dogan kilic cetin karagoz
  `),
  // Portuguese and Brazilian
  ...words(`
    silva santos oliveira souza sousa rodrigues ferreira alves pereira lima gomes costa ribeiro martins carvalho almeida
    lopes soares fernandes vieira barbosa rocha dias nascimento andrade moreira nunes marques machado mendes freitas cardoso
    ramos gonçalves goncalves santana teixeira araújo araujo cavalcanti cavalcante monteiro moura correia pinto campos
    castro batista bezerra farias medeiros miranda rezende siqueira coelho borges brito cunha magalhães magalhaes tavares
    vasconcelos azevedo figueiredo fonseca guimarães guimaraes matos mota pacheco peixoto queiroz sampaio xavier assunção
    neves abreu amaral bastos brandão leite lacerda macedo meireles prado salgado seixas simões valente veloso
  `),
  // Somali, Sinhala, Mongolian, Māori and Andean family names
  ...words(`
    warsame egal elmi jama dirie perera jayasinghe wickramasinghe bandara dissanayake rajapaksa senanayake gunawardena
    jayawardena ratnayake herath wijesinghe ganbold dorj purevdorj sukhbaatar ngata parata waititi tipene tamihana quispe
    mamani condori huaman huamani choque apaza chambi ticona yupanqui
  `),
  // Irish, Scottish and Welsh
  ...words(`
    murphy kelly byrne ryan walsh doyle mccarthy gallagher kennedy lynch murray quinn mcloughlin carroll connolly daly
    brennan burke collins keane whelan kavanagh fitzgerald mcgrath mcdonagh o'brien o'sullivan o'connor o'neill o'reilly
    o'donnell o'mahony macleod macdonald mackenzie mackay macgregor maclean campbell stewart fraser munro sinclair davies
    evans griffiths llewellyn vaughan pugh
  `),
  // Dutch surnames faker's short nl list lacks
  ...words(`
    jansen janssen visser smit meijer mulder bos vos dekker brouwer dijkstra smits kok vermeulen schouten willems hoekstra
    koster huisman kuipers veenstra postma timmermans gerritsen scholten
  `),
];
