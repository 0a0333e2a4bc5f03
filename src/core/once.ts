/**
 * A resource opened on first use and shared afterwards (a KEK in an HSM session, say):
 * concurrent first callers get the same promise, and `close` runs only if it was opened.
 */
export interface Once<T> {
  get: () => Promise<T>;
  close: (release: (value: T) => Promise<void>) => Promise<void>;
}

export function once<T>(open: () => Promise<T>): Once<T> {
  let opened: Promise<T> | undefined;
  return {
    get: () => {
      opened ??= open().catch((err) => {
        opened = undefined; // a failed open (wrong PIN, token absent) may be retried
        throw err;
      });
      return opened;
    },
    close: async (release) => {
      if (opened) await release(await opened);
    },
  };
}
