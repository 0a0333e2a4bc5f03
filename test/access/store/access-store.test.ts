import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invalidInput } from '../../../src/core/errors.js';
import { AccessStore, type AccessDocument } from '../../../src/access/store/access-store.js';
import { accessMigrations } from '../../../src/access/store/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents } from '../../support/recorded-events.js';

/** A stand-in for the engine's check: every binding names a known role; no policy named "broken". */
function validate(doc: AccessDocument): void {
  const roles = new Set(doc.roles.map((r) => r.name));
  for (const b of doc.bindings) if (!roles.has(b.role)) throw invalidInput(`binding names unknown role ${b.role}`);
  for (const p of doc.policies) if (p.name === 'broken') throw invalidInput('policy broken: condition does not compile');
}

describe.each(storeUrls('access'))('AccessStore on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  const access = () => new AccessStore({ store, audit, validate });

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'access', accessMigrations);
    audit = new RecordedEvents();
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('keeps roles, bindings and policies, bumping the revision once per change, each audited with the actor', async () => {
    const a = access();
    expect(await a.revision()).toBe(0);
    await a.putRole({ name: 'ml_engineer', permissions: ['models.train', 'datasets.read'] }, 'user:admin');
    await a.putRole({ name: 'data_scientist', permissions: ['models.deploy'], inherits: ['ml_engineer'] }, 'user:admin');
    const { id } = await a.addBinding({ principal: 'alice', role: 'data_scientist', resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00.000Z' }, 'user:admin');
    await a.putPolicy({ name: 'sensitive_data_access', effect: 'allow', condition: 'user.clearance_level >= dataset.classification_level', resources: ['dataset'] }, 'user:admin');
    const snap = await a.snapshot();
    expect(snap.revision).toBe(4);
    expect(snap.roles.map((r) => r.name)).toEqual(['data_scientist', 'ml_engineer']);
    expect(snap.roles[0]).toEqual({ name: 'data_scientist', permissions: ['models.deploy'], inherits: ['ml_engineer'] });
    expect(snap.bindings).toEqual([{ id, principal: 'alice', role: 'data_scientist', resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00.000Z' }]);
    expect(snap.policies).toEqual([{ name: 'sensitive_data_access', effect: 'allow', condition: 'user.clearance_level >= dataset.classification_level', resources: ['dataset'] }]);
    // A second instance on the same store sees the same revision and document.
    expect(await access().snapshot()).toEqual(snap);
    expect(audit.events.map((e) => [e.eventType, e.userId, e.additionalData?.revision])).toEqual([
      ['access.role_saved', 'user:admin', 1],
      ['access.role_saved', 'user:admin', 2],
      ['access.binding_added', 'user:admin', 3],
      ['access.policy_saved', 'user:admin', 4],
    ]);

    // Updating in place keeps one row.
    await a.putRole({ name: 'ml_engineer', permissions: ['models.*'] }, null);
    expect((await a.snapshot()).roles.find((r) => r.name === 'ml_engineer')?.permissions).toEqual(['models.*']);
  });

  it('refuses a change the validator refuses, and a role still bound, changing nothing', async () => {
    const a = access();
    await a.putRole({ name: 'viewer', permissions: ['models.read'] }, null);
    await a.addBinding({ principal: 'bob', role: 'viewer' }, null);
    const before = await a.snapshot();
    await expect(a.addBinding({ principal: 'bob', role: 'ghost' }, null)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('unknown role ghost') });
    await expect(a.putPolicy({ name: 'broken', effect: 'allow', condition: 'user.' }, null)).rejects.toMatchObject({ message: expect.stringContaining('does not compile') });
    await expect(a.deleteRole('viewer', null)).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'role "viewer" is named by 1 binding (bob); delete that binding first',
      details: { role: 'viewer', bindings: 1, boundTo: ['bob'] },
    });
    await expect(a.deleteBinding('no-such-id', null)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await a.snapshot()).toEqual(before);
    await a.deleteBinding(before.bindings[0]!.id, null);
    await a.deleteRole('viewer', null);
    expect((await a.snapshot()).roles).toEqual([]);
  });

  it('refuses to delete a role another role inherits, naming the heirs and what to do, changing nothing', async () => {
    const a = access();
    await a.putRole({ name: 'ml_engineer', permissions: ['models.train'] }, null);
    await a.putRole({ name: 'data_scientist', permissions: ['models.deploy'], inherits: ['ml_engineer'] }, null);
    await a.putRole({ name: 'analyst', permissions: ['datasets.read'], inherits: ['ml_engineer'] }, null);
    const before = await a.snapshot();
    await expect(a.deleteRole('ml_engineer', null)).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: `role "ml_engineer" is inherited by analyst, data_scientist; remove it from those roles' inherits first`,
      details: { role: 'ml_engineer', inheritedBy: ['analyst', 'data_scientist'] },
    });
    expect(await a.snapshot()).toEqual(before);
    await a.putRole({ name: 'analyst', permissions: ['datasets.read'] }, null);
    await expect(a.deleteRole('ml_engineer', null)).rejects.toMatchObject({ message: `role "ml_engineer" is inherited by data_scientist; remove it from that role's inherits first` });
  });

  it('replaces everything with a document atomically; a bad document changes nothing', async () => {
    const a = access();
    await a.putRole({ name: 'old', permissions: ['*'] }, null);
    const doc: AccessDocument = {
      roles: [{ name: 'operator', permissions: ['*'] }],
      bindings: [{ principal: 'root', role: 'operator' }],
      policies: [{ name: 'office_hours', effect: 'deny', condition: 'false' }],
    };
    await expect(a.replaceAll({ ...doc, bindings: [{ principal: 'x', role: 'missing' }] }, null)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect((await a.snapshot()).roles.map((r) => r.name)).toEqual(['old']);
    const snap = await a.replaceAll(doc, 'user:admin');
    expect(snap.roles.map((r) => r.name)).toEqual(['operator']);
    expect(snap.bindings.map(({ id: _, ...b }) => b)).toEqual(doc.bindings);
    expect(snap.policies).toEqual(doc.policies);
  });

  it('keeps the built-in admin role out of the store: restating it as it is passes, changing it is refused', async () => {
    const a = access();
    await expect(a.putRole({ name: 'admin', permissions: ['audit.read'] }, null)).rejects.toMatchObject({ message: expect.stringContaining('built in') });
    await expect(a.deleteRole('admin', null)).rejects.toMatchObject({ message: expect.stringContaining('built in') });
    await expect(a.replaceAll({ roles: [{ name: 'admin', permissions: ['models.*'] }], bindings: [], policies: [] }, null)).rejects.toMatchObject({ message: expect.stringContaining('built in') });
    const snap = await a.replaceAll({ roles: [{ name: 'admin', permissions: ['*'] }], bindings: [], policies: [] }, null);
    expect(snap.roles).toEqual([]);
  });
});
