import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetLedger, composedEpsilon } from '../../../src/privacy/budget/budget-ledger.js';
import { BUDGETS, budgetMigrations } from '../../../src/privacy/budget/schema.js';
import { RdpAccountant } from '../../../src/privacy/dp/index.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { storeUrls } from '../../support/services.js';

const MECHANISM = { noiseMultiplier: 1.1, samplingRate: 0.01 };

describe.each(storeUrls('budget'))('BudgetLedger on $dialect', ({ make }) => {
  let url: string;
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let ledger: BudgetLedger;

  beforeEach(async () => {
    const made = make();
    url = made.url;
    cleanup = made.cleanup;
    store = await openStore(url);
    await migrate(store, 'privacy_budget', budgetMigrations);
    audit = new RecordedEvents();
    ledger = new BudgetLedger({ store, audit });
    await ledger.createBudget({ unit: 'dataset:tickets', epsilon: 2, delta: 1e-5 }, 'alice');
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('composes every spend with the accountant (not by adding epsilons) and refuses the step that would go over, before it runs', async () => {
    const first = await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 300, job: 'job-1', actor: 'alice' });
    const second = await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 300, job: 'job-2', actor: 'alice' });
    const composed = new RdpAccountant().record({ ...MECHANISM, steps: 600 }).getEpsilon(1e-5).epsilon;
    expect(second.epsilonAfter).toBeCloseTo(composed, 12);
    // RDP composition is tighter than adding the two epsilons.
    expect(second.epsilonAfter).toBeLessThan(2 * first.epsilonAfter);

    await expect(ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 100_000, job: 'job-3', actor: 'alice' })).rejects.toMatchObject({ code: 'ERR_PRIVACY_BUDGET_EXHAUSTED' });
    const budget = await ledger.budget('dataset:tickets');
    expect(budget.spends.map((s) => s.job)).toEqual(['job-1', 'job-2']); // the refused one spent nothing
    expect(budget.spentEpsilon).toBe(second.epsilonAfter);
    expect(budget.remainingEpsilon).toBeCloseTo(2 - second.epsilonAfter, 12);
    expect(audit.of('privacy.budget_refused')).toHaveLength(1);
    expect(audit.of('privacy.budget_spent').map((e) => e.additionalData?.steps)).toEqual([300, 300]);
  });

  it('upTo reserves the most steps that fit, and then refuses even one more', async () => {
    const granted = await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 1_000_000, upTo: true, job: 'train', actor: 'alice' });
    expect(granted.steps).toBeGreaterThan(0);
    expect(granted.steps).toBeLessThan(1_000_000);
    expect(granted.epsilonAfter).toBeLessThanOrEqual(2);
    expect(composedEpsilon([{ ...MECHANISM, steps: granted.steps + 1 }], 1e-5, 'rdp')).toBeGreaterThan(2);
    await expect(ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 1, upTo: true, job: 'train', actor: 'alice' })).rejects.toThrow(/not one more step.*Nothing ran/);
  });

  it('survives a restart, and two ledgers racing for one unit never both get the last of it', async () => {
    const { steps: all } = await new BudgetLedger({ store, audit }).reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 1_000_000, upTo: true, job: 'probe', actor: 'alice' });
    await store.close();
    store = await openStore(url);
    ledger = new BudgetLedger({ store, audit });
    expect((await ledger.budget('dataset:tickets')).spends).toHaveLength(1);

    await ledger.createBudget({ unit: 'dataset:race', epsilon: 2, delta: 1e-5 }, 'alice');
    const other = await openStore(url);
    try {
      const rival = new BudgetLedger({ store: other, audit });
      // Each asks for 60% of what fits: one must be refused.
      const ask = Math.ceil(all * 0.6);
      const outcomes = await Promise.allSettled([
        ledger.reserve({ unit: 'dataset:race', ...MECHANISM, steps: ask, job: 'a', actor: 'alice' }),
        rival.reserve({ unit: 'dataset:race', ...MECHANISM, steps: ask, job: 'b', actor: 'bob' }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await ledger.budget('dataset:race')).spends).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a budget is fixed once set; bad input is refused naming the option', async () => {
    await expect(ledger.createBudget({ unit: 'dataset:tickets', epsilon: 2, delta: 1e-5 }, 'alice')).resolves.toMatchObject({ epsilon: 2 });
    await expect(ledger.createBudget({ unit: 'dataset:tickets', epsilon: 20, delta: 1e-5 }, 'alice')).rejects.toThrow(/already has a budget/);
    await expect(ledger.createBudget({ unit: 'dataset:x', epsilon: 1, delta: 1e-5, accountant: 'gdp' as never }, 'alice')).rejects.toThrow(/supported: rdp, prv/);
    await expect(ledger.reserve({ unit: 'dataset:none', ...MECHANISM, steps: 1, job: 'j', actor: 'a' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(ledger.reserve({ unit: 'dataset:tickets', noiseMultiplier: 1, samplingRate: 2, steps: 1, job: 'j', actor: 'a' })).rejects.toThrow(/samplingRate/);
    // Bad figures are the caller's input, not configuration.
    await expect(ledger.reserve({ unit: 'dataset:tickets', noiseMultiplier: 0, samplingRate: 0.01, steps: 1, job: 'j', actor: 'a' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'noiseMultiplier: must be > 0 (without noise the steps give no privacy: epsilon would be infinite)',
      details: { field: 'noiseMultiplier' },
    });
    await expect(ledger.createBudget({ unit: 'dataset:y', epsilon: -1, delta: 1e-5 }, 'alice')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^epsilon: /) });
    expect(await ledger.list()).toEqual([expect.objectContaining({ unit: 'dataset:tickets', spentEpsilon: 0, remainingEpsilon: 2 })]);
  });
  it('refuses a unit whose name holds personal data, naming what it found and never the name, and creates nothing', async () => {
    for (const [unit, found] of [
      ['user:jane.doe@example.com', ['email']],
      ['dataset:crm-415-555-0132', ['phone', 'digits']],
      ['user:12345678', ['digits']],
    ] as const) {
      const refused = await ledger.createBudget({ unit, epsilon: 1, delta: 1e-5 }, 'alice').then(
        () => undefined,
        (err: unknown) => err as { code: string; message: string; details: unknown },
      );
      expect(refused, unit).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^unit looks like it holds personal data/), details: { field: 'unit', personalData: found } });
      for (const part of unit.split(/[:@.-]/).filter((p) => p.length > 3 && p !== 'user' && p !== 'dataset')) expect(refused!.message, unit).not.toContain(part);
    }
    expect((await ledger.list()).map((b) => b.unit)).toEqual(['dataset:tickets']);
    expect(audit.of('privacy.budget_created')).toHaveLength(1);
  });

  it('keeps a unit created before the name check usable: creating it again with its figures is still a no-op, and spends still count', async () => {
    // as createBudget wrote it before units were checked
    await store.db.insertInto(BUDGETS).values({ unit: 'customer:5551234567', epsilon: 4, delta: 1e-5, accountant: 'rdp', created_by: 'alice', created_at: new Date().toISOString() }).execute();
    await expect(ledger.createBudget({ unit: 'customer:5551234567', epsilon: 4, delta: 1e-5 }, 'alice')).resolves.toMatchObject({ unit: 'customer:5551234567', spentEpsilon: 0 });
    await expect(ledger.createBudget({ unit: 'customer:5551234567', epsilon: 8, delta: 1e-5 }, 'alice')).rejects.toMatchObject({ message: expect.stringContaining('already has a budget') });
    expect((await ledger.reserve({ unit: 'customer:5551234567', ...MECHANISM, steps: 10, job: 'job-1', actor: 'alice' })).steps).toBe(10);
    expect(audit.of('privacy.budget_created')).toHaveLength(1); // dataset:tickets only
  });

  it('takes units that name no one: data sets, models, tenants, days, and the data digest train names a unit by', async () => {
    // this digest's hex has the run 07408562: a number to the label check, bytes here
    const digest = 'sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce';
    const units = ['dataset:tickets-v2', 'model:classifier-3', 'tenant-42', 'dataset:chat-2024-11-27', 'dataset:llama3-ft-20241127', 'user:42', `dataset:${digest}`];
    for (const unit of units) await expect(ledger.createBudget({ unit, epsilon: 1, delta: 1e-5 }, 'alice'), unit).resolves.toMatchObject({ unit });
    // the digest is let through as a whole only: more digits after it are still read
    await expect(ledger.createBudget({ unit: `dataset:${digest}-4155550132`, epsilon: 1, delta: 1e-5 }, 'alice')).rejects.toMatchObject({ details: { personalData: expect.arrayContaining(['digits']) } });
  });

  it('eraseActor replaces an erased actor by `erased` where they created a budget or spent, and the spends still count', async () => {
    await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 300, job: 'job-1', actor: 'alice' });
    await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 300, job: 'job-2', actor: 'bob' });
    const before = await ledger.budget('dataset:tickets');
    expect((await ledger.actedBy('alice')).created.map((c) => c.unit)).toEqual(['dataset:tickets']);
    expect(await ledger.eraseActor('alice')).toBe(2);
    expect(await ledger.actedBy('alice')).toEqual({ created: [], spends: [] });
    expect(await ledger.actedBy('erased')).toEqual({ created: [], spends: [] });
    const after = await ledger.budget('dataset:tickets');
    expect(after.spends.map((x) => x.actor)).toEqual(['erased', 'bob']);
    expect(after.spentEpsilon).toBe(before.spentEpsilon);
    // the next reservation composes the erased actor's spend as before
    const third = await ledger.reserve({ unit: 'dataset:tickets', ...MECHANISM, steps: 300, job: 'job-3', actor: 'bob' });
    expect(third.epsilonAfter).toBeCloseTo(composedEpsilon([{ ...MECHANISM, steps: 900 }], 1e-5, 'rdp'), 12);
    expect(await ledger.eraseActor('alice')).toBe(0);
    expect(await ledger.eraseActor('erased')).toBe(0);
  });
});
