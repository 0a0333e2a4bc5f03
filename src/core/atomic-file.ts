import { randomBytes } from 'node:crypto';
import { createWriteStream, open as openDescriptor } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { fileProblem, invalidInput } from './errors.js';
const openDescriptorAsync = promisify(openDescriptor);

/**
 * Writes through a temporary file beside `outPath` (mode 0600, so plaintext is never readable
 * by others), fsyncs it and renames it into place only on success: a reader never sees a
 * half-written or partly verified file. On any failure the temporary file is removed and an
 * existing `outPath` is left untouched.
 */
export interface WriteAtomicallyOptions {
  /** Overwrite a failed temporary file with zeros before removing it (it may hold plaintext). */
  scrub?: boolean;
}

export async function writeAtomically(outPath: string, write: (out: Writable) => Promise<void>, options: WriteAtomicallyOptions = {}): Promise<void> {
  const directory = dirname(outPath);
  const temporary = join(directory, `.${basename(outPath)}.${randomBytes(8).toString('hex')}.tmp`);
  // Opened here, not by the stream: a lazily opening stream could create the file after a
  // failure's clean-up has run. The stream owns the descriptor and closes it either way.
  const fd = await openDescriptorAsync(temporary, 'wx', 0o600).catch((err: unknown) => {
    // named by the output the user gave, not the temporary file they never heard of
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${directory} does not exist` : fileProblem(err);
    throw invalidInput(`cannot write ${outPath}: ${why}`, { path: outPath });
  });
  let renamed = false;
  try {
    await write(createWriteStream('', { fd }));
    await syncPath(temporary, 'r+'); // the data is on disk before the name points at it
    await rename(temporary, outPath);
    renamed = true;
  } finally {
    if (!renamed) {
      if (options.scrub) await scrub(temporary).catch(() => undefined);
      await rm(temporary, { force: true });
    }
  }
  await syncDirectory(directory);
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

/** Overwrite a file's bytes with zeros and sync, so removing it leaves no plaintext in its blocks (on filesystems that overwrite in place). */
async function scrub(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const zeros = Buffer.alloc(Math.min(size, 1 << 20));
    for (let at = 0; at < size; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, size - at), at);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
