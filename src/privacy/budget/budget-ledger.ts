import { z } from 'zod';
import type { AuditSink } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import { PrvAccountant, RdpAccountant } from '../dp/index.js';
import type { Store } from '../../store/database.js';
import { ERASED_ACTOR, checkSubjectId } from '../subject-id.js';
import { BUDGETS, SPENDS } from './schema.js';
import { checkUnitName } from './unit-name.js';

/** Steps of the Poisson-subsampled Gaussian mechanism (DP-SGD), as the accountants take them. */
export interface MechanismSteps {
  noiseMultiplier: number;
  samplingRate: number;
  steps: number;
}

export const ACCOUNTANTS = ['rdp', 'prv'] as const;
export type AccountantName = (typeof ACCOUNTANTS)[number];

/** Epsilon after every mechanism of `history`, composed by `accountant`, at `delta` (PRV: its upper bound, the safe side). */
export function composedEpsilon(history: readonly MechanismSteps[], delta: number, accountant: AccountantName): number {
  const composed = accountant === 'prv' ? new PrvAccountant() : new RdpAccountant();
  for (const { noiseMultiplier, samplingRate, steps } of history) composed.record({ noiseMultiplier, samplingRate, steps });
  return composed.getEpsilon(delta).epsilon;
}

export interface BudgetSpend extends MechanismSteps {
  seq: number;
  job: string;
  actor: string;
  /** Epsilon of the unit after this spend, every earlier one composed with it. */
  epsilonAfter: number;
  at: string;
}

export interface PrivacyBudget {
  unit: string;
  /** The most epsilon the unit may ever spend. */
  epsilon: number;
  delta: number;
  accountant: AccountantName;
  spentEpsilon: number;
  remainingEpsilon: number;
  spends: BudgetSpend[];
}

export interface Reservation {
  unit: string;
  /** Steps reserved: all asked for, or with `upTo` the most that fit (at least one). */
  steps: number;
  epsilonAfter: number;
  remainingEpsilon: number;
}

/** What one actor did in the ledger (BudgetLedger.actedBy), oldest first: the budgets they created, the spends they reserved. */
export interface BudgetActions {
  created: Array<{ unit: string; createdAt: string }>;
  spends: Array<BudgetSpend & { unit: string }>;
}

export interface BudgetLedgerDeps {
  /** Migrated with `budgetMigrations` (domain `privacy_budget`). */
  store: Store;
  audit: AuditSink;
  clock?: () => Date;
}

const UNIT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,255}$/, 'a privacy unit is a name such as dataset:tickets-v2 (letters, digits and ._:/@-, at most 256)');
const ACTOR = z.string().min(1).max(256);
/** A unit alone (a path parameter), refused like the other fields: led by its name. */
const unitSchema = z.object({ unit: UNIT });

const createSchema = z
  .object({
    unit: UNIT,
    epsilon: z.number().positive().finite(),
    delta: z.number().gt(0).lt(1),
    accountant: z.enum(ACCOUNTANTS, { message: `supported: ${ACCOUNTANTS.join(', ')}` }).default('rdp'),
  })
  .strict();

const reserveSchema = z
  .object({
    unit: UNIT,
    noiseMultiplier: z.number().positive({ error: 'must be > 0 (without noise the steps give no privacy: epsilon would be infinite)' }).finite(),
    samplingRate: z.number().gt(0).max(1),
    steps: z.number().int().positive().max(100_000_000),
    /** Reserve the most steps that fit, up to `steps`, instead of all or nothing. */
    upTo: z.boolean().default(false),
    job: z.string().min(1).max(256),
    actor: ACTOR,
  })
  .strict();

export type CreateBudgetInput = z.input<typeof createSchema>;
export type ReserveInput = z.input<typeof reserveSchema>;

const WRITE_LOCK = 'privacy.budget';

/**
 * A budget or reservation that does not validate is the caller's input (an HTTP body, CLI
 * flags), not configuration: ERR_INVALID_INPUT, each problem led by the field it is about.
 */
function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
  );
  throw invalidInput(problems.join('; '), { problems, field: parsed.error.issues[0]?.path.join('.') });
}

/**
 * The privacy budget of each privacy unit, kept in the store so spending survives restarts,
 * and enforced: a reservation that would take the unit's epsilon over its budget is refused
 * (`ERR_PRIVACY_BUDGET_EXHAUSTED`) before any step runs. Opacus only reports epsilon and leaves
 * stopping to the caller; here the ledger is the gate.
 *
 * Reservations run under the store's write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on
 * PostgreSQL), so two jobs on one unit, in one process or several, can never both spend the
 * same remaining budget. Every reservation and refusal is audited.
 */
export class BudgetLedger {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;

  constructor(deps: BudgetLedgerDeps) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /**
   * A unit's budget. Creating it again with the same figures is a no-op; other figures are
   * refused (a budget is never raised silently), as is a new unit whose name holds personal data
   * (checkUnitName). A unit created before that check stays usable, the no-op included (`train`
   * creates its unit's budget on every run): refusing it would push its users to a new unit,
   * whose fresh epsilon would restart the accounting of the same data.
   */
  async createBudget(input: CreateBudgetInput, actor: string): Promise<PrivacyBudget> {
    const budget = parseRequest(createSchema, input);
    ACTOR.parse(actor);
    const created = await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      const row = await tx.selectFrom(BUDGETS).selectAll().where('unit', '=', budget.unit).executeTakeFirst();
      if (row) {
        if (Number(row.epsilon) !== budget.epsilon || Number(row.delta) !== budget.delta || row.accountant !== budget.accountant) {
          throw invalidInput(`${budget.unit} already has a budget (epsilon ${row.epsilon}, delta ${row.delta}, ${row.accountant}); a budget is fixed once set: use a new unit`, { field: 'unit' });
        }
        return false;
      }
      checkUnitName(budget.unit);
      await tx.insertInto(BUDGETS).values({ ...budget, created_by: actor, created_at: this.#clock().toISOString() }).execute();
      return true;
    });
    if (created) await this.#audit.record({ eventType: 'privacy.budget_created', userId: actor, result: 'success', additionalData: { ...budget } });
    return this.budget(budget.unit);
  }

  async budget(unit: string): Promise<PrivacyBudget> {
    parseRequest(unitSchema, { unit });
    const row = await this.#store.db.selectFrom(BUDGETS).selectAll().where('unit', '=', unit).executeTakeFirst();
    if (!row) throw new LangtrainError('ERR_NOT_FOUND', `no privacy budget for ${unit}: create one first (langtrain dp budget create, or POST /v1/privacy/budgets)`);
    const spends = (await this.#store.db.selectFrom(SPENDS).selectAll().where('unit', '=', unit).orderBy('seq').execute()).map(toSpend);
    return toBudget(row, spends);
  }

  async list(): Promise<Array<Omit<PrivacyBudget, 'spends'>>> {
    const rows = await this.#store.db.selectFrom(BUDGETS).selectAll().orderBy('unit').execute();
    const spent = await this.#store.db
      .selectFrom(SPENDS)
      .select(['unit', (eb) => eb.fn.max('seq').as('last')])
      .groupBy('unit')
      .execute();
    const lastSeq = new Map(spent.map((s) => [s.unit as string, Number(s.last)]));
    const lastEpsilon = new Map<string, number>();
    if (lastSeq.size > 0) {
      const rowsAfter = await this.#store.db.selectFrom(SPENDS).select(['unit', 'epsilon_after']).where('seq', 'in', [...lastSeq.values()]).execute();
      for (const r of rowsAfter) lastEpsilon.set(r.unit as string, Number(r.epsilon_after));
    }
    return rows.map((row) => {
      const { spends: _none, ...summary } = toBudget(row, []);
      const spentEpsilon = lastEpsilon.get(row.unit as string) ?? 0;
      return { ...summary, spentEpsilon, remainingEpsilon: Math.max(0, summary.epsilon - spentEpsilon) };
    });
  }

  /**
   * Reserve `steps` DP-SGD steps of (noiseMultiplier, samplingRate) on `unit`: all of them, or
   * with `upTo` the most that fit. Refused with ERR_PRIVACY_BUDGET_EXHAUSTED when not one more
   * step (or, without `upTo`, not all of them) fits in what is left.
   */
  async reserve(input: ReserveInput): Promise<Reservation> {
    const asked = parseRequest(reserveSchema, input);
    const at = this.#clock().toISOString();
    const outcome = await this.#store.writeTransaction<{ refused: PrivacyBudget } | { reservation: Reservation }>(WRITE_LOCK, async (tx) => {
      const row = await tx.selectFrom(BUDGETS).selectAll().where('unit', '=', asked.unit).executeTakeFirst();
      if (!row) throw new LangtrainError('ERR_NOT_FOUND', `no privacy budget for ${asked.unit}: create one first (langtrain dp budget create, or POST /v1/privacy/budgets)`);
      const spends = (await tx.selectFrom(SPENDS).selectAll().where('unit', '=', asked.unit).orderBy('seq').execute()).map(toSpend);
      const budget = toBudget(row, spends);
      const epsilonWith = (steps: number) => composedEpsilon([...spends, { noiseMultiplier: asked.noiseMultiplier, samplingRate: asked.samplingRate, steps }], budget.delta, budget.accountant);
      const steps = asked.upTo ? mostStepsWithin(asked.steps, budget.epsilon, epsilonWith) : epsilonWith(asked.steps) <= budget.epsilon ? asked.steps : 0;
      if (steps === 0) return { refused: budget };
      const epsilonAfter = epsilonWith(steps);
      const last = await tx.selectFrom(SPENDS).select((eb) => eb.fn.max('seq').as('last')).executeTakeFirst();
      await tx
        .insertInto(SPENDS)
        .values({ seq: Number(last?.last ?? 0) + 1, unit: asked.unit, noise_multiplier: asked.noiseMultiplier, sampling_rate: asked.samplingRate, steps, job: asked.job, actor: asked.actor, epsilon_after: epsilonAfter, at })
        .execute();
      return { reservation: { unit: asked.unit, steps, epsilonAfter, remainingEpsilon: Math.max(0, budget.epsilon - epsilonAfter) } };
    });
    const mechanism = { noiseMultiplier: asked.noiseMultiplier, samplingRate: asked.samplingRate };
    // Audited after commit: the audit log may share this database's writer lock.
    if ('refused' in outcome) {
      const { refused } = outcome;
      await this.#audit.record({ eventType: 'privacy.budget_refused', userId: asked.actor, result: 'denied', additionalData: { unit: asked.unit, job: asked.job, ...mechanism, steps: asked.steps, epsilon: refused.epsilon, spentEpsilon: refused.spentEpsilon } });
      throw new LangtrainError(
        'ERR_PRIVACY_BUDGET_EXHAUSTED',
        `${asked.unit} has spent epsilon ${refused.spentEpsilon.toFixed(4)} of ${refused.epsilon}; ${asked.upTo ? 'not one more step' : `${asked.steps} more steps`} of noise multiplier ${asked.noiseMultiplier} at sampling rate ${asked.samplingRate} would go over it. Nothing ran. Use more noise, fewer steps, or a new privacy unit.`,
        { unit: asked.unit, epsilon: refused.epsilon, spentEpsilon: refused.spentEpsilon },
      );
    }
    await this.#audit.record({ eventType: 'privacy.budget_spent', userId: asked.actor, result: 'success', additionalData: { unit: asked.unit, job: asked.job, ...mechanism, steps: outcome.reservation.steps, epsilonAfter: outcome.reservation.epsilonAfter } });
    return outcome.reservation;
  }

  /**
   * The budgets `actor` created and the spends they reserved: an actor may be a person (an
   * operator's email address, or a principal id that is one person's), so these are their data
   * too (GDPR Art. 15), what eraseActor changes. None for ERASED_ACTOR: its rows are those of
   * actors already erased.
   */
  async actedBy(actor: string): Promise<BudgetActions> {
    checkSubjectId(actor, 'actor');
    if (actor === ERASED_ACTOR) return { created: [], spends: [] };
    const created = await this.#store.db.selectFrom(BUDGETS).select(['unit', 'created_at']).where('created_by', '=', actor).orderBy('created_at').orderBy('unit').execute();
    const spends = await this.#store.db.selectFrom(SPENDS).selectAll().where('actor', '=', actor).orderBy('seq').execute();
    return { created: created.map((row) => ({ unit: String(row.unit), createdAt: String(row.created_at) })), spends: spends.map((row) => ({ unit: String(row.unit), ...toSpend(row) })) };
  }

  /**
   * Replace `actor` where they created a budget or reserved a spend by ERASED_ACTOR (erasure),
   * as LineageStore.eraseActor does for edges: the ledger must name no one once they are
   * forgotten, yet the spends stay, since every later reservation composes them (a spend taken
   * out would hand its epsilon back). Not audited here: erasure writes one record for all
   * domains. Returns how many rows (budgets and spends) were changed.
   */
  async eraseActor(actor: string): Promise<number> {
    checkSubjectId(actor, 'actor');
    if (actor === ERASED_ACTOR) return 0;
    return this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      const budgets = await tx.updateTable(BUDGETS).set({ created_by: ERASED_ACTOR }).where('created_by', '=', actor).executeTakeFirst();
      const spends = await tx.updateTable(SPENDS).set({ actor: ERASED_ACTOR }).where('actor', '=', actor).executeTakeFirst();
      return Number(budgets.numUpdatedRows) + Number(spends.numUpdatedRows);
    });
  }
}

/** The largest k in [0, max] with epsilonWith(k) <= budget: epsilon only grows with steps, so bisect. */
export function mostStepsWithin(max: number, budget: number, epsilonWith: (steps: number) => number): number {
  if (epsilonWith(max) <= budget) return max;
  let fits = 0;
  let over = max;
  while (over - fits > 1) {
    const mid = Math.floor((fits + over) / 2);
    if (epsilonWith(mid) <= budget) fits = mid;
    else over = mid;
  }
  return fits;
}

function toSpend(row: Record<string, unknown>): BudgetSpend {
  return {
    seq: Number(row.seq),
    noiseMultiplier: Number(row.noise_multiplier),
    samplingRate: Number(row.sampling_rate),
    steps: Number(row.steps),
    job: String(row.job),
    actor: String(row.actor),
    epsilonAfter: Number(row.epsilon_after),
    at: String(row.at),
  };
}

function toBudget(row: Record<string, unknown>, spends: BudgetSpend[]): PrivacyBudget {
  const epsilon = Number(row.epsilon);
  const spentEpsilon = spends.at(-1)?.epsilonAfter ?? 0;
  return { unit: String(row.unit), epsilon, delta: Number(row.delta), accountant: row.accountant as AccountantName, spentEpsilon, remainingEpsilon: Math.max(0, epsilon - spentEpsilon), spends };
}
