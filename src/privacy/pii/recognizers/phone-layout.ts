import type { NationalReading } from './phone-metadata.js';

/**
 * How libphonenumber prints a country's national numbers — the digit groups of its national
 * format, trunk prefix included — and whether digits written in some groups follow it. Writers
 * keep their country's grouping ("0151 234 567 89" moves no area code); ids, amounts and
 * references ("2023 0045 12") break anywhere.
 */

/** One of libphonenumber's `numberFormat`s, compiled: how numbers starting with `leadingDigits` are printed. */
export interface NationalFormat {
  readonly leadingDigits: RegExp | undefined;
  readonly pattern: RegExp;
  /** The pattern's captured groups printed together, per printed digit group: `$1 $2-$3` → [[1], [2], [3]]. */
  readonly printedGroups: readonly (readonly number[])[];
  /**
   * The fewest and most digits of each printed group, read off the pattern (`(\d{2})(\d{3,4})`),
   * or undefined for a pattern that is not such a sequence (none in libphonenumber-js 1.x).
   */
  readonly groupLengths: readonly (readonly [number, number])[] | undefined;
  /**
   * How `national_prefix_formatting_rule` writes the trunk prefix: the digit groups it prints
   * apart before the number (`8 $1`, `(06 $1)`), then the digits it glues to the first group
   * (`0$1`, `(0$1)`); Belarus's `8 0$1` does both.
   */
  readonly trunkApart: readonly number[];
  readonly trunkGlued: number;
  /**
   * What the national form prints between the groups of a number written without its trunk
   * prefix: `($1) $2-$3` → [") ", "-"] (the rule's brackets kept, its trunk digits left out).
   */
  readonly bareSeparators: readonly string[];
  /** The national form shows the trunk prefix and may not leave it out. */
  readonly trunkMandatory: boolean;
}

/** A `numberFormat` as the metadata gives it. */
export interface FormatSource {
  readonly pattern: string;
  /** `$1 $2-$3` */
  readonly format: string;
  readonly leadingDigits: string | undefined;
  /** `national_prefix_formatting_rule`: `0$1`, `8 ($1)`, … */
  readonly rule: string | undefined;
  readonly trunkMandatory: boolean;
}

const CAPTURED_DIGITS = /\(\\d(?:\{(\d+)(?:,(\d+))?\})?\)/g;

export function compileFormat(source: FormatSource): NationalFormat {
  const printedGroups = printedGroupsOf(source.format);
  const captured = capturedLengths(source.pattern);
  const trunkWritten = source.rule === undefined ? '' : source.rule.slice(0, Math.max(0, source.rule.indexOf('$1')));
  const trunkGroups = digitRunLengths(trunkWritten);
  const trunkGlued = /\d$/.test(trunkWritten) ? (trunkGroups.pop() ?? 0) : 0;
  return {
    leadingDigits: source.leadingDigits === undefined ? undefined : new RegExp(`^(?:${source.leadingDigits})`),
    pattern: new RegExp(`^(?:${source.pattern})$`),
    printedGroups,
    groupLengths:
      captured &&
      printedGroups.map((references) =>
        references.reduce<[number, number]>(([min, max], reference) => [min + (captured[reference - 1]?.[0] ?? 0), max + (captured[reference - 1]?.[1] ?? 0)], [0, 0]),
      ),
    trunkApart: trunkGroups,
    trunkGlued,
    bareSeparators: separatorsOf(source.format.replace('$1', source.rule?.replace(/(?<!\$)\d/g, '').trim() ?? '$1')),
    trunkMandatory: source.trunkMandatory,
  };
}

/** `$1 $2-$3` → [[1], [2], [3]]; `$1$2 $3` → [[1, 2], [3]]. */
function printedGroupsOf(layout: string): number[][] {
  return layout.split(/[^$\d]+/).filter(Boolean).map((group) => [...group.matchAll(/\$(\d)/g)].map((reference) => Number(reference[1])));
}

// The no-break, narrow and thin spaces a writer may put where libphonenumber prints a space.
const WIDE_SPACES = /[\u00a0\u202f\u2009\u2007]/g;

/** The text between the digit groups of a printed or written number: `($1) $2-$3`, "(11) 96123-4567" → [") ", "-"]. */
function separatorsOf(printed: string): string[] {
  return printed.replace(WIDE_SPACES, ' ').split(/(?:\$\d|\d)+/).slice(1, -1);
}

/** Whether `written`, a number without its trunk prefix, has between its groups what the printed layout has. */
export function hasPrintedSeparators(written: string, printed: PrintedLayout): boolean {
  const separators = separatorsOf(written);
  return printed.bareSeparators.every((separator, i) => separators[i] === separator);
}

/** `(\d{2})(\d{3,4})` → [[2, 2], [3, 4]]; undefined when the pattern holds anything else. */
function capturedLengths(pattern: string): [number, number][] | undefined {
  const lengths: [number, number][] = [];
  let consumed = 0;
  for (const match of pattern.matchAll(CAPTURED_DIGITS)) {
    if (match.index !== consumed) return undefined;
    const min = match[1] === undefined ? 1 : Number(match[1]);
    lengths.push([min, match[2] === undefined ? min : Number(match[2])]);
    consumed += match[0].length;
  }
  return consumed === pattern.length ? lengths : undefined;
}

function digitRunLengths(value: string): number[] {
  return (value.match(/\d+/g) ?? []).map((run) => run.length);
}

/**
 * Whether the format could print a national significant number in `groups` (no trunk prefix):
 * as many groups, each of a length it allows. Read off the pattern, so that most plans are
 * ruled out before any regular expression runs.
 */
export function mayPrintInGroups(format: NationalFormat, groups: readonly number[]): boolean {
  const lengths = format.groupLengths;
  if (lengths === undefined) return true;
  if (lengths.length !== groups.length) return false;
  return lengths.every(([min, max], i) => (groups[i] ?? 0) >= min && (groups[i] ?? 0) <= max);
}

/** How a national number is printed in its country, as libphonenumber's national format. */
export interface PrintedLayout {
  /** Lengths of the digit groups, trunk prefix included when it was written. */
  readonly groups: readonly number[];
  /** What is printed between the groups when the number is written without its trunk prefix. */
  readonly bareSeparators: readonly string[];
  /** The national format shows the trunk prefix and may not leave it out. */
  readonly trunkMandatory: boolean;
}

/** The digit groups libphonenumber's national format prints the number in. */
export function printedLayout({ plan, nsn, trunkDigits }: NationalReading): PrintedLayout {
  const format = plan.formats.find((f) => (f.leadingDigits === undefined || f.leadingDigits.test(nsn)) && f.pattern.test(nsn));
  if (format === undefined) return { groups: [trunkDigits + nsn.length], bareSeparators: [], trunkMandatory: false };
  const captured = format.pattern.exec(nsn) as RegExpExecArray;
  const groups = format.printedGroups.map((references) => references.reduce((sum, reference) => sum + (captured[reference]?.length ?? 0), 0));
  return { groups: withTrunk(format, groups, trunkDigits), bareSeparators: format.bareSeparators, trunkMandatory: format.trunkMandatory };
}

/**
 * The printed groups with the trunk prefix the writer put before them, where the format's rule
 * puts it ("8 029 491-19-11"); a number written without its (optional) trunk prefix is printed
 * without it, and a trunk of another length goes where the rule would put its own.
 */
function withTrunk(format: NationalFormat, groups: number[], trunkDigits: number): number[] {
  if (trunkDigits === 0) return groups;
  const [first = 0, ...rest] = groups;
  const ruleDigits = format.trunkApart.reduce((sum, length) => sum + length, format.trunkGlued);
  if (ruleDigits === trunkDigits) return [...format.trunkApart, format.trunkGlued + first, ...rest];
  return format.trunkGlued > 0 ? [trunkDigits + first, ...rest] : [trunkDigits, first, ...rest];
}

/**
 * Whether digits written in `written` groups follow a country's printed layout `printed`: the
 * first break falls where the country's first one is (after the area code or mobile prefix),
 * or, with `exact`, every break does.
 */
export function followsLayout(written: readonly number[], printed: readonly number[], exact: boolean): boolean {
  if (written.length === 1) return !exact || printed.length === 1;
  if (exact) return written.length === printed.length && written.every((length, i) => length === printed[i]);
  const firstBreak = written[0] ?? 0;
  let edge = 0;
  for (const length of printed) {
    edge += length;
    if (edge === firstBreak) return true;
    if (edge > firstBreak) return false;
  }
  return false;
}
