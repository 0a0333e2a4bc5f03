import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../src/identity/api-keys/api-key-format.js';
import { openSuccessor, sealSuccessor } from '../../../src/identity/api-keys/successor-seal.js';

describe('successor seal', () => {
  const pepper = randomBytes(32);
  const { key, id } = generateApiKey({ environment: 'live' });

  it('opens what it sealed, and the sealed text shows nothing of the key', () => {
    const sealed = sealSuccessor(pepper, id, key);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain(key.split('_')[3]);
    expect(openSuccessor(pepper, id, sealed)).toBe(key);
    expect(sealSuccessor(pepper, id, key)).not.toBe(sealed); // fresh IV each time
  });

  it('refuses another pepper, another row, or an altered value', () => {
    const sealed = sealSuccessor(pepper, id, key);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const [p, rowId, value] of [
      [randomBytes(32), id, sealed],
      [pepper, generateApiKey({ environment: 'live' }).id, sealed],
      [pepper, id, flip(sealed, 30)],
      [pepper, id, sealed.replace(/^v1/, 'v2')],
      [pepper, id, 'garbage'],
    ] as const) {
      expect(() => openSuccessor(p, rowId, value)).toThrow(expect.objectContaining({ code: 'ERR_CRYPTO_DECRYPT_FAILED' }));
    }
  });
});
