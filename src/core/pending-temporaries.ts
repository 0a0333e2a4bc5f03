import { closeSync, fstatSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';

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
  /** The write failed: scrub it if asked, then remove it. Never throws. */
  discard(): void;
}

const pending = new Map<string, TemporaryOptions>();

/** Records `path` as pending until it is kept or discarded. */
export function holdTemporary(path: string, options: TemporaryOptions = {}): HeldTemporary {
  pending.set(path, options);
  return {
    keep: () => void pending.delete(path),
    discard: () => {
      pending.delete(path);
      remove(path, options);
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

/**
 * Synchronous, so that a signal handler can use it; a path already gone, or that cannot be
 * removed, is passed over: clean-up after a failure must not hide the failure.
 */
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
    const zeros = Buffer.alloc(Math.min(size, 1 << 20));
    for (let at = 0; at < size; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, size - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
