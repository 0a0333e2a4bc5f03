import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';

/**
 * The `privacy_budget` domain's tables.
 *
 * - `privacy_budgets`: one row per privacy unit (a data set, or one user's data in it): the
 *   epsilon it may spend in all, at which delta, and the accountant that composes its spends.
 * - `privacy_budget_spends`: append-only, one row per reservation of DP-SGD steps (noise
 *   multiplier, sampling rate, steps) and the epsilon spent after it. The ledger keeps the
 *   mechanisms, not only epsilons, because privacy loss does not add up: epsilon is recomputed
 *   by composing every spend with the accountant (RDP adds per order; PRV composes
 *   distributions). `seq` is assigned under the write lock.
 *
 * Both name who acted (`created_by`, `actor`); erasure replaces an erased subject's id there by
 * `erased` (BudgetLedger.eraseActor), and no trigger guards the rows.
 */
export const budgetMigrations: Migration[] = [
  {
    id: '0001_privacy_budget',
    async up(tx, dialect) {
      const { bigint } = columnTypes(dialect);
      await sql`CREATE TABLE privacy_budgets (
        unit TEXT PRIMARY KEY,
        epsilon DOUBLE PRECISION NOT NULL,
        delta DOUBLE PRECISION NOT NULL,
        accountant TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE privacy_budget_spends (
        seq ${bigint} PRIMARY KEY,
        unit TEXT NOT NULL,
        noise_multiplier DOUBLE PRECISION NOT NULL,
        sampling_rate DOUBLE PRECISION NOT NULL,
        steps INTEGER NOT NULL,
        job TEXT NOT NULL,
        actor TEXT NOT NULL,
        epsilon_after DOUBLE PRECISION NOT NULL,
        at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX privacy_budget_spends_unit ON privacy_budget_spends (unit, seq)`.execute(tx);
    },
  },
];

export const BUDGETS = 'privacy_budgets';
export const SPENDS = 'privacy_budget_spends';
