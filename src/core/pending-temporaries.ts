import { closeSync, fstatSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';

/**
 * The temporary files and directories of writes still under way (atomic-file.ts, shards), so
 * that a process ended by a signal can remove them before it exits: its `finally` blocks never
 * run, and the half-written output (plaintext, for a decryption) would stay beside the user's
 * files under a hidden name.
 */
export interface TemporaryOptions {
  /** Overwrite the file with zeros before removing it (it may hold plaintext). */
  scrub?: boolean;
}

export interface HeldTemporary {
  /** It became the output (renamed into place): nothing to remove. */
  keep(): void;
  /**
   * The write failed: scrub it if asked, then remove it. Asynchronous, so that zeroing a
   * multi-gigabyte output does not block the event loop of a server that runs the write
   * in-process. Never rejects: clean-up must not hide the failure.
   */
  discard(): Promise<void>;
}

/** Overwritten this many bytes at a time. */
const SCRUB_CHUNK = 1 << 20;

const pending = new Map<string, TemporaryOptions>();

/** Records `path` as pending until it is kept or discarded. */
export function holdTemporary(path: string, options: TemporaryOptions = {}): HeldTemporary {
  pending.set(path, options);
  return {
    keep: () => void pending.delete(path),
    discard: async () => {
      // Still held while it is scrubbed: a signal meanwhile removes it (removeTemporariesNow).
      await removeAsync(path, options);
      pending.delete(path);
    },
  };
}

/** Removes every pending temporary now, synchronously, as a signal handler must before it exits; returns how many there were. */
export function removeTemporariesNow(): number {
  const paths = [...pending];
  pending.clear();
  for (const [path, options] of paths) remove(path, options);
  return paths.length;
}

/*
 * Two ways to remove a temporary, the same steps in each: scrub if asked, then remove.
 * - remove/scrubSync: synchronous, for removeTemporariesNow, which a signal handler calls on its
 *   way out: the process exits right after, so nothing asynchronous would ever finish.
 * - removeAsync/scrubAsync: for HeldTemporary.discard, the normal failure path of a write, which
 *   can run inside the server: zeroing gigabytes synchronously would stall every other request.
 * In both, a path already gone, or that cannot be scrubbed or removed, is passed over: clean-up
 * after a failure must not hide the failure.
 */

/** Synchronous, so that a signal handler can use it. Never throws. */
function remove(path: string, { scrub = false }: TemporaryOptions): void {
  try {
    if (scrub) scrubSync(path);
  } catch {
    // removed below all the same
  }
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // left behind; nothing better to do on the way out
  }
}

/** Overwrite a file's bytes with zeros and sync, so removing it leaves no plaintext in its blocks (on filesystems that overwrite in place). */
function scrubSync(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const { size } = fstatSync(fd);
    const zeros = Buffer.alloc(Math.min(size, SCRUB_CHUNK));
    for (let at = 0; at < size; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, size - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** {@link remove} without blocking the event loop. Never rejects. */
async function removeAsync(path: string, { scrub = false }: TemporaryOptions): Promise<void> {
  if (scrub) await scrubAsync(path).catch(() => undefined); // removed below all the same
  await rm(path, { recursive: true, force: true }).catch(() => undefined); // left behind; the failure itself is what the caller reports
}

/** {@link scrubSync} in 1 MiB writes through fs/promises, so other work runs between them. */
async function scrubAsync(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const zeros = Buffer.alloc(Math.min(size, SCRUB_CHUNK));
    for (let at = 0; at < size; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, size - at), at);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
