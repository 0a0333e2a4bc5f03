import { compiledNow } from './address-compile.js';
import { OTHER_SCRIPT_CHARS } from './address-scripts.js';
import { LETTER, LOWER_CASE_ENGLISH_TYPES, LOWER_CASE_NUMBER_FIRST_TYPES, UPPER } from './address-words.js';
import { alternation, endingAlternation } from './word-alternation.js';

/**
 * The one regex pass over a text that finds where an address may be: the numbers that may be
 * house numbers, the commas after a typed street without a number, and runs of other scripts.
 * Each condition on a number below is a necessary condition of the layouts it guards
 * (address-streets.ts), so it changes no result; a layout or type word that lets other text stand
 * before or after the number must widen them. Deciding them inside the scan keeps most numbers
 * from reaching JavaScript: in 4 MB of prose the scan returns 2,100 of 40,000 digit runs and 140
 * of 30,000 commas. Returning every digit run and comma and checking them in JavaScript made the
 * recognizer take 1.6 times as long on that prose, most of it spent before the JIT had optimised
 * the checks, as in a short run.
 */

/**
 * Before the first digit: not inside a word, a decimal, a time or a range ("SO1380961187",
 * "x86", "3.5", "10:30", "5-7", "$40"); after a dash only in a code such as "D-10115" or "F-7".
 */
const NUMBER_MAY_START = String.raw`(?:^|[^${LETTER}\d_$€£¥/.:,-]|(?:^|[\s,"'(])[A-Z]-|(?:^|\D)[.:,])`;

/**
 * What may follow the number in lower case: the number-first types ("12 rue de la Paix"), "bis"
 * ("12 bis rue …") or a street in chat ("42 elm st, …"), where most numbers in text are followed
 * by another word in lower case ("12 items", "2018 versandt").
 */
const LOWER_CASE_AFTER_NUMBER = String.raw`(?:${alternation(['bis', 'ter', 'quater', ...LOWER_CASE_NUMBER_FIRST_TYPES].filter((word) => /^[a-z]/.test(word)))})(?![a-z])|[a-z]{2,}(?:[ \t]+[a-z]{2,}){0,2}[ \t]+(?:${LOWER_CASE_ENGLISH_TYPES})(?![a-z])`;
/**
 * After the first digit, for a number-first street: up to six digits, the number's suffix
 * ("221B", "12bis", "10-123", "5/12", "4-28-6"), a comma or spaces, then a capital, a lower-case
 * word above, an ordinal ("5th Cross Road") or "1/2" (USPS "123 1/2 Main St"). Punctuation,
 * another number ("+39 312 524 0943"), a card number's next group, a date ("2018-06-23") or a
 * US social security number fail. Of the 25,800 numbers that reached the number-first layouts in
 * 4 MB of PII-dense text when any letter could follow, 8,300 still do.
 */
const STREET_MAY_FOLLOW = String.raw`(?:\d{0,5}(?!\d)(?:(?:bis|ter|quater|[A-Za-z])(?![A-Za-z]))?(?:[-/](?:\d{1,5}[A-Za-z]?|[A-Za-z](?![A-Za-z])))?|\d?-\d{1,2}-\d{1,3})(?:,[ \t]*|[ \t]+)(?:[${UPPER}]|${LOWER_CASE_AFTER_NUMBER}|1\/2|\d{1,3}[snrt])`;

/**
 * Lower-case words that may stand right before a house number: number marks and types written
 * after the name ("Karl Johans gate 22", "Andrássy út 12").
 */
const LOWER_CASE_BEFORE_NUMBER = endingAlternation([
  'no', 'no.', 'no:', 'nr', 'nr.', 'nº', 'n°', 'n.º', 'núm.', '#', '№', 'gate', 'gata', 'vei', 'veien', 'veg', 'vej', 'gade', 'gatan',
  'vägen', 'väg', 'allé', 'plass', 'plads', 'torv', 'torg', 'stræde', 'út', 'utca', 'u.', 'tér', 'körút', 'krt.', 'sétány', 'náměstí', 'nám.', 'třída', 'nábřeží', 'námestie',
]);
/**
 * Before the number, for a street or label written before it: the word before (past spaces and
 * a comma) is capitalised, one of the lower-case words above, or a name after an elided particle
 * ("d'Alsace", "dell'Orso"); and it ends as a street name, type, number mark or label does, in
 * a letter, ".", "º", "°", "#", "№" or "-" ("A-12"), or is the mark "No:", not a digit ("ES24
 * 9662", "+34 612") nor another label ("Geburtsdatum: 12"). Most numbers in text follow none of
 * these ("on 12 May", "(555)"). A comma right before the number ("Roma,5") fits no layout, nor do
 * more than six digits (a box number's most). A word of 64 characters or more is none of these:
 * read back to its start at every number inside it, such a word (minified CSS, "A#1#1#1…") made
 * the scan quadratic.
 */
const STREET_MAY_PRECEDE = String.raw`(?:^|[ \n,\t])(?:[${UPPER}][^ \n,\t]{0,63}|(?:${LOWER_CASE_BEFORE_NUMBER})|[^ \n,\t][^ \n,\t'’]{0,3}['’][${UPPER}][^ \n,\t]{0,63})(?<=[${LETTER}.º°#№-]|[Nn][Oo]\.?:)(?: *, +| +)?`;
/** After the first digit, at most five more. */
const SIX_DIGITS_AT_MOST = String.raw`(?=\d{0,5}(?!\d))`;

/**
 * A typed street without a number is an address only with the locality after it ("Kimathi Street,
 * Kilimani, Nairobi"): its comma, after one of these types.
 */
const UNNUMBERED_TYPE_COMMA = `,(?<=[ \\t]${endingAlternation(['Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Boulevard', 'Way', 'Close', 'Crescent', 'Terrace', 'Highway', 'Parkway'])},)`;

/**
 * A run of Cyrillic, CJK or Hangul. Its first character is tested against one range and only then
 * against the scripts' three: in texts with curly quotes or dashes, which V8 stores two bytes a
 * character, the three ranges at every character made the scan an eighth slower.
 */
const OTHER_SCRIPT_RUN = `[\\u0400-\\uD7A3](?<=[${OTHER_SCRIPT_CHARS}])[${OTHER_SCRIPT_CHARS}]*`;

/**
 * The first digit of each number that may be a house number, the comma after a street without a
 * number, or a run of Cyrillic, CJK or Hangul (whose addresses address-scripts.ts looks for).
 * For a number, group 1 is set when a street may precede it and group 2 when one may follow it,
 * so the layouts need not test either again. The word boundary, implied by NUMBER_MAY_START,
 * turns away the digits inside numbers and words before the lookbehind is entered (5% of the
 * scan's time). The other scripts ride along in this pass: testing each text for them apart cost
 * 1.4 ms per 4 MB of PII-dense text, most of whose texts are Latin only.
 */
export const ADDRESS_SCAN = compiledNow(new RegExp(
  String.raw`\b\d(?<=${NUMBER_MAY_START}\d)(?:${SIX_DIGITS_AT_MOST}(?<=${STREET_MAY_PRECEDE}\d)()|(?=${STREET_MAY_FOLLOW}))(?:(?=${STREET_MAY_FOLLOW})()|)|${UNNUMBERED_TYPE_COMMA}|${OTHER_SCRIPT_RUN}`,
  'g',
));
export const STREET_MAY_PRECEDE_GROUP = 1;
export const STREET_MAY_FOLLOW_GROUP = 2;
