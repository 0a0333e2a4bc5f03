import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/core/atomic-file.js';
import { holdTemporary, removeTemporariesNow } from '../../src/core/pending-temporaries.js';
import { tempFiles } from '../support/services.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  removeTemporariesNow(); // none of one test may reach the next
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('pending temporaries', () => {
  it('removes the files and directories still held, and none kept or already discarded', async () => {
    const path = tempFiles('pending', cleanups);
    const file = path('.out.tmp', 'half written');
    const dir = path('.shards.tmp');
    mkdirSync(dir);
    writeFileSync(`${dir}/a.jsonl`, '{}\n');
    const kept = path('kept', 'output');
    const discarded = path('.gone.tmp', 'x');
    holdTemporary(file);
    holdTemporary(dir);
    holdTemporary(kept).keep();
    await holdTemporary(discarded).discard();
    expect(existsSync(discarded)).toBe(false);
    expect(removeTemporariesNow()).toBe(2);
    expect([existsSync(file), existsSync(dir), existsSync(kept)]).toEqual([false, false, true]);
    expect(removeTemporariesNow()).toBe(0);
  });

  it('scrubs a file held with scrub before removing it: a second link to its blocks reads zeros', () => {
    const path = tempFiles('pending-scrub', cleanups);
    const plaintext = path('.plain.tmp', 'secret plaintext '.repeat(100_000));
    const witness = path('witness');
    linkSync(plaintext, witness);
    holdTemporary(plaintext, { scrub: true });
    removeTemporariesNow();
    expect(existsSync(plaintext)).toBe(false);
    const left = readFileSync(witness);
    expect(left.length).toBe(1_700_000);
    expect(left.every((byte) => byte === 0)).toBe(true);
  });

  it('a path that vanished or cannot be scrubbed is passed over, and the rest still removed', () => {
    const path = tempFiles('pending-gone', cleanups);
    holdTemporary(path('.never-made.tmp'), { scrub: true });
    const real = path('.real.tmp', 'x');
    holdTemporary(real);
    expect(() => removeTemporariesNow()).not.toThrow();
    expect(existsSync(real)).toBe(false);
  });

  it('discard scrubs asynchronously: the event loop turns between its writes, and a second link reads zeros', async () => {
    const path = tempFiles('pending-discard-scrub', cleanups);
    const size = 8 * (1 << 20) + 5; // eight whole 1 MiB chunks and a partial one
    const plaintext = path('.plain.tmp');
    writeFileSync(plaintext, Buffer.alloc(size, 's'));
    const witness = path('witness');
    linkSync(plaintext, witness);
    const held = holdTemporary(plaintext, { scrub: true });

    let turns = 0;
    let done = false;
    const turn = () => {
      turns += 1;
      if (!done) setImmediate(turn);
    };
    setImmediate(turn);
    const discarding = held.discard();
    expect(existsSync(plaintext)).toBe(true); // nothing was done synchronously
    await discarding;
    done = true;
    // A synchronous scrub would finish before the first setImmediate ran.
    expect(turns).toBeGreaterThan(2);
    expect(existsSync(plaintext)).toBe(false);
    const left = readFileSync(witness);
    expect(left.length).toBe(size);
    expect(left.every((byte) => byte === 0)).toBe(true);
    expect(removeTemporariesNow()).toBe(0); // no longer held
  });

  it('discard never rejects: a path that vanished, a directory held with scrub', async () => {
    const path = tempFiles('pending-discard-gone', cleanups);
    await expect(holdTemporary(path('.never-made.tmp'), { scrub: true }).discard()).resolves.toBeUndefined();
    const dir = path('.shards.tmp');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.jsonl'), '{}\n');
    await expect(holdTemporary(dir, { scrub: true }).discard()).resolves.toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    expect(removeTemporariesNow()).toBe(0);
  });

  it('a temporary is still held while it is discarded, so a signal meanwhile removes it', async () => {
    const path = tempFiles('pending-discard-signal', cleanups);
    const plaintext = path('.plain.tmp', 'secret'.repeat(1000));
    const discarding = holdTemporary(plaintext, { scrub: true }).discard();
    expect(removeTemporariesNow()).toBe(1); // as a signal handler would, mid-scrub
    expect(existsSync(plaintext)).toBe(false);
    await expect(discarding).resolves.toBeUndefined();
  });

  it('writeAtomically awaits the scrub of a failed write and throws the write\'s own error', async () => {
    const path = tempFiles('pending-atomic-scrub', cleanups);
    const out = path('out.txt');
    const witness = path('witness');
    const failed = writeAtomically(
      out,
      async (stream) => {
        await new Promise<void>((resolve, reject) => stream.end('decrypted plaintext\n'.repeat(10_000), (err?: Error | null) => (err ? reject(err) : resolve())));
        const [temporary] = readdirSync(dirname(out)).filter((name) => name.endsWith('.tmp'));
        linkSync(join(dirname(out), temporary!), witness);
        throw new Error('the transform failed');
      },
      { scrub: true },
    );
    await expect(failed).rejects.toThrow('the transform failed');
    // Done by the time the failure is thrown, not after.
    expect(readdirSync(dirname(out)).sort()).toEqual(['witness']);
    const left = readFileSync(witness);
    expect(left.length).toBe(200_000);
    expect(left.every((byte) => byte === 0)).toBe(true);
  });

  it('writeAtomically holds its temporary file while writing and lets go once renamed', async () => {
    const path = tempFiles('pending-atomic', cleanups);
    const out = path('out.txt');
    let heldDuring = 0;
    const interrupted = writeAtomically(out, async (stream) => {
      stream.write('done\n');
      heldDuring = removeTemporariesNow(); // as a signal handler would, mid-write
      stream.end();
    });
    await expect(interrupted).rejects.toThrow(/ENOENT/); // its file is gone: nothing to rename
    expect(heldDuring).toBe(1);
    expect(existsSync(out)).toBe(false);
    await writeAtomically(out, async (stream) => {
      stream.end('done\n');
    });
    expect(removeTemporariesNow()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('done\n');
  });
});
