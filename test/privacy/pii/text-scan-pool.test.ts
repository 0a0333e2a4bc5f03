import { afterEach, describe, expect, it } from 'vitest';
// Worker threads run the compiled worker, which TypeScript sources do not have: these tests use
// the build `npm test` makes first, as the CLI tests do.
import { scannerFor } from '../../../dist/privacy/pii/entity-scanner.js';
import { TextScanPool } from '../../../dist/privacy/pii/text-scan-pool.js';

const pools: TextScanPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});
const poolOf = (threads: number) => {
  const pool = new TextScanPool(threads);
  pools.push(pool);
  return pool;
};

const SETTINGS = { threshold: 0.5, denyList: { person_name: ['Zorblax Quintavius'] } };
/** ~150 KB a text: each one past the size scanned on the calling thread. */
const large = (i: number) => `${'A line of prose about the release, with nothing personal in it. '.repeat(2_300)}Mail maria.gonzalez${i}@correo-ejemplo.es or ask Zorblax Quintavius, host 203.0.113.${i}.`;

describe('TextScanPool', () => {
  it('scans large texts on its threads with the same findings as the calling thread, in order', async () => {
    const pool = poolOf(2);
    const texts = [large(1), large(2), large(3)];
    const found = await pool.scanAll(SETTINGS, texts);
    expect(pool.threadIds.length).toBeGreaterThan(0);
    expect(found).toEqual(scannerFor(SETTINGS).scanAll(texts));
    expect(found[1]!.map((f) => [f.type, texts[1]!.slice(f.start, f.end)])).toEqual([
      ['email', 'maria.gonzalez2@correo-ejemplo.es'],
      ['person_name', 'Zorblax Quintavius'],
      ['ip_address', '203.0.113.2'],
    ]);
  });

  it('scans small requests on the calling thread, starting no thread', async () => {
    const pool = poolOf(2);
    const found = await pool.scanAll(SETTINGS, ['mail ana@example.org']);
    expect(found[0]!.map((f) => f.type)).toEqual(['email']);
    expect(pool.threadIds).toEqual([]);
  });

  it('refuses settings on the calling thread with their own error, and scans nothing once closed', async () => {
    const pool = poolOf(1);
    await expect(pool.scanAll({ threshold: 0.5, denyList: { person_name: ['Ann Lee'], address: ['ann lee'] } }, [large(1)])).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(pool.threadIds).toEqual([]);
    await pool.close();
    await expect(pool.scanAll(SETTINGS, [large(1)])).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
