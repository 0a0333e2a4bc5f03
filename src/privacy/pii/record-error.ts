/** A bad record, named by its line; the whole job fails and writes nothing. */
export class RecordError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}
