import { randomBytes } from 'node:crypto';
import { createWriteStream, open as openDescriptor } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { fileProblem, invalidInput } from './errors.js';
import { holdTemporary } from './pending-temporaries.js';
const openDescriptorAsync = promisify(openDescriptor);

/**
 * Writes through a temporary file beside `outPath` (mode 0600, so plaintext is never readable
 * by others), fsyncs it and renames it into place only on success: a reader never sees a
 * half-written or partly verified file. On any failure the temporary file is removed and an
 * existing `outPath` is left untouched; a process ended by a signal meanwhile can remove it too
 * (pending-temporaries.ts).
 */
export interface WriteAtomicallyOptions {
  /** Overwrite a failed temporary file with zeros before removing it (it may hold plaintext). */
  scrub?: boolean;
}

/**
 * `write` writes the content to `out` and may leave it open: the stream is ended, and every
 * byte written, before the file is synced and renamed.
 */
export async function writeAtomically(outPath: string, write: (out: Writable) => Promise<void>, options: WriteAtomicallyOptions = {}): Promise<void> {
  const directory = dirname(outPath);
  await refuseDirectory(outPath); // found now, not by the rename after all the work
  const temporary = temporaryBeside(outPath);
  // Opened here, not by the stream: a lazily opening stream could create the file after a
  // failure's clean-up has run. The stream owns the descriptor and closes it either way.
  const fd = await openDescriptorAsync(temporary, 'wx', 0o600).catch((err: unknown) => {
    throw cannotWrite(outPath, err);
  });
  const held = holdTemporary(temporary, { scrub: options.scrub });
  const out = createWriteStream('', { fd });
  // Watched from the start: a write that fails after `write` returned (the disk filled with its
  // last batch still queued) fails the whole file here, rather than as an unhandled 'error'
  // event after a half-written file was renamed into place.
  const written = finished(out);
  written.catch(() => undefined);
  try {
    await write(out);
    if (!out.writableEnded) out.end(); // `write` need not end it: what it queued is written before the sync
    await written;
    await syncPath(temporary, 'r+'); // the data is on disk before the name points at it
    await rename(temporary, outPath);
  } catch (err) {
    out.destroy();
    await written.catch(() => undefined); // closed: a write still in flight lands before the file is scrubbed and removed
    await held.discard(); // never rejects: the write's own failure is what is thrown
    throw err;
  }
  held.keep();
  await syncDirectory(directory);
}

/**
 * Refuses, before any work, an output that writeAtomically would refuse only after it: a path
 * that is a directory, or a directory that does not exist or cannot be written. For jobs whose
 * work costs something to redo (a privacy budget spent, a long redaction). Writability is tried,
 * by creating and removing a file there, not asked of access(2): root passes that check on a
 * read-only mount, and a network file system may answer it wrongly.
 */
export async function checkOutputWritable(outPath: string): Promise<void> {
  await refuseDirectory(outPath);
  const probe = temporaryBeside(outPath);
  const handle = await open(probe, 'wx', 0o600).catch((err: unknown) => {
    throw cannotWrite(outPath, err);
  });
  await handle.close();
  await unlink(probe);
}

async function refuseDirectory(outPath: string): Promise<void> {
  if ((await stat(outPath).catch(() => null))?.isDirectory()) throw invalidInput(`cannot write ${outPath}: it is a directory (name a file in it)`, { path: outPath });
}

function temporaryBeside(outPath: string): string {
  return join(dirname(outPath), `.${basename(outPath)}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Named by the output the user gave, not the temporary file they never heard of. */
function cannotWrite(outPath: string, err: unknown): Error {
  const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dirname(outPath)} does not exist` : fileProblem(err);
  return invalidInput(`cannot write ${outPath}: ${why}`, { path: outPath });
}

/**
 * Makes a rename into `directory` durable. Not every platform can open a directory (Windows);
 * the rename is atomic regardless, so a failure here is not one.
 */
export async function syncDirectory(directory: string): Promise<void> {
  await syncPath(directory, 'r').catch(() => undefined);
}

async function syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
