import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  it('removes the files and directories still held, and none kept or already discarded', () => {
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
    holdTemporary(discarded).discard();
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
