import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSecurity } from '../../src/cli/context.js';
import { tempDir } from '../support/services.js';

/**
 * openSecurity loads the configuration once: the store it checks (refused when missing, or
 * announced when new) is the store it opens, whichever of --db, the file or a command's own
 * settings names it.
 */
let dir: { path: string; cleanup: () => void };
let config: string;
beforeEach(() => {
  dir = tempDir('open-security');
  config = join(dir.path, 'lt.yaml');
  writeFileSync(config, `crypto:\n  kek: file:${join(dir.path, 'kek.key')}\n`);
});
afterEach(() => {
  vi.restoreAllMocks();
  dir.cleanup();
});

describe('openSecurity', () => {
  it("checks the store a command's own settings name, not the default one", async () => {
    const file = join(dir.path, 'own.db');
    await expect(openSecurity({ config }, { config: { store: { url: `sqlite:${file}` } } })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining(`no store at ${file}: pass --db`) });
    expect(existsSync(file)).toBe(false);

    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    const security = await openSecurity({ config }, { store: 'create', config: { store: { url: `sqlite:${file}` } } });
    try {
      expect(security.store.displayUrl).toBe(`sqlite:${file}`);
      expect(stderr).toBe(`note: no store was at ${file}: created a new one there (pass --db to use another)\n`);
    } finally {
      await security.close();
    }
  });

  it('--db wins over the configuration, for the check and the opening alike', async () => {
    const named = join(dir.path, 'named.db');
    const given = join(dir.path, 'given.db');
    writeFileSync(config, `store:\n  url: sqlite:${named}\ncrypto:\n  kek: file:${join(dir.path, 'kek.key')}\n`);
    await expect(openSecurity({ config, db: `sqlite:${given}` })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining(`no store at ${given}:`) });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const security = await openSecurity({ config, db: `sqlite:${given}` }, { store: 'create', config: { store: { url: `sqlite:${named}` } } });
    try {
      expect(security.store.displayUrl).toBe(`sqlite:${given}`);
      expect(existsSync(named)).toBe(false);
    } finally {
      await security.close();
    }
  });
});
