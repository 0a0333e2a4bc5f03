import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/core/atomic-file.js';
import { tempFiles } from '../support/services.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('writeAtomically', () => {
  it('renames the file into place only once everything the writer queued is written, whether or not it ended the stream', async () => {
    const path = tempFiles('atomic-queued', cleanups);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (const end of [false, true]) {
      const output = path(`out-${end}.txt`);
      await writeAtomically(output, async (out) => {
        for (let i = 0; i < 64; i++) out.write(chunk); // past the stream's buffer, never waiting for 'drain'
        if (end) out.end();
      });
      expect(readFileSync(output).length).toBe(64 * chunk.length);
    }
  });

  it('refuses an output that is a directory before the writer runs', async () => {
    const path = tempFiles('atomic-directory', cleanups);
    mkdirSync(path('out'));
    let ran = false;
    await expect(writeAtomically(path('out'), async () => void (ran = true))).rejects.toThrow(/^cannot write .*out: it is a directory \(name a file in it\)$/);
    expect(ran).toBe(false);
    expect(readdirSync(path('.'))).toEqual(['out']);
  });

  it('fails, keeping the older file and no temporary, when a write fails after the writer returned (the disk filled with the last batch queued)', async () => {
    const path = tempFiles('atomic-late-failure', cleanups);
    const output = path('out.jsonl', 'older output\n');
    const diskFull = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const writing = writeAtomically(output, async (out) => {
      out.write('{"text":"last batch"}\n');
      queueMicrotask(() => out.destroy(diskFull)); // after this writer has returned
    });
    await expect(writing).rejects.toBe(diskFull);
    expect(readFileSync(output, 'utf8')).toBe('older output\n');
    expect(readdirSync(path('.')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
