import { describe, expect, it } from 'vitest';
import type { AccessSnapshot } from '../../../src/access/store/access-store.js';
import { refuseUnknownRoles } from '../../../src/access/store/known-roles.js';

/** An access store holding `names` as its roles; counts how often it is read. */
function storeWith(...names: string[]) {
  const store = {
    reads: 0,
    async snapshot(): Promise<AccessSnapshot> {
      store.reads += 1;
      return { revision: 1, roles: names.map((name) => ({ name, permissions: ['audit.read'] })), bindings: [], policies: [] };
    },
  };
  return store;
}

const NEXT = 'GET /v1/access lists the roles';

describe('refuseUnknownRoles', () => {
  it('accepts stored and built-in roles, and no roles without reading the store', async () => {
    const store = storeWith('trainer');
    await expect(refuseUnknownRoles(store, ['trainer', 'admin'], NEXT)).resolves.toBeUndefined();
    await expect(refuseUnknownRoles(storeWith(), [], NEXT)).resolves.toBeUndefined();
    expect(store.reads).toBe(1);
  });

  it('names every unknown role once, then what to do next, with the names in details', async () => {
    await expect(refuseUnknownRoles(storeWith('trainer'), ['trainr', 'trainer', 'ghost', 'trainr'], NEXT)).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: `no such role: trainr, ghost. ${NEXT}`,
      details: { roles: ['trainr', 'ghost'] },
    });
  });
});
