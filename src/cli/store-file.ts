import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LangtrainError } from '../core/errors.js';

/**
 * How a command uses the store. SQLite creates any file it is asked to open, so a command run
 * from another directory, or with a mistyped `--db`, would work on a new, empty store: an
 * erasure or a withdrawal there reports success over nothing, a check finds nothing, and a
 * `hash` redaction gets a new key whose pseudonyms join with none made before.
 *
 * - `existing`: the command reads, changes or erases what is there; a missing file is refused.
 * - `create`: it records new state (a grant, a key, an account, an event) and may start the
 *   store on first use; the caller says so on stderr.
 *
 * PostgreSQL URLs name a database its operator created, and `sqlite::memory:` no file: neither is checked.
 */
export type StoreUse = 'existing' | 'create';

/** The absolute path of the SQLite file a store URL names, when it names one. */
function sqliteFileOf(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const path = url.slice('sqlite:'.length);
  // an empty path is left to openStore, which says how to write one
  return path === '' || path === ':memory:' ? undefined : resolve(path);
}

/**
 * Refuses a missing SQLite store for `existing` use; for `create` use, returns the file that
 * opening the store is about to create (undefined when there is nothing new to announce).
 */
export function checkStoreFile(url: string, use: StoreUse): string | undefined {
  const file = sqliteFileOf(url);
  if (file === undefined || existsSync(file)) return undefined;
  if (use === 'create') return file;
  throw new LangtrainError(
    'ERR_NOT_FOUND',
    `no store at ${file}: pass --db sqlite:PATH (or set store.url), or run from the project directory where an earlier \`langtrain\` command created it`,
    { path: file },
  );
}

/** The line a command that started a new store prints on stderr, so that a wrong directory or a typo in --db shows at once. */
export function newStoreNote(file: string): string {
  return `note: no store was at ${file}: created a new one there (pass --db to use another)\n`;
}
