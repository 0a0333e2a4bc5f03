/** A bad record, named by its line; the whole job fails and writes nothing. */
export class RecordError extends Error {
  constructor(
    readonly line: number,
    message: string,
    /** `not_json`: the line does not parse at all (on line 1, most likely a file in another format). */
    readonly problem?: 'not_json',
  ) {
    super(`line ${line}: ${message}`);
  }
}
