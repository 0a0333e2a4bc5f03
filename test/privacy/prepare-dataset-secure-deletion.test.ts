import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TemporaryOptions } from '../../src/core/pending-temporaries.js';
import { SecurityManager } from '../../src/security-manager.js';
import { tempDir } from '../support/services.js';

/** Every temporary file held, with whether it is to be scrubbed: a failed step's temporary is held by writeAtomically, under a random name. */
const held = vi.hoisted(() => [] as Array<{ path: string; scrub: boolean }>);
vi.mock('../../src/core/pending-temporaries.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/pending-temporaries.js')>();
  return {
    ...original,
    holdTemporary: (path: string, options?: TemporaryOptions) => {
      held.push({ path, scrub: options?.scrub === true });
      return original.holdTemporary(path, options);
    },
  };
});

describe('prepareDataset with secureDeletion', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    held.length = 0;
  });
  const open = async () => {
    const dir = tempDir('prepare-scrub');
    const security = await SecurityManager.open({ env: {}, config: { store: { url: `sqlite:${join(dir.path, 'db')}` }, crypto: { kek: `file:${join(dir.path, 'kek')}` } } });
    cleanups.push(() => dir.cleanup(), () => security.close());
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'a', dataTypes: ['training_data'], purposes: ['model_improvement'], consentDate: '2024-01-01' });
    return { security, dir: dir.path };
  };
  const options = { subjectField: 'user_id', dataType: 'training_data', purpose: 'model_improvement' };

  it("scrubs the consent step's temporary file when the step fails part-way (consented records in clear)", async () => {
    const { security, dir } = await open();
    const input = join(dir, 'raw.jsonl');
    // A batch of consented records is written before the bad line is read.
    const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ user_id: 'a', text: `ana.silva@example.org ${i}` }));
    writeFileSync(input, [...lines, '{not json'].join('\n') + '\n');
    await expect(security.dataProtectionManager({ automaticPiiRedaction: true, secureDeletion: true }).prepareDataset({ input, output: join(dir, 'clean.jsonl') }, options)).rejects.toThrow(/line 601: not valid JSON/);
    const temporaries = held.filter((h) => h.path.endsWith('.tmp'));
    expect(temporaries.length).toBeGreaterThan(0);
    expect(temporaries.filter((h) => !h.scrub)).toEqual([]);
  });

  it("scrubs the redaction step's temporary file too, and every file prepareDataset holds", async () => {
    const { security, dir } = await open();
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, JSON.stringify({ user_id: 'a', text: 'ana.silva@example.org' }) + '\n' + JSON.stringify({ user_id: 'b', text: 'x' }) + '\n');
    await security.dataProtectionManager({ automaticPiiRedaction: true, secureDeletion: true }).prepareDataset({ input, output: join(dir, 'clean.jsonl') }, options);
    // the consent and redaction steps' writeAtomically temporaries, and prepareDataset's own
    expect(held.filter((h) => h.path.endsWith('.tmp'))).toHaveLength(2);
    expect(held.filter((h) => !h.scrub)).toEqual([]);
    held.length = 0;
    // without secureDeletion nothing is scrubbed
    await security.dataProtectionManager({ automaticPiiRedaction: true }).prepareDataset({ input, output: join(dir, 'plain.jsonl') }, options);
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((h) => h.scrub)).toEqual([]);
  });
});
