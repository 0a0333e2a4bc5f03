/**
 * ICAO Doc 9303 TD3 (passport) machine-readable zone, line 2, as the synthetic operator rewrites
 * it: 44 characters of document number (0-8) and its check digit (9), nationality (10-12),
 * date of birth YYMMDD (13-18) and check (19), sex (20), date of expiry (21-26) and check (27),
 * optional data (28-41) and its check (42), and the composite check (43).
 *
 * Written here, not imported from the passport recognizer (which finds such lines in text and
 * is another helper's file), because a fake must be valid by the same rules it checks.
 */

/** The shape of a TD3 line 2, as the passport recognizer reads one (recognizers/passport.ts). */
export const MRZ_LINE_2 = /^[A-Z0-9<]{9}\d[A-Z<]{3}\d{6}\d[MFX<]\d{6}\d[A-Z0-9<]{14}[\d<]\d$/;

/** ICAO 9303 part 3 §4.9: weights 7, 3, 1 repeating; digits as they are, A–Z = 10–35, `<` filler = 0. */
export function mrzCheckDigit(field: string): string {
  const weights = [7, 3, 1] as const;
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const code = field.charCodeAt(i);
    const value = code === 0x3c ? 0 : code >= 65 ? code - 55 : code - 48;
    sum += value * weights[i % 3]!;
  }
  return String(sum % 10);
}

/** The fields of line 2 a fake draws afresh; the nationality and sex are kept (neither picks a person out). */
export interface MrzFields {
  /** Nine characters, `<`-filled. */
  documentNumber: string;
  /** YYMMDD. */
  birth: string;
  /** YYMMDD. */
  expiry: string;
  /** Fourteen characters, `<`-filled; all `<` when the original's was empty. */
  optional: string;
}

/**
 * Line 2 of `original` with `fields` in place and every check digit computed, so the line is
 * valid by ICAO 9303; nationality (10-12) and sex (20) are the original's. An empty optional
 * field keeps `<` as its check digit, as the passport recognizer accepts.
 */
export function mrzLine2(original: string, fields: MrzFields): string {
  const nationality = original.slice(10, 13);
  const sex = original[20]!;
  const optionalCheck = /^<*$/.test(fields.optional) && original[42] === '<' ? '<' : mrzCheckDigit(fields.optional);
  const document = fields.documentNumber + mrzCheckDigit(fields.documentNumber);
  const birth = fields.birth + mrzCheckDigit(fields.birth);
  const expiry = fields.expiry + mrzCheckDigit(fields.expiry);
  const optional = fields.optional + optionalCheck;
  const composite = mrzCheckDigit(document + birth + expiry + optional);
  return `${document}${nationality}${birth}${sex}${expiry}${optional}${composite}`;
}

/** A name as line 1 of a passport's MRZ writes it: `ERIKSSON<<ANNA<MARIA`, capitals with `<` for spaces, `<<` after the surname. */
export const MRZ_NAME = /^[A-Z]+(?:<[A-Z]+)*<<(?:[A-Z]+(?:<[A-Z]+)*)?$/;

/**
 * A fake name (`given… family`) in the MRZ form of `original`, as long as it: the name is
 * followed by `<` fillers up to the line's 44 characters, so a fake of another length would
 * shift them; ICAO 9303 truncates a long name too. Letters outside A-Z lose their marks or go.
 */
export function mrzName(original: string, given: readonly string[], family: string): string {
  const part = (name: string) => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z]+/g, '<').replace(/^<+|<+$/g, '');
  // a surname alone (`ERIKSSON<<`) gets a surname alone
  const givenPart = original.endsWith('<<') ? '' : given.map(part).filter(Boolean).join('<') || 'JANE';
  const written = `${part(family) || 'DOE'}<<${givenPart}`;
  return written.length >= original.length ? written.slice(0, original.length) : written + '<'.repeat(original.length - written.length);
}
