import { describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { spawnTs } from '../support/processes.js';
import { storeUrls } from '../support/services.js';

const appendLoop = new URL('./fixtures/append-loop.ts', import.meta.url);
const receiptsOf = (lines: string[]) => lines.filter((l) => /^\d+ /.test(l)).map((l) => ({ index: Number(l.split(' ')[0]), id: l.split(' ')[1]! }));

describe.each(storeUrls('durability'))('durability on $dialect', ({ make }) => {
  it('keeps every resolved append when the writer is killed with SIGKILL, and still verifies', async () => {
    const { url, cleanup } = make();
    try {
      const writer = spawnTs(appendLoop, [url, 'killed', '0']);
      await writer.waitFor('ready');
      // Let it commit a few hundred group commits, then kill it mid-flight.
      while (receiptsOf(writer.lines).length < 2000) await new Promise((r) => setTimeout(r, 20));
      writer.child.kill('SIGKILL');
      await writer.exited;
      const acknowledged = receiptsOf(writer.lines);
      const log = new AuditLogger({ storeUrl: url });
      try {
        const size = await log.size();
        expect(size).toBeGreaterThanOrEqual(acknowledged.length);
        const stored = new Map<number, string | null>();
        for (let after = -1; ; ) {
          const page = await log.query({ afterIndex: after, limit: 10_000 });
          for (const e of page) stored.set(e.index, e.id);
          if (page.length < 10_000) break;
          after = page.at(-1)!.index;
        }
        for (const receipt of acknowledged) expect(stored.get(receipt.index)).toBe(receipt.id);
        await log.checkpoint();
        expect(await log.verify()).toMatchObject({ ok: true, entries: size, verifiedSize: size });
      } finally {
        await log.close();
      }
    } finally {
      await cleanup();
    }
  });

  it('two processes appending at once make one log with the sum of their counts', async () => {
    const { url, cleanup } = make();
    try {
      const first = new AuditLogger({ storeUrl: url });
      await first.open(); // create the tables once, as a deployed server would have
      await first.close();
      const perWriter = 3000;
      const startAt = String(Date.now() + 3000);
      const writers = [spawnTs(appendLoop, [url, 'writer-a', String(perWriter), startAt]), spawnTs(appendLoop, [url, 'writer-b', String(perWriter), startAt])];
      const codes = await Promise.all(writers.map((w) => w.exited));
      expect(codes).toEqual([0, 0]);
      const indices = writers.flatMap((w) => receiptsOf(w.lines).map((r) => r.index));
      expect(indices).toHaveLength(2 * perWriter);
      expect(new Set(indices).size).toBe(2 * perWriter); // no duplicate, no fork
      const [a, b] = writers.map((w) => receiptsOf(w.lines).map((r) => r.index));
      expect(Math.min(...b!)).toBeLessThan(Math.max(...a!)); // the two really interleaved
      expect(Math.min(...a!)).toBeLessThan(Math.max(...b!));
      const log = new AuditLogger({ storeUrl: url });
      try {
        expect(await log.size()).toBe(2 * perWriter); // no gap
        const report = await log.verify();
        expect(report).toMatchObject({ ok: true, entries: 2 * perWriter, verifiedSize: 2 * perWriter });
        expect(await log.query({ userId: 'writer-a', limit: 10_000 })).toHaveLength(perWriter);
      } finally {
        await log.close();
      }
    } finally {
      await cleanup();
    }
  });
});
