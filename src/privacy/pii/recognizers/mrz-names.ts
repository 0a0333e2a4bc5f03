import type { Candidate } from '../recognizer.js';

/**
 * The holder's name in a passport's machine-readable zone, line 1 of ICAO 9303's TD3 layout:
 * `P`, a type character, the issuing state, then the 39-character name field, surname and given
 * names apart by `<<` and filled out with `<` (`P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<`).
 * Written in capitals with `<` for spaces, the name is no run of capitalised words to the other
 * scans; the layout alone tells it, so it scores as a cued name.
 */
const MRZ_NAME_LINE = /(?<![A-Z0-9<])P[A-Z<][A-Z<]{3}([A-Z][A-Z<]{38})(?![A-Z0-9<])/g;
const SCORE = 0.95;
/** Where the name field starts in the line. */
const NAME_FIELD = 5;

/** Adds the names of the TD3 MRZ lines in `text` to `findings`. */
export function findMrzNames(text: string, recognizer: string, findings: Candidate[]): void {
  if (!text.includes('<<')) return;
  MRZ_NAME_LINE.lastIndex = 0;
  for (let match = MRZ_NAME_LINE.exec(text); match !== null; match = MRZ_NAME_LINE.exec(text)) {
    const name = match[1]!.replace(/<+$/, '');
    // A surname alone keeps the `<<` that ends it, as every MRZ name has: a fake then keeps the form.
    const field = name.includes('<<') || name.length > match[1]!.length - 2 ? name : `${name}<<`;
    const start = match.index + NAME_FIELD;
    findings.push({ start, end: start + field.length, type: 'person_name', score: SCORE, recognizer, cued: true });
  }
}
