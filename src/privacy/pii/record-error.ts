/** What kind of bad record, where callers may act on it (details.problem). */
export type RecordProblem = 'not_json' | 'no_header';

/** A bad record, named by its line; the whole job fails and writes nothing. */
export class RecordError extends Error {
  constructor(
    readonly line: number,
    message: string,
    /**
     * `not_json`: the line does not parse at all (on line 1, most likely a file in another
     * format); `no_header`: a CSV's first row holds personal data, so is a record, not column names.
     */
    readonly problem?: RecordProblem,
  ) {
    super(`line ${line}: ${message}`);
  }
}
